// The composite actions' shell, run with bash as the runner runs it, against fixtures.
import { NOW } from "./support/clock";
import { Testing } from "cdktf";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { ProjectConfig } from "../config/types";
import { loadEnvironments } from "../config/validate";
import { BackupRules } from "../modules";
import { changesFromPlan } from "../review/changes";
import { main as review } from "../review/cli";
import { postureOf } from "../review/posture";
import { renderReview } from "../review/report";
import { VssBackupStack } from "../stacks/vss-backup-stack";
import { synthesizeApp } from "./review/support";
import { runAction } from "./support/workflows";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "actions-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeStack = (terraform: Record<string, unknown>) => {
  mkdirSync(join(dir, "stack"), { recursive: true });
  writeFileSync(join(dir, "stack", "cdk.tf.json"), JSON.stringify({ terraform, resource: {} }));
};

describe("terraform-cloud-token", () => {
  const token = (value: string) =>
    runAction("terraform-cloud-token", { token: value, "stack-dir": "stack" }, { cwd: dir });

  it("fails when the stack keeps its state in Terraform Cloud and the token is empty", () => {
    writeStack({ cloud: { organization: "acme", workspaces: { name: "vss-backup-prod" } } });
    const result = token("");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      "::error::Terraform Cloud keeps the state of stack (app.terraform.io), but the token is empty: set the secret in this job's GitHub environment\n",
    );
    expect(result.githubEnv).toBe("");
  });

  it("exports the token as TF_TOKEN_<host>, masked, for the cloud block's host", () => {
    writeStack({ cloud: { organization: "acme", workspaces: { name: "vss-backup-prod" } } });
    const result = token("secret-token");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("::add-mask::secret-token");
    expect(result.githubEnv).toBe("TF_TOKEN_app_terraform_io=secret-token\n");
    writeStack({ cloud: { organization: "acme", hostname: "tfe.acme-corp.example", workspaces: { name: "x" } } });
    expect(token("t").githubEnv).toBe("TF_TOKEN_tfe_acme__corp_example=t\n");
  });

  it("needs no token for a stack with S3 or local state", () => {
    writeStack({ backend: { s3: { bucket: "state", key: "prod/terraform.tfstate" } } });
    expect(token("")).toMatchObject({ status: 0, githubEnv: "" });
    writeStack({ backend: { local: { path: "x.tfstate" } } });
    expect(token("ignored")).toMatchObject({ status: 0, githubEnv: "" });
  });

  it("fails when there is no synthesized stack to read", () => {
    expect(token("t").status).toBe(1);
  });

  describe("with a wave's summary: every stack with changes", () => {
    const cloud = (hostname?: string) => ({ cloud: { organization: "acme", hostname, workspaces: { name: "x" } } });
    /** A wave's output folder: its stacks, and a summary of their plans. */
    const writeWave = (stacks: Record<string, { terraform: object; status: string }>) => {
      for (const [name, { terraform }] of Object.entries(stacks)) {
        mkdirSync(join(dir, "out/stacks", name), { recursive: true });
        writeFileSync(join(dir, "out/stacks", name, "cdk.tf.json"), JSON.stringify({ terraform }));
      }
      mkdirSync(join(dir, "out/waves/prod"), { recursive: true });
      const summary = Object.entries(stacks).map(([name, { status }]) => ({
        name,
        directory: `stacks/${name}`,
        status,
        detail: "",
      }));
      writeFileSync(join(dir, "out/waves/prod/plan.json"), JSON.stringify({ wave: "prod", stacks: summary }));
    };
    const waveToken = (value: string) =>
      runAction(
        "terraform-cloud-token",
        { token: value, "stack-dir": "out", "wave-summary": "waves/prod/plan.json" },
        { cwd: dir },
      );

    it("exports one TF_TOKEN_<host> per host of the stacks with changes", () => {
      writeWave({
        a1: { terraform: cloud(), status: "changes" },
        a2: { terraform: cloud("tfe.acme-corp.example"), status: "changes" },
        a3: { terraform: cloud(), status: "changes" },
        a4: { terraform: cloud("other.example"), status: "no-changes" },
      });
      const result = waveToken("apply-t");
      expect(result.status).toBe(0);
      expect(result.stdout).toBe("::add-mask::apply-t\n");
      expect(result.githubEnv).toBe("TF_TOKEN_app_terraform_io=apply-t\nTF_TOKEN_tfe_acme__corp_example=apply-t\n");
    });

    it("fails naming the stacks in Terraform Cloud when the token is empty; needs none for S3", () => {
      const s3 = { backend: { s3: { bucket: "state", key: "a.tfstate" } } };
      writeWave({
        a1: { terraform: cloud(), status: "changes" },
        a2: { terraform: s3, status: "changes" },
        a3: { terraform: cloud("tfe.acme-corp.example"), status: "changes" },
      });
      expect(waveToken("")).toMatchObject({
        status: 1,
        stdout:
          "::error::Terraform Cloud keeps the state of a1, a3 (app.terraform.io, tfe.acme-corp.example), but the token is empty: set the secret in this job's GitHub environment\n",
        githubEnv: "",
      });
      writeWave({ a1: { terraform: s3, status: "changes" }, a2: { terraform: cloud(), status: "no-changes" } });
      expect(waveToken("")).toMatchObject({ status: 0, githubEnv: "" });
    });

    it("fails when the wave's summary did not arrive", () => {
      expect(waveToken("t")).toMatchObject({
        status: 1,
        stdout: "::error::out/waves/prod/plan.json does not exist: unpack the wave's plan first\n",
      });
    });
  });
});

describe("reduce-plan", () => {
  const SECRET = "s3cr3t-prior-state-value";
  const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "review", "prod-plan.json"), "utf8"));
  /** The fixture as `terraform show -json` writes it: with values, prior state and sensitivity marks. */
  const full = {
    ...fixture,
    variables: { password: { value: SECRET } },
    planned_values: { root_module: { resources: [{ address: "x", values: { secret: SECRET } }] } },
    prior_state: { format_version: "1.0", values: { root_module: { resources: [{ values: { secret: SECRET } }] } } },
    output_changes: { vault_arn: { actions: ["no-op"], before: SECRET, after: SECRET, after_sensitive: true } },
    relevant_attributes: [{ resource: "aws_backup_vault.vault_BBE00A92", attribute: ["name"] }],
    resource_drift: [{ address: "aws_iam_role.r", change: { actions: ["update"], before: { secret: SECRET } } }],
    checks: [],
    timestamp: "2026-11-25T12:00:00Z",
    configuration: {
      provider_config: {
        aws: {
          name: "aws",
          full_name: "registry.terraform.io/hashicorp/aws",
          expressions: {
            region: { constant_value: "eu-central-1" },
            allowed_account_ids: { constant_value: ["333333333333"] },
          },
        },
      },
      root_module: {
        resources: [{ address: "aws_backup_vault.vault_BBE00A92", expressions: { name: { constant_value: SECRET } } }],
      },
    },
    resource_changes: fixture.resource_changes.map((change: { change: { actions: string[] } }) => ({
      ...change,
      provider_name: "registry.terraform.io/hashicorp/aws",
      index: undefined,
      change: {
        ...change.change,
        before: { secret: SECRET },
        after: { secret: SECRET },
        after_unknown: { id: true },
        before_sensitive: { secret: true },
        after_sensitive: { secret: true },
        replace_paths: [["name"]],
      },
      action_reason: "replace_because_cannot_update",
    })),
  };

  const reduce = () => {
    writeFileSync(join(dir, "full.json"), JSON.stringify(full));
    const result = runAction("reduce-plan", { plan: "full.json", output: "plan.json" }, { cwd: dir });
    expect(result).toMatchObject({ status: 0 });
    return JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
  };

  it("keeps the format, Terraform version, provider configuration and each change's address, type, mode and actions", () => {
    const reduced = reduce();
    expect(Object.keys(reduced).sort()).toEqual([
      "configuration",
      "format_version",
      "planned_values",
      "resource_changes",
      "terraform_version",
    ]);
    expect(reduced.planned_values).toEqual({});
    expect(reduced.configuration).toEqual({ provider_config: full.configuration.provider_config });
    expect(reduced.resource_changes).toEqual(fixture.resource_changes);
    for (const change of reduced.resource_changes) expect(Object.keys(change.change)).toEqual(["actions"]);
  });

  it("keeps nothing of the prior state, the values or what is marked sensitive, and removes the full plan", () => {
    const reduced = reduce();
    expect(JSON.stringify(reduced)).not.toContain(SECRET);
    expect(JSON.stringify(reduced)).not.toMatch(/prior_state|root_module|before|after|sensitive|variables|drift/);
    expect(reduced.planned_values).toEqual({});
    expect(existsSync(join(dir, "full.json"))).toBe(false);
  });

  it("gives the same review as the full plan", () => {
    const config: ProjectConfig = {
      project: "acme",
      environments: [
        {
          name: "prod",
          account: "333333333333",
          region: "eu-central-1",
          plan: { rules: [BackupRules.daily({ keepDays: 35, atHour: 1, timezone: "Europe/Berlin" })] },
        },
      ],
    };
    const [env] = loadEnvironments(config, { now: NOW });
    const posture = postureOf(JSON.parse(Testing.synth(new VssBackupStack(Testing.app(), env))));
    const review = (plan: Parameters<typeof changesFromPlan>[0]) =>
      renderReview([{ name: "prod", posture, changes: changesFromPlan(plan), changesFrom: "plan" }], NOW);
    const reduced = reduce();
    expect(changesFromPlan(reduced)).toEqual(changesFromPlan(full));
    expect(changesFromPlan(reduced).length).toBeGreaterThan(0);
    expect(review(reduced)).toBe(review(full));
  });

  it("gives npm run review, refusing a plan made for another environment, the same Markdown as the untrimmed terraform show -json", async () => {
    // A real, untrimmed `terraform show -json` of prod (prior state, values and all), with its default provider only.
    const untrimmed = JSON.parse(readFileSync(join(__dirname, "fixtures", "review", "two-provider-plan.json"), "utf8"));
    delete untrimmed.configuration.provider_config["aws.copies"];
    expect(Object.keys(untrimmed)).toEqual(expect.arrayContaining(["prior_state", "planned_values"]));
    const config: ProjectConfig = {
      project: "acme",
      environments: [
        {
          name: "prod",
          account: "333333333333",
          region: "eu-central-1",
          plan: { rules: [BackupRules.daily({ keepDays: 35 })] },
        },
      ],
    };
    synthesizeApp(config, join(dir, "cdktf.out"));
    writeFileSync(join(dir, "full.json"), JSON.stringify(untrimmed));
    writeFileSync(join(dir, "untrimmed.json"), JSON.stringify(untrimmed));
    expect(runAction("reduce-plan", { plan: "full.json", output: "plan.json" }, { cwd: dir }).status).toBe(0);
    const run = async (plan: string) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await review(["--plan", `prod=${plan}`, "--output", `${plan}.md`], {
        stdout: (text) => stdout.push(text),
        stderr: (text) => stderr.push(text),
        now: NOW,
        cwd: dir,
      });
      return { code, stdout, stderr: stderr.join("\n") };
    };
    const [fromFull, fromReduced] = [await run("untrimmed.json"), await run("plan.json")];
    expect([fromFull.code, fromFull.stderr, fromReduced.code, fromReduced.stderr]).toEqual([
      0,
      "review written to untrimmed.json.md",
      0,
      "review written to plan.json.md",
    ]);
    expect(fromReduced.stdout).toEqual(fromFull.stdout);
    expect(fromReduced.stdout.join("\n")).toContain("aws_backup_vault");
    // The provider configuration it keeps still ties the plan to its environment.
    const elsewhere = { ...config.environments[0], account: "444444444444" };
    synthesizeApp({ ...config, environments: [elsewhere] }, join(dir, "cdktf.out"));
    expect(await run("plan.json")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("planned for another environment"),
    });
  });

  it("reduces a plan without changes to an empty list", () => {
    writeFileSync(join(dir, "full.json"), JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4" }));
    runAction("reduce-plan", { plan: "full.json", output: "plan.json" }, { cwd: dir });
    expect(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"))).toEqual({
      format_version: "1.2",
      terraform_version: "1.11.4",
      planned_values: {},
      configuration: { provider_config: {} },
      resource_changes: [],
    });
  });
});

describe("seal-plan and open-plan", () => {
  const KEY = "a-long-random-key-from-the-environment";
  const seal = (key: string) =>
    runAction("seal-plan", { key, "stack-dir": "stack", output: "bundle.enc" }, { cwd: dir });
  const open = (key: string) =>
    runAction("open-plan", { key, bundle: "bundle.enc", "stack-dir": "opened" }, { cwd: dir });

  beforeEach(() => {
    mkdirSync(join(dir, "stack", ".terraform", "providers"), { recursive: true });
    writeFileSync(join(dir, "stack", "cdk.tf.json"), '{"resource":{}}');
    writeFileSync(join(dir, "stack", ".terraform.lock.hcl"), "# lock");
    writeFileSync(join(dir, "stack", "tfplan"), `PK plan holding the prior state ${KEY.length}`);
    writeFileSync(join(dir, "stack", ".terraform", "providers", "big-binary"), "provider");
  });

  it("hands over the stack with its saved plan and lock file, not the providers", () => {
    expect(seal(KEY).status).toBe(0);
    expect(readFileSync(join(dir, "bundle.enc")).subarray(0, 8).toString()).toBe("Salted__");
    expect(readFileSync(join(dir, "bundle.enc")).toString("latin1")).not.toContain("prior state");
    expect(open(KEY).status).toBe(0);
    for (const file of ["cdk.tf.json", ".terraform.lock.hcl", "tfplan"])
      expect(readFileSync(join(dir, "opened", file), "utf8")).toBe(readFileSync(join(dir, "stack", file), "utf8"));
    expect(existsSync(join(dir, "opened", ".terraform"))).toBe(false);
  });

  it("hands over a wave's output folder: every stack with its saved plan, no providers at any depth", () => {
    const stackDir = join(dir, "out", "stacks", "a111111111111-eu-west-1");
    mkdirSync(join(stackDir, ".terraform", "providers"), { recursive: true });
    mkdirSync(join(dir, "out", "waves", "prod"), { recursive: true });
    writeFileSync(join(stackDir, "tfplan"), "saved plan");
    writeFileSync(join(stackDir, ".terraform", "providers", "big-binary"), "provider");
    writeFileSync(join(dir, "out", "waves", "prod", "plan.json"), '{"wave":"prod"}');
    const wave = { "stack-dir": "out", "plan-file": "waves/prod/plan.json" };
    expect(runAction("seal-plan", { key: KEY, ...wave, output: "wave.enc" }, { cwd: dir }).status).toBe(0);
    const opened = { key: KEY, bundle: "wave.enc", "stack-dir": "opened", "plan-file": wave["plan-file"] };
    expect(runAction("open-plan", opened, { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, "opened/stacks/a111111111111-eu-west-1/tfplan"), "utf8")).toBe("saved plan");
    expect(readFileSync(join(dir, "opened/waves/prod/plan.json"), "utf8")).toBe('{"wave":"prod"}');
    expect(existsSync(join(dir, "opened/stacks/a111111111111-eu-west-1/.terraform"))).toBe(false);
  });

  it("fails with a wrong or empty key, and seals nothing without a key or a plan", () => {
    seal(KEY);
    expect(open("another-key").status).not.toBe(0);
    expect(open("")).toMatchObject({
      status: 1,
      stdout: expect.stringContaining("::error::The plan encryption key is empty"),
    });
    rmSync(join(dir, "bundle.enc"));
    expect(seal("").status).toBe(1);
    expect(existsSync(join(dir, "bundle.enc"))).toBe(false);
    rmSync(join(dir, "stack", "tfplan"));
    expect(seal(KEY)).toMatchObject({ status: 1, stdout: expect.stringContaining("stack/tfplan does not exist") });
  });
});

describe("preflight-summary", () => {
  const report = {
    environment: "prod",
    account: "333333333333",
    region: "eu-central-1",
    tag: "Backup=windows-vss",
    backupSide: { vault: { status: "pass", detail: "vault vss-backup-prod exists" } },
    instances: [
      {
        id: "i-0123",
        name: "sql|01",
        checks: {
          running: { status: "pass", detail: "running" },
          type: { status: "fail", detail: "t3.micro is too small", fix: "resize" },
        },
      },
    ],
    summary: { instances: 1, ready: 0, warnings: 0, notReady: 1, status: "fail" },
  };
  const summarize = (json: string, exitCode: string) => {
    writeFileSync(join(dir, "report.json"), json);
    return runAction("preflight-summary", { report: "report.json", "exit-code": exitCode }, { cwd: dir });
  };

  it("writes the backup side, a row per instance with its first fix, and the verdict", () => {
    const { status, summary } = summarize(JSON.stringify(report), "1");
    expect(status).toBe(0);
    expect(summary).toContain(
      "### VSS preflight: prod (account 333333333333, eu-central-1), instances tagged Backup=windows-vss",
    );
    expect(summary).toContain("| vault | ok | vault vss-backup-prod exists |");
    expect(summary).toContain("| instance | name | running | type | fix |");
    expect(summary).toContain("| i-0123 | sql\\|01 | ok | ❌ FAIL | t3.micro is too small → resize |");
    expect(summary).toContain("**NOT READY**: 1 instances, 0 ready, 0 with warnings, 1 not ready (exit code 1)");
  });

  it("says so when there is no report", () => {
    expect(summarize("preflight: wrong account", "2").summary).toBe(
      "### VSS preflight: no report (exit code 2); the job log says why\n",
    );
  });
});
