// `npm run review -- [--out cdktf.out] [--base <other cdktf.out>] [--plan <env>=<plan.json>]... [--output <file.md>]`
// Writes the pull-request review (posture and changes per environment) as Markdown and prints it.
// Exit codes: 0 written, 2 a problem with what it was given (one line naming it, then the usage).
import { mkdirSync, writeFileSync } from "fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "path";
import { parseArgs } from "util";
import { changesFromSynth, ResourceChange } from "./changes";
import { manifestStacks, osReason, plannedChanges, readJson, ReviewInputError } from "./inputs";
import {
  ManagementOf,
  managementAmong,
  managementPostureOf,
  memberUnderPolicy,
  planSourceChangeOf,
  planSourceOf,
  policyWeakeningsOf,
} from "./organization";
import { postureOf, StackJson, weakeningsOf } from "./posture";
import { EnvironmentReview, RemovedEnvironment, renderReview } from "./report";

export const USAGE =
  "usage: npm run review -- [--out cdktf.out] [--base <dir>] [--plan <env>=<plan.json>]... [--output <file.md>]";

export interface ReviewDependencies {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The review's date (the retention timeline starts on it): the only clock the command reads. */
  readonly now: Date;
  /** The folder relative paths are read from and written to. */
  readonly cwd: string;
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], deps: ReviewDependencies): Promise<number> {
  try {
    const { markdown, output } = review(argv, deps);
    deps.stdout(markdown);
    deps.stderr(`review written to ${output}`);
    return 0;
  } catch (error) {
    if (!(error instanceof ReviewInputError)) throw error;
    deps.stderr(`${error.message}\n${USAGE}`);
    return 2;
  }
}

function review(argv: readonly string[], { cwd, now }: ReviewDependencies): { markdown: string; output: string } {
  const options = parseArguments(argv);
  const output = options.output ?? join(options.out, "review.md");
  refuseInsideStacks(options.out, output, cwd);

  const head = synthesizedApp(options.out, cwd);
  const planned = plansByEnvironment(options.plan, head, cwd);
  const base = options.base === undefined ? undefined : synthesizedApp(options.base, cwd);
  const { environments, removed } = reviewStacks(head.all(), planned, base?.all());

  const markdown = renderReview(environments, now, removed);
  try {
    mkdirSync(dirname(resolve(cwd, output)), { recursive: true });
    writeFileSync(resolve(cwd, output), markdown);
  } catch (error) {
    throw new ReviewInputError(`--output ${output}: cannot write: ${osReason(error)}`);
  }
  return { markdown, output };
}

/**
 * The review of a synthesized app's stacks (`head`, by name), for renderReview: each stack's posture, its
 * changes from its saved plan (`planned`, by stack name: plannedChanges) or else, when a `base` is given,
 * from comparing with the base's stack; and the base's stacks that the head no longer has.
 */
export function reviewStacks(
  head: ReadonlyMap<string, StackJson>,
  planned: ReadonlyMap<string, readonly ResourceChange[]>,
  base?: ReadonlyMap<string, StackJson>,
): { environments: EnvironmentReview[]; removed: RemovedEnvironment[] } {
  const headManagement = managementAmong(head);
  const baseManagement = base && managementAmong(base);
  const environments: EnvironmentReview[] = [...head].map(([name, stack]) => {
    const { posture, ...kind } = stackReview(stack, headManagement);
    const changes = planned.get(name);
    const baseStack = base?.get(name);
    // Weakenings come from the synthesized JSON of both sides, also when a plan gives the changes.
    const weakenings = baseStack ? weakeningsBetween(baseStack, baseManagement, stack, headManagement) : undefined;
    const planSourceChange = baseStack && planSourceChangeOf(baseStack, stack);
    const compared = { weakenings, planSourceChange };
    if (changes) return { name, posture, ...kind, changes, changesFrom: "plan", ...compared };
    if (!base) return { name, posture, ...kind };
    return {
      name,
      posture,
      ...kind,
      changes: changesFromSynth(baseStack, stack),
      changesFrom: "synthesized JSON",
      ...compared,
    };
  });
  const removed: RemovedEnvironment[] = [...(base ?? [])]
    .filter(([name]) => !head.has(name))
    .map(([name, stack]) => ({ name, posture: postureOf(stack), management: managementPostureOf(stack) }));
  return { environments, removed };
}

/** A stack's posture, and what makes it a management stack or a member under a backup policy. */
function stackReview(
  stack: StackJson,
  management: ManagementOf | undefined,
): Pick<EnvironmentReview, "posture" | "management" | "planFrom"> {
  const own = postureOf(stack);
  const managed = managementPostureOf(stack);
  if (managed) return { posture: own, management: managed };
  if (planSourceOf(stack) !== "organization-policy") return { posture: own };
  const region = own.providers.find((p) => p.address === "aws")?.region;
  return memberUnderPolicy(own, stack, region, management);
}

function weakeningsBetween(
  baseStack: StackJson,
  baseManagement: ManagementOf | undefined,
  headStack: StackJson,
  headManagement: ManagementOf | undefined,
): string[] {
  const [before, after] = [stackReview(baseStack, baseManagement), stackReview(headStack, headManagement)];
  if (before.management && after.management) return policyWeakeningsOf(before.management, after.management);
  return weakeningsOf(before.posture, after.posture);
}

function parseArguments(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        out: { type: "string", default: "cdktf.out" },
        base: { type: "string" },
        plan: { type: "string", multiple: true, default: [] },
        output: { type: "string" },
      },
    }).values;
  } catch (error) {
    throw new ReviewInputError((error as Error).message);
  }
}

/** Terraform reads every file of a stack's folder: the review must not land among them. */
function refuseInsideStacks(out: string, output: string, cwd: string): void {
  const stacksDir = join(out, "stacks");
  const inside = relative(resolve(cwd, stacksDir), resolve(cwd, output));
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return;
  const stackFolder = join(stacksDir, inside.split(sep)[0]);
  throw new ReviewInputError(
    `--output ${output}: inside the synthesized stack folder ${stackFolder}, where terraform would read it; write it elsewhere, e.g. ${join(out, "review.md")}`,
  );
}

/** A `cdktf synth` output folder: the stacks its manifest lists (only those), each read once asked for. */
export function synthesizedApp(outdir: string, cwd: string) {
  const manifestFile = join(outdir, "manifest.json");
  const stacks = manifestStacks(readJson(resolve(cwd, manifestFile), manifestFile), manifestFile);
  const stack = (name: string): StackJson => {
    const file = join(outdir, stacks.get(name)!.synthesizedStackPath);
    return readJson(resolve(cwd, file), file) as StackJson;
  };
  return {
    stacks,
    stack,
    /** Every stack, read: the management stack's policies are what its member stacks' sections show. */
    all: () => new Map([...stacks.keys()].map((name) => [name, stack(name)] as const)),
  };
}

/** `--plan <env>=<file>` entries, each read, checked to be a plan for that environment's stack: its changes by environment. */
function plansByEnvironment(
  entries: readonly string[],
  head: ReturnType<typeof synthesizedApp>,
  cwd: string,
): Map<string, ResourceChange[]> {
  const plans = new Map<string, ResourceChange[]>();
  for (const entry of entries) {
    const separator = entry.indexOf("=");
    const env = entry.slice(0, Math.max(separator, 0));
    const file = entry.slice(separator + 1);
    if (separator < 1 || file === "") throw new ReviewInputError(`--plan ${entry}: expected <env>=<plan.json>`);
    if (!head.stacks.has(env))
      throw new ReviewInputError(
        `--plan ${entry}: no stack ${env} in the synthesized app; stacks: ${[...head.stacks.keys()].join(", ")}`,
      );
    if (plans.has(env)) throw new ReviewInputError(`--plan ${entry}: a second plan for ${env}`);
    const shown = `--plan ${entry}`;
    plans.set(env, plannedChanges(readJson(resolve(cwd, file), shown), head.stack(env), env, shown));
  }
  return plans;
}
