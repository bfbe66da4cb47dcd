import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { main, USAGE } from "../../review/cli";
import { NOW } from "../support/clock";
import { freshDir, REVIEW_CONFIG, synthesizeApp, withChange } from "./support";

/** A real `terraform show -json` of a plan with the default AWS provider (eu-central-1) and an aliased one, `copies`. */
const twoProviderPlan = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "review", "two-provider-plan.json"), "utf8"),
);
/** The same plan as if made for prod of REVIEW_CONFIG: only the default provider, eu-central-1, 333333333333. */
const prodPlan = structuredClone(twoProviderPlan);
delete prodPlan.configuration.provider_config["aws.copies"];

let dir: string;

beforeAll(() => {
  dir = freshDir("cli");
  synthesizeApp(REVIEW_CONFIG, join(dir, "head"));
  // The base still has qa, which this change removes.
  const qa = { name: "qa", account: "444444444444", region: "eu-north-1", plan: REVIEW_CONFIG.environments[0].plan };
  synthesizeApp({ ...REVIEW_CONFIG, environments: [...REVIEW_CONFIG.environments, qa] }, join(dir, "base"));
  // A folder a former synth left behind: not in the manifest, so not reviewed.
  cpSync(join(dir, "head", "stacks", "dev"), join(dir, "head", "stacks", "old"), { recursive: true });
  const write = (name: string, content: unknown) =>
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  write("prod-plan.json", prodPlan);
  write("two-provider-plan.json", twoProviderPlan);
  write("not-json.json", "hello");
  write("a-file", "");
  write("state.json", { format_version: "1.0", terraform_version: "1.11.4", values: { root_module: {} } });
  write("old-format.json", { ...prodPlan, format_version: "0.1" });
  write("no-format.json", { planned_values: {} });
  write("list.json", []);
  write("bad-changes.json", { ...prodPlan, resource_changes: [{ address: "aws_backup_vault.v" }] });
  mkdirSync(join(dir, "not-cdktf"));
  write("not-cdktf/manifest.json", { version: "0.21.0" });
  mkdirSync(join(dir, "no-path"));
  write("no-path/manifest.json", { stacks: { dev: { name: "dev" } } });
  write("no-providers.json", { ...prodPlan, configuration: { root_module: {} } });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(["--out", "head", ...argv], {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    now: NOW,
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe("npm run review", () => {
  it("writes the review of the manifest's stacks to --output and prints it, changes from the plan given", async () => {
    const { code, stdout, stderr } = await run("--plan", "prod=prod-plan.json", "--output", "reviews/pr.md");
    expect({ code, stderr }).toEqual({ code: 0, stderr: ["review written to reviews/pr.md"] });
    const markdown = readFileSync(join(dir, "reviews", "pr.md"), "utf8");
    expect(stdout).toEqual([markdown]);
    expect(markdown.match(/^## .*/gm)).toEqual(["## dev", "## prod", "## staging"]);
    expect(markdown).toContain("**Changes** (from the plan): 2 to add, 0 to change, 0 to replace, 0 to destroy.");
    expect(markdown).toContain("Provider `aws`: account 333333333333, region eu-central-1.");
    expect(markdown).toContain("    title prod: how long a backup taken on 2026-11-25 is kept");
  });

  it("writes cdktf.out/review.md (in --out) by default", async () => {
    expect((await run()).code).toBe(0);
    expect(readFileSync(join(dir, "head", "review.md"), "utf8")).toContain("## staging");
  });

  it("calls out, at the top, an environment of the base whose stack is gone, and what that leaves behind", async () => {
    const { code, stdout } = await run("--base", "base", "--output", "removed.md");
    expect(code).toBe(0);
    const top = stdout[0].slice(0, stdout[0].indexOf("## dev"));
    expect(top).toContain(
      "> - **qa**: removed: its stack is no longer synthesized, and nothing destroys its resources (account 444444444444, region eu-north-1): its backup plan keeps running, its vault keeps its recovery points and no deploy manages them any more. To remove them, run `npx cdktf destroy qa` from the base branch before merging",
    );
    expect(stdout[0]).not.toContain("## qa");
    expect(stdout[0]).toContain("**Changes** (from the synthesized JSON): none.");
  });

  it("calls out, at the top, alerts a change removes, from the synthesized JSON of base and head", async () => {
    synthesizeApp(withChange("dev", { alerts: false }), join(dir, "head-without-alerts"));
    const { code, stdout } = await run("--out", "head-without-alerts", "--base", "head", "--output", "weak.md");
    expect(code).toBe(0);
    const top = stdout[0].slice(0, stdout[0].indexOf("## dev"));
    expect(top).toContain(
      "> - **dev**: weakens protection: removes the alerts on failed and crash-consistent backups (rule `vss-backup-dev-backup-alerts` to topic vss-backup-dev-backup-alerts): no one is told when VSS falls back",
    );
    expect(top).not.toContain("**prod**: weakens");
    expect(stdout[0]).toContain("- **Alerts:** **none**: failed and crash-consistent backups go unreported");
  });

  it.each([
    [
      ["--plan", "qa=prod-plan.json"],
      "--plan qa=prod-plan.json: no stack qa in the synthesized app; stacks: dev, prod, staging",
    ],
    [
      ["--plan", "old=prod-plan.json"],
      "--plan old=prod-plan.json: no stack old in the synthesized app; stacks: dev, prod, staging",
    ],
    [["--plan", "prod"], "--plan prod: expected <env>=<plan.json>"],
    [["--plan", "=prod-plan.json"], "--plan =prod-plan.json: expected <env>=<plan.json>"],
    [
      ["--plan", "prod=prod-plan.json", "--plan", "prod=prod-plan.json"],
      "--plan prod=prod-plan.json: a second plan for prod",
    ],
    [["--plan", "prod=missing.json"], "--plan prod=missing.json: cannot read: no such file or directory (ENOENT)"],
    [
      ["--plan", "prod=not-json.json"],
      `--plan prod=not-json.json: not JSON: Unexpected token 'h', "hello" is not valid JSON`,
    ],
    [
      ["--plan", "prod=list.json"],
      "--plan prod=list.json: not `terraform show -json <planfile>` output: not a JSON object",
    ],
    [
      ["--plan", "prod=no-format.json"],
      "--plan prod=no-format.json: not `terraform show -json <planfile>` output: no format_version",
    ],
    [
      ["--plan", "prod=old-format.json"],
      "--plan prod=old-format.json: not `terraform show -json <planfile>` output: format_version 0.1, expected 1.x",
    ],
    [
      ["--plan", "prod=state.json"],
      "--plan prod=state.json: not `terraform show -json <planfile>` output: no planned_values (a state, not a plan?)",
    ],
    [
      ["--plan", "prod=bad-changes.json"],
      "--plan prod=bad-changes.json: not `terraform show -json <planfile>` output: resource_changes[0] has no address, type or change.actions",
    ],
    [
      ["--plan", "prod=no-providers.json"],
      "--plan prod=no-providers.json: no AWS provider in configuration.provider_config: cannot tell which environment it was planned for",
    ],
    [
      ["--plan", "dev=prod-plan.json"],
      "--plan dev=prod-plan.json: planned for another environment: provider aws is account 333333333333, region eu-central-1 in the plan but account 111111111111, region eu-west-1 in stack dev",
    ],
    [
      ["--plan", "prod=two-provider-plan.json"],
      "--plan prod=two-provider-plan.json: planned for another environment: provider aws.copies is account 333333333333, region eu-west-1 in the plan but absent in stack prod",
    ],
    [
      ["--output", "head/stacks/prod/review.md"],
      "--output head/stacks/prod/review.md: inside the synthesized stack folder head/stacks/prod, where terraform would read it; write it elsewhere, e.g. head/review.md",
    ],
    [["--output", "not-cdktf"], "--output not-cdktf: cannot write: illegal operation on a directory (EISDIR)"],
    [["--output", "a-file/review.md"], "--output a-file/review.md: cannot write: file already exists (EEXIST)"],
    [["--base", "nowhere"], "nowhere/manifest.json: cannot read: no such file or directory (ENOENT)"],
    [["--base", "head/stacks"], "head/stacks/manifest.json: cannot read: no such file or directory (ENOENT)"],
    [["--base", "not-cdktf"], 'not-cdktf/manifest.json: not a cdktf manifest: no "stacks" object'],
    [["--base", "no-path"], "no-path/manifest.json: not a cdktf manifest: stack dev has no synthesizedStackPath"],
    [["--output"], "Option '--output <value>' argument missing"],
    [["review.md"], "Unexpected argument 'review.md'. This command does not take positional arguments"],
  ])("%j: exit 2, one line naming the problem, then the usage", async (argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: [], stderr: [`${message}\n${USAGE}`] });
  });

  it("writes nothing inside a stack folder", async () => {
    await run("--output", "head/stacks/prod/review.md");
    expect(existsSync(join(dir, "head", "stacks", "prod", "review.md"))).toBe(false);
  });

  it("refuses an --out without a manifest, naming the file and the reason", async () => {
    const { code, stderr } = await run("--out", "nowhere");
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: [`nowhere/manifest.json: cannot read: no such file or directory (ENOENT)\n${USAGE}`],
    });
  });
});
