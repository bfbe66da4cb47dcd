// `npm run accounts -- sync` through organization/cli.ts main, against a mocked AWS Organizations
// that answers only the calls the sync must make, page by page: the exact file it writes, what
// --check says and exits with, and every way the run can fail, with its message.
import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand } from "@aws-sdk/client-organizations";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { createOrganizationClients, OrganizationClients } from "../../organization/aws";
import { main } from "../../organization/cli";
import { MockOrganizationSpec, mockOrganization } from "../support/mock-organization";
import { closedPort } from "../support/closed-port";

const ROOT = "r-ab12";
const WORKLOADS = "ou-ab12-workload";
const PROD = "ou-ab12-prod0001";
const DEV = "ou-ab12-dev00001";
const SANDBOX = "ou-ab12-sandbox1";

/** Listed as AWS lists them: in creation order, neither by path nor by ID. */
const ORGANIZATION: MockOrganizationSpec = {
  organizationId: "o-a1b2c3d4e5",
  managementAccountId: "111111111111",
  rootId: ROOT,
  ous: [
    { id: WORKLOADS, name: "Workloads", parentId: ROOT },
    { id: SANDBOX, name: "Sandbox", parentId: ROOT },
    { id: PROD, name: "Prod", parentId: WORKLOADS },
    { id: DEV, name: "Dev", parentId: WORKLOADS },
  ],
  accounts: [
    { Id: "111111111111", Name: "management", State: "ACTIVE", Status: "ACTIVE", parentId: ROOT },
    { Id: "555555555555", Name: "payments-prod", State: "ACTIVE", Status: "ACTIVE", parentId: PROD },
    { Id: "333333333333", Name: "payments-dev", State: "ACTIVE", Status: "ACTIVE", parentId: DEV },
    { Id: "444444444444", Name: "old-sandbox", State: "SUSPENDED", Status: "SUSPENDED", parentId: SANDBOX },
    { Id: "222222222222", Name: "orders-prod", State: "ACTIVE", Status: "ACTIVE", parentId: PROD },
  ],
};

/** What the sync writes for ORGANIZATION, byte for byte. */
const ORGANIZATION_FILE = `{
  "organizationId": "o-a1b2c3d4e5",
  "managementAccountId": "111111111111",
  "organizationalUnits": [
    {
      "id": "r-ab12",
      "path": "Root"
    },
    {
      "id": "ou-ab12-sandbox1",
      "path": "Root/Sandbox"
    },
    {
      "id": "ou-ab12-workload",
      "path": "Root/Workloads"
    },
    {
      "id": "ou-ab12-dev00001",
      "path": "Root/Workloads/Dev"
    },
    {
      "id": "ou-ab12-prod0001",
      "path": "Root/Workloads/Prod"
    }
  ],
  "accounts": [
    {
      "id": "111111111111",
      "name": "management",
      "ouPath": "Root",
      "status": "ACTIVE"
    },
    {
      "id": "222222222222",
      "name": "orders-prod",
      "ouPath": "Root/Workloads/Prod",
      "status": "ACTIVE"
    },
    {
      "id": "333333333333",
      "name": "payments-dev",
      "ouPath": "Root/Workloads/Dev",
      "status": "ACTIVE"
    },
    {
      "id": "444444444444",
      "name": "old-sandbox",
      "ouPath": "Root/Sandbox",
      "status": "SUSPENDED"
    },
    {
      "id": "555555555555",
      "name": "payments-prod",
      "ouPath": "Root/Workloads/Prod",
      "status": "ACTIVE"
    }
  ]
}
`;

let dir: string;
let output: string;
let restore: (() => void) | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "accounts-sync-"));
  output = join(dir, "config", "accounts.json");
});

afterEach(() => {
  restore?.();
  restore = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the command against `clients` (retries without waiting), with `--output` in the test's folder unless given. */
async function accounts(clients: (region: string) => OrganizationClients, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv.includes("--output") ? argv : [...argv, "--output", output], {
    clients,
    region: "eu-west-1",
    caller: { sleep: async () => undefined },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** The mocked organization, restored after the test. */
function organization(spec: MockOrganizationSpec = ORGANIZATION) {
  const mocked = mockOrganization(spec);
  restore = mocked.restore;
  return mocked;
}

const written = () => readFileSync(output, "utf8");

describe("accounts sync", () => {
  it("writes every OU by path and every account by ID, with its OU's path and status", async () => {
    const run = await accounts(organization().clients, "sync");
    expect(run).toEqual({
      code: 0,
      stdout: `wrote ${output}: 5 accounts (1 not ACTIVE) in 5 OUs of o-a1b2c3d4e5`,
      stderr: "",
    });
    expect(written()).toBe(ORGANIZATION_FILE);
  });

  it("writes the same bytes for the same organization, whatever order AWS lists it in", async () => {
    const reversed = {
      ...ORGANIZATION,
      ous: [...ORGANIZATION.ous!].reverse(),
      accounts: [...ORGANIZATION.accounts!].reverse(),
    };
    expect((await accounts(organization(reversed).clients, "sync")).code).toBe(0);
    expect(written()).toBe(ORGANIZATION_FILE);
  });

  it("says an unchanged organization's file is up to date and leaves it as it is", async () => {
    const { clients } = organization();
    await accounts(clients, "sync");
    const run = await accounts(clients, "sync");
    expect(run).toEqual({
      code: 0,
      stdout: `${output} is up to date: 5 accounts (1 not ACTIVE) in 5 OUs of o-a1b2c3d4e5`,
      stderr: "",
    });
    expect(written()).toBe(ORGANIZATION_FILE);
  });

  it("follows every page of every listing, asking for each page once with the token AWS gave", async () => {
    const { clients, mock } = organization({ ...ORGANIZATION, pageSize: 1 });
    expect((await accounts(clients, "sync")).code).toBe(0);
    expect(written()).toBe(ORGANIZATION_FILE);
    const prodListings = mock
      .commandCalls(ListAccountsForParentCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.ParentId === PROD);
    expect(prodListings.map((input) => input.NextToken)).toEqual([undefined, expect.stringMatching(/^token-/)]);
    const rootOus = mock
      .commandCalls(ListOrganizationalUnitsForParentCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.ParentId === ROOT);
    expect(rootOus).toHaveLength(2);
  });

  it("names OUs nested below one another by the names of every level", async () => {
    const deep = {
      ...ORGANIZATION,
      ous: [
        { id: "ou-ab12-level001", name: "Level 1", parentId: ROOT },
        { id: "ou-ab12-level002", name: "Level 2", parentId: "ou-ab12-level001" },
        { id: "ou-ab12-level003", name: "Level 3", parentId: "ou-ab12-level002" },
      ],
      accounts: [{ Id: "666666666666", Name: "deep", State: "ACTIVE", parentId: "ou-ab12-level003" } as const],
    };
    expect((await accounts(organization(deep).clients, "sync")).code).toBe(0);
    const file = JSON.parse(written());
    expect(file.organizationalUnits).toEqual([
      { id: ROOT, path: "Root" },
      { id: "ou-ab12-level001", path: "Root/Level 1" },
      { id: "ou-ab12-level002", path: "Root/Level 1/Level 2" },
      { id: "ou-ab12-level003", path: "Root/Level 1/Level 2/Level 3" },
    ]);
    expect(file.accounts).toEqual([
      { id: "666666666666", name: "deep", ouPath: "Root/Level 1/Level 2/Level 3", status: "ACTIVE" },
    ]);
  });

  it("keeps suspended, closing, closed and not yet active accounts, with the State AWS gives", async () => {
    const lifecycle = {
      ...ORGANIZATION,
      ous: [],
      accounts: [
        { Id: "100000000001", Name: "suspended", State: "SUSPENDED", Status: "SUSPENDED", parentId: ROOT },
        { Id: "100000000002", Name: "closing", State: "PENDING_CLOSURE", Status: "PENDING_CLOSURE", parentId: ROOT },
        // After the 90 days of SUSPENDED, State says CLOSED; the older Status still says SUSPENDED.
        { Id: "100000000003", Name: "closed", State: "CLOSED", Status: "SUSPENDED", parentId: ROOT },
        { Id: "100000000004", Name: "new", State: "PENDING_ACTIVATION", Status: "ACTIVE", parentId: ROOT },
      ] as const,
    };
    expect((await accounts(organization(lifecycle).clients, "sync")).code).toBe(0);
    expect(JSON.parse(written()).accounts.map((a: { status: string }) => a.status)).toEqual([
      "SUSPENDED",
      "PENDING_CLOSURE",
      "CLOSED",
      "PENDING_ACTIVATION",
    ]);
  });

  it("reads Status where AWS sends no State", async () => {
    const older = {
      ...ORGANIZATION,
      ous: [],
      accounts: [
        { Id: "100000000001", Name: "suspended", Status: "SUSPENDED", parentId: ROOT },
        { Id: "100000000002", Name: "active", Status: "ACTIVE", parentId: ROOT },
      ] as const,
    };
    expect((await accounts(organization(older).clients, "sync")).code).toBe(0);
    expect(JSON.parse(written()).accounts.map((a: { status: string }) => a.status)).toEqual(["SUSPENDED", "ACTIVE"]);
  });

  it("refuses an account state it does not know, naming the account", async () => {
    const future = {
      ...ORGANIZATION,
      ous: [],
      accounts: [{ Id: "100000000001", Name: "odd", State: "HIBERNATING", parentId: ROOT }],
    } as unknown as MockOrganizationSpec;
    const run = await accounts(organization(future).clients, "sync");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "accounts: account 100000000001 (odd) is in state HIBERNATING, which is not one of ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE, CLOSED; update @aws-sdk/client-organizations and organization/sync.ts",
    );
  });

  it("refuses an answer without a field AWS always sends, naming it", async () => {
    const nameless = {
      ...ORGANIZATION,
      ous: [],
      accounts: [{ Id: "100000000001", State: "ACTIVE", parentId: ROOT }],
    } as MockOrganizationSpec;
    const run = await accounts(organization(nameless).clients, "sync");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("accounts: AWS Organizations answered without the Name of account 100000000001");
  });

  it('refuses an OU name with "/", whose path would read as two levels', async () => {
    const slashed = { ...ORGANIZATION, ous: [{ id: "ou-ab12-slashed1", name: "Prod/EU", parentId: ROOT }] };
    const run = await accounts(organization(slashed).clients, "sync");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'accounts: OU ou-ab12-slashed1 "Prod/EU" in Root: an OU name with "/" makes its path ambiguous; rename the OU',
    );
  });
});

/** ORGANIZATION after a month: an account added, one closed, one moved, one renamed, an OU added. */
const A_MONTH_LATER: MockOrganizationSpec = {
  ...ORGANIZATION,
  ous: [...ORGANIZATION.ous!, { id: "ou-ab12-staging1", name: "Staging", parentId: WORKLOADS }],
  accounts: [
    { Id: "111111111111", Name: "management", State: "ACTIVE", parentId: ROOT },
    { Id: "555555555555", Name: "payments-prod", State: "SUSPENDED", parentId: PROD },
    { Id: "333333333333", Name: "payments-staging", State: "ACTIVE", parentId: "ou-ab12-staging1" },
    { Id: "222222222222", Name: "orders-prod", State: "ACTIVE", parentId: PROD },
    { Id: "777777777777", Name: "orders-dev", State: "PENDING_ACTIVATION", parentId: DEV },
  ],
};
const CHANGES = [
  "  OU added: Root/Workloads/Staging (ou-ab12-staging1)",
  '  account added: 777777777777 "orders-dev" in Root/Workloads/Dev, PENDING_ACTIVATION',
  '  account removed: 444444444444 "old-sandbox", was in Root/Sandbox',
  '  account moved: 333333333333 "payments-staging": Root/Workloads/Dev -> Root/Workloads/Staging',
  '  account status changed: 555555555555 "payments-prod": ACTIVE -> SUSPENDED',
  '  account renamed: 333333333333: "payments-dev" -> "payments-staging"',
];

describe("accounts sync --check", () => {
  beforeEach(async () => {
    const before = mockOrganization(ORGANIZATION);
    try {
      await accounts(before.clients, "sync");
    } finally {
      before.restore();
    }
  });

  it("exits 0 and writes nothing when the committed file is the organization's", async () => {
    const run = await accounts(organization().clients, "sync", "--check");
    expect(run).toEqual({
      code: 0,
      stdout: `${output} is up to date: 5 accounts (1 not ACTIVE) in 5 OUs of o-a1b2c3d4e5`,
      stderr: "",
    });
  });

  it("exits 1 with what was added, removed, moved, and changed status, leaving the file as it was", async () => {
    const run = await accounts(organization(A_MONTH_LATER).clients, "sync", "--check");
    expect(run).toEqual({
      code: 1,
      stdout: [
        `${output} is out of date: run \`npm run accounts -- sync\` and commit it. 5 accounts (2 not ACTIVE) in 6 OUs of o-a1b2c3d4e5:`,
        ...CHANGES,
      ].join("\n"),
      stderr: "",
    });
    expect(written()).toBe(ORGANIZATION_FILE);
  });

  it("without --check, rewrites the file and lists the same changes", async () => {
    const run = await accounts(organization(A_MONTH_LATER).clients, "sync");
    expect(run).toEqual({
      code: 0,
      stdout: [`wrote ${output}: 5 accounts (2 not ACTIVE) in 6 OUs of o-a1b2c3d4e5`, ...CHANGES].join("\n"),
      stderr: "",
    });
    expect(JSON.parse(written()).accounts[4]).toEqual({
      id: "777777777777",
      name: "orders-dev",
      ouPath: "Root/Workloads/Dev",
      status: "PENDING_ACTIVATION",
    });
  });

  it("exits 1 naming another organization, another management account, and OUs removed, renamed or moved", async () => {
    const committed = ORGANIZATION_FILE.replace("o-a1b2c3d4e5", "o-zzzzzzzzzz")
      .replace('"managementAccountId": "111111111111"', '"managementAccountId": "999999999999"')
      .replaceAll("Root/Sandbox", "Root/Playground")
      .replace(
        '"path": "Root"\n    },',
        '"path": "Root"\n    },\n    {\n      "id": "ou-ab12-gone0001",\n      "path": "Root/Gone"\n    },',
      );
    writeFileSync(output, committed);
    const run = await accounts(organization().clients, "sync", "--check");
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").slice(1)).toEqual([
      "  organization: o-zzzzzzzzzz -> o-a1b2c3d4e5",
      "  management account: 999999999999 -> 111111111111",
      "  OU removed: Root/Gone (ou-ab12-gone0001)",
      "  OU renamed or moved: Root/Playground -> Root/Sandbox (ou-ab12-sandbox1)",
      '  account moved: 444444444444 "old-sandbox": Root/Playground -> Root/Sandbox',
    ]);
  });

  it("exits 1 for a file of the same organization that sync would write otherwise", async () => {
    writeFileSync(output, JSON.stringify(JSON.parse(ORGANIZATION_FILE)));
    const run = await accounts(organization().clients, "sync", "--check");
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").slice(1)).toEqual([
      "  the same organization, written otherwise (formatting or order)",
    ]);
  });

  it("exits 1 when there is no committed file", async () => {
    rmSync(output);
    const run = await accounts(organization().clients, "sync", "--check");
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").slice(1)).toEqual([`  ${output} does not exist`]);
  });

  it("exits 1 when the committed file is not JSON or not an accounts file", async () => {
    writeFileSync(output, "{ not json");
    const notJson = await accounts(organization().clients, "sync", "--check");
    expect(notJson.code).toBe(1);
    expect(notJson.stdout.split("\n")[1]).toMatch(new RegExp(`^  ${output} is not JSON \\(.+\\)$`));
    writeFileSync(output, '{ "accounts": {} }');
    const notAccounts = await accounts(organization().clients, "sync", "--check");
    expect(notAccounts.code).toBe(1);
    expect(notAccounts.stdout.split("\n").slice(1)).toEqual([
      `  ${output} has no "accounts" and "organizationalUnits" lists`,
    ]);
  });
});

const TEST_CREDENTIALS = { accessKeyId: "AKIDACCOUNTSTEST", secretAccessKey: "not-a-secret" };

describe("when the organization cannot be read, accounts sync exits 2 with the cause and the fix, and writes nothing", () => {
  const expectFailure = async (run: { code: number; stdout: string; stderr: string }, stderr: string | RegExp) => {
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
    if (typeof stderr === "string") expect(run.stderr).toBe(stderr);
    else expect(run.stderr).toMatch(stderr);
    expect(() => readFileSync(output)).toThrow(/ENOENT/);
  };

  it("names missing credentials, with how to sign in", async () => {
    const clients = (region: string) =>
      createOrganizationClients(region, {
        endpoint: "http://127.0.0.1:9",
        // What the SDK's default chain throws when no provider has credentials.
        credentials: async () => {
          throw Object.assign(new Error("Could not load credentials from any providers"), {
            name: "CredentialsProviderError",
          });
        },
      });
    await expectFailure(
      await accounts(clients, "sync"),
      "accounts: organizations DescribeOrganization: no AWS credentials found (Could not load credentials from any providers); sign in (aws sso login, AWS_PROFILE, AWS_ACCESS_KEY_ID...) and run again",
    );
  });

  it("names an endpoint that refuses the connection", async () => {
    const port = await closedPort();
    const clients = (region: string) =>
      createOrganizationClients(region, { endpoint: `http://127.0.0.1:${port}`, credentials: TEST_CREDENTIALS });
    await expectFailure(
      await accounts(clients, "sync"),
      `accounts: organizations DescribeOrganization: the endpoint 127.0.0.1:${port} refused the connection; check AWS_ENDPOINT_URL, the proxy and the region`,
    );
  });

  it("names an endpoint that cannot be resolved", async () => {
    // .invalid never resolves (RFC 2606).
    const clients = (region: string) =>
      createOrganizationClients(region, {
        endpoint: "http://organizations.accounts.invalid",
        credentials: TEST_CREDENTIALS,
      });
    await expectFailure(
      await accounts(clients, "sync"),
      /^accounts: organizations DescribeOrganization: the endpoint organizations\.accounts\.invalid cannot be resolved \((ENOTFOUND|EAI_AGAIN)\); check DNS, the network and the region name$/,
    );
  });

  it("names the permissions and the accounts that have them when AWS denies a listing (a member account's credentials)", async () => {
    await expectFailure(
      await accounts(organization({ ...ORGANIZATION, denied: ["ListRoots"] }).clients, "sync"),
      "accounts: organizations ListRoots: AccessDeniedException: You don't have permissions to access this resource.; run it with the management account's or a delegated administrator's credentials, allowed organizations:DescribeOrganization, organizations:ListRoots, organizations:ListOrganizationalUnitsForParent, organizations:ListAccountsForParent",
    );
  });

  it("says the credentials' account is in no organization", async () => {
    await expectFailure(
      await accounts(organization({ ...ORGANIZATION, notInUse: true }).clients, "sync"),
      "accounts: organizations DescribeOrganization: AWSOrganizationsNotInUseException: Your account is not a member of an organization.; the account of these credentials is in no organization: run it with the organization's management account's credentials",
    );
  });

  it("names the call AWS answered with 5xx on every attempt", async () => {
    await expectFailure(
      await accounts(organization({ ...ORGANIZATION, unavailable: { ListAccountsForParent: 6 } }).clients, "sync"),
      "accounts: organizations ListAccountsForParent: AWS answered 500 (ServiceException: AWS Organizations can't complete your request because of an internal service error.) on every attempt; AWS is having trouble there: check the AWS Health Dashboard and run again later",
    );
  });

  it("names the call AWS throttled on every attempt", async () => {
    await expectFailure(
      await accounts(
        organization({ ...ORGANIZATION, throttle: { ListOrganizationalUnitsForParent: 6 } }).clients,
        "sync",
      ),
      "accounts: organizations ListOrganizationalUnitsForParent: throttled on every attempt (TooManyRequestsException: You have sent too many requests in too short a period of time.); Organizations allows a few requests per second, shared by every tool that calls it: run again later",
    );
  });

  it("retries throttling and 5xx answers, and writes the file when a retry is answered", async () => {
    const flaky = { ...ORGANIZATION, throttle: { ListRoots: 5 }, unavailable: { DescribeOrganization: 5 } };
    expect((await accounts(organization(flaky).clients, "sync")).code).toBe(0);
    expect(written()).toBe(ORGANIZATION_FILE);
  });

  it("ends at the deadline, naming the calls AWS has not answered", async () => {
    const silent = { ...ORGANIZATION, silent: ["ListAccountsForParent"] };
    await expectFailure(
      await accounts(organization(silent).clients, "sync", "--deadline-seconds", "0.2"),
      "accounts: no answer within 0.2 s from organizations ListAccountsForParent; check the network path to AWS (proxy, VPC endpoints, firewall), or allow more time with --deadline-seconds",
    );
  });
});

describe("accounts usage errors exit 2 with one line", () => {
  const usage = "usage: npm run accounts -- sync [--check] [--output <path>] [--deadline-seconds <1-3600>]";
  it.each([
    [[], "accounts: a command is required"],
    [["list"], "accounts: unknown command list; the command is sync"],
    [["sync", "extra"], "accounts: unknown command sync extra; the command is sync"],
    [["sync", "--output", ""], "accounts: --output needs a file path"],
    [
      ["sync", "--deadline-seconds", "0"],
      "accounts: --deadline-seconds 0 is not a number of seconds above 0 and up to 3600",
    ],
    [
      ["sync", "--deadline-seconds", "soon"],
      "accounts: --deadline-seconds soon is not a number of seconds above 0 and up to 3600",
    ],
    [
      ["sync", "--dry-run"],
      "accounts: Unknown option '--dry-run'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--dry-run\"",
    ],
  ])("%j", async (argv, message) => {
    const { mock, clients } = organization();
    const run = await accounts(clients, ...argv);
    expect(run).toEqual({ code: 2, stdout: "", stderr: `${message}; ${usage}` });
    expect(mock.calls()).toHaveLength(0);
  });
});
