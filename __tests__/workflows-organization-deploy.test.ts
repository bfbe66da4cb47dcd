// Organization mode's deploy workflow, generated from waves given here, and the composite action its
// apply jobs run, against a fake terraform.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { BACKEND_VARIABLES } from "../config/backend";
import { organizationDeployWorkflow } from "../scripts/organization-deploy-workflow";
import { main, WaveSource } from "../scripts/wave-deploy";
import { fakeProcesses } from "./support/fake-terraform";
import {
  environmentOf,
  expandedSteps,
  hasShellcheck,
  Job,
  lintWorkflow,
  runAction,
  shellcheck,
  Step,
  workflow,
  Workflow,
} from "./support/workflows";

const WAVES = ["canary", "non-prod", "prod"];
let source: string;
let generated: Workflow;
beforeEach(() => {
  source = organizationDeployWorkflow(WAVES, "acme-deploy");
  generated = parse(source) as Workflow;
});
const jobs = () => generated.jobs;
const step = (job: Job, test: (step: Step) => boolean) => {
  const found = job.steps!.find(test);
  expect(found).toBeDefined();
  return found!;
};
const usesAction = (prefix: string) => (s: Step) => !!s.uses?.startsWith(prefix);

describe("the generated organization-deploy workflow", () => {
  it("is valid for actionlint", async () => {
    expect(await lintWorkflow(source)).toEqual([]);
  });

  // Without shellcheck, skipped here; workflows.test.ts requires it under CI=true.
  (hasShellcheck() ? it : it.skip)("has run: blocks that shellcheck finds nothing in", () => {
    const scripts = Object.values(jobs()).flatMap((job) => job.steps!.flatMap((s) => (s.run ? [s.run] : [])));
    expect(scripts.length).toBe(9); // per wave: npm ci, the plan, its summary
    for (const script of scripts) expect([script, shellcheck(script)]).toEqual([script, []]);
  });

  it("runs on push to main and by hand only, never for a pull request, with a read-only token by default", () => {
    expect(generated.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    expect(generated.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(jobs())) expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("plans and applies wave by wave: each wave's plan waits for the previous wave's apply", () => {
    expect(Object.keys(jobs())).toEqual([
      "plan-canary",
      "apply-canary",
      "plan-non-prod",
      "apply-non-prod",
      "plan-prod",
      "apply-prod",
    ]);
    expect(Object.entries(jobs()).map(([id, job]) => [id, job.needs])).toEqual([
      ["plan-canary", undefined],
      ["apply-canary", "plan-canary"],
      ["plan-non-prod", "apply-canary"],
      ["apply-non-prod", "plan-non-prod"],
      ["plan-prod", "apply-non-prod"],
      ["apply-prod", "plan-prod"],
    ]);
  });

  it("gates each wave's apply by a GitHub environment named after the wave, one concurrency group per wave", () => {
    expect(Object.entries(jobs()).map(([id, job]) => [id, environmentOf(job), job.concurrency])).toEqual(
      [
        ["canary", "canary"],
        ["non-prod", "non-prod"],
        ["prod", "prod"],
      ].flatMap(([wave]) => [
        [`plan-${wave}`, `wave-${wave}-plan`, { group: `organization-deploy-${wave}`, "cancel-in-progress": false }],
        [`apply-${wave}`, `wave-${wave}`, { group: `organization-deploy-${wave}`, "cancel-in-progress": false }],
      ]),
    );
  });

  it("takes one OIDC role per wave and job, from the repository's variables, for as long as the job may run", () => {
    const credentials = (id: string) => step(jobs()[id], usesAction("aws-actions/configure-aws-credentials@")).with;
    expect([jobs()["plan-non-prod"]["timeout-minutes"], credentials("plan-non-prod")]).toEqual([
      180,
      {
        "role-to-assume": "${{ vars.AWS_WAVE_PLAN_ROLE_ARN_NON_PROD }}",
        "role-session-name": "vss-backup-plan-wave-non-prod",
        "role-duration-seconds": 10800,
        "aws-region": "${{ vars.AWS_REGION || 'eu-west-1' }}",
      },
    ]);
    expect([jobs()["apply-non-prod"]["timeout-minutes"], credentials("apply-non-prod")]).toEqual([
      300,
      {
        "role-to-assume": "${{ vars.AWS_WAVE_ROLE_ARN_NON_PROD }}",
        "role-session-name": "vss-backup-deploy-wave-non-prod",
        "role-duration-seconds": 18000,
        "aws-region": "${{ vars.AWS_REGION || 'eu-west-1' }}",
      },
    ]);
  });

  it("pins every third-party action by the same commit SHA as the committed deploy workflow", () => {
    const pins = (steps: Step[]) =>
      new Map(
        steps.filter((s) => s.uses && !s.uses.startsWith("./")).map((s) => s.uses!.split("@") as [string, string]),
      );
    const deploy = workflow("deploy.yml");
    const committed = pins(Object.values(deploy.jobs).flatMap((job) => job.steps!));
    const used = pins(Object.values(jobs()).flatMap((job) => job.steps!));
    expect([...used.keys()].sort()).toEqual([
      "actions/checkout",
      "actions/download-artifact",
      "actions/setup-node",
      "actions/upload-artifact",
      "aws-actions/configure-aws-credentials",
      "hashicorp/setup-terraform",
    ]);
    for (const [action, sha] of used) {
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect([action, sha]).toEqual([action, committed.get(action)]);
    }
  });

  it("plans the wave with deploy:wave and shows its summary, then seals the stacks with their saved plans for a day", () => {
    const plan = jobs()["plan-non-prod"];
    const steps = plan.steps!;
    const planned = steps.findIndex(
      (s) =>
        s.run ===
        'npm run deploy:wave --silent -- plan --wave non-prod --parallel "$WAVE_PARALLEL" --refuse-local-state',
    );
    const shown = steps.findIndex((s) => s.run?.includes('cat "$plan" >> "$GITHUB_STEP_SUMMARY"'));
    const sealed = steps.findIndex((s) => s.uses === "./.github/actions/seal-plan");
    const uploaded = steps.findIndex(usesAction("actions/upload-artifact@"));
    expect([planned, shown, sealed, uploaded].every((i, n, all) => i > (n === 0 ? 0 : all[n - 1]))).toBe(true);
    expect(steps[shown]).toEqual({
      name: "Show the wave's plan in the run's summary",
      if: "${{ !cancelled() }}",
      run: 'plan="cdktf.out/waves/non-prod/plan.md"\n[ ! -f "$plan" ] || cat "$plan" >> "$GITHUB_STEP_SUMMARY"\n',
    });
    expect(steps[sealed].with).toEqual({
      key: "${{ secrets.PLAN_ENCRYPTION_KEY }}",
      "stack-dir": "cdktf.out",
      "plan-file": "waves/non-prod/plan.json",
      output: "${{ runner.temp }}/saved-plans-non-prod.tar.enc",
    });
    expect(steps[uploaded].with).toEqual({
      name: "saved-plans-non-prod",
      path: "${{ runner.temp }}/saved-plans-non-prod.tar.enc",
      "if-no-files-found": "error",
      "retention-days": 1,
    });
    expect(Object.keys(plan.env ?? {})).toEqual(Object.values(BACKEND_VARIABLES));
    expect(generated.env?.WAVE_PARALLEL).toBe("${{ vars.VSS_WAVE_PARALLEL || '4' }}");
  });

  it("applies exactly the sealed plans with Terraform alone: no package, no project code", () => {
    const apply = jobs()["apply-non-prod"];
    expect(apply.steps!.map((s) => s.uses?.split("@")[0])).toEqual([
      "actions/checkout",
      "hashicorp/setup-terraform",
      "actions/download-artifact",
      "./.github/actions/open-plan",
      "./.github/actions/terraform-cloud-token",
      "aws-actions/configure-aws-credentials",
      "./.github/actions/apply-saved-plans",
    ]);
    expect(apply.steps![0].with).toEqual({ "persist-credentials": false, "sparse-checkout": ".github/actions" });
    expect(apply.steps![2].with).toEqual({ name: "saved-plans-non-prod", path: "${{ runner.temp }}" });
    expect(apply.steps![3].with).toEqual({
      key: "${{ secrets.PLAN_ENCRYPTION_KEY }}",
      bundle: "${{ runner.temp }}/saved-plans-non-prod.tar.enc",
      "stack-dir": "cdktf.out",
      "plan-file": "waves/non-prod/plan.json",
    });
    expect(apply.steps![4].with).toEqual({
      token: "${{ secrets.TF_API_TOKEN }}",
      "stack-dir": "cdktf.out",
      "wave-summary": "waves/non-prod/plan.json",
    });
    expect(apply.steps![6].with).toEqual({
      "out-dir": "cdktf.out",
      wave: "non-prod",
      parallel: "${{ env.WAVE_PARALLEL }}",
      "deploy-role-name": "acme-deploy",
    });
    const commands = expandedSteps(apply).flatMap((s) => (s.run ? s.run.split("\n") : []));
    expect(commands.filter((line) => /^\s*terraform /.test(line)).map((line) => line.trim())).toEqual([
      "terraform init -input=false -lockfile=readonly -no-color &&",
      "terraform apply -input=false -lock-timeout=10m -no-color tfplan",
    ]);
    expect(commands.join("\n")).not.toMatch(/\b(npm|npx|node|cdktf)\b|scripts\//);
  });

  it("gives each job of a wave the Terraform Cloud token of its GitHub environment: plan permission to plan, apply to apply", () => {
    const secrets = (job: Job) => [...JSON.stringify(job.steps).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]).sort();
    expect(secrets(jobs()["plan-prod"])).toEqual(["PLAN_ENCRYPTION_KEY", "TF_API_TOKEN_PLAN"]);
    expect(secrets(jobs()["apply-prod"])).toEqual(["PLAN_ENCRYPTION_KEY", "TF_API_TOKEN"]);
    // deploy:wave reads the token from TF_API_TOKEN, in the one step that runs Terraform.
    expect(step(jobs()["plan-prod"], (s) => !!s.run?.startsWith("npm run deploy:wave")).env).toEqual({
      TF_API_TOKEN: "${{ secrets.TF_API_TOKEN_PLAN }}",
    });
  });

  it.each(["@ops", "true", "1e3"])("hands a deploy role named %j to apply-saved-plans as that string", (name) => {
    const apply = (parse(organizationDeployWorkflow(WAVES, name)) as Workflow).jobs["apply-prod"];
    expect(step(apply, usesAction("./.github/actions/apply-saved-plans")).with!["deploy-role-name"]).toBe(name);
  });

  it.each([
    [
      [],
      "acme-deploy",
      "Invalid organization deploy workflow (1 problem):\n  waves: no wave: organization mode deploys in at least one",
    ],
    [
      ["Prod", "eu_1", "prod", "prod"],
      "acme deploy",
      [
        "Invalid organization deploy workflow (4 problems):",
        '  waves[0]: "Prod" is not allowed, allowed: 1-32 of a-z 0-9 -, starting with a letter',
        '  waves[1]: "eu_1" is not allowed, allowed: 1-32 of a-z 0-9 -, starting with a letter',
        '  waves[3]: "prod" is already waves[2]',
        `  memberRoles.deployRoleName: "acme deploy" has ' ', allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _`,
      ].join("\n"),
    ],
  ])(
    "refuses waves %j that cannot name jobs, environments and variables, and a deploy role %j IAM refuses",
    (waves, deployRoleName, message) => {
      expect(() => organizationDeployWorkflow(waves, deployRoleName)).toThrow(new Error(message));
    },
  );
});

describe("apply-saved-plans: the apply job's apply, against a fake terraform", () => {
  const STACKS = ["a111111111111-eu-west-1", "a222222222222-eu-west-1", "a333333333333-eu-west-1"];
  const waves: WaveSource = {
    waves: ["prod"],
    stacksOf: () =>
      new Map(
        STACKS.map((name) => [
          name,
          {
            profile: `vss-backup-${name}`,
            planRoleArn: `arn:aws:iam::${name.slice(1, 13)}:role/vss-backup-plan`,
            deployRoleArn: `arn:aws:iam::${name.slice(1, 13)}:role/vss-backup-deploy`,
          },
        ]),
      ),
  };
  /** The keys GitHub's configure-aws-credentials leaves in the job's environment. */
  const KEYS = { AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" };
  let root: string;
  let bin: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "apply-saved-plans-"));
    bin = join(root, "bin");
    mkdirSync(bin);
    // Logs each call with its stack folder, and the AWS config file and TF_TOKEN_<host> it was given; applies a saved plan
    // unless the stack holds a "fail" file.
    writeFileSync(
      join(bin, "terraform"),
      [
        "#!/bin/bash",
        'echo "${PWD##*/} $*" >> "$TERRAFORM_CALLS"',
        'cat "$AWS_CONFIG_FILE" > "$TERRAFORM_CALLS.aws-config" || exit 1',
        'echo "${PWD##*/} $1 $(env | grep "^TF_TOKEN_" | sort | paste -sd" " -)" >> "$TERRAFORM_CALLS.tokens"',
        'case "$*" in',
        '  "init -input=false -lockfile=readonly -no-color") exit 0 ;;',
        '  "apply -input=false -lock-timeout=10m -no-color tfplan")',
        '    [ -f tfplan ] && [ ! -f fail ] && { echo "Apply complete!"; exit 0; }',
        '    echo "Error: creating Backup Vault: AccessDeniedException" >&2; exit 1 ;;',
        "esac",
        'echo "refused: $*" >&2; exit 1',
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "terraform"), 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Plans the wave with deploy:wave (fake processes), as the plan job hands it over. */
  const plannedWave = async (noChanges: string[] = [], terraform?: object) => {
    // The first stack as one with a DR region: two AWS providers, one profile.
    const profile = `vss-backup-${STACKS[0]}`;
    const withDr = {
      aws: [
        { region: "eu-west-1", allowed_account_ids: ["111111111111"], profile },
        { alias: "dr", region: "eu-central-1", allowed_account_ids: ["111111111111"], profile },
      ],
    };
    const processes = fakeProcesses(
      root,
      Object.fromEntries(
        STACKS.map((s) => [
          s,
          {
            plan: noChanges.includes(s) ? ("no-changes" as const) : undefined,
            provider: s === STACKS[0] ? withDr : undefined,
            terraform,
          },
        ]),
      ),
    );
    const silent = () => undefined;
    const code = await main(["plan", "--wave", "prod"], {
      run: processes.run,
      waves,
      cwd: root,
      env: { ...KEYS, TF_API_TOKEN: "plan-t" },
      stdout: silent,
      stderr: silent,
      now: new Date("2026-11-26T00:00:00Z"),
    });
    expect(code).toBe(0);
  };
  const applyAction = (parallel = "2", deployRoleName = "vss-backup-deploy", jobEnv: Record<string, string> = {}) =>
    runAction(
      "apply-saved-plans",
      { "out-dir": "cdktf.out", wave: "prod", parallel, "deploy-role-name": deployRoleName },
      {
        cwd: root,
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          TERRAFORM_CALLS: join(root, "calls"),
          RUNNER_TEMP: root,
          ...KEYS,
          ...jobEnv,
        },
      },
    );
  const calls = () => readFileSync(join(root, "calls"), "utf8").trim().split("\n");

  it("makes the same terraform calls as deploy:wave apply, on the stacks with changes only, with the same member profiles", async () => {
    await plannedWave([STACKS[1]]);
    const result = applyAction();
    expect(result.status).toBe(0);
    expect(calls().sort()).toEqual(
      [STACKS[0], STACKS[2]]
        .flatMap((s) => [
          `${s} init -input=false -lockfile=readonly -no-color`,
          `${s} apply -input=false -lock-timeout=10m -no-color tfplan`,
        ])
        .sort(),
    );
    const script = fakeProcesses(root, Object.fromEntries(STACKS.map((s) => [s, {}])));
    const silent = () => undefined;
    await main(["apply", "--wave", "prod"], {
      run: script.run,
      waves,
      cwd: root,
      env: KEYS,
      stdout: silent,
      stderr: silent,
      now: new Date("2026-11-26T00:00:00Z"),
    });
    expect(script.calls.map((c) => `${c.cwd.split("/").at(-1)} ${c.args.join(" ")}`).sort()).toEqual(calls().sort());
    expect(result.stdout).toContain("wave prod: 2 of 2 stacks with changes applied (1 without changes)\n");
    // The profiles: one per stack applied, as its providers name it, assuming its account's deploy role.
    const profiles = readFileSync(join(root, "calls.aws-config"), "utf8");
    expect(profiles).toBe(
      [
        `[profile vss-backup-${STACKS[0]}]`,
        "role_arn = arn:aws:iam::111111111111:role/vss-backup-deploy",
        `role_session_name = vss-backup-${STACKS[0]}`,
        "credential_source = Environment",
        "",
        `[profile vss-backup-${STACKS[2]}]`,
        "role_arn = arn:aws:iam::333333333333:role/vss-backup-deploy",
        `role_session_name = vss-backup-${STACKS[2]}`,
        "credential_source = Environment",
        "",
      ].join("\n"),
    );
    expect(script.calls.map((c) => c.awsConfig?.content)).toEqual(Array(4).fill(profiles));
    expect(readdirSync(root).filter((f) => f.startsWith("member-profiles"))).toEqual([]); // removed afterwards
  });

  it("with the token terraform-cloud-token exports before it, gives stacks in Terraform Cloud the same TF_TOKEN_<host> as deploy:wave apply", async () => {
    const cloud = { cloud: { organization: "acme", hostname: "tfe.acme-corp.example", workspaces: { name: "x" } } };
    await plannedWave([STACKS[1]], cloud);
    const token = runAction(
      "terraform-cloud-token",
      { token: "apply-t", "stack-dir": "cdktf.out", "wave-summary": "waves/prod/plan.json" },
      { cwd: root },
    );
    expect([token.status, token.githubEnv]).toEqual([0, "TF_TOKEN_tfe_acme__corp_example=apply-t\n"]);
    const [variable, value] = token.githubEnv.trim().split("=");
    expect(applyAction("2", "vss-backup-deploy", { [variable]: value }).status).toBe(0);
    const tokens = readFileSync(join(root, "calls.tokens"), "utf8").trim().split("\n").sort();
    expect(tokens).toEqual(
      [STACKS[0], STACKS[2]].flatMap((s) => [
        `${s} apply TF_TOKEN_tfe_acme__corp_example=apply-t`,
        `${s} init TF_TOKEN_tfe_acme__corp_example=apply-t`,
      ]),
    );
    const script = fakeProcesses(root, Object.fromEntries(STACKS.map((s) => [s, {}])));
    const silent = () => undefined;
    const code = await main(["apply", "--wave", "prod"], {
      run: script.run,
      waves,
      cwd: root,
      env: { ...KEYS, TF_API_TOKEN: "apply-t" },
      now: new Date("2026-11-26T00:00:00Z"),
      stdout: silent,
      stderr: silent,
    });
    expect(code).toBe(0);
    const given = script.calls.map(
      (c) =>
        `${c.cwd.split("/").at(-1)} ${c.args[0]} ${Object.entries(c.tokens ?? {})
          .map((entry) => entry.join("="))
          .join(" ")}`,
    );
    expect(given.sort()).toEqual(tokens);
  });

  it("starts no further stack after one fails, and fails naming the failed and the unstarted", async () => {
    await plannedWave();
    writeFileSync(join(root, "cdktf.out/stacks", STACKS[0], "fail"), "");
    const result = applyAction();
    expect(result.status).toBe(1);
    expect(calls()).toEqual([
      `${STACKS[0]} init -input=false -lockfile=readonly -no-color`,
      `${STACKS[0]} apply -input=false -lock-timeout=10m -no-color tfplan`,
    ]);
    expect(result.stdout).toContain(
      `::error::wave prod failed: ${STACKS[0]}; not started: ${STACKS[1]}, ${STACKS[2]} (logs in cdktf.out/waves/prod)\n`,
    );
    expect(result.stdout).toContain("Error: creating Backup Vault: AccessDeniedException");
  });

  it("refuses a wave whose plan failed for a stack, and a missing saved plan: nothing is applied", async () => {
    await plannedWave();
    rmSync(join(root, "cdktf.out/stacks", STACKS[2], "tfplan"));
    expect(applyAction().stdout).toBe(`::error::wave prod: no saved plan (tfplan) for ${STACKS[2]}: nothing applied\n`);
    const summary = join(root, "cdktf.out/waves/prod/plan.json");
    const plan = JSON.parse(readFileSync(summary, "utf8"));
    plan.stacks[1].status = "failed";
    writeFileSync(summary, JSON.stringify(plan));
    const result = applyAction();
    expect([result.status, result.stdout]).toEqual([
      1,
      `::error::wave prod: its plan failed for ${STACKS[1]}: nothing applied; plan again\n`,
    ]);
    expect(() => readFileSync(join(root, "calls"))).toThrow(/ENOENT/);
  });

  it("refuses a stack whose AWS providers name no profile, and a deploy role IAM would refuse: nothing is applied", async () => {
    await plannedWave();
    const stackFile = join(root, "cdktf.out/stacks", STACKS[1], "cdk.tf.json");
    writeFileSync(
      stackFile,
      JSON.stringify({ provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["222222222222"] }] } }),
    );
    expect(applyAction().stdout).toBe(
      `::error::wave prod: the AWS providers of ${STACKS[1]} do not name one profile and one account: nothing applied; plan again\n`,
    );
    expect(applyAction("2", "deploy role").stdout).toBe(
      '::error::deploy-role-name: "deploy role" is not an IAM role name\n',
    );
    expect(() => readFileSync(join(root, "calls"))).toThrow(/ENOENT/);
  });

  it("refuses a parallelism that is not a whole number from 1", async () => {
    await plannedWave();
    expect(applyAction("0").stdout).toBe("::error::parallel: 0 is not a whole number from 1\n");
  });
});
