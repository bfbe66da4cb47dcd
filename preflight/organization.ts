// Preflight across the organization: in each member account, the role preflight may assume, then the
// single-environment checks (run.ts) of each of the account's member stacks, accounts side by side
// with bounded concurrency. An account that cannot be checked is reported with why, never fatal to the rest.
import { AssumeRoleCommand, AssumeRoleResponse, GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import type { ResolvedMember } from "../config/organization-types";
import {
  AwsCaller,
  AwsCredentials,
  AwsUnreachableError,
  CallerOptions,
  Cancellable,
  Clients,
  DeadlineExceededError,
  errorText,
  isAccessDenied,
  mapLimit,
  noCalls,
  Service,
  withDeadline,
} from "./aws";
import { worst } from "./checks";
import type { JobsWindow, Status } from "./facts";
import { couldNotCheck, PreflightError, PreflightReport, runPreflight } from "./run";

/** The session name of every assumed role: what CloudTrail in the member accounts shows preflight as. */
const SESSION_NAME = "vss-backup-preflight";

/** Accounts checked at a time, unless --concurrency says otherwise. */
export const DEFAULT_CONCURRENCY = 10;
/** More accounts at once only loads this machine and the caller's STS quota; the calls per account stay the same. */
export const MAX_CONCURRENCY = 50;

/** STS's shortest session (900 s) and IAM's default longest (3600 s): the credentials outlive an account's deadline. */
const MIN_SESSION_SECONDS = 900;

/** The clients of a region, with the caller's credentials (the standard chain) or with `credentials`. */
export type ClientsFactory = (region: string, credentials?: AwsCredentials) => Clients;

export interface AccountReport {
  readonly account: string;
  readonly name: string;
  readonly ouPath: string;
  /** "unreachable" when a stack could not be checked (the role not assumed, AWS not answering, the deadline): see `errors`. */
  readonly status: Status | "unreachable";
  /** The report of each member stack checked, in the configuration's region order. */
  readonly stacks: readonly PreflightReport[];
  /** Why the account, or a stack of it (prefixed with its region), could not be checked. */
  readonly errors: readonly string[];
  /** Calls per service for the whole account: AssumeRole and every stack's. */
  readonly apiCalls: Record<Service, number>;
}

export interface OrganizationReport {
  /** The filters the run was given. */
  readonly scope: { readonly ou?: string; readonly wave?: string };
  readonly accounts: readonly AccountReport[];
  readonly summary: {
    readonly accounts: number;
    readonly checked: number;
    readonly unreachable: number;
    readonly instances: number;
    readonly ready: number;
    readonly warnings: number;
    readonly notReady: number;
    /** "fail" as well when an account could not be checked: nothing is known of it. */
    readonly status: Status;
  };
}

export interface OrganizationPreflightOptions {
  readonly scope: OrganizationReport["scope"];
  /** The role assumed in every member account, by name (OrganizationConfig.memberRoles.preflightRoleName). */
  readonly roleName: string;
  readonly clients: ClientsFactory;
  readonly caller?: CallerOptions;
  readonly now: Date;
  readonly jobsWindow: JobsWindow;
  /** How long one account's check may take (its AssumeRole and every stack). */
  readonly deadlineSeconds: number;
  /** Accounts checked at a time. */
  readonly concurrency: number;
  /** Told each account as it is done, e.g. for a progress line. */
  readonly accountDone?: (report: AccountReport, done: number, total: number) => void;
}

/** One account's member stacks, with what the accounts file says of it. */
interface MemberAccount {
  readonly id: string;
  readonly name: string;
  readonly ouPath: string;
  /** Where the role is assumed: the first of the template's regions. */
  readonly homeRegion: string;
  readonly stacks: readonly ResolvedMember[];
}

/** The member stacks by account, in the order of `members` (wave, account, region). */
function byAccount(members: readonly ResolvedMember[]): MemberAccount[] {
  const accounts = new Map<string, MemberAccount & { stacks: ResolvedMember[] }>();
  for (const env of members) {
    const known = accounts.get(env.account);
    if (known) known.stacks.push(env);
    else
      accounts.set(env.account, {
        id: env.account,
        name: env.member.accountName,
        ouPath: env.member.ouPath,
        homeRegion: env.member.homeRegion,
        stacks: [env],
      });
  }
  return [...accounts.values()];
}

export async function runOrganizationPreflight(
  members: readonly ResolvedMember[],
  options: OrganizationPreflightOptions,
): Promise<OrganizationReport> {
  const accounts = byAccount(members);
  let done = 0;
  const reports = await mapLimit(accounts, options.concurrency, async (account) => {
    const report = await checkAccount(account, options);
    options.accountDone?.(report, ++done, accounts.length);
    return report;
  });
  const stacks = reports.flatMap((a) => a.stacks);
  const sum = (field: "instances" | "ready" | "warnings" | "notReady") =>
    stacks.reduce((total, s) => total + s.summary[field], 0);
  const unreachable = reports.filter((a) => a.status === "unreachable").length;
  return {
    scope: options.scope,
    accounts: reports,
    summary: {
      accounts: reports.length,
      checked: reports.length - unreachable,
      unreachable,
      instances: sum("instances"),
      ready: sum("ready"),
      warnings: sum("warnings"),
      notReady: sum("notReady"),
      status: worst(reports.map((a) => (a.status === "unreachable" ? "fail" : a.status))),
    },
  };
}

/** The callers of one account's check: cancelled together when its deadline passes, their calls counted together. */
class AccountCallers implements Cancellable {
  private readonly callers: AwsCaller[] = [];
  private aborted = false;

  add(caller: AwsCaller): AwsCaller {
    // The work a deadline abandoned may still create a caller: it sends nothing.
    if (this.aborted) caller.abort();
    this.callers.push(caller);
    return caller;
  }

  pendingCalls(): string[] {
    return this.callers.flatMap((c) => c.pendingCalls());
  }

  abort(): void {
    this.aborted = true;
    this.callers.forEach((c) => c.abort());
  }

  calls(): Record<Service, number> {
    const total = noCalls();
    for (const caller of this.callers)
      for (const service of Object.keys(total) as Service[]) total[service] += caller.calls[service];
    return total;
  }
}

async function checkAccount(account: MemberAccount, options: OrganizationPreflightOptions): Promise<AccountReport> {
  const callers = new AccountCallers();
  const stacks: PreflightReport[] = [];
  const errors: string[] = [];
  try {
    await withDeadline(callers, options.deadlineSeconds, async () => {
      const sts = callers.add(new AwsCaller((region) => options.clients(region), account.homeRegion, options.caller));
      const assumed = await assumePreflightRole(sts, account, options);
      for (const env of account.stacks) {
        const aws = callers.add(
          new AwsCaller((region) => options.clients(region, assumed.credentials), env.region, options.caller),
        );
        try {
          stacks.push(
            await runPreflight(aws, env, {
              now: options.now,
              jobsWindow: options.jobsWindow,
              // AssumeRole's answer names the account, from STS in the home region; a stack in
              // another region asks STS there, which also proves the region usable with these credentials.
              identity: env.region === account.homeRegion ? assumed.identity : undefined,
            }),
          );
        } catch (error) {
          if (!couldNotCheck(error)) throw error;
          errors.push(`${env.region}: ${error.message}`);
        }
      }
    });
  } catch (error) {
    if (!couldNotCheck(error)) throw error;
    errors.push(error.message);
  }
  return {
    account: account.id,
    name: account.name,
    ouPath: account.ouPath,
    status: errors.length > 0 ? "unreachable" : worst(stacks.map((s) => s.summary.status)),
    // Copies: the work a deadline abandoned must not change a report already returned.
    stacks: [...stacks],
    errors: [...errors],
    apiCalls: callers.calls(),
  };
}

/** The account's preflight role, assumed with the caller's credentials through STS in the account's home region. */
async function assumePreflightRole(
  sts: AwsCaller,
  account: MemberAccount,
  options: OrganizationPreflightOptions,
): Promise<{ credentials: AwsCredentials; identity: GetCallerIdentityResponse }> {
  const roleArn = `arn:aws:iam::${account.id}:role/${options.roleName}`;
  let answer: AssumeRoleResponse;
  try {
    answer = await sts.send<AssumeRoleResponse>(
      "sts",
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: SESSION_NAME,
        DurationSeconds: Math.max(MIN_SESSION_SECONDS, Math.ceil(options.deadlineSeconds)),
      }),
    );
  } catch (error) {
    if (error instanceof AwsUnreachableError || error instanceof DeadlineExceededError) throw error;
    throw new PreflightError(`cannot assume ${roleArn} (${errorText(error)}); ${assumeFix(error, account)}`);
  }
  const { Credentials: credentials, AssumedRoleUser: user } = answer;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
    throw new PreflightError(`STS assumed ${roleArn} but answered no credentials; run again`);
  return {
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    },
    // arn:aws:sts::<account>:assumed-role/<role>/<session>
    identity: { Account: user?.Arn?.split(":")[4], Arn: user?.Arn },
  };
}

function assumeFix(error: unknown, account: MemberAccount): string {
  // STS answers AccessDenied both for a role that does not exist and for one whose trust policy does not admit the caller.
  if (isAccessDenied(error))
    return "create the preflight role in the account (e.g. with a StackSet) with a trust policy that admits the caller, and allow the caller sts:AssumeRole on it";
  if ((error as { name?: string }).name === "RegionDisabledException")
    return `activate STS in ${account.homeRegion} for account ${account.id} (IAM account settings), or enable the region in the account`;
  return "check the caller's credentials (aws sts get-caller-identity) and run again";
}
