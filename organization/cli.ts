// `npm run accounts -- sync [--check] [--output <path>] [--deadline-seconds <1-3600>]`
// Writes the accounts file (config/accounts.json) from AWS Organizations; with --check, writes
// nothing and fails when the committed file is out of date (for CI).
// Exit codes: 0 written or up to date, 1 out of date (--check), 2 usage, credential, access,
// unreachable-AWS errors, and a run that outlasts its deadline.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "fs";
import { dirname } from "path";
import { parseArgs } from "util";
import type { AccountsFile } from "../config/organization-types";
import { AwsCaller, AwsUnreachableError, CallerOptions, DeadlineExceededError, withDeadline } from "../preflight/aws";
import { escapeUnprintable } from "../preflight/format";
import { createOrganizationClients, DEFAULT_ORGANIZATIONS_REGION, OrganizationClients } from "./aws";
import { describeChanges, formatAccountsFile, OrganizationReadError, readOrganization } from "./sync";

export const USAGE = "usage: npm run accounts -- sync [--check] [--output <path>] [--deadline-seconds <1-3600>]";
export const DEFAULT_OUTPUT = "config/accounts.json";
/** How long the whole run may take before it is cancelled, naming the calls AWS has not answered. */
export const DEFAULT_DEADLINE_SECONDS = 120;
const MAX_DEADLINE_SECONDS = 3600;
const SYNC_COMMAND = "npm run accounts -- sync";

export interface CliDependencies {
  /** The Organizations client for a region. @default createOrganizationClients */
  readonly clients?: (region: string) => OrganizationClients;
  /** Picks the partition's endpoint (see DEFAULT_ORGANIZATIONS_REGION). @default AWS_REGION, else us-east-1 */
  readonly region?: string;
  readonly caller?: CallerOptions;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

/** The file at `path` as an accounts file, enough to diff it, or why it cannot be read as one. */
function readCommitted(path: string): { file?: AccountsFile; text?: string; problem?: string } {
  if (!existsSync(path)) return { problem: `${path} does not exist` };
  const text = readFileSync(path, "utf8");
  try {
    const file = JSON.parse(text) as AccountsFile;
    if (!Array.isArray(file?.accounts) || !Array.isArray(file?.organizationalUnits))
      return { text, problem: `${path} has no "accounts" and "organizationalUnits" lists` };
    return { file, text };
  } catch (error) {
    return { text, problem: `${path} is not JSON (${(error as Error).message})` };
  }
}

/** Replaces `path` at once: a reader never sees half a file. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, path);
}

const summary = (file: AccountsFile) => {
  const inactive = file.accounts.filter((a) => a.status !== "ACTIVE").length;
  return `${file.accounts.length} accounts (${inactive} not ACTIVE) in ${file.organizationalUnits.length} OUs of ${file.organizationId}`;
};

/** What tells the committed file from the organization's: the changes, or, when none, that only the text differs. */
function changesSince(committed: { file?: AccountsFile; problem?: string }, current: AccountsFile): string[] {
  if (!committed.file) return [committed.problem!];
  const changes = describeChanges(committed.file, current);
  return changes.length > 0 ? changes : ["the same organization, written otherwise (formatting or order)"];
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], deps: CliDependencies = {}): Promise<number> {
  const stdout = deps.stdout ?? ((text) => process.stdout.write(`${text}\n`));
  const stderr = deps.stderr ?? ((text) => process.stderr.write(`${text}\n`));
  const usageError = (problem: string) => {
    stderr(`accounts: ${problem}; ${USAGE}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        check: { type: "boolean", default: false },
        output: { type: "string", default: DEFAULT_OUTPUT },
        "deadline-seconds": { type: "string", default: String(DEFAULT_DEADLINE_SECONDS) },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values: args, positionals } = parsed;
  const deadlineSeconds = Number(args["deadline-seconds"]);
  if (positionals.length === 0) return usageError("a command is required");
  if (positionals.length > 1 || positionals[0] !== "sync")
    return usageError(`unknown command ${positionals.join(" ")}; the command is sync`);
  if (args.output === "") return usageError("--output needs a file path");
  if (!(deadlineSeconds > 0 && deadlineSeconds <= MAX_DEADLINE_SECONDS))
    return usageError(
      `--deadline-seconds ${args["deadline-seconds"]} is not a number of seconds above 0 and up to ${MAX_DEADLINE_SECONDS}`,
    );

  const region = deps.region ?? process.env.AWS_REGION ?? DEFAULT_ORGANIZATIONS_REGION;
  const aws = new AwsCaller(deps.clients ?? ((r) => createOrganizationClients(r)), region, deps.caller);
  let current: AccountsFile;
  try {
    current = await withDeadline(aws, deadlineSeconds, () => readOrganization(aws));
  } catch (error) {
    if (
      error instanceof OrganizationReadError ||
      error instanceof AwsUnreachableError ||
      error instanceof DeadlineExceededError
    ) {
      stderr(`accounts: ${escapeUnprintable(error.message)}`);
      return 2;
    }
    throw error;
  }
  const path = args.output;
  const text = formatAccountsFile(current);
  const committed = readCommitted(path);
  if (committed.text === text) {
    stdout(`${path} is up to date: ${summary(current)}`);
    return 0;
  }
  const changes = changesSince(committed, current).map((line) => `  ${escapeUnprintable(line)}`);
  if (args.check) {
    stdout(
      [`${path} is out of date: run \`${SYNC_COMMAND}\` and commit it. ${summary(current)}:`, ...changes].join("\n"),
    );
    return 1;
  }
  writeAtomically(path, text);
  stdout([`wrote ${path}: ${summary(current)}`, ...(committed.text === undefined ? [] : changes)].join("\n"));
  return 0;
}
