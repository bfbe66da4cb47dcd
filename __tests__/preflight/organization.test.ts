// `preflight --organization`: the preflight role assumed in each member account, the single-environment
// checks of each member stack with its credentials, accounts side by side up to --concurrency, and an
// account that cannot be checked reported and counted while the others are.
import type { AccountsFile, ResolvedMember } from "../../config/organization-types";
import type { ResolvedEnvironment } from "../../config/resolve";
import { ValidationError } from "../../modules";
import { main } from "../../preflight/cli";
import type { OrganizationReport } from "../../preflight/organization";
import type { PreflightReport } from "../../preflight/run";
import { NOW } from "../support/clock";
import { AccountSpec, FleetInstance, MANAGED_MODE_ROLE, mockAccount } from "../support/mock-fleet";
import { mockOrganization, OrganizationSpec } from "../support/mock-organization-fleet";
import {
  member,
  memberEnvironment,
  ORGANIZATION,
  organizationSource,
  PREFLIGHT_ROLE_NAME,
} from "../support/organization-preflight-fixtures";

const now = NOW;
const A = { id: "111111111111", name: "workload-a", ouPath: "Root/Workloads/Prod" };
const B = { id: "222222222222", name: "workload-b", ouPath: "Root/Workloads/Dev" };
const C = { id: "333333333333", name: "workload-c", ouPath: "Root/Workloads/Prod" };
const ACCOUNTS: AccountsFile = {
  organizationId: "o-exampleorgid",
  managementAccountId: "123456789012",
  organizationalUnits: [
    { id: "r-ab12", path: "Root" },
    { id: "ou-ab12-workload", path: "Root/Workloads" },
    { id: "ou-ab12-dev", path: "Root/Workloads/Dev" },
    { id: "ou-ab12-prod", path: "Root/Workloads/Prod" },
  ],
  accounts: [A, B, C].map((a) => ({ ...a, status: "ACTIVE" as const })),
};
const PROD_OU = "Root/Workloads/Prod";
const HEADER =
  "account                    region     instance             name         running  windows  type  role  ssm  vss  jobs  fix";

/** What the member stack deploys, and `instances` carrying its tag, each healthy but for what it says. */
function deployed(env: ResolvedMember, instances: readonly Partial<FleetInstance>[], extra: Partial<AccountSpec> = {}) {
  const role = "roleName" in env.instanceRole ? env.instanceRole.roleName : env.instanceRole.existingRoleName;
  const spec: AccountSpec = {
    account: env.account,
    roles: { [role]: MANAGED_MODE_ROLE },
    instances: instances.map((i, n) => ({
      id: `i-0${env.account}${String(n).padStart(4, "0")}`,
      role,
      ssm: { ping: "Online", agent: "3.3.1142.0" },
      jobs: [{ state: "COMPLETED", hoursAgo: 5 }],
      ...i,
    })),
    ...extra,
  };
  return { env, spec };
}

/** `preflight --organization` over these member stacks; the loader answers every stack, and those of PROD_OU for --ou. */
async function organizationPreflight(org: Omit<OrganizationSpec, "preflightRoleName">, ...flags: string[]) {
  const mocked = mockOrganization({ preflightRoleName: PREFLIGHT_ROLE_NAME, ...org }, now);
  const out: string[] = [];
  const err: string[] = [];
  const members = org.members.map((m) => m.env);
  try {
    const code = await main(["--organization", ...flags], {
      organization: () =>
        organizationSource(ACCOUNTS, now, [
          { members },
          { ou: PROD_OU, members: members.filter((m) => m.member.ouPath === PROD_OU) },
        ]),
      clients: mocked.clients,
      caller: { sleep: async () => undefined },
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      isTty: false,
      now,
    });
    const stdout = out.join("\n");
    return {
      code,
      stdout,
      stderr: err.join("\n"),
      report: flags.includes("--json") ? (JSON.parse(stdout) as OrganizationReport) : undefined,
      assumed: mocked.assumeCalls,
      maxAccountsInFlight: mocked.maxAccountsInFlight(),
    };
  } finally {
    mocked.restore();
  }
}

/** The single-environment preflight (`--env`) of the member stack's environment, against the same account. */
async function singlePreflight(stack: { env: ResolvedMember; spec: AccountSpec }): Promise<PreflightReport> {
  // The account as a single-account stack deploys it: its alert rule sends to its own topic, not to the central bus.
  const single: ResolvedEnvironment = Object.fromEntries(
    Object.entries(stack.env).filter(([key]) => key !== "member"),
  ) as ResolvedEnvironment;
  const account = mockAccount(single, stack.spec, now);
  const out: string[] = [];
  try {
    await main(["--env", stack.env.name, "--json"], {
      config: { project: ORGANIZATION.project, environments: [memberEnvironment(stack.env.account, stack.env.region)] },
      clients: account.clients,
      caller: { sleep: async () => undefined },
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      isTty: false,
      now,
    });
    return JSON.parse(out.join("\n"));
  } finally {
    account.restore();
  }
}

const ACCESS_DENIED_C =
  "UNREACHABLE 333333333333 (workload-c): cannot assume arn:aws:iam::333333333333:role/vss-backup-preflight (AccessDenied: User: arn:aws:sts::123456789012:assumed-role/vss-backup-fleet-check/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/vss-backup-preflight); create the preflight role in the account (e.g. with a StackSet) with a trust policy that admits the caller, and allow the caller sts:AssumeRole on it";

describe("preflight across the organization", () => {
  let stacks: { env: ResolvedMember; spec: AccountSpec }[];
  beforeEach(() => {
    const [a, b, c] = [member(A), member(B), member(C)];
    stacks = [deployed(a, [{}, {}]), deployed(b, [{}, { instanceType: "t3.micro" }]), deployed(c, [{}])];
  });

  it("checks the accounts it can, and reports and counts the one whose role cannot be assumed: exit 2", async () => {
    const run = await organizationPreflight({ members: stacks, assumeDenied: [C.id] });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      [
        "VSS preflight across the organization: 3 accounts",
        "",
        ACCESS_DENIED_C,
        "",
        HEADER,
        "111111111111 (workload-a)  eu-west-1  i-01111111111110000  server-0000  ok       ok       ok    ok    ok   ok   ok",
        "111111111111 (workload-a)  eu-west-1  i-01111111111110001  server-0001  ok       ok       ok    ok    ok   ok   ok",
        "222222222222 (workload-b)  eu-west-1  i-02222222222220000  server-0000  ok       ok       ok    ok    ok   ok   ok",
        "222222222222 (workload-b)  eu-west-1  i-02222222222220001  server-0001  ok       ok       FAIL  ok    ok   ok   ok    t3.micro is too small for VSS backups (AWS excludes it) -> resize to t3.small or larger",
        "",
        "NOT READY: 3 accounts, 2 checked, 1 unreachable; 4 instances, 3 ready, 0 with warnings, 1 not ready",
      ].join("\n"),
    );
  });

  it("assumes the preflight role of each account, in its home region, as vss-backup-preflight", async () => {
    const run = await organizationPreflight({ members: stacks, assumeDenied: [C.id] });
    expect([...run.assumed].sort((x, y) => x.input.RoleArn!.localeCompare(y.input.RoleArn!))).toEqual(
      [A, B, C].map((a) => ({
        region: "eu-west-1",
        input: {
          RoleArn: `arn:aws:iam::${a.id}:role/vss-backup-preflight`,
          RoleSessionName: "vss-backup-preflight",
          DurationSeconds: 900,
        },
      })),
    );
  });

  it("--json: the same data, each account's stacks as the single-environment preflight reports them", async () => {
    const run = await organizationPreflight({ members: stacks, assumeDenied: [C.id] }, "--json");
    const report = run.report!;
    expect(run.code).toBe(2);
    expect(report.scope).toEqual({});
    expect(report.summary).toEqual({
      accounts: 3,
      checked: 2,
      unreachable: 1,
      instances: 4,
      ready: 3,
      warnings: 0,
      notReady: 1,
      status: "fail",
    });
    expect(
      report.accounts.map(({ stacks: s, apiCalls, ...account }) => ({ ...account, stacks: s.length, apiCalls })),
    ).toEqual([
      {
        account: A.id,
        name: A.name,
        ouPath: A.ouPath,
        status: "pass",
        errors: [],
        stacks: 1,
        apiCalls: expect.any(Object),
      },
      {
        account: B.id,
        name: B.name,
        ouPath: B.ouPath,
        status: "fail",
        errors: [],
        stacks: 1,
        apiCalls: expect.any(Object),
      },
      {
        account: C.id,
        name: C.name,
        ouPath: C.ouPath,
        status: "unreachable",
        errors: [ACCESS_DENIED_C.replace("UNREACHABLE 333333333333 (workload-c): ", "")],
        stacks: 0,
        apiCalls: { sts: 1, ec2: 0, iam: 0, ssm: 0, backup: 0, events: 0, config: 0 },
      },
    ]);
    for (const [n, stack] of stacks.slice(0, 2).entries()) {
      const single = await singlePreflight(stack);
      // AssumeRole's answer names the account, where the single environment asks GetCallerIdentity: one sts call either way.
      expect(report.accounts[n].apiCalls).toEqual(single.apiCalls);
      // The one difference: a member stack's alert rule sends to the organization's central bus.
      const rule = `vss-backup-${stack.env.name}-backup-alerts`;
      expect(single.backupSide.alertTarget.detail).toBe(
        `rule ${rule} sends to arn:aws:sns:eu-west-1:${stack.env.account}:${rule}`,
      );
      expect(report.accounts[n].stacks[0]).toEqual({
        ...single,
        backupSide: {
          ...single.backupSide,
          alertTarget: {
            status: "pass",
            detail: `rule ${rule} sends to arn:aws:events:eu-west-1:123456789012:event-bus/vss-backup-central`,
          },
        },
        apiCalls: { ...single.apiCalls, sts: 0 },
      });
    }
  });

  it("per account, the calls of the single-environment preflight, AssumeRole included: sts 1, ec2 1, iam 2, ssm 5, backup 10, events 2", async () => {
    const run = await organizationPreflight({ members: stacks }, "--json");
    expect(run.report!.accounts.map((a) => a.apiCalls)).toEqual(
      [A, B, C].map(() => ({ sts: 1, ec2: 1, iam: 2, ssm: 5, backup: 10, events: 2, config: 0 })),
    );
  });

  it("--ou: only the accounts of that OU are assumed and checked", async () => {
    const run = await organizationPreflight({ members: stacks }, "--ou", PROD_OU);
    expect(run.assumed.map((a) => a.input.RoleArn).sort()).toEqual([
      "arn:aws:iam::111111111111:role/vss-backup-preflight",
      "arn:aws:iam::333333333333:role/vss-backup-preflight",
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(
      "VSS preflight across the organization (OU Root/Workloads/Prod): 2 accounts",
    );
    expect(run.stdout.split("\n").pop()).toBe(
      "READY: 2 accounts, 2 checked, 0 unreachable; 3 instances, 3 ready, 0 with warnings, 0 not ready",
    );
  });

  it.each<[string, string[], number]>([
    ["--concurrency 2", ["--concurrency", "2"], 2],
    ["--concurrency 1", ["--concurrency", "1"], 1],
    ["the default, 10", [], 5],
  ])("%s: so many of 5 accounts in flight at most", async (_what, flags, most) => {
    const accounts = ["444444444441", "444444444442", "444444444443", "444444444444", "444444444445"];
    const members = accounts.map((id) => deployed(member({ id, name: `w-${id}`, ouPath: "Root/Workloads/Dev" }), [{}]));
    const run = await organizationPreflight({ members }, ...flags);
    expect(run.code).toBe(0);
    expect(run.maxAccountsInFlight).toBe(most);
  });
});

describe("the table", () => {
  it("names the account of each backup-side problem and of a stack with nothing tagged; values from AWS are escaped", async () => {
    const members = [
      deployed(member({ ...A, name: "evil\u001b[2Jname" }), [{ tags: { Backup: "windows-vss", Name: "sql\n01" } }]),
      deployed(member(B), [], { vaultExists: false }),
    ];
    const run = await organizationPreflight({ members });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        "VSS preflight across the organization: 2 accounts",
        "",
        "FAIL 222222222222 (workload-b) eu-west-1 vault: vault vss-backup-a222222222222-eu-west-1: ResourceNotFoundException: Backup vault vss-backup-a222222222222-eu-west-1 does not exist",
        "     fix: deploy the stack: npx cdktf deploy a222222222222-eu-west-1",
        "WARN 222222222222 (workload-b) eu-west-1 vaultLock: vault vss-backup-a222222222222-eu-west-1 lock not checked: the vault could not be read",
        "     fix: see the vault check",
        "FAIL 222222222222 (workload-b) eu-west-1: no instance carries Backup=windows-vss: nothing is protected",
        "     fix: tag the instances to back up: aws ec2 create-tags --resources <id> --tags Key=Backup,Value=windows-vss",
        "",
        "account                         region     instance             name     running  windows  type  role  ssm  vss  jobs  fix",
        "111111111111 (evil\\x1b[2Jname)  eu-west-1  i-01111111111110000  sql\\n01  ok       ok       ok    ok    ok   ok   ok",
        "",
        "NOT READY: 2 accounts, 2 checked, 0 unreachable; 1 instances, 1 ready, 0 with warnings, 0 not ready",
      ].join("\n"),
    );
  });
});

describe("exit codes for the whole organization", () => {
  it.each<[string, Partial<FleetInstance>, string[], number, string]>([
    [
      "every instance ready",
      {},
      [],
      0,
      "READY: 2 accounts, 2 checked, 0 unreachable; 2 instances, 2 ready, 0 with warnings, 0 not ready",
    ],
    [
      "one not ready",
      { state: "stopped" },
      [],
      1,
      "NOT READY: 2 accounts, 2 checked, 0 unreachable; 2 instances, 1 ready, 0 with warnings, 1 not ready",
    ],
    [
      "a warning",
      { notInLatestRun: true },
      [],
      0,
      "READY WITH WARNINGS: 2 accounts, 2 checked, 0 unreachable; 2 instances, 1 ready, 1 with warnings, 0 not ready",
    ],
    [
      "a warning with --strict",
      { notInLatestRun: true },
      ["--strict"],
      1,
      "READY WITH WARNINGS: 2 accounts, 2 checked, 0 unreachable; 2 instances, 1 ready, 1 with warnings, 0 not ready",
    ],
  ])("%s", async (_what, second, flags, code, verdict) => {
    const members = [deployed(member(A), [{}]), deployed(member(B), [second])];
    const run = await organizationPreflight({ members }, ...flags);
    expect(run.code).toBe(code);
    expect(run.stdout.split("\n").pop()).toBe(verdict);
  });

  it("2 when an account's AssumeRole is never answered: it outlasts its deadline, the others are checked", async () => {
    const members = [deployed(member(A), [{}]), deployed(member(B), [{}])];
    const run = await organizationPreflight({ members, assumeHangs: [B.id] }, "--deadline-seconds", "1");
    expect(run.code).toBe(2);
    expect(run.stdout.split("\n")[2]).toBe(
      "UNREACHABLE 222222222222 (workload-b): no answer within 1 s from sts AssumeRole; check the network path to AWS (proxy, VPC endpoints, firewall), or allow more time with --deadline-seconds",
    );
    expect(run.stdout.split("\n").pop()).toBe(
      "NOT READY: 2 accounts, 1 checked, 1 unreachable; 1 instances, 1 ready, 0 with warnings, 0 not ready",
    );
  });

  it("2 when STS is not active in the account's home region, with how to activate it", async () => {
    const members = [deployed(member(A), [{}]), deployed(member(B), [{}])];
    const run = await organizationPreflight({ members, stsDisabled: { [B.id]: ["eu-west-1"] } });
    expect(run.code).toBe(2);
    expect(run.stdout.split("\n")[2]).toBe(
      "UNREACHABLE 222222222222 (workload-b): cannot assume arn:aws:iam::222222222222:role/vss-backup-preflight (RegionDisabledException: STS is not activated in this region for account:222222222222. Your account administrator can activate STS in this region using the IAM Console.); activate STS in eu-west-1 for account 222222222222 (IAM account settings), or enable the region in the account",
    );
  });
});

describe("an account with stacks in two regions", () => {
  let home: ReturnType<typeof deployed>;
  let second: ReturnType<typeof deployed>;
  beforeEach(() => {
    home = deployed(member(A, "eu-west-1"), [{}]);
    second = deployed(member(A, "eu-central-1", "eu-west-1"), [{}, {}]);
  });

  it("checks both with one AssumeRole; the other region's STS confirms the account: the calls of two environments", async () => {
    const run = await organizationPreflight({ members: [home, second] }, "--json");
    const [account] = run.report!.accounts;
    expect(run.assumed.map((a) => a.region)).toEqual(["eu-west-1"]);
    expect(account.stacks.map((s) => [s.region, s.summary.instances, s.apiCalls.sts])).toEqual([
      ["eu-west-1", 1, 0],
      ["eu-central-1", 2, 1],
    ]);
    expect(account.apiCalls).toEqual({ sts: 2, ec2: 2, iam: 4, ssm: 10, backup: 20, events: 4, config: 0 });
    expect(run.code).toBe(0);
  });

  it("reports the region it could not check, and the one it could", async () => {
    second = { ...second, spec: { ...second.spec, denied: ["GetCallerIdentity"] } };
    const run = await organizationPreflight({ members: [home, second] });
    expect(run.code).toBe(2);
    expect(run.stdout.split("\n")[2]).toBe(
      "UNREACHABLE 111111111111 (workload-a): eu-central-1: no usable AWS credentials (AccessDeniedException: not authorized to perform GetCallerIdentity); sign in for account 111111111111 (aws sso login, AWS_PROFILE, ...)",
    );
    expect(run.stdout.split("\n").pop()).toBe(
      "NOT READY: 1 accounts, 0 checked, 1 unreachable; 1 instances, 1 ready, 0 with warnings, 0 not ready",
    );
  });
});

describe("organization mode's usage", () => {
  it.each([
    [
      ["--organization", "--env", "dev"],
      "--env and --organization exclude each other: one environment, or the organization's member stacks",
    ],
    [["--env", "dev", "--ou", PROD_OU], "--ou needs --organization"],
    [["--env", "dev", "--concurrency", "4"], "--concurrency needs --organization"],
    [["--organization", "--concurrency", "0"], "--concurrency 0 is not a whole number from 1 to 50"],
    [["--organization", "--concurrency", "51"], "--concurrency 51 is not a whole number from 1 to 50"],
    [["--organization", "--concurrency", "2.5"], "--concurrency 2.5 is not a whole number from 1 to 50"],
  ])("2 on %j", async (argv, message) => {
    const err: string[] = [];
    const code = await main(argv, {
      now,
      organization: () => organizationSource(ACCOUNTS, now, []),
      stdout: () => undefined,
      stderr: (t) => err.push(t),
    });
    expect(code).toBe(2);
    expect(err.join("\n").split("\n")[0]).toBe(message);
    expect(err.join("\n")).toContain(
      "       npm run preflight -- --organization [--ou <path>] [--wave <name>] [--concurrency <1-50>]",
    );
  });

  it("2 when organization mode is not configured", async () => {
    const err: string[] = [];
    expect(await main(["--organization"], { now, stdout: () => undefined, stderr: (t) => err.push(t) })).toBe(2);
    expect(err[0].split("\n")[0]).toBe(
      "--organization: organization mode is not configured (config/organization.ts, config/accounts.json)",
    );
  });

  it("2 with the loader's problems when the configuration is invalid, before any AWS call", async () => {
    const err: string[] = [];
    const source = organizationSource(ACCOUNTS, now, []);
    const code = await main(["--organization", "--ou", "Root/Nowhere"], {
      now,
      organization: () => ({
        ...source,
        loadOrganization: () => {
          throw new ValidationError("Invalid organization", [
            { path: "--ou", message: '"Root/Nowhere" is not an OU of config/accounts.json' },
          ]);
        },
      }),
      clients: () => {
        throw new Error("no client may be built");
      },
      stdout: () => undefined,
      stderr: (t) => err.push(t),
    });
    expect(code).toBe(2);
    expect(err).toEqual([
      'Invalid organization (1 problem):\n  --ou: "Root/Nowhere" is not an OU of config/accounts.json',
    ]);
  });

  it("2 when no member stack is left to check: nothing checked is not ready", async () => {
    const err: string[] = [];
    const code = await main(["--organization", "--ou", PROD_OU, "--wave", "prod"], {
      now,
      organization: () => organizationSource(ACCOUNTS, now, [{ ou: PROD_OU, wave: "prod", members: [] }]),
      stdout: () => undefined,
      stderr: (t) => err.push(t),
    });
    expect(code).toBe(2);
    expect(err).toEqual([
      "preflight: no member stack to check with these filters: no template of config/organization.ts covers an active account in Root/Workloads/Prod in wave prod",
    ]);
  });

  it("--progress: a line per account done", async () => {
    const members = [deployed(member(A), [{}]), deployed(member(B), [{}])];
    const run = await organizationPreflight({ members }, "--progress", "--concurrency", "1");
    expect(run.stderr).toBe(
      "preflight: 1/2 accounts done (111111111111 workload-a)\npreflight: 2/2 accounts done (222222222222 workload-b)",
    );
  });
});
