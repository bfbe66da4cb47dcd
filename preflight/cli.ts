// `npm run preflight -- --env <name> [--json] [--strict] [--days 7] [--deadline-seconds 180] [--progress]`
// Checks, before the backup window, that every tagged instance will get an application-consistent
// (VSS) backup, and says how to fix each one that will not.
// Exit codes: 0 ready (warnings allowed unless --strict), 1 not ready or nothing tagged, 2 usage,
// credential, wrong-account or unreachable-AWS errors, and a run that outlasts its deadline.
import { parseArgs } from "util";
import { config as projectConfig } from "../config/environments";
import type { ProjectConfig } from "../config/types";
import { loadEnvironments } from "../config/validate";
import { ValidationError } from "../modules";
import {
  AwsCaller,
  AwsUnreachableError,
  CallerOptions,
  Clients,
  createClients,
  DeadlineExceededError,
  withDeadline,
} from "./aws";
import { escapeUnprintable, formatJson, formatTable } from "./format";
import { PreflightError, runPreflight } from "./run";

export const USAGE =
  "usage: npm run preflight -- --env <name> [--json] [--strict] [--days <1-90>] [--deadline-seconds <1-3600>] [--progress]";

/** How long the whole run may take before it is cancelled, naming the calls AWS has not answered. */
export const DEFAULT_DEADLINE_SECONDS = 180;
const MAX_DEADLINE_SECONDS = 3600;

export interface CliDependencies {
  /** The time the run judges at: job windows and schedules are read from it, never from the wall clock. */
  readonly now: Date;
  /** @default the project's configuration, config/environments.ts */
  readonly config?: ProjectConfig;
  /** The clients of a region: the environment's, and a DR region's. @default createClients */
  readonly clients?: (region: string) => Clients;
  readonly caller?: CallerOptions;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly isTty?: boolean;
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], deps: CliDependencies): Promise<number> {
  const stdout = deps.stdout ?? ((text) => process.stdout.write(`${text}\n`));
  const stderr = deps.stderr ?? ((text) => process.stderr.write(`${text}\n`));
  const config = deps.config ?? projectConfig;
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        env: { type: "string" },
        json: { type: "boolean", default: false },
        strict: { type: "boolean", default: false },
        days: { type: "string", default: "7" },
        "deadline-seconds": { type: "string", default: String(DEFAULT_DEADLINE_SECONDS) },
        progress: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const days = Number(args.days);
  const deadlineSeconds = Number(args["deadline-seconds"]);
  const usageError = !args.env
    ? "--env is required"
    : !Number.isInteger(days) || days < 1 || days > 90
      ? `--days ${args.days} is not a whole number from 1 to 90`
      : !(deadlineSeconds > 0 && deadlineSeconds <= MAX_DEADLINE_SECONDS)
        ? `--deadline-seconds ${args["deadline-seconds"]} is not a number of seconds above 0 and up to ${MAX_DEADLINE_SECONDS}`
        : undefined;
  if (usageError !== undefined || args.env === undefined) {
    stderr(`${usageError}\n${USAGE}`);
    return 2;
  }
  const known = config.environments.map((e) => e.name);
  if (!known.includes(args.env)) {
    stderr(`--env ${args.env}: unknown environment; known: ${known.join(", ")}\n${USAGE}`);
    return 2;
  }
  const { now } = deps;
  let env;
  try {
    [env] = loadEnvironments(config, { only: args.env, now });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    stderr(error.message);
    return 2;
  }
  const aws = new AwsCaller(deps.clients ?? ((region) => createClients(region)), env.region, deps.caller);
  const showProgress = args.progress ?? deps.isTty ?? process.stderr.isTTY;
  try {
    const report = await withDeadline(aws, deadlineSeconds, () =>
      runPreflight(aws, env, {
        now,
        jobsWindow: { since: new Date(now.getTime() - days * 86_400_000), days },
        progress: showProgress ? (phase) => stderr(`preflight: checking ${phase}...`) : undefined,
      }),
    );
    stdout(args.json ? formatJson(report) : formatTable(report));
    const { status } = report.summary;
    return status === "fail" || (status === "warn" && args.strict) ? 1 : 0;
  } catch (error) {
    if (
      error instanceof PreflightError ||
      error instanceof AwsUnreachableError ||
      error instanceof DeadlineExceededError
    ) {
      stderr(`preflight: ${escapeUnprintable(error.message)}`);
      return 2;
    }
    throw error;
  }
}
