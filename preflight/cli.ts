// `npm run preflight -- --env <name> [--json] [--strict] [--days 7] [--deadline-seconds 180] [--progress]`
// `npm run preflight -- --organization [--ou <path>] [--wave <name>] [--concurrency 10] [...the same options]`
// Checks, before the backup window, that every tagged instance will get an application-consistent
// (VSS) backup, and says how to fix each one that will not: of one environment, or of every member
// stack of the organization, through a read-only role assumed in each member account.
// Exit codes: 0 ready (warnings allowed unless --strict), 1 not ready or nothing tagged, 2 usage,
// credential, wrong-account or unreachable-AWS errors, and a run that outlasts its deadline; for the
// organization, 2 as well when any account could not be checked.
import { parseArgs } from "util";
import { config as projectConfig } from "../config/environments";
import type { loadOrganization } from "../config/organization-load";
import type { AccountsFile, OrganizationConfig } from "../config/organization-types";
import type { ProjectConfig } from "../config/types";
import { loadEnvironments } from "../config/validate";
import { ValidationError } from "../modules";
import { AwsCaller, CallerOptions, createClients, withDeadline } from "./aws";
import type { Status } from "./facts";
import { escapeUnprintable, formatJson, formatOrganizationTable, formatTable } from "./format";
import {
  ClientsFactory,
  DEFAULT_CONCURRENCY,
  MAX_CONCURRENCY,
  OrganizationReport,
  runOrganizationPreflight,
} from "./organization";
import { couldNotCheck, PreflightError, runPreflight } from "./run";

const COMMON_OPTIONS = "[--json] [--strict] [--days <1-90>] [--deadline-seconds <1-3600>] [--progress]";
export const USAGE = [
  `usage: npm run preflight -- --env <name> ${COMMON_OPTIONS}`,
  `       npm run preflight -- --organization [--ou <path>] [--wave <name>] [--concurrency <1-${MAX_CONCURRENCY}>] ${COMMON_OPTIONS}`,
].join("\n");

/** How long the whole run (for the organization: each account's) may take before it is cancelled, naming the calls AWS has not answered. */
export const DEFAULT_DEADLINE_SECONDS = 180;
const MAX_DEADLINE_SECONDS = 3600;

/** What organization mode reads: the configuration, the accounts file, and the loader that resolves them. */
export interface OrganizationSource {
  readonly config: OrganizationConfig;
  readonly accounts: AccountsFile;
  readonly loadOrganization: typeof loadOrganization;
}

export interface CliDependencies {
  /** The time the run judges at: job windows and schedules are read from it, never from the wall clock. */
  readonly now: Date;
  /** @default the project's configuration, config/environments.ts */
  readonly config?: ProjectConfig;
  /**
   * Organization mode's inputs, read only with --organization (a PreflightError or ValidationError
   * when they cannot be read). @default none: --organization is a usage error
   */
  readonly organization?: () => OrganizationSource;
  /**
   * The clients of a region (the environment's, a DR region's), with the standard credential chain
   * or, in a member account, with its assumed role's credentials. @default createClients
   */
  readonly clients?: ClientsFactory;
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
  const clients = deps.clients ?? ((region, credentials) => createClients(region, { credentials }));
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        env: { type: "string" },
        organization: { type: "boolean", default: false },
        ou: { type: "string" },
        wave: { type: "string" },
        concurrency: { type: "string" },
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
  const concurrency = Number(args.concurrency ?? DEFAULT_CONCURRENCY);
  const organizationOnly = (["ou", "wave", "concurrency"] as const).find((o) => args[o] !== undefined);
  const usageError =
    args.env !== undefined && args.organization
      ? "--env and --organization exclude each other: one environment, or the organization's member stacks"
      : args.env === undefined && !args.organization
        ? "--env is required"
        : organizationOnly && !args.organization
          ? `--${organizationOnly} needs --organization`
          : !Number.isInteger(days) || days < 1 || days > 90
            ? `--days ${args.days} is not a whole number from 1 to 90`
            : !(deadlineSeconds > 0 && deadlineSeconds <= MAX_DEADLINE_SECONDS)
              ? `--deadline-seconds ${args["deadline-seconds"]} is not a number of seconds above 0 and up to ${MAX_DEADLINE_SECONDS}`
              : !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY
                ? `--concurrency ${args.concurrency} is not a whole number from 1 to ${MAX_CONCURRENCY}`
                : args.organization && !deps.organization
                  ? "--organization: organization mode is not configured (config/organization.ts, config/accounts.json)"
                  : undefined;
  if (usageError !== undefined) {
    stderr(`${usageError}\n${USAGE}`);
    return 2;
  }
  const { now } = deps;
  const jobsWindow = { since: new Date(now.getTime() - days * 86_400_000), days };
  const showProgress = args.progress ?? deps.isTty ?? process.stderr.isTTY;
  const exitCode = (status: Status) => (status === "fail" || (status === "warn" && args.strict) ? 1 : 0);

  if (args.organization && deps.organization) {
    let report: OrganizationReport;
    try {
      const source = deps.organization();
      const organization = source.loadOrganization(source.config, source.accounts, {
        now,
        ou: args.ou,
        wave: args.wave,
      });
      if (organization.members.length === 0)
        throw new PreflightError(
          `no member stack to check${args.ou || args.wave ? " with these filters" : ""}: no template of config/organization.ts covers an active account${args.ou ? ` in ${args.ou}` : ""}${args.wave ? ` in wave ${args.wave}` : ""}`,
        );
      report = await runOrganizationPreflight(organization.members, {
        scope: { ou: args.ou, wave: args.wave },
        roleName: source.config.memberRoles.preflightRoleName,
        clients,
        caller: deps.caller,
        now,
        jobsWindow,
        deadlineSeconds,
        concurrency,
        accountDone: showProgress
          ? (account, done, total) =>
              stderr(
                `preflight: ${done}/${total} accounts done (${account.account} ${escapeUnprintable(account.name)})`,
              )
          : undefined,
      });
    } catch (error) {
      if (error instanceof ValidationError) stderr(error.message);
      else if (error instanceof PreflightError) stderr(`preflight: ${escapeUnprintable(error.message)}`);
      else throw error;
      return 2;
    }
    stdout(args.json ? formatJson(report) : formatOrganizationTable(report));
    return report.summary.unreachable > 0 ? 2 : exitCode(report.summary.status);
  }

  const known = config.environments.map((e) => e.name);
  if (args.env === undefined || !known.includes(args.env)) {
    stderr(`--env ${args.env}: unknown environment; known: ${known.join(", ")}\n${USAGE}`);
    return 2;
  }
  let env;
  try {
    [env] = loadEnvironments(config, { only: args.env, now });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    stderr(error.message);
    return 2;
  }
  const aws = new AwsCaller((region) => clients(region), env.region, deps.caller);
  try {
    const report = await withDeadline(aws, deadlineSeconds, () =>
      runPreflight(aws, env, {
        now,
        jobsWindow,
        progress: showProgress ? (phase) => stderr(`preflight: checking ${phase}...`) : undefined,
      }),
    );
    stdout(args.json ? formatJson(report) : formatTable(report));
    return exitCode(report.summary.status);
  } catch (error) {
    if (!couldNotCheck(error)) throw error;
    stderr(`preflight: ${escapeUnprintable(error.message)}`);
    return 2;
  }
}
