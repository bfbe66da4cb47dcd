// A fake of the processes `npm run deploy:wave` starts: the synth (which writes a cdktf manifest) and
// terraform's init, plan, show -json and apply in a stack directory. It records every call, answers only
// the exact commands the deploy may run (anything else is refused, as an unknown command would fail),
// and does what the real ones leave behind: the synth writes the manifest and stack folders, a plan its
// saved plan file (whose JSON `show -json` prints, as Terraform 1.11 does), an apply refuses a missing
// saved plan.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { basename, dirname, join, relative } from "path";
import type { CommandRunner } from "../../scripts/wave-deploy";
import type { CommandResult } from "../../scripts/terraform/tools";

export interface FakeStack {
  /** @default "changes" */
  readonly plan?: "changes" | "no-changes" | "fails";
  /** @default "applied" */
  readonly apply?: "applied" | "fails";
  /**
   * The saved plan's resource changes (`terraform show -json`'s resource_changes); the plan's line counts them.
   * @default three resources created
   */
  readonly changes?: readonly FakeChange[];
  /**
   * What `terraform show -json tfplan` prints: the saved plan, the plan of another account (its providers'
   * allowed_account_ids), a state's JSON (what `show -json` prints without a plan file), nothing; or it fails.
   * @default "plan"
   */
  readonly show?: "plan" | "another account" | "a state" | "nothing" | "fails";
  /** The synthesized stack's `terraform` block. @default an S3 backend */
  readonly terraform?: object;
  /**
   * The synthesized stack's `provider` block.
   * @default one AWS provider of the stack's account and region (from its name), with profile "vss-backup-<name>"
   */
  readonly provider?: object;
}

/** A resource's change in a plan. */
export interface FakeChange {
  readonly address: string;
  /** ["create"], ["update"], ["delete"], ["delete", "create"] (a replacement) or ["no-op"]. */
  readonly actions: readonly string[];
}

const CREATED: readonly FakeChange[] = [
  { address: "aws_backup_vault.vault_BBE00A92", actions: ["create"] },
  { address: "aws_backup_plan.plan_E1BD42BD", actions: ["create"] },
  { address: "aws_iam_role.backup-role_6C7D1E2F", actions: ["create"] },
];

/** Terraform's plan line for `changes`: a replacement adds one and destroys one. */
const planLine = (changes: readonly FakeChange[]) => {
  const count = (action: string) => changes.filter((c) => c.actions.includes(action)).length;
  return `Plan: ${count("create")} to add, ${count("update")} to change, ${count("delete")} to destroy.`;
};

/**
 * `terraform show -json tfplan` of a stack with `provider` (the synthesized provider block) and `changes`,
 * in the shape Terraform 1.11.4 writes (__tests__/fixtures/review/two-provider-plan.json), trimmed.
 */
function planJson(provider: Record<string, readonly Record<string, unknown>[]>, changes: readonly FakeChange[]) {
  const providerConfig = Object.fromEntries(
    Object.entries(provider).flatMap(([name, blocks]) =>
      blocks.map(({ alias, ...args }) => [
        alias ? `${name}.${alias}` : name,
        {
          name,
          full_name: `registry.terraform.io/hashicorp/${name}`,
          ...(alias ? { alias } : {}),
          expressions: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, { constant_value: v }])),
        },
      ]),
    ),
  );
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: {} },
    resource_changes: changes.map(({ address, actions }) => {
      const [type, name] = address.split(".");
      return {
        address,
        mode: "managed",
        type,
        name,
        provider_name: "registry.terraform.io/hashicorp/aws",
        change: {
          actions,
          before: actions[0] === "create" ? null : {},
          after: actions.includes("delete") && actions.length === 1 ? null : {},
        },
      };
    }),
    configuration: { provider_config: providerConfig },
    timestamp: "2026-11-26T00:00:00Z",
    applyable: true,
    complete: true,
    errored: false,
  };
}

export interface RecordedCall {
  readonly command: string;
  readonly args: readonly string[];
  /** Relative to the project folder. */
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly wave?: string;
  /** The AWS config file the call was given (AWS_CONFIG_FILE), and its content at the time of the call. */
  readonly awsConfig?: { readonly file: string; readonly content: string };
  /** The Terraform Cloud tokens the call was given (TF_TOKEN_<host>, and TF_API_TOKEN), when any. */
  readonly tokens?: Readonly<Record<string, string>>;
}

const PLANS = {
  changes: (changes: readonly FakeChange[]) => ({
    code: 2,
    stdout: `Terraform will perform the following actions:\n\n${planLine(changes)}\n`,
  }),
  "no-changes": { code: 0, stdout: "No changes. Your infrastructure matches the configuration.\n" },
  fails: {
    code: 1,
    stdout: "",
    // As Terraform writes a diagnostic with -no-color: the summary line, then where.
    stderr: [
      "",
      "Error: AssumeRole: AccessDenied: not authorized to perform: sts:AssumeRole",
      "",
      '  with provider["registry.terraform.io/hashicorp/aws"],',
      '  on cdk.tf.json line 12, in provider "aws":',
      "",
    ].join("\n"),
  },
};

/** Answers as the deploy's child processes do in `root`, whose synth writes `stacks` to cdktf.out. */
export function fakeProcesses(
  root: string,
  stacks: Readonly<Record<string, FakeStack>>,
  options: { synthFails?: boolean } = {},
) {
  const calls: RecordedCall[] = [];
  let running = 0;
  const concurrency: number[] = [];
  const ok = (stdout = ""): CommandResult => ({ code: 0, stdout, stderr: "" });

  const answer = (command: string, args: readonly string[], cwd: string): CommandResult => {
    const line = args.join(" ");
    if (command === "npm" && line === "run --silent synth" && cwd === root) {
      if (options.synthFails) return { code: 1, stdout: "", stderr: "Invalid configuration (1 problem):\n  x: y" };
      const out = join(root, "cdktf.out");
      const manifest: Record<string, object> = {};
      for (const name of Object.keys(stacks)) {
        mkdirSync(join(out, "stacks", name), { recursive: true });
        const terraform = stacks[name].terraform ?? { backend: { s3: { bucket: "state", key: `${name}.tfstate` } } };
        const [, account, region] = /^a(\d{12})-(.+)$/.exec(name) ?? [];
        const provider = stacks[name].provider ?? {
          aws: [{ region, allowed_account_ids: [account], profile: `vss-backup-${name}` }],
        };
        writeFileSync(join(out, "stacks", name, "cdk.tf.json"), JSON.stringify({ terraform, provider }));
        manifest[name] = {
          name,
          synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
          workingDirectory: `stacks/${name}`,
        };
      }
      writeFileSync(join(out, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: manifest }));
      return ok();
    }
    const stack = stacks[basename(cwd)];
    if (command !== "terraform" || dirname(cwd) !== join(root, "cdktf.out", "stacks") || !stack)
      throw new Error(`fake processes: refused ${command} ${line} in ${cwd}`);
    if (line === "init -input=false -no-color" || line === "init -input=false -lockfile=readonly -no-color")
      return ok("Terraform has been successfully initialized!\n");
    if (line === "plan -input=false -lock=false -no-color -detailed-exitcode -out=tfplan") {
      const behaviour = stack.plan ?? "changes";
      const plan = behaviour === "changes" ? PLANS.changes(stack.changes ?? CREATED) : PLANS[behaviour];
      if (plan.code !== 1) writeFileSync(join(cwd, "tfplan"), "saved plan");
      return { stderr: "", ...plan };
    }
    if (line === "show -json tfplan") {
      if (!existsSync(join(cwd, "tfplan"))) return { code: 1, stdout: "", stderr: "Error: Failed to read tfplan" };
      if (stack.show === "fails")
        return { code: 1, stdout: "", stderr: "\nError: Failed to read the given file as a state or plan file\n" };
      if (stack.show === "a state") return ok(JSON.stringify({ format_version: "1.0", terraform_version: "1.11.4" }));
      if (stack.show === "nothing") return ok();
      const { provider } = JSON.parse(readFileSync(join(cwd, "cdk.tf.json"), "utf8"));
      const planned =
        stack.show === "another account"
          ? { aws: [{ ...provider.aws[0], allowed_account_ids: ["999999999999"] }] }
          : provider;
      return ok(JSON.stringify(planJson(planned, stack.changes ?? CREATED)));
    }
    if (line === "apply -input=false -lock-timeout=10m -no-color tfplan") {
      if (!existsSync(join(cwd, "tfplan"))) return { code: 1, stdout: "", stderr: "Error: Failed to load tfplan" };
      return stack.apply === "fails"
        ? { code: 1, stdout: "", stderr: "Error: creating Backup Vault: AccessDeniedException\n" }
        : ok("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.\n");
    }
    throw new Error(`fake processes: refused ${command} ${line} in ${cwd}`);
  };

  const run: CommandRunner = async (command, args, { cwd, env, timeoutMs }) => {
    const file = env.AWS_CONFIG_FILE;
    const awsConfig = file === undefined ? undefined : { file, content: readFileSync(file, "utf8") };
    const given = Object.entries(env).filter(
      (entry): entry is [string, string] => /^TF_(TOKEN_|API_TOKEN$)/.test(entry[0]) && entry[1] !== undefined,
    );
    const tokens = given.length > 0 ? Object.fromEntries(given) : undefined;
    calls.push({ command, args, cwd: relative(root, cwd), timeoutMs, wave: env.VSS_WAVE, awsConfig, tokens });
    concurrency.push(++running);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return answer(command, args, cwd);
    } finally {
      running--;
    }
  };
  return { run, calls, concurrency };
}
