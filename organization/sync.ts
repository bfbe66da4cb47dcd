// Reads AWS Organizations into the accounts file (config/organization-types.ts's AccountsFile), and
// says what changed between two of them: the logic of `npm run accounts -- sync`, with the clients injected.
import {
  Account,
  AccountState,
  AccountStatus,
  DescribeOrganizationCommand,
  DescribeOrganizationCommandOutput,
  ListAccountsForParentCommand,
  ListAccountsForParentCommandOutput,
  ListOrganizationalUnitsForParentCommand,
  ListOrganizationalUnitsForParentCommandOutput,
  ListRootsCommand,
  ListRootsCommandOutput,
} from "@aws-sdk/client-organizations";
import type { AccountsFile, OrganizationAccount } from "../config/organization-types";
import {
  AwsCaller,
  AwsUnreachableError,
  callName,
  DeadlineExceededError,
  errorText,
  isAccessDenied,
  isThrottling,
  mapLimit,
} from "../preflight/aws";
import type { OrganizationClients } from "./aws";

/** The root's path; an OU's path is its parent's and its name, joined with "/". */
export const ROOT_PATH = "Root";

/** Every call the sync makes: what its credentials must be allowed. */
export const REQUIRED_ACTIONS = [
  "organizations:DescribeOrganization",
  "organizations:ListRoots",
  "organizations:ListOrganizationalUnitsForParent",
  "organizations:ListAccountsForParent",
] as const;

/** Parents (the root, OUs) read at once: Organizations answers a few requests per second per organization. */
const PARENTS_AT_ONCE = 4;

type Status = OrganizationAccount["status"];
/**
 * Every value of the account's `State`, and of `Status` (the field it replaces, retired on
 * 2026-09-09), as the accounts file spells it: a value a newer SDK adds fails typecheck here.
 */
const STATUS_OF: Readonly<Record<AccountState | AccountStatus, Status>> = {
  ACTIVE: "ACTIVE",
  SUSPENDED: "SUSPENDED",
  PENDING_ACTIVATION: "PENDING_ACTIVATION",
  PENDING_CLOSURE: "PENDING_CLOSURE",
  CLOSED: "CLOSED",
};

/** The organization could not be read (AWS answered with an error): the message names the call, the cause and the fix. */
export class OrganizationReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrganizationReadError";
  }
}

type Command = { readonly input: unknown };

/** What an AWS error on `command` means for the sync, and how to fix it. */
function explain(command: Command, error: unknown): Error {
  if (error instanceof AwsUnreachableError || error instanceof DeadlineExceededError) return error;
  const call = callName("organizations", command);
  const name = (error as { name?: string } | undefined)?.name;
  if (isAccessDenied(error))
    return new OrganizationReadError(
      `${call}: ${errorText(error)}; run it with the management account's or a delegated administrator's credentials, allowed ${REQUIRED_ACTIONS.join(", ")}`,
    );
  if (name === "AWSOrganizationsNotInUseException")
    return new OrganizationReadError(
      `${call}: ${errorText(error)}; the account of these credentials is in no organization: run it with the organization's management account's credentials`,
    );
  if (isThrottling(error))
    return new OrganizationReadError(
      `${call}: throttled on every attempt (${errorText(error)}); Organizations allows a few requests per second, shared by every tool that calls it: run again later`,
    );
  return new OrganizationReadError(`${call}: ${errorText(error)}`);
}

async function send<O>(aws: AwsCaller<OrganizationClients>, command: Command): Promise<O> {
  try {
    return await aws.send<O>("organizations", command);
  } catch (error) {
    throw explain(command, error);
  }
}

async function pages<O extends object>(
  aws: AwsCaller<OrganizationClients>,
  makeCommand: (token?: string) => Command,
): Promise<O[]> {
  try {
    return await aws.pages<O>("organizations", makeCommand);
  } catch (error) {
    throw explain(makeCommand(), error);
  }
}

/** A field AWS always sends; its absence means an answer this code does not understand. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null || value === "")
    throw new OrganizationReadError(`AWS Organizations answered without ${what}`);
  return value;
}

function accountOf(account: Account, ouPath: string): OrganizationAccount {
  const id = required(account.Id, "an account's Id");
  const name = required(account.Name, `the Name of account ${id}`);
  const state = required(account.State ?? account.Status, `the State of account ${id}`);
  const status = STATUS_OF[state];
  if (!status)
    throw new OrganizationReadError(
      `account ${id} (${name}) is in state ${state}, which is not one of ${Object.keys(STATUS_OF).join(", ")}; update @aws-sdk/client-organizations and organization/sync.ts`,
    );
  return { id, name, ouPath, status };
}

interface Parent {
  readonly id: string;
  readonly path: string;
}

/** The OUs directly under `parent`, with their paths, and the accounts directly in it. */
async function readParent(aws: AwsCaller<OrganizationClients>, parent: Parent) {
  const [unitPages, accountPages] = await Promise.all([
    pages<ListOrganizationalUnitsForParentCommandOutput>(
      aws,
      (NextToken) => new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, NextToken }),
    ),
    pages<ListAccountsForParentCommandOutput>(
      aws,
      (NextToken) => new ListAccountsForParentCommand({ ParentId: parent.id, NextToken }),
    ),
  ]);
  const units = unitPages.flatMap((page) => page.OrganizationalUnits ?? []);
  const children = units.map((unit): Parent => {
    const id = required(unit.Id, `the Id of an OU in ${parent.path}`);
    const name = required(unit.Name, `the Name of OU ${id}`);
    // A path is the names joined with "/": a name with one would read as two levels.
    if (name.includes("/"))
      throw new OrganizationReadError(
        `OU ${id} "${name}" in ${parent.path}: an OU name with "/" makes its path ambiguous; rename the OU`,
      );
    return { id, path: `${parent.path}/${name}` };
  });
  const accounts = accountPages.flatMap((page) => page.Accounts ?? []).map((a) => accountOf(a, parent.path));
  return { children, accounts };
}

/** By UTF-16 code units, as `<` compares: the same order whatever the machine's locale. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const unionOfKeys = (a: Map<string, unknown>, b: Map<string, unknown>) =>
  [...new Set([...a.keys(), ...b.keys()])].sort(byCodeUnits);

/**
 * The organization as the accounts file holds it: every OU (the root included) by path, every
 * account by ID, read level by level from the root. The same organization gives the same file.
 */
export async function readOrganization(aws: AwsCaller<OrganizationClients>): Promise<AccountsFile> {
  const { Organization } = await send<DescribeOrganizationCommandOutput>(aws, new DescribeOrganizationCommand({}));
  const organizationId = required(Organization?.Id, "the organization's Id");
  const managementAccountId = required(Organization?.MasterAccountId, "the management account's Id");
  const roots = (await pages<ListRootsCommandOutput>(aws, (NextToken) => new ListRootsCommand({ NextToken }))).flatMap(
    (page) => page.Roots ?? [],
  );
  if (roots.length !== 1)
    throw new OrganizationReadError(`AWS Organizations answered ${roots.length} roots; an organization has one`);
  const organizationalUnits: Parent[] = [{ id: required(roots[0].Id, "the root's Id"), path: ROOT_PATH }];
  const accounts: OrganizationAccount[] = [];
  for (let level = organizationalUnits; level.length > 0; ) {
    const read = await mapLimit(level, PARENTS_AT_ONCE, (parent) => readParent(aws, parent));
    level = read.flatMap((r) => r.children);
    organizationalUnits.push(...level);
    accounts.push(...read.flatMap((r) => r.accounts));
  }
  return {
    organizationId,
    managementAccountId,
    organizationalUnits: organizationalUnits.sort((a, b) => byCodeUnits(a.path, b.path)),
    accounts: accounts.sort((a, b) => byCodeUnits(a.id, b.id)),
  };
}

/** The file's text: the file's keys in the contract's order, 2-space JSON, one trailing newline. */
export function formatAccountsFile(file: AccountsFile): string {
  const ordered: AccountsFile = {
    organizationId: file.organizationId,
    managementAccountId: file.managementAccountId,
    organizationalUnits: file.organizationalUnits.map(({ id, path }) => ({ id, path })),
    accounts: file.accounts.map(({ id, name, ouPath, status }) => ({ id, name, ouPath, status })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** One line per difference from `before` to `after`, grouped by kind, each group by ID. */
export function describeChanges(before: AccountsFile, after: AccountsFile): string[] {
  const lines: string[] = [];
  if (before.organizationId !== after.organizationId)
    lines.push(`organization: ${before.organizationId} -> ${after.organizationId}`);
  if (before.managementAccountId !== after.managementAccountId)
    lines.push(`management account: ${before.managementAccountId} -> ${after.managementAccountId}`);

  const groups: Record<string, string[]> = {
    ouAdded: [],
    ouRemoved: [],
    ouMoved: [],
    added: [],
    removed: [],
    moved: [],
    status: [],
    renamed: [],
  };
  const ousBefore = new Map(before.organizationalUnits.map((ou) => [ou.id, ou.path]));
  const ousAfter = new Map(after.organizationalUnits.map((ou) => [ou.id, ou.path]));
  for (const id of unionOfKeys(ousBefore, ousAfter)) {
    const [was, is] = [ousBefore.get(id), ousAfter.get(id)];
    if (was === undefined) groups.ouAdded.push(`OU added: ${is} (${id})`);
    else if (is === undefined) groups.ouRemoved.push(`OU removed: ${was} (${id})`);
    else if (was !== is) groups.ouMoved.push(`OU renamed or moved: ${was} -> ${is} (${id})`);
  }
  const accountsBefore = new Map(before.accounts.map((a) => [a.id, a]));
  const accountsAfter = new Map(after.accounts.map((a) => [a.id, a]));
  for (const id of unionOfKeys(accountsBefore, accountsAfter)) {
    const [was, is] = [accountsBefore.get(id), accountsAfter.get(id)];
    if (!was) groups.added.push(`account added: ${id} "${is!.name}" in ${is!.ouPath}, ${is!.status}`);
    else if (!is) groups.removed.push(`account removed: ${id} "${was.name}", was in ${was.ouPath}`);
    else {
      if (was.ouPath !== is.ouPath)
        groups.moved.push(`account moved: ${id} "${is.name}": ${was.ouPath} -> ${is.ouPath}`);
      if (was.status !== is.status)
        groups.status.push(`account status changed: ${id} "${is.name}": ${was.status} -> ${is.status}`);
      if (was.name !== is.name) groups.renamed.push(`account renamed: ${id}: "${was.name}" -> "${is.name}"`);
    }
  }
  return [...lines, ...Object.values(groups).flat()];
}
