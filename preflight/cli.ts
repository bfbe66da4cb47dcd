// `npm run preflight -- --env <name> [--json] [--strict] [--days 7] [--progress]`
// Checks, before the backup window, that every tagged instance will get an application-consistent
// (VSS) backup, and says how to fix each one that will not.
// Exit codes: 0 ready (warnings allowed unless --strict), 1 not ready or nothing tagged, 2 usage,
// credential or wrong-account errors.
import { parseArgs } from "util";
import { config } from "../config/environments";
import { loadEnvironments } from "../config/validate";
import { ValidationError } from "../modules";
import { AwsCaller, CallerOptions, Clients, createClients } from "./aws";
import { formatJson, formatTable } from "./format";
import { PreflightError, runPreflight } from "./run";

export const USAGE = "usage: npm run preflight -- --env <name> [--json] [--strict] [--days <1-90>] [--progress]";

export interface CliDependencies {
  readonly clients?: (region: string) => Clients;
  readonly caller?: CallerOptions;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly isTty?: boolean;
  readonly now?: Date;
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], deps: CliDependencies = {}): Promise<number> {
  const stdout = deps.stdout ?? ((text) => process.stdout.write(`${text}\n`));
  const stderr = deps.stderr ?? ((text) => process.stderr.write(`${text}\n`));
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        env: { type: "string" },
        json: { type: "boolean", default: false },
        strict: { type: "boolean", default: false },
        days: { type: "string", default: "7" },
        progress: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const days = Number(args.days);
  if (!args.env || !Number.isInteger(days) || days < 1 || days > 90) {
    stderr(`${!args.env ? "--env is required" : `--days ${args.days} is not a whole number from 1 to 90`}\n${USAGE}`);
    return 2;
  }
  const known = config.environments.map((e) => e.name);
  if (!known.includes(args.env)) {
    stderr(`--env ${args.env}: unknown environment; known: ${known.join(", ")}\n${USAGE}`);
    return 2;
  }
  let env;
  try {
    [env] = loadEnvironments(config, { only: args.env, now: deps.now ?? new Date() });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    stderr(error.message);
    return 2;
  }
  const aws = new AwsCaller((deps.clients ?? createClients)(env.region), deps.caller);
  const showProgress = args.progress ?? deps.isTty ?? process.stderr.isTTY;
  const now = deps.now ?? new Date();
  try {
    const report = await runPreflight(aws, env, {
      jobsWindow: { since: new Date(now.getTime() - days * 86_400_000), days },
      progress: showProgress ? (phase) => stderr(`preflight: checking ${phase}...`) : undefined,
    });
    stdout(args.json ? formatJson(report) : formatTable(report));
    const { status } = report.summary;
    return status === "fail" || (status === "warn" && args.strict) ? 1 : 0;
  } catch (error) {
    if (error instanceof PreflightError) {
      stderr(`preflight: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
