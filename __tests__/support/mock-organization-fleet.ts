// A mocked organization for `preflight --organization`: the caller's STS, which answers AssumeRole of
// the preflight role in a member account as STS does (AccessDenied for an account it may not assume
// into or a role that does not exist, RegionDisabledException where STS is not active), and one
// mocked account (mock-fleet.ts) per member stack, reached only with the credentials AssumeRole
// issued for its account. Anything else is rejected: nothing is accepted by default.
import { AssumeRoleCommand, AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import type { ResolvedMember } from "../../config/organization-types";
import type { AwsCredentials, Clients } from "../../preflight/aws";
import { AccountSpec, accountClientClasses, awsError, mockAccount, regionOf } from "./mock-fleet";

export interface OrganizationSpec {
  /** The role preflight assumes, by name: AssumeRole of any other fails. */
  readonly preflightRoleName: string;
  /** Each member stack, and what its account holds in the stack's region. */
  readonly members: readonly { readonly env: ResolvedMember; readonly spec: AccountSpec }[];
  /** Accounts whose role may not be assumed by the caller (AccessDenied, as for a missing role). */
  readonly assumeDenied?: readonly string[];
  /** Accounts and the regions where STS is not active for them (RegionDisabledException). */
  readonly stsDisabled?: Readonly<Record<string, readonly string[]>>;
  /** Accounts whose AssumeRole is never answered. */
  readonly assumeHangs?: readonly string[];
}

/** Who runs preflight: the management account's fleet-check role. */
export const CALLER_ARN = "arn:aws:sts::123456789012:assumed-role/vss-backup-fleet-check/ci";

/** An AssumeRole as STS received it. */
export interface AssumeCall {
  readonly region: string;
  readonly input: AssumeRoleCommandInput;
}

export function mockOrganization(org: OrganizationSpec, now: Date) {
  const restores: (() => void)[] = [];
  /** Clients of classes of their own that answer no command, but AssumeRole where `sts` is told how. */
  const mocked = (what: string) => {
    const classes = accountClientClasses();
    const sts = mockClient(classes.sts);
    const mocks = [
      sts,
      mockClient(classes.ec2),
      mockClient(classes.iam),
      mockClient(classes.ssm),
      mockClient(classes.backup),
      mockClient(classes.events),
      mockClient(classes.config),
    ];
    mocks.forEach((m) => m.rejects(new Error(`the mocked ${what} does not answer this command`)));
    restores.push(() => mocks.forEach((m) => m.restore()));
    const clients = (region: string): Clients => ({
      sts: new classes.sts({ region }),
      ec2: new classes.ec2({ region }),
      iam: new classes.iam({ region }),
      ssm: new classes.ssm({ region }),
      backup: new classes.backup({ region }),
      events: new classes.events({ region }),
      config: new classes.config({ region }),
    });
    return { sts, clients };
  };

  // Every call of an account, when sent and when answered, in order: what the accounts in flight are read from.
  const activity: { readonly account: string; readonly event: "start" | "end" }[] = [];
  const assumeCalls: AssumeCall[] = [];
  const issued = new Map<string, string>();

  const caller = mocked("caller (only its STS's AssumeRole is asked)");
  caller.sts.on(AssumeRoleCommand).callsFake(async (input: AssumeRoleCommandInput, getClient) => {
    const region = await regionOf(getClient);
    assumeCalls.push({ region, input });
    const [, account, roleName] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(input.RoleArn ?? "") ?? [];
    activity.push({ account, event: "start" });
    try {
      // STS answers later: the other accounts' work goes on meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      if (org.assumeHangs?.includes(account)) await new Promise(() => undefined);
      const session = input.RoleSessionName ?? "";
      if (!/^[\w+=,.@-]{2,64}$/.test(session))
        throw awsError("ValidationError", `1 validation error detected: Value '${session}' at 'roleSessionName'`);
      const duration = input.DurationSeconds ?? 3600;
      if (duration < 900 || duration > 3600)
        throw awsError(
          "ValidationError",
          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        );
      if (org.stsDisabled?.[account]?.includes(region))
        throw awsError(
          "RegionDisabledException",
          `STS is not activated in this region for account:${account}. Your account administrator can activate STS in this region using the IAM Console.`,
          403,
        );
      const known = org.members.some((m) => m.env.account === account);
      if (!known || roleName !== org.preflightRoleName || org.assumeDenied?.includes(account))
        throw awsError(
          "AccessDenied",
          `User: ${CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
          403,
        );
      const accessKeyId = `ASIA${account}${issued.size}`;
      issued.set(accessKeyId, account);
      return {
        Credentials: {
          AccessKeyId: accessKeyId,
          SecretAccessKey: "not-a-secret",
          SessionToken: `session-of-${account}`,
          Expiration: new Date(now.getTime() + duration * 1000),
        },
        AssumedRoleUser: {
          Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
          AssumedRoleId: `AROA${account}:${session}`,
        },
      };
    } finally {
      activity.push({ account, event: "end" });
    }
  });

  // One mocked account per member stack, each on client classes of its own.
  const stacks = new Map<string, Map<string, (region: string) => Clients>>();
  for (const { env, spec } of org.members) {
    const account = mockAccount(env, spec, now, accountClientClasses());
    restores.push(account.restore);
    const regions = stacks.get(env.account) ?? new Map();
    regions.set(env.region, account.clients);
    stacks.set(env.account, regions);
  }
  const stranger = mocked("account of credentials STS never issued");

  /** `clients` whose every call is logged as the account's activity. */
  const logged = (account: string, clients: Clients): Clients => {
    for (const client of Object.values(clients)) {
      const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(client, {
        send: (...args: unknown[]) => {
          activity.push({ account, event: "start" });
          return Promise.resolve(send(...args)).finally(() => activity.push({ account, event: "end" }));
        },
      });
    }
    return clients;
  };

  /**
   * The caller's clients without credentials; with credentials AssumeRole issued, the clients of its
   * account's stack in `region` (or, in a region with no stack, of its first stack, which answers what
   * that account holds there).
   */
  const clients = (region: string, credentials?: AwsCredentials): Clients => {
    if (!credentials) return caller.clients(region);
    const account = issued.get(credentials.accessKeyId);
    const regions = account ? stacks.get(account) : undefined;
    if (!account || !regions) return stranger.clients(region);
    return logged(account, (regions.get(region) ?? [...regions.values()][0])(region));
  };

  /** The most accounts that had a call sent and not all answered, from the first call sent to the last answered. */
  const maxAccountsInFlight = () => {
    const spans = new Map<string, { first: number; last: number }>();
    activity.forEach(({ account }, at) => {
      const span = spans.get(account);
      spans.set(account, { first: span?.first ?? at, last: at });
    });
    return Math.max(
      0,
      ...[...spans.values()].map(
        ({ first }) => [...spans.values()].filter((s) => s.first <= first && first <= s.last).length,
      ),
    );
  };

  return {
    clients,
    assumeCalls,
    maxAccountsInFlight,
    restore: () => restores.forEach((restore) => restore()),
  };
}
