// What `npm run deploy:wave -- plan|apply --wave <name> [--parallel N]` does (scripts/organization-deploy.ts):
// organization mode's deploys, one wave (a group of member stacks, config/organization.ts `waves`) at a time.
// plan: synthesizes the wave's stacks (VSS_WAVE names the wave to the app), then `terraform init` and
// `terraform plan -out=tfplan` in each, N at a time, reviews the saved plans (scripts/wave-review.ts) and
// writes the wave's summary with the review's warnings. apply: applies exactly the saved plans of that
// summary (never plans again), N at a time, and fails naming the stacks that failed. Terraform runs with
// the member stacks' AWS profiles (scripts/member-profiles.ts): to plan they assume each member's
// read-only plan role, to apply its deploy role. Exit codes: 0 done, 1 a stack (its plan or its review)
// or the synth failed, or no credentials, 2 a problem with the arguments.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "fs";
import { dirname, join, relative } from "path";
import { parseArgs } from "util";
import type { ResolvedMember } from "../config/organization-types";
import { WAVE_VARIABLE } from "../config/stacks";
import type { ResourceChange } from "../review/changes";
import { manifestStacks, readJson, ReviewInputError } from "../review/inputs";
import type { StackJson } from "../review/posture";
import { MemberProfile, missingCredentials, writeMemberProfiles } from "./member-profiles";
import { cloudHost, cloudTokens, TOKEN_VARIABLE } from "./terraform-cloud-token";
import { CommandResult, runCommand, TERRAFORM_CACHE } from "./terraform/tools";
import { WAVE_JOBS } from "./wave-jobs";
import { reviewSection, reviewWave, savedPlanChanges } from "./wave-review";

export const USAGE =
  "usage: npm run deploy:wave -- plan|apply --wave <name> [--parallel <1-32>] [--out cdktf.out] [--refuse-local-state]";
/** Stacks planned or applied at a time: each runs its own Terraform and AWS provider (a few hundred MiB). */
export const DEFAULT_PARALLEL = 4;
export const MAX_PARALLEL = 32;
/** The saved plan's file name in each stack directory, as deploy.yml's. */
export const PLAN_FILE = "tfplan";
/** How long each child process may run before it is stopped (and its stack counts as failed). */
export const TIMEOUTS_MS = {
  synth: 15 * 60_000,
  init: 10 * 60_000,
  plan: 30 * 60_000,
  show: 5 * 60_000,
  apply: 60 * 60_000,
};

/**
 * What the organization configuration says about waves; the entry point builds it with `waveSource`
 * from the resolved organization (config/organization.ts and config/accounts.json).
 */
export interface WaveSource {
  /** The configured waves, in deploy order (OrganizationConfig.waves). */
  readonly waves: readonly string[];
  /**
   * The member stacks the configuration puts in `wave`, by name (ResolvedMember.name, "a<account id>-<region>"),
   * each with its AWS profile and the roles that profile assumes.
   */
  stacksOf(wave: string): ReadonlyMap<string, MemberProfile>;
}

/** A WaveSource over the resolved organization's member stacks. */
export function waveSource(waves: readonly string[], members: readonly ResolvedMember[]): WaveSource {
  return {
    waves,
    stacksOf: (wave) =>
      new Map(
        members
          .filter((m) => m.member.wave === wave)
          .map(({ name, member: { profile, planRoleArn, deployRoleArn } }) => [
            name,
            { profile, planRoleArn, deployRoleArn },
          ]),
      ),
  };
}

/** Runs one child process; it is stopped after `timeoutMs`. Rejects only when it cannot be started. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
) => Promise<CommandResult>;

export interface WaveDeployDependencies {
  readonly run: CommandRunner;
  readonly waves: WaveSource;
  /** The project folder: the synth runs there, and `--out` is relative to it. */
  readonly cwd: string;
  /** The environment of every child process. */
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** The review's date (its retention timelines start on it). */
  readonly now: Date;
}

/** One stack's outcome in a wave's summary (`<out>/waves/<wave>/plan.json`). */
export interface StackPlan {
  readonly name: string;
  /** The stack's directory, relative to the output folder ("stacks/a111111111111-eu-west-1"). */
  readonly directory: string;
  readonly status: "changes" | "no-changes" | "failed";
  /**
   * Terraform's own line: "Plan: 1 to add, 0 to change, 0 to destroy.", "No changes.", or why it failed; for
   * a saved plan that could not be reviewed (a failed stack: its review is what the reviewers approve),
   * Terraform's line, then "Not reviewed: " and why.
   */
  readonly detail: string;
}
export interface WavePlan {
  readonly wave: string;
  readonly stacks: readonly StackPlan[];
}

class UsageError extends Error {}
class WaveError extends Error {}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], deps: WaveDeployDependencies): Promise<number> {
  try {
    const options = parseArguments(argv, deps.waves);
    const noCredentials = missingCredentials(deps.env);
    if (noCredentials) throw new WaveError(`wave ${options.wave}: ${noCredentials}`);
    return options.command === "plan" ? await plan(options, deps) : await apply(options, deps);
  } catch (error) {
    if (error instanceof UsageError) {
      deps.stderr(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof WaveError || error instanceof ReviewInputError) {
      deps.stderr(error.message);
      return 1;
    }
    throw error;
  }
}

interface Options {
  readonly command: "plan" | "apply";
  readonly wave: string;
  readonly parallel: number;
  readonly out: string;
  /** Refuse to plan stacks that keep local state (in CI, where the runner discards it). */
  readonly refuseLocalState: boolean;
}

function parseArguments(argv: readonly string[], source: WaveSource): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        wave: { type: "string" },
        parallel: { type: "string" },
        out: { type: "string" },
        "refuse-local-state": { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  const [command, ...extra] = positionals;
  if (command !== "plan" && command !== "apply") throw new UsageError(`${command ?? "(none)"}: expected plan or apply`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const wave = values.wave;
  if (wave === undefined) throw new UsageError("--wave is required");
  if (!source.waves.includes(wave))
    throw new UsageError(
      `--wave ${wave}: not a configured wave; the waves are: ${source.waves.join(", ") || "none (config/organization.ts)"}`,
    );
  const parallel = values.parallel === undefined ? DEFAULT_PARALLEL : Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL)
    throw new UsageError(`--parallel ${values.parallel}: a whole number from 1 to ${MAX_PARALLEL}`);
  return { command, wave, parallel, out: values.out ?? "cdktf.out", refuseLocalState: !!values["refuse-local-state"] };
}

/** Where a wave's summary, its Markdown and the logs of its stacks go. */
export const waveFolder = (out: string, wave: string) => join(out, "waves", wave);

async function plan(options: Options, deps: WaveDeployDependencies): Promise<number> {
  const { wave, out } = options;
  // An earlier plan of the wave is void from now on: apply must never find it after this one failed.
  const folder = prepareFolder(deps.cwd, waveFolder(out, wave));
  for (const file of ["plan.json", "plan.md", "review.md"]) rmSync(join(folder, file), { force: true });
  const synth = await deps.run("npm", ["run", "--silent", "synth"], {
    cwd: deps.cwd,
    // The Terraform Cloud token goes to the Terraform of the stacks that need it, not to the synth.
    env: { ...deps.env, [TOKEN_VARIABLE]: undefined, [WAVE_VARIABLE]: wave },
    timeoutMs: TIMEOUTS_MS.synth,
  });
  if (synth.code !== 0) throw new WaveError(`wave ${wave}: the synth failed:\n${tail(synth)}`);

  const manifestFile = join(out, "manifest.json");
  const synthesized = manifestStacks(readJson(join(deps.cwd, manifestFile), manifestFile), manifestFile);
  const members = deps.waves.stacksOf(wave);
  const missing = [...members.keys()].filter((name) => !synthesized.has(name)).sort();
  if (missing.length > 0)
    throw new WaveError(`wave ${wave}: ${manifestFile} lacks ${missing.length} of its stacks: ${missing.join(", ")}`);
  const stacks = [...synthesized]
    .filter(([name]) => members.has(name))
    .map(([name, stack]) => ({ name, directory: dirname(stack.synthesizedStackPath) }));
  const stackFile = (directory: string) => join(out, directory, "cdk.tf.json");
  // Read before anything is planned: a stack the review cannot read fails the wave before Terraform runs.
  const synthesizedStacks = new Map(
    stacks.map(({ name, directory }) => [
      name,
      readJson(join(deps.cwd, stackFile(directory)), stackFile(directory)) as StackJson,
    ]),
  );
  if (options.refuseLocalState) {
    const local = stacks.filter((stack) => keepsLocalState(synthesizedStacks.get(stack.name)!));
    if (local.length > 0)
      throw new WaveError(
        `wave ${wave}: ${local.map((s) => s.name).join(", ")} keep local state, which a CI runner discards: set the member stacks' backend (memberBackend, or VSS_BACKEND)`,
      );
  }

  const tokens = cloudTokenVariables(options, deps, stacks);
  // The profiles assume the members' read-only plan role: nothing before the reviewers' gate can change an account.
  const profiles = writeMemberProfiles(
    stacks.map((s) => members.get(s.name)!),
    "plan",
    deps.env,
  );
  /** A stack's plan, its saved plan's changes (none for a plan without changes) or why they could not be reviewed. */
  interface Planned {
    readonly plan: StackPlan;
    readonly changes?: readonly ResourceChange[];
    readonly unreviewed?: string;
  }
  const results = await inParallel(stacks, options.parallel, async ({ name, directory }): Promise<Planned> => {
    const steps = [
      { args: ["init", "-input=false", "-no-color"], timeoutMs: TIMEOUTS_MS.init },
      {
        args: ["plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode", `-out=${PLAN_FILE}`],
        timeoutMs: TIMEOUTS_MS.plan,
        // -detailed-exitcode: 0 no changes, 2 changes, 1 an error.
        succeeded: (code: number) => code === 0 || code === 2,
      },
      // The saved plan as JSON, for the review: only a plan with changes has something to review.
      {
        args: ["show", "-json", PLAN_FILE],
        timeoutMs: TIMEOUTS_MS.show,
        after: (code: number) => code === 2,
        data: true,
      },
    ];
    const log = join(folder, `${name}.plan.log`);
    const env = { ...profiles.env, ...tokens.get(name) };
    const outcome = await terraformSteps(deps, env, join(deps.cwd, out, directory), steps, log);
    const [, planned, show] = outcome.results;
    if (outcome.failed && !show) return { plan: { name, directory, status: "failed", detail: outcome.failed } };
    const line = /^(Plan: .*|No changes\..*)$/m.exec(planned.stdout)?.[1] ?? "planned";
    if (!show) return { plan: { name, directory, status: "no-changes", detail: line }, changes: [] };
    try {
      if (outcome.failed) throw new ReviewInputError(outcome.failed);
      const shown = `${name}: terraform show -json ${PLAN_FILE}`;
      const changes = savedPlanChanges(show.stdout, name, synthesizedStacks.get(name)!, shown);
      return { plan: { name, directory, status: "changes", detail: line }, changes };
    } catch (error) {
      // Approving a wave means approving its review: a saved plan without one is not applied. Any error
      // counts (not only a plan the review refuses): the other stacks' Terraform is still running.
      const why = error instanceof ReviewInputError ? error.message : `the review failed: ${String(error)}`;
      return { plan: { name, directory, status: "failed", detail: `${line} Not reviewed: ${why}` }, unreviewed: why };
    }
  }).finally(profiles.remove);

  const summary: WavePlan = { wave, stacks: results.map((r) => r!.plan) };
  const review = reviewWave(
    synthesizedStacks,
    new Map(results.flatMap((r) => (r!.changes ? [[r!.plan.name, r!.changes]] : []))),
    deps.now,
  );
  const unreviewed = new Map(results.flatMap((r) => (r!.unreviewed ? [[r!.plan.name, r!.unreviewed]] : [])));
  const reviewFile = relative(deps.cwd, join(folder, "review.md"));
  writeFileSync(join(folder, "review.md"), review.markdown);
  writeFileSync(join(folder, "plan.json"), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(folder, "plan.md"), planMarkdown(summary, reviewSection(review.warnings, unreviewed, reviewFile)));
  for (const stack of summary.stacks) deps.stdout(`${stack.name}: ${stack.detail}`);
  const failed = summary.stacks.filter((s) => s.status === "failed").map((s) => s.name);
  const changed = summary.stacks.filter((s) => s.status === "changes").length;
  deps.stdout(
    `wave ${wave}: ${summary.stacks.length} stacks planned, ${changed} with changes, ${failed.length} failed; summary in ${relative(deps.cwd, join(folder, "plan.json"))}, review (${review.warnings.length} warnings: replaced or destroyed) in ${reviewFile}`,
  );
  if (failed.length > 0) {
    deps.stderr(`wave ${wave}: the plan failed for ${failed.join(", ")} (logs in ${relative(deps.cwd, folder)})`);
    return 1;
  }
  return 0;
}

async function apply(options: Options, deps: WaveDeployDependencies): Promise<number> {
  const { wave, out } = options;
  const folder = waveFolder(out, wave);
  const summaryFile = join(folder, "plan.json");
  if (!existsSync(join(deps.cwd, summaryFile)))
    throw new WaveError(`wave ${wave}: ${summaryFile} does not exist: run plan --wave ${wave} first`);
  const summary = readJson(join(deps.cwd, summaryFile), summaryFile);
  if (!isWavePlan(summary)) throw new WaveError(`${summaryFile}: not a wave's plan summary: plan --wave ${wave} again`);
  if (summary.wave !== wave) throw new WaveError(`${summaryFile}: the plan of wave ${summary.wave}, not ${wave}`);
  const failedPlans = summary.stacks.filter((s) => s.status === "failed").map((s) => s.name);
  if (failedPlans.length > 0)
    throw new WaveError(`wave ${wave}: its plan failed for ${failedPlans.join(", ")}: nothing applied; plan again`);
  // A plan without changes needs no apply: a saved plan of nothing changes nothing.
  const changed = summary.stacks.filter((s) => s.status === "changes");
  const unsaved = changed.filter((s) => !existsSync(join(deps.cwd, out, s.directory, PLAN_FILE))).map((s) => s.name);
  if (unsaved.length > 0)
    throw new WaveError(`wave ${wave}: no saved plan (${PLAN_FILE}) for ${unsaved.join(", ")}: nothing applied`);

  const members = deps.waves.stacksOf(wave);
  const unknown = changed.filter((s) => !members.has(s.name)).map((s) => s.name);
  if (unknown.length > 0)
    throw new WaveError(
      `wave ${wave}: ${unknown.join(", ")} of ${summaryFile} are not member stacks of the wave in the configuration: nothing applied; plan again`,
    );

  const tokens = cloudTokenVariables(options, deps, changed);
  const logs = prepareFolder(deps.cwd, folder);
  const profiles = writeMemberProfiles(
    changed.map((s) => members.get(s.name)!),
    "apply",
    deps.env,
  );
  let stopped = false;
  const results = await inParallel(
    changed,
    options.parallel,
    async ({ name, directory }) => {
      const outcome = await terraformSteps(
        deps,
        { ...profiles.env, ...tokens.get(name) },
        join(deps.cwd, out, directory),
        [
          { args: ["init", "-input=false", "-lockfile=readonly", "-no-color"], timeoutMs: TIMEOUTS_MS.init },
          {
            args: ["apply", "-input=false", "-lock-timeout=10m", "-no-color", PLAN_FILE],
            timeoutMs: TIMEOUTS_MS.apply,
          },
        ],
        join(logs, `${name}.apply.log`),
      );
      if (outcome.failed) stopped = true;
      deps.stdout(`${name}: ${outcome.failed ? `FAILED: ${outcome.failed}` : "applied"}`);
      return outcome.failed;
    },
    // After a failure no further stack starts: what failed in one account likely fails in the next.
    () => stopped,
  ).finally(profiles.remove);
  const failed = changed.filter((_, i) => results[i] !== undefined && results[i] !== false).map((s) => s.name);
  const notStarted = changed.filter((_, i) => results[i] === undefined).map((s) => s.name);
  const applied = changed.length - failed.length - notStarted.length;
  deps.stdout(
    `wave ${wave}: ${applied} of ${changed.length} stacks with changes applied (${summary.stacks.length - changed.length} without changes)`,
  );
  if (failed.length === 0) return 0;
  deps.stderr(
    `wave ${wave} failed: ${failed.join(", ")}${notStarted.length > 0 ? `; not started: ${notStarted.join(", ")}` : ""} (logs in ${relative(deps.cwd, logs)})`,
  );
  return 1;
}

const STATUSES: readonly unknown[] = ["changes", "no-changes", "failed"] satisfies StackPlan["status"][];
function isWavePlan(json: unknown): json is WavePlan {
  const plan = json as WavePlan | null;
  return (
    typeof plan?.wave === "string" &&
    Array.isArray(plan.stacks) &&
    plan.stacks.every(
      (s) => typeof s?.name === "string" && typeof s.directory === "string" && STATUSES.includes(s.status),
    )
  );
}

/** Whether a synthesized stack keeps its state in a local file: its backend is "local", or it has none. */
function keepsLocalState(stack: StackJson): boolean {
  const terraform = (stack as { terraform?: { backend?: object; cloud?: object } }).terraform;
  return terraform?.cloud === undefined && (terraform?.backend === undefined || "local" in terraform.backend);
}

/**
 * The TF_TOKEN_<host> of each stack in Terraform Cloud, from TF_API_TOKEN (terraform-cloud-token.ts);
 * throws, before any Terraform runs, when a stack there would have none.
 */
function cloudTokenVariables(
  { command, wave, out }: Options,
  deps: WaveDeployDependencies,
  stacks: readonly { readonly name: string; readonly directory: string }[],
) {
  const hosts = stacks.map(({ name, directory }) => {
    const stackFile = join(out, directory, "cdk.tf.json");
    return { name, host: cloudHost(readJson(join(deps.cwd, stackFile), stackFile)) };
  });
  const job = WAVE_JOBS[command];
  const tokens = cloudTokens(hosts, deps.env, { tokenSecret: job.tokenSecret, environment: job.environment(wave) });
  if (tokens.problem) throw new WaveError(`wave ${wave}: ${tokens.problem}`);
  // As the bash twin does; GitHub masks a secret itself, not a value it reaches by another way.
  if (tokens.variables.size > 0 && deps.env.GITHUB_ACTIONS === "true")
    deps.stdout(`::add-mask::${deps.env[TOKEN_VARIABLE]}`);
  return tokens.variables;
}

interface TerraformStep {
  readonly args: readonly string[];
  readonly timeoutMs: number;
  /** @default exit code 0 */
  readonly succeeded?: (code: number) => boolean;
  /** Runs only when the previous step's exit code says so; else the steps end there. @default always */
  readonly after?: (previousCode: number) => boolean;
  /** Its output is data (a JSON plan: the plan's values, large), not written to the log. @default false */
  readonly data?: boolean;
}

/**
 * Runs terraform's steps in `stackDir`, with `variables` (the member profiles' AWS_CONFIG_FILE, the stack's
 * TF_TOKEN_<host>), until one fails; their output (but data) goes to `log`. The result of each step that ran, in order.
 */
async function terraformSteps(
  deps: WaveDeployDependencies,
  variables: Readonly<Record<string, string>>,
  stackDir: string,
  steps: readonly TerraformStep[],
  log: string,
): Promise<{ failed: string | false; results: CommandResult[] }> {
  // Terraform reads the token as TF_TOKEN_<host>, and only for a stack in Terraform Cloud.
  const env = {
    ...deps.env,
    [TOKEN_VARIABLE]: undefined,
    ...variables,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
  let text = "";
  const results: CommandResult[] = [];
  try {
    for (const step of steps) {
      const previous = results.at(-1);
      if (previous && step.after && !step.after(previous.code)) break;
      const last = await deps.run("terraform", step.args, { cwd: stackDir, env, timeoutMs: step.timeoutMs });
      results.push(last);
      const output = step.data ? `(${last.stdout.length} characters of output, not logged)\n` : last.stdout;
      text += `$ terraform ${step.args.join(" ")}\n${output}${last.stderr}\n`;
      if (!(step.succeeded ?? ((code) => code === 0))(last.code))
        return { failed: `terraform ${step.args[0]} exited ${last.code}: ${errorLine(last)}`, results };
    }
    return { failed: false, results };
  } catch (error) {
    return { failed: `terraform could not be started: ${(error as Error).message}`, results };
  } finally {
    writeFileSync(log, text);
  }
}

/**
 * Runs `work` on every item, at most `parallel` at a time, in the items' order; the first item runs
 * alone, so that its `terraform init` fills the shared plugin cache before the others read it. Once
 * `stop` says so, no further item starts (its result stays undefined).
 */
export async function inParallel<T, R>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  if (items.length === 0) return results;
  results[0] = await work(items[0]);
  let next = 1;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length - 1) }, worker));
  return results;
}

function prepareFolder(cwd: string, folder: string): string {
  const path = join(cwd, folder);
  mkdirSync(path, { recursive: true });
  return path;
}

/** Terraform's first "Error: ..." line (its summary of the problem), else the last line it wrote. */
const errorLine = (result: CommandResult) => {
  const lines = (result.stderr.trim() || result.stdout.trim()).split("\n").filter(Boolean);
  return lines.find((line) => line.startsWith("Error: ")) ?? lines.at(-1) ?? "(no output)";
};
const tail = (result: CommandResult) => `${result.stdout}${result.stderr}`.trim().split("\n").slice(-20).join("\n");

/** The wave's plan as Markdown, for the run summary: the review's section (reviewSection), then one row per stack. */
export function planMarkdown(summary: WavePlan, review: readonly string[]): string {
  const mark = { changes: "changes", "no-changes": "no changes", failed: "❌ FAILED" } as const;
  const count = (status: StackPlan["status"]) => summary.stacks.filter((s) => s.status === status).length;
  return [
    `### Wave ${summary.wave}: ${summary.stacks.length} stacks, ${count("changes")} with changes, ${count("failed")} failed`,
    "",
    ...review,
    "| stack | plan | detail |",
    "| --- | --- | --- |",
    ...summary.stacks.map((s) => `| ${s.name} | ${mark[s.status]} | ${s.detail.replace(/\|/g, "\\|")} |`),
    "",
  ].join("\n");
}

/** Terraform's environment for a wave: a plugin cache shared by the stacks (else each init downloads the provider). */
export function waveEnvironment(variables: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (variables.TF_PLUGIN_CACHE_DIR || variables.TF_CLI_CONFIG_FILE) return variables;
  const cache = join(TERRAFORM_CACHE, "plugins");
  mkdirSync(cache, { recursive: true });
  // Synthesized stacks have no lock file: without this, every init would install into the cache again.
  return { ...variables, TF_PLUGIN_CACHE_DIR: cache, TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true" };
}

/** Child processes as they are: stopped (SIGTERM, then SIGKILL) after their timeout. */
export const realRunner: CommandRunner = (command, args, options) => runCommand(command, args, options);
