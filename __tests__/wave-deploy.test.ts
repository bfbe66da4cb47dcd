// `npm run deploy:wave`: plan and apply of one wave's member stacks, with a fake of the processes it starts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { ResolvedMember } from "../config/organization-types";
import type { MemberProfile } from "../scripts/member-profiles";
import { runCommand } from "../scripts/terraform/tools";
import { main, planMarkdown, waveEnvironment, waveSource, WaveSource } from "../scripts/wave-deploy";
import { FakeStack, fakeProcesses } from "./support/fake-terraform";

const SANDBOX = "a111111111111-eu-west-1";
const NON_PROD = ["a222222222222-eu-west-1", "a222222222222-us-east-1", "a333333333333-eu-west-1"];
const PROD = "a444444444444-eu-west-1";
/** Member stacks by name, each with its profile and the roles of its account (the names of config/organization.ts). */
const membersOf = (stacks: readonly string[]): ReadonlyMap<string, MemberProfile> =>
  new Map(
    stacks.map((name) => [
      name,
      {
        profile: `vss-backup-${name}`,
        planRoleArn: `arn:aws:iam::${name.slice(1, 13)}:role/vss-backup-plan`,
        deployRoleArn: `arn:aws:iam::${name.slice(1, 13)}:role/vss-backup-deploy`,
      },
    ]),
  );
const WAVES: WaveSource = {
  waves: ["sandbox", "non-prod", "prod"],
  stacksOf: (wave) => membersOf({ sandbox: [SANDBOX], "non-prod": NON_PROD, prod: [PROD] }[wave] ?? []),
};
/** What GitHub's configure-aws-credentials leaves in a job's environment. */
const KEYS = { AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" };
const INIT = ["init", "-input=false", "-no-color"];
const PLAN = ["plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode", "-out=tfplan"];
const APPLY_INIT = ["init", "-input=false", "-lockfile=readonly", "-no-color"];
const APPLY = ["apply", "-input=false", "-lock-timeout=10m", "-no-color", "tfplan"];
const SHOW = ["show", "-json", "tfplan"];
/** The review's date. */
const TODAY = new Date("2026-11-26T00:00:00Z");

let root: string;
let out: string[];
let err: string[];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "wave-deploy-"));
  out = [];
  err = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The whole organization's stacks, each as `behaviour` says (default: a plan with changes that applies). */
const organization = (behaviour: Record<string, FakeStack> = {}) =>
  Object.fromEntries([SANDBOX, ...NON_PROD, PROD].map((name) => [name, behaviour[name] ?? {}]));
const deploy = (
  argv: string[],
  processes: ReturnType<typeof fakeProcesses>,
  waves = WAVES,
  credentials: NodeJS.ProcessEnv = KEYS,
) =>
  main(argv, {
    run: processes.run,
    waves,
    cwd: root,
    env: { PATH: "/usr/bin", TF_PLUGIN_CACHE_DIR: "/cache", ...credentials },
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    now: TODAY,
  });
const terraformCalls = (processes: ReturnType<typeof fakeProcesses>) =>
  processes.calls.filter((call) => call.command === "terraform").map((call) => [call.cwd, ...call.args].join(" "));
const wavePlan = (wave: string) => JSON.parse(readFileSync(join(root, "cdktf.out/waves", wave, "plan.json"), "utf8"));

describe("deploy:wave plan", () => {
  it("synthesizes with VSS_WAVE, then inits and plans exactly the wave's stacks, each with its timeouts", async () => {
    const processes = fakeProcesses(root, organization({ [NON_PROD[1]]: { plan: "no-changes" } }));
    expect(await deploy(["plan", "--wave", "non-prod"], processes)).toBe(0);
    expect(processes.calls[0]).toEqual({
      command: "npm",
      args: ["run", "--silent", "synth"],
      cwd: "",
      timeoutMs: 900_000,
      wave: "non-prod",
    });
    expect(terraformCalls(processes).sort()).toEqual(
      [
        ...NON_PROD.flatMap((name) => [
          `cdktf.out/stacks/${name} ${INIT.join(" ")}`,
          `cdktf.out/stacks/${name} ${PLAN.join(" ")}`,
        ]),
        // Only a saved plan with changes is shown as JSON, for the review.
        ...[NON_PROD[0], NON_PROD[2]].map((name) => `cdktf.out/stacks/${name} ${SHOW.join(" ")}`),
      ].sort(),
    );
    const timeouts = processes.calls.slice(1).map((call) => [call.args[0], call.timeoutMs]);
    expect(new Set(timeouts.map((t) => t.join(" ")))).toEqual(new Set(["init 600000", "plan 1800000", "show 300000"]));
    expect(err).toEqual([]);
  });

  it("writes the wave's summary (JSON for the apply, Markdown for people) with Terraform's own plan line", async () => {
    const processes = fakeProcesses(root, organization({ [NON_PROD[1]]: { plan: "no-changes" } }));
    await deploy(["plan", "--wave", "non-prod"], processes);
    expect(wavePlan("non-prod")).toEqual({
      wave: "non-prod",
      stacks: [
        {
          name: NON_PROD[0],
          directory: `stacks/${NON_PROD[0]}`,
          status: "changes",
          detail: "Plan: 3 to add, 0 to change, 0 to destroy.",
        },
        {
          name: NON_PROD[1],
          directory: `stacks/${NON_PROD[1]}`,
          status: "no-changes",
          detail: "No changes. Your infrastructure matches the configuration.",
        },
        {
          name: NON_PROD[2],
          directory: `stacks/${NON_PROD[2]}`,
          status: "changes",
          detail: "Plan: 3 to add, 0 to change, 0 to destroy.",
        },
      ],
    });
    expect(readFileSync(join(root, "cdktf.out/waves/non-prod/plan.md"), "utf8")).toBe(
      [
        "### Wave non-prod: 3 stacks, 2 with changes, 0 failed",
        "",
        "#### Replaced or destroyed",
        "",
        "Nothing: no saved plan of the wave replaces or destroys a resource of the types the review watches (`aws_backup_vault`, `aws_backup_plan`, `aws_backup_selection`, `aws_iam_role`, `aws_backup_vault_lock_configuration`, `aws_backup_vault_policy`).",
        "",
        "The full review (posture, changes, retention of every stack): cdktf.out/waves/non-prod/review.md, in the wave's sealed bundle.",
        "",
        "| stack | plan | detail |",
        "| --- | --- | --- |",
        "| a222222222222-eu-west-1 | changes | Plan: 3 to add, 0 to change, 0 to destroy. |",
        "| a222222222222-us-east-1 | no changes | No changes. Your infrastructure matches the configuration. |",
        "| a333333333333-eu-west-1 | changes | Plan: 3 to add, 0 to change, 0 to destroy. |",
        "",
      ].join("\n"),
    );
    expect(out.at(-1)).toBe(
      "wave non-prod: 3 stacks planned, 2 with changes, 0 failed; summary in cdktf.out/waves/non-prod/plan.json, review (0 warnings: replaced or destroyed) in cdktf.out/waves/non-prod/review.md",
    );
    expect(readFileSync(join(root, `cdktf.out/waves/non-prod/${NON_PROD[0]}.plan.log`), "utf8")).toContain(
      "$ terraform plan -input=false -lock=false -no-color -detailed-exitcode -out=tfplan\nTerraform will perform",
    );
  });

  it("plans the first stack alone (its init fills the plugin cache), then at most --parallel at a time", async () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`a${i}00000000000-eu-west-1`, {}]));
    const processes = fakeProcesses(root, many);
    const waves = { waves: ["all"], stacksOf: () => membersOf(Object.keys(many)) };
    expect(await deploy(["plan", "--wave", "all", "--parallel", "3"], processes, waves)).toBe(0);
    const terraform = processes.calls.map((call, i) => [call, processes.concurrency[i]] as const).slice(1);
    expect(terraform.slice(0, 2).map(([call, running]) => [call.cwd, call.args[0], running])).toEqual([
      ["cdktf.out/stacks/a000000000000-eu-west-1", "init", 1],
      ["cdktf.out/stacks/a000000000000-eu-west-1", "plan", 1],
    ]);
    expect(Math.max(...processes.concurrency)).toBe(3);
  });

  it("fails naming the stacks whose plan failed, and plans the others", async () => {
    const processes = fakeProcesses(root, organization({ [NON_PROD[0]]: { plan: "fails" } }));
    expect(await deploy(["plan", "--wave", "non-prod"], processes)).toBe(1);
    expect(err).toEqual([`wave non-prod: the plan failed for ${NON_PROD[0]} (logs in cdktf.out/waves/non-prod)`]);
    expect(wavePlan("non-prod").stacks.map((s: { status: string }) => s.status)).toEqual([
      "failed",
      "changes",
      "changes",
    ]);
    expect(wavePlan("non-prod").stacks[0].detail).toBe(
      "terraform plan exited 1: Error: AssumeRole: AccessDenied: not authorized to perform: sts:AssumeRole",
    );
  });

  it("stops when the synth fails, with the synth's own words, and runs no terraform", async () => {
    const processes = fakeProcesses(root, organization(), { synthFails: true });
    expect(await deploy(["plan", "--wave", "prod"], processes)).toBe(1);
    expect(err).toEqual(["wave prod: the synth failed:\nInvalid configuration (1 problem):\n  x: y"]);
    expect(terraformCalls(processes)).toEqual([]);
  });

  it("refuses a manifest that lacks a stack of the wave", async () => {
    const processes = fakeProcesses(root, { [SANDBOX]: {}, [NON_PROD[2]]: {} });
    expect(await deploy(["plan", "--wave", "non-prod"], processes)).toBe(1);
    expect(err).toEqual([
      `wave non-prod: cdktf.out/manifest.json lacks 2 of its stacks: ${NON_PROD[0]}, ${NON_PROD[1]}`,
    ]);
    expect(terraformCalls(processes)).toEqual([]);
  });

  it("with --refuse-local-state, plans nothing while a stack of the wave keeps local state (or names no backend)", async () => {
    const processes = fakeProcesses(
      root,
      organization({
        [NON_PROD[0]]: { terraform: { backend: { local: { path: "terraform.tfstate" } } } },
        [NON_PROD[1]]: { terraform: { cloud: { organization: "acme", workspaces: { name: "x" } } } },
        [NON_PROD[2]]: { terraform: { required_providers: {} } },
        [PROD]: { terraform: { backend: { local: {} } } },
      }),
    );
    expect(await deploy(["plan", "--wave", "non-prod", "--refuse-local-state"], processes)).toBe(1);
    expect(err).toEqual([
      `wave non-prod: ${NON_PROD[0]}, ${NON_PROD[2]} keep local state, which a CI runner discards: set the member stacks' backend (memberBackend, or VSS_BACKEND)`,
    ]);
    expect(terraformCalls(processes)).toEqual([]);
    err = [];
    expect(await deploy(["plan", "--wave", "sandbox", "--refuse-local-state"], processes)).toBe(0);
    expect(err).toEqual([]);
  });

  it.each([
    [["plan"], "--wave is required"],
    [["plan", "--wave", "qa"], "--wave qa: not a configured wave; the waves are: sandbox, non-prod, prod"],
    [["plan", "--wave", "prod", "--parallel", "0"], "--parallel 0: a whole number from 1 to 32"],
    [["plan", "--wave", "prod", "--parallel", "2.5"], "--parallel 2.5: a whole number from 1 to 32"],
    [["destroy", "--wave", "prod"], "destroy: expected plan or apply"],
    [["plan", "prod"], "unexpected argument prod"],
  ])("refuses %j with exit code 2: %s", async (argv, message) => {
    const processes = fakeProcesses(root, organization());
    expect(await deploy(argv, processes)).toBe(2);
    expect(err).toEqual([
      `${message}\nusage: npm run deploy:wave -- plan|apply --wave <name> [--parallel <1-32>] [--out cdktf.out] [--refuse-local-state]`,
    ]);
    expect(processes.calls).toEqual([]);
  });

  it("says when no wave is configured", async () => {
    const processes = fakeProcesses(root, organization());
    expect(await deploy(["plan", "--wave", "prod"], processes, { waves: [], stacksOf: () => new Map() })).toBe(2);
    expect(err[0].split("\n")[0]).toBe(
      "--wave prod: not a configured wave; the waves are: none (config/organization.ts)",
    );
  });
});

describe("deploy:wave plan: the review of the saved plans", () => {
  /** A plan that replaces the vault (its name changed) and destroys the selection, and adds a rule's plan. */
  const REPLACES_VAULT = [
    { address: "aws_backup_vault.vault_BBE00A92", actions: ["delete", "create"] },
    { address: "aws_backup_selection.selection_9C14B5B8", actions: ["delete"] },
    { address: "aws_backup_plan.plan_E1BD42BD", actions: ["create"] },
    { address: "aws_ssm_association.vss-components_association_CA1D27A4", actions: ["no-op"] },
  ];
  const planMd = (wave: string) => readFileSync(join(root, "cdktf.out/waves", wave, "plan.md"), "utf8");
  const reviewMd = (wave: string) => readFileSync(join(root, "cdktf.out/waves", wave, "review.md"), "utf8");
  /** plan.md's lines from its review section's heading to the table. */
  const section = (markdown: string) => {
    const lines = markdown.split("\n");
    return lines.slice(lines.indexOf("#### Replaced or destroyed"), lines.indexOf("| stack | plan | detail |"));
  };

  it("lists above the table what each stack's saved plan replaces or destroys; stacks without changes or warnings are not named", async () => {
    const processes = fakeProcesses(
      root,
      organization({ [NON_PROD[1]]: { changes: REPLACES_VAULT }, [NON_PROD[2]]: { plan: "no-changes" } }),
    );
    expect(await deploy(["plan", "--wave", "non-prod"], processes)).toBe(0);
    expect(out.at(-1)).toBe(
      "wave non-prod: 3 stacks planned, 2 with changes, 0 failed; summary in cdktf.out/waves/non-prod/plan.json, review (2 warnings: replaced or destroyed) in cdktf.out/waves/non-prod/review.md",
    );
    expect(section(planMd("non-prod"))).toEqual([
      "#### Replaced or destroyed",
      "",
      "- **a222222222222-us-east-1**: replaces `aws_backup_vault.vault_BBE00A92`",
      "- **a222222222222-us-east-1**: destroys `aws_backup_selection.selection_9C14B5B8`: instances are not selected between destroy and create",
      "",
      "The full review (posture, changes, retention of every stack): cdktf.out/waves/non-prod/review.md, in the wave's sealed bundle.",
      "",
    ]);
    expect(planMd("non-prod")).toContain(
      "\n| a222222222222-us-east-1 | changes | Plan: 2 to add, 0 to change, 2 to destroy. |\n",
    );
    const review = reviewMd("non-prod");
    expect(review).toContain(
      [
        "> [!WARNING]",
        "> **Removed environments, weakened protection, moved providers, replaced or destroyed backup resources**",
        ">",
        "> - **a222222222222-us-east-1**: replaces `aws_backup_vault.vault_BBE00A92`",
        "> - **a222222222222-us-east-1**: destroys `aws_backup_selection.selection_9C14B5B8`: instances are not selected between destroy and create",
        "",
      ].join("\n"),
    );
    // Every stack of the wave, each with its saved plan's changes (none for the one without changes).
    expect(review.match(/^## .*$/gm)).toEqual(NON_PROD.map((name) => `## ${name}`));
    expect(review).toContain(
      "**Changes** (from the plan): 1 to add, 0 to change, 1 to replace, 1 to destroy.\n\n| action | resource | forced by (provider: changed) |\n|---|---|---|\n| delete | `aws_backup_selection.selection_9C14B5B8` |  |\n| replace | `aws_backup_vault.vault_BBE00A92` |  |\n| create | `aws_backup_plan.plan_E1BD42BD` |  |\n",
    );
    expect(review).toContain(`## ${NON_PROD[2]}\n`);
    expect(review.split(`## ${NON_PROD[2]}\n`)[1]).toContain("**Changes** (from the plan): none.");
    // The JSON plan holds the plan's values: the log says it was shown, not what it holds.
    const log = readFileSync(join(root, `cdktf.out/waves/non-prod/${NON_PROD[1]}.plan.log`), "utf8");
    expect(log).toMatch(/\$ terraform show -json tfplan\n\(\d+ characters of output, not logged\)\n/);
    expect(log).not.toContain("resource_changes");
  });

  it("cuts a long list at 100 lines, saying how many more and where the full review is", async () => {
    // Two warnings each: 102 in all.
    const names = Array.from({ length: 51 }, (_, i) => `a${String(100000000000 + i)}-eu-west-1`);
    const processes = fakeProcesses(root, Object.fromEntries(names.map((name) => [name, { changes: REPLACES_VAULT }])));
    const waves = { waves: ["all"], stacksOf: () => membersOf(names) };
    expect(await deploy(["plan", "--wave", "all", "--parallel", "8"], processes, waves)).toBe(0);
    const lines = section(planMd("all"));
    expect(lines).toHaveLength(2 + 100 + 1 + 3);
    expect(lines[2]).toBe(`- **${names[0]}**: replaces \`aws_backup_vault.vault_BBE00A92\``);
    expect(lines[101]).toBe(
      `- **${names[49]}**: destroys \`aws_backup_selection.selection_9C14B5B8\`: instances are not selected between destroy and create`,
    );
    expect(lines.slice(102)).toEqual([
      "- ... and 2 more: see the top of cdktf.out/waves/all/review.md",
      "",
      "The full review (posture, changes, retention of every stack): cdktf.out/waves/all/review.md, in the wave's sealed bundle.",
      "",
    ]);
    expect(reviewMd("all").match(/^> - \*\*/gm)).toHaveLength(102);
  });

  it("fails the wave naming a stack whose saved plan could not be reviewed, and keeps its plan line; apply then refuses the wave", async () => {
    const processes = fakeProcesses(
      root,
      organization({
        [NON_PROD[0]]: { show: "fails" },
        [NON_PROD[1]]: { changes: REPLACES_VAULT },
        [NON_PROD[2]]: { show: "another account" },
      }),
    );
    expect(await deploy(["plan", "--wave", "non-prod"], processes)).toBe(1);
    expect(err).toEqual([
      `wave non-prod: the plan failed for ${NON_PROD[0]}, ${NON_PROD[2]} (logs in cdktf.out/waves/non-prod)`,
    ]);
    const showFailed = "terraform show exited 1: Error: Failed to read the given file as a state or plan file";
    const otherAccount = `${NON_PROD[2]}: terraform show -json tfplan: planned for another environment: provider aws is account 999999999999, region eu-west-1 in the plan but account 333333333333, region eu-west-1 in stack ${NON_PROD[2]}`;
    expect(section(planMd("non-prod"))).toEqual([
      "#### Replaced or destroyed",
      "",
      `- ❌ **${NON_PROD[0]}**: not reviewed, so what its plan replaces or destroys is unknown: ${showFailed}`,
      `- ❌ **${NON_PROD[2]}**: not reviewed, so what its plan replaces or destroys is unknown: ${otherAccount}`,
      "- **a222222222222-us-east-1**: replaces `aws_backup_vault.vault_BBE00A92`",
      "- **a222222222222-us-east-1**: destroys `aws_backup_selection.selection_9C14B5B8`: instances are not selected between destroy and create",
      "",
      "The full review (posture, changes, retention of every stack): cdktf.out/waves/non-prod/review.md, in the wave's sealed bundle.",
      "",
    ]);
    expect(wavePlan("non-prod").stacks.map((s: { status: string; detail: string }) => [s.status, s.detail])).toEqual([
      ["failed", `Plan: 3 to add, 0 to change, 0 to destroy. Not reviewed: ${showFailed}`],
      ["changes", "Plan: 2 to add, 0 to change, 2 to destroy."],
      ["failed", `Plan: 3 to add, 0 to change, 0 to destroy. Not reviewed: ${otherAccount}`],
    ]);
    err = [];
    const applying = fakeProcesses(root, organization());
    expect(await deploy(["apply", "--wave", "non-prod"], applying)).toBe(1);
    expect(err).toEqual([
      `wave non-prod: its plan failed for ${NON_PROD[0]}, ${NON_PROD[2]}: nothing applied; plan again`,
    ]);
    expect(applying.calls).toEqual([]);
  });
  it.each([
    ["a state", "not `terraform show -json <planfile>` output: no planned_values (a state, not a plan?)"],
    ["nothing", "not JSON: Unexpected end of JSON input"],
  ] as const)("fails a stack whose terraform show -json prints %s, naming why", async (show, why) => {
    const processes = fakeProcesses(root, organization({ [PROD]: { show } }));
    expect(await deploy(["plan", "--wave", "prod"], processes)).toBe(1);
    expect(wavePlan("prod").stacks[0].detail).toBe(
      `Plan: 3 to add, 0 to change, 0 to destroy. Not reviewed: ${PROD}: terraform show -json tfplan: ${why}`,
    );
  });
});

describe("deploy:wave apply", () => {
  const planned = async (behaviour: Record<string, FakeStack> = {}) => {
    const processes = fakeProcesses(root, organization(behaviour));
    expect(await deploy(["plan", "--wave", "non-prod"], processes)).toBe(0);
    out = [];
    return fakeProcesses(root, organization(behaviour));
  };

  it("applies exactly the saved plans of the stacks with changes, and never plans again", async () => {
    const processes = await planned({ [NON_PROD[1]]: { plan: "no-changes" } });
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(0);
    expect(terraformCalls(processes).sort()).toEqual(
      [NON_PROD[0], NON_PROD[2]]
        .flatMap((name) => [
          `cdktf.out/stacks/${name} ${APPLY_INIT.join(" ")}`,
          `cdktf.out/stacks/${name} ${APPLY.join(" ")}`,
        ])
        .sort(),
    );
    expect(processes.calls.map((call) => `${call.args[0]} ${call.timeoutMs}`)).toEqual([
      "init 600000",
      "apply 3600000",
      "init 600000",
      "apply 3600000",
    ]);
    expect(out).toEqual([
      `${NON_PROD[0]}: applied`,
      `${NON_PROD[2]}: applied`,
      "wave non-prod: 2 of 2 stacks with changes applied (1 without changes)",
    ]);
    expect(err).toEqual([]);
  });

  it("starts no further stack after one fails, and fails the wave naming the failed and the unstarted", async () => {
    const processes = await planned({ [NON_PROD[0]]: { apply: "fails" } });
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(1);
    expect(terraformCalls(processes)).toEqual([
      `cdktf.out/stacks/${NON_PROD[0]} ${APPLY_INIT.join(" ")}`,
      `cdktf.out/stacks/${NON_PROD[0]} ${APPLY.join(" ")}`,
    ]);
    expect(out).toEqual([
      `${NON_PROD[0]}: FAILED: terraform apply exited 1: Error: creating Backup Vault: AccessDeniedException`,
      "wave non-prod: 0 of 3 stacks with changes applied (0 without changes)",
    ]);
    expect(err).toEqual([
      `wave non-prod failed: ${NON_PROD[0]}; not started: ${NON_PROD[1]}, ${NON_PROD[2]} (logs in cdktf.out/waves/non-prod)`,
    ]);
    expect(readFileSync(join(root, `cdktf.out/waves/non-prod/${NON_PROD[0]}.apply.log`), "utf8")).toContain(
      "Error: creating Backup Vault: AccessDeniedException",
    );
  });

  it("refuses a summary of another wave, or one that is not a summary", async () => {
    const processes = await planned();
    const summary = join(root, "cdktf.out/waves/non-prod/plan.json");
    writeFileSync(summary, JSON.stringify({ ...JSON.parse(readFileSync(summary, "utf8")), wave: "prod" }));
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(1);
    writeFileSync(summary, JSON.stringify({ wave: "non-prod", stacks: [{ name: NON_PROD[0], status: "done" }] }));
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(1);
    expect(err).toEqual([
      "cdktf.out/waves/non-prod/plan.json: the plan of wave prod, not non-prod",
      "cdktf.out/waves/non-prod/plan.json: not a wave's plan summary: plan --wave non-prod again",
    ]);
    expect(processes.calls).toEqual([]);
  });

  it("finds no summary of an earlier plan once a new plan of the wave failed", async () => {
    await planned();
    expect(await deploy(["plan", "--wave", "non-prod"], fakeProcesses(root, {}, { synthFails: true }))).toBe(1);
    err = [];
    const processes = fakeProcesses(root, organization());
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(1);
    expect(err).toEqual([
      "wave non-prod: cdktf.out/waves/non-prod/plan.json does not exist: run plan --wave non-prod first",
    ]);
    expect(processes.calls).toEqual([]);
  });

  it("refuses a wave that was not planned", async () => {
    const processes = fakeProcesses(root, organization());
    expect(await deploy(["apply", "--wave", "prod"], processes)).toBe(1);
    expect(err).toEqual(["wave prod: cdktf.out/waves/prod/plan.json does not exist: run plan --wave prod first"]);
    expect(processes.calls).toEqual([]);
  });

  it("refuses a wave whose plan failed for a stack: nothing is applied", async () => {
    const first = fakeProcesses(root, organization({ [NON_PROD[2]]: { plan: "fails" } }));
    await deploy(["plan", "--wave", "non-prod"], first);
    err = [];
    const processes = fakeProcesses(root, organization());
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(1);
    expect(err).toEqual([`wave non-prod: its plan failed for ${NON_PROD[2]}: nothing applied; plan again`]);
    expect(processes.calls).toEqual([]);
  });

  it("refuses a stack with changes whose saved plan is missing: nothing is applied", async () => {
    const processes = await planned();
    rmSync(join(root, "cdktf.out/stacks", NON_PROD[1], "tfplan"));
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(1);
    expect(err).toEqual([`wave non-prod: no saved plan (tfplan) for ${NON_PROD[1]}: nothing applied`]);
    expect(processes.calls).toEqual([]);
  });
});

describe("deploy:wave: the member profiles its Terraform uses", () => {
  /** The AWS config file each terraform call was given, and its content then. */
  const configsOf = (processes: ReturnType<typeof fakeProcesses>) =>
    processes.calls.filter((call) => call.command === "terraform").map((call) => call.awsConfig);
  const profile = (stack: string, roleArn: string, source: string) => [
    `[profile vss-backup-${stack}]`,
    `role_arn = ${roleArn}`,
    `role_session_name = vss-backup-${stack}`,
    source,
    "",
  ];

  it("plans with one profile per stack of the wave that assumes the member's plan role with the environment's keys, in a file for terraform only, removed afterwards", async () => {
    const processes = fakeProcesses(root, organization());
    expect(await deploy(["plan", "--wave", "non-prod"], processes)).toBe(0);
    const configs = configsOf(processes);
    expect(configs).toHaveLength(9); // init, plan and show of each
    expect(new Set(configs.map((c) => c?.file)).size).toBe(1);
    expect(configs[0]!.content).toBe(
      [
        ...profile(NON_PROD[0], "arn:aws:iam::222222222222:role/vss-backup-plan", "credential_source = Environment"),
        ...profile(NON_PROD[1], "arn:aws:iam::222222222222:role/vss-backup-plan", "credential_source = Environment"),
        ...profile(NON_PROD[2], "arn:aws:iam::333333333333:role/vss-backup-plan", "credential_source = Environment"),
      ].join("\n"),
    );
    expect(configs.every((c) => c!.content === configs[0]!.content)).toBe(true);
    expect(processes.calls[0].awsConfig).toBeUndefined(); // the synth runs without it
    expect(existsSync(configs[0]!.file)).toBe(false);
  });

  it("applies with the profiles of the stacks with changes, assuming the member's deploy role", async () => {
    await deploy(
      ["plan", "--wave", "non-prod"],
      fakeProcesses(root, organization({ [NON_PROD[0]]: { plan: "no-changes" } })),
    );
    const processes = fakeProcesses(root, organization());
    expect(await deploy(["apply", "--wave", "non-prod"], processes)).toBe(0);
    const configs = configsOf(processes);
    expect(configs.map((c) => c!.content)).toEqual(
      Array(4).fill(
        [
          ...profile(
            NON_PROD[1],
            "arn:aws:iam::222222222222:role/vss-backup-deploy",
            "credential_source = Environment",
          ),
          ...profile(
            NON_PROD[2],
            "arn:aws:iam::333333333333:role/vss-backup-deploy",
            "credential_source = Environment",
          ),
        ].join("\n"),
      ),
    );
    expect(existsSync(configs[0]!.file)).toBe(false);
  });

  it("with AWS_PROFILE, assumes the roles from that profile, keeping the user's own config file (AWS_CONFIG_FILE) but not a profile of the same name", async () => {
    const own = join(root, "my-aws-config");
    writeFileSync(
      own,
      [
        "[profile admin]",
        "sso_session = acme",
        "sso_account_id = 999999999999",
        `[profile vss-backup-${PROD}]`,
        "role_arn = arn:aws:iam::444444444444:role/old",
        "source_profile = admin",
        "[sso-session acme]",
        "sso_start_url = https://acme.awsapps.com/start",
      ].join("\n"),
    );
    const processes = fakeProcesses(root, organization());
    const credentials = { AWS_PROFILE: "admin", AWS_CONFIG_FILE: own };
    expect(await deploy(["plan", "--wave", "prod"], processes, WAVES, credentials)).toBe(0);
    expect(configsOf(processes).map((c) => c!.content)).toEqual(
      Array(3).fill(
        [
          "[profile admin]",
          "sso_session = acme",
          "sso_account_id = 999999999999",
          "[sso-session acme]",
          "sso_start_url = https://acme.awsapps.com/start",
          "",
          ...profile(PROD, "arn:aws:iam::444444444444:role/vss-backup-plan", "source_profile = admin"),
        ].join("\n"),
      ),
    );
    expect(readFileSync(own, "utf8")).toContain("role/old"); // the user's file is left as it is
  });

  it("with AWS_PROFILE and no AWS_CONFIG_FILE, keeps ~/.aws/config; without either file, writes the profiles alone", async () => {
    await deploy(["plan", "--wave", "sandbox"], fakeProcesses(root, organization()));
    const home = join(root, "home");
    const credentials = { AWS_PROFILE: "ops", HOME: home };
    let processes = fakeProcesses(root, organization());
    expect(await deploy(["apply", "--wave", "sandbox"], processes, WAVES, credentials)).toBe(0);
    const alone = profile(SANDBOX, "arn:aws:iam::111111111111:role/vss-backup-deploy", "source_profile = ops");
    expect(configsOf(processes)[0]!.content).toBe(alone.join("\n"));
    mkdirSync(join(home, ".aws"), { recursive: true });
    writeFileSync(join(home, ".aws/config"), "[profile ops]\nregion = eu-west-1\n");
    processes = fakeProcesses(root, organization());
    expect(await deploy(["apply", "--wave", "sandbox"], processes, WAVES, credentials)).toBe(0);
    expect(configsOf(processes)[0]!.content).toBe(["[profile ops]", "region = eu-west-1", "", ...alone].join("\n"));
  });

  it.each([
    ["nothing", {}],
    ["only AWS_ACCESS_KEY_ID", { AWS_ACCESS_KEY_ID: "ASIAEXAMPLE" }],
  ])("refuses to start with %s of AWS_PROFILE and the keys: no profile could assume a role", async (_, env) => {
    const processes = fakeProcesses(root, organization());
    expect(await deploy(["plan", "--wave", "prod"], processes, WAVES, env)).toBe(1);
    expect(err).toEqual([
      "wave prod: no credentials to assume the member roles with: set AWS_PROFILE (a profile of your AWS config), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (as GitHub's configure-aws-credentials does)",
    ]);
    expect(processes.calls).toEqual([]);
  });

  it("refuses to apply a saved plan of a stack the configuration no longer puts in the wave", async () => {
    await deploy(["plan", "--wave", "non-prod"], fakeProcesses(root, organization()));
    const processes = fakeProcesses(root, organization());
    const moved = { ...WAVES, stacksOf: (wave: string) => membersOf(wave === "non-prod" ? NON_PROD.slice(1) : []) };
    expect(await deploy(["apply", "--wave", "non-prod"], processes, moved)).toBe(1);
    expect(err).toEqual([
      `wave non-prod: ${NON_PROD[0]} of cdktf.out/waves/non-prod/plan.json are not member stacks of the wave in the configuration: nothing applied; plan again`,
    ]);
    expect(processes.calls).toEqual([]);
  });
});

describe("deploy:wave: Terraform Cloud tokens", () => {
  const CLOUD = { cloud: { organization: "acme", workspaces: { name: "vss-backup-x" } } };
  const CUSTOM_HOST = { cloud: { organization: "acme", hostname: "tfe.acme-corp.example", workspaces: { name: "x" } } };
  /** The wave non-prod: one stack in app.terraform.io, one on a host of its own, one in S3. */
  const inCloud = () =>
    organization({ [NON_PROD[0]]: { terraform: CLOUD }, [NON_PROD[1]]: { terraform: CUSTOM_HOST } });
  /** The tokens each terraform call was given, by stack. */
  const tokensOf = (processes: ReturnType<typeof fakeProcesses>) =>
    processes.calls
      .filter((call) => call.command === "terraform")
      .map((call) => [call.cwd.split("/").at(-1), call.args[0], call.tokens]);

  it("gives each stack in Terraform Cloud, and no other, the token as TF_TOKEN_<host> of its cloud block", async () => {
    const processes = fakeProcesses(root, inCloud());
    expect(await deploy(["plan", "--wave", "non-prod"], processes, WAVES, { ...KEYS, TF_API_TOKEN: "plan-t" })).toBe(0);
    expect(tokensOf(processes).sort()).toEqual([
      [NON_PROD[0], "init", { TF_TOKEN_app_terraform_io: "plan-t" }],
      [NON_PROD[0], "plan", { TF_TOKEN_app_terraform_io: "plan-t" }],
      [NON_PROD[0], "show", { TF_TOKEN_app_terraform_io: "plan-t" }],
      [NON_PROD[1], "init", { TF_TOKEN_tfe_acme__corp_example: "plan-t" }],
      [NON_PROD[1], "plan", { TF_TOKEN_tfe_acme__corp_example: "plan-t" }],
      [NON_PROD[1], "show", { TF_TOKEN_tfe_acme__corp_example: "plan-t" }],
      [NON_PROD[2], "init", undefined],
      [NON_PROD[2], "plan", undefined],
      [NON_PROD[2], "show", undefined],
    ]);
    expect(out.filter((line) => line.includes("plan-t"))).toEqual([]); // masked in GitHub only: printed nowhere else
    expect([processes.calls[0].command, processes.calls[0].tokens]).toEqual(["npm", undefined]); // not the synth's

    const apply = fakeProcesses(root, inCloud());
    const github = { ...KEYS, TF_API_TOKEN: "apply-t", GITHUB_ACTIONS: "true" };
    out = [];
    expect(await deploy(["apply", "--wave", "non-prod"], apply, WAVES, github)).toBe(0);
    expect(out[0]).toBe("::add-mask::apply-t");
    expect(tokensOf(apply).filter(([, command]) => command === "apply")).toEqual([
      [NON_PROD[0], "apply", { TF_TOKEN_app_terraform_io: "apply-t" }],
      [NON_PROD[1], "apply", { TF_TOKEN_tfe_acme__corp_example: "apply-t" }],
      [NON_PROD[2], "apply", undefined],
    ]);
  });

  it.each([
    ["plan", "TF_API_TOKEN_PLAN", "wave-non-prod-plan"],
    ["apply", "TF_API_TOKEN", "wave-non-prod"],
  ])(
    "%s: with an empty token, fails before any terraform runs, naming the stacks in Terraform Cloud, the secret %s and its environment",
    async (command, secret, environment) => {
      if (command === "apply")
        expect(
          await deploy(["plan", "--wave", "non-prod"], fakeProcesses(root, inCloud()), WAVES, {
            ...KEYS,
            TF_API_TOKEN: "plan-t",
          }),
        ).toBe(0);
      for (const token of [{ TF_API_TOKEN: "" }, {}]) {
        const processes = fakeProcesses(root, inCloud());
        err = [];
        expect(await deploy([command, "--wave", "non-prod"], processes, WAVES, { ...KEYS, ...token })).toBe(1);
        expect(err).toEqual([
          `wave non-prod: Terraform Cloud keeps the state of ${NON_PROD[0]}, ${NON_PROD[1]} (app.terraform.io, tfe.acme-corp.example), but TF_API_TOKEN is empty: set the secret ${secret} in the GitHub environment ${environment} (by hand: export TF_API_TOKEN, or TF_TOKEN_app_terraform_io, TF_TOKEN_tfe_acme__corp_example)`,
        ]);
        expect(terraformCalls(processes)).toEqual([]);
      }
    },
  );

  it("without TF_API_TOKEN, leaves a stack to the TF_TOKEN_<host> set by hand, and needs none for S3", async () => {
    const byHand = fakeProcesses(root, inCloud());
    const env = { ...KEYS, TF_TOKEN_app_terraform_io: "mine", TF_TOKEN_tfe_acme__corp_example: "mine too" };
    expect(await deploy(["plan", "--wave", "non-prod"], byHand, WAVES, env)).toBe(0);
    expect(tokensOf(byHand).find(([stack]) => stack === NON_PROD[1])?.[2]).toEqual({
      TF_TOKEN_app_terraform_io: "mine",
      TF_TOKEN_tfe_acme__corp_example: "mine too",
    });
    err = [];
    const s3 = fakeProcesses(root, organization());
    out = [];
    const github = { ...KEYS, TF_API_TOKEN: "", GITHUB_ACTIONS: "true" };
    expect(await deploy(["plan", "--wave", "non-prod"], s3, WAVES, github)).toBe(0);
    expect(err).toEqual([]);
    expect(out.filter((line) => line.startsWith("::add-mask::"))).toEqual([]); // no token to mask
    expect(tokensOf(s3).every(([, , tokens]) => tokens === undefined)).toBe(true);
  });
});

describe("the wave's Terraform environment and summary", () => {
  it("shares one plugin cache between the stacks, unless a cache or CLI configuration is already set", () => {
    expect(waveEnvironment({ PATH: "/usr/bin" })).toEqual({
      PATH: "/usr/bin",
      TF_PLUGIN_CACHE_DIR: join(__dirname, "..", ".cache", "terraform", "plugins"),
      TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true",
    });
    expect(waveEnvironment({ TF_PLUGIN_CACHE_DIR: "/cache" })).toEqual({ TF_PLUGIN_CACHE_DIR: "/cache" });
    expect(waveEnvironment({ TF_CLI_CONFIG_FILE: "/ci.tfrc" })).toEqual({ TF_CLI_CONFIG_FILE: "/ci.tfrc" });
  });

  it("keeps a detail's | from breaking the Markdown table", () => {
    const summary = planMarkdown(
      {
        wave: "prod",
        stacks: [{ name: "a1-eu-west-1", directory: "stacks/a1-eu-west-1", status: "failed", detail: "a | b" }],
      },
      [],
    );
    expect(summary).toContain("\n| a1-eu-west-1 | ❌ FAILED | a \\| b |\n");
    expect(summary.split("\n")[0]).toBe("### Wave prod: 1 stacks, 0 with changes, 1 failed");
  });
});

describe("waveSource", () => {
  it("puts each member stack in its template's wave, with its profile and roles", () => {
    const member = (name: string, wave: string) =>
      ({
        name,
        member: { wave, profile: `p-${name}`, planRoleArn: `plan-${name}`, deployRoleArn: `deploy-${name}` },
      }) as unknown as ResolvedMember;
    const source = waveSource(
      ["sandbox", "prod"],
      [member("a1-eu-west-1", "sandbox"), member("a2-eu-west-1", "prod"), member("a1-us-east-1", "sandbox")],
    );
    expect(source.waves).toEqual(["sandbox", "prod"]);
    expect([...source.stacksOf("sandbox").keys()]).toEqual(["a1-eu-west-1", "a1-us-east-1"]);
    expect([...source.stacksOf("prod")]).toEqual([
      [
        "a2-eu-west-1",
        { profile: "p-a2-eu-west-1", planRoleArn: "plan-a2-eu-west-1", deployRoleArn: "deploy-a2-eu-west-1" },
      ],
    ]);
    expect([...source.stacksOf("other")]).toEqual([]);
  });
});

describe("the real process runner", () => {
  it("stops a process that outlasts its timeout and says so", async () => {
    const started = Date.now();
    const result = await runCommand("sleep", ["10"], { cwd: root, env: process.env, timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("\nsleep 10 did not finish within 0.2 s and was stopped");
  });
});
