import { BackupClient, DescribeBackupVaultCommand } from "@aws-sdk/client-backup";
import { ConfigServiceClient, DescribeConfigurationRecordersCommand } from "@aws-sdk/client-config-service";
import { DescribeRuleCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import type { ProjectConfig } from "../../config/types";
import { EC2_VSS_SNAPSHOT_POLICY_STATEMENTS, ManagedPolicies } from "../../modules";
import { loadEnvironments } from "../../config/validate";
import { main } from "../../preflight/cli";
import { escapeUnprintable } from "../../preflight/format";
import type { PreflightReport } from "../../preflight/run";
import { NOW } from "../support/clock";
import {
  AccountSpec,
  FleetInstance,
  generatedRoles,
  generateFleet,
  INLINE_MODE_ROLE,
  LOCK_DATE,
  MANAGED_MODE_ROLE,
  mockAccount,
  RoleSpec,
} from "../support/mock-fleet";
import { DEV as DEV_CONFIG, PROD as PROD_CONFIG } from "../support/fixtures";
import { DEV as dev, PROD as prod, PROJECT, STAGING as staging } from "../support/preflight-fixtures";

const now = NOW;
/** The roles the fixtures' stacks deploy, as AWS would hold them. */
const deployedRoles: Record<string, RoleSpec> = {
  "vss-backup-dev-vss-instance": MANAGED_MODE_ROLE,
  "vss-backup-staging-vss-instance": INLINE_MODE_ROLE,
  "vss-backup-prod-vss-instance": MANAGED_MODE_ROLE,
};
const healthy = (id: string, extra: Partial<FleetInstance> = {}): FleetInstance => ({
  id,
  role: "vss-backup-dev-vss-instance",
  ssm: { ping: "Online", agent: "3.3.1142.0" },
  jobs: [{ state: "COMPLETED", hoursAgo: 5 }],
  ...extra,
});

/** AmazonSSMManagedInstanceCore's actions, which both policy modes grant. */
const SSM_CORE_ACTIONS = [
  "ssm:DescribeAssociation",
  "ssm:GetDeployablePatchSnapshotForInstance",
  "ssm:GetDocument",
  "ssm:DescribeDocument",
  "ssm:GetManifest",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:ListAssociations",
  "ssm:ListInstanceAssociations",
  "ssm:PutInventory",
  "ssm:PutComplianceItems",
  "ssm:PutConfigurePackageResult",
  "ssm:UpdateAssociationStatus",
  "ssm:UpdateInstanceAssociationStatus",
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
];
/** AWSEC2VssSnapshotPolicy's actions. */
const MANAGED_VSS_ACTIONS = [
  "ec2:DescribeInstanceAttribute",
  "ec2:CreateSnapshots",
  "ec2:CreateImage",
  "ec2:CreateTags",
  "ec2:DescribeImages",
  "ec2:DescribeSnapshots",
];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report?: PreflightReport;
}

async function preflight(
  envName: string,
  spec: Partial<AccountSpec> & Pick<AccountSpec, "instances">,
  ...flags: string[]
): Promise<Run> {
  return preflightIn(PROJECT, envName, spec, ...flags);
}

/** Preflight of `envName` in `project`, against an account holding what its stack deploys, changed by `spec`. */
async function preflightIn(
  project: ProjectConfig,
  envName: string,
  spec: Partial<AccountSpec> & Pick<AccountSpec, "instances">,
  ...flags: string[]
): Promise<Run> {
  const env =
    project === PROJECT ? { dev, staging, prod }[envName]! : loadEnvironments(project, { only: envName, now })[0];
  const account = mockAccount(env, { account: env.account, roles: deployedRoles, ...spec }, now);
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main(["--env", envName, ...flags], {
      config: project,
      clients: account.clients,
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
      report: flags.includes("--json") && stdout ? JSON.parse(stdout) : undefined,
    };
  } finally {
    account.restore();
  }
}

describe("preflight on a fleet that mixes every failure", () => {
  const fleet: FleetInstance[] = [
    healthy("i-000000000000000a1"),
    healthy("i-0000000000000stop", { state: "stopped" }),
    healthy("i-000000000000linux", { platform: "Linux/UNIX" }),
    healthy("i-00000000000002012", {
      ssm: { ping: "Online", agent: "3.3.1142.0", platformName: "Microsoft Windows Server 2012 R2 Standard" },
    }),
    healthy("i-0000000000000micro", { instanceType: "t3.micro" }),
    healthy("i-00000000000noprofile", { role: undefined }),
    healthy("i-0000000000weakrole", { role: "weak-role" }),
    healthy("i-00000000nosnapshots", { role: "instance-only-role" }),
    healthy("i-00000000000fallback", { role: "locked-role" }),
    healthy("i-00000000000offline", { ssm: { ping: "ConnectionLost", agent: "3.3.1142.0" } }),
    healthy("i-0000000000unmanaged", { ssm: undefined }),
    healthy("i-000000000oldagent", { ssm: { ping: "Online", agent: "3.0.100.0" } }),
    healthy("i-0000000000assocfail", { association: "Failed" }),
    healthy("i-0000000000notreached", { notInLatestRun: true }),
    healthy("i-00000000000oldpkg", { packageVersion: "2.2.1" }),
    healthy("i-000000000000v2100", { packageVersion: "2.10.0" }),
    healthy("i-000000000jobfailed", {
      jobs: [
        {
          state: "FAILED",
          message: "Windows VSS Backup attempt failed because ec2-vss-agent.exe is not installed in the Instance",
          hoursAgo: 3,
        },
      ],
    }),
    healthy("i-00000000withissues", {
      jobs: [
        {
          state: "COMPLETED",
          message: "Windows VSS Backup Job Error encountered, trying for regular backup",
          category: "AGGREGATE_ALL",
          hoursAgo: 3,
        },
      ],
    }),
  ];
  const roles: Record<string, RoleSpec> = {
    ...deployedRoles,
    "weak-role": { attached: [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE] },
    // CreateImage allowed on the instance and the image but not on the snapshots the image is made of:
    // an "any resource" rule would pass it.
    "instance-only-role": {
      attached: [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE],
      inline: {
        "vss-without-snapshots": EC2_VSS_SNAPSHOT_POLICY_STATEMENTS.map((statement) =>
          statement.sid === "CreateImageWithTag" ? { ...statement, resources: ["arn:aws:ec2:*:*:image/*"] } : statement,
        ),
      },
    },
    "locked-role": {
      simulationError: "User is not authorized to perform: iam:SimulatePrincipalPolicy",
      attached: [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/AWSEC2VssSnapshotPolicy",
      ],
    },
  };
  let run: Run;
  // Before each test, not all: per-test coverage (mutation testing's) then credits each test with the checks it ran.
  beforeEach(async () => {
    run = await preflight("dev", { instances: fleet, roles }, "--json");
  });
  const instance = (id: string) => run.report!.instances.find((i) => i.id === id)!;
  const failing = (id: string) =>
    Object.entries(instance(id).checks)
      .filter(([, c]) => c.status !== "pass")
      .map(([name, c]) => [name, c.status]);

  it("exits 1 and its --json output parses", () => {
    expect(run.code).toBe(1);
    expect(run.report?.summary).toEqual({
      instances: fleet.length,
      ready: 3,
      warnings: 1,
      notReady: 14,
      status: "fail",
    });
  });

  it("passes the healthy instance on every check", () => {
    expect(failing("i-000000000000000a1")).toEqual([]);
    expect(instance("i-000000000000000a1").checks.role.detail).toBe(
      "role vss-backup-dev-vss-instance allows what VSS needs (by IAM policy simulation)",
    );
  });

  it.each<[string, string, "warn" | "fail", RegExp, RegExp]>([
    [
      "i-0000000000000stop",
      "running",
      "fail",
      /^stopped: VSS needs a running instance/,
      /aws ec2 start-instances --instance-ids i-0000000000000stop/,
    ],
    [
      "i-000000000000linux",
      "windows",
      "fail",
      /^Linux\/UNIX: VSS is Windows-only/,
      /aws ec2 delete-tags --resources i-000000000000linux --tags Key=Backup/,
    ],
    [
      "i-00000000000002012",
      "windows",
      "fail",
      /Windows Server 2012 R2 Standard: VSS needs Windows Server 2016 or later/,
      /upgrade Windows/,
    ],
    ["i-0000000000000micro", "type", "fail", /^t3\.micro is too small/, /resize to t3\.small or larger/],
    [
      "i-00000000000noprofile",
      "role",
      "fail",
      /^no instance profile$/,
      /associate-iam-instance-profile --instance-id i-00000000000noprofile --iam-instance-profile Name=vss-backup-dev-vss-instance/,
    ],
    [
      "i-0000000000weakrole",
      "role",
      "fail",
      /^role weak-role lacks ec2:DescribeInstanceAttribute on instance, ec2:CreateSnapshots on instance and snapshot and volume, ec2:CreateImage on instance and image and snapshot, ec2:CreateTags on image and snapshot, ec2:DescribeImages, ec2:DescribeSnapshots \(by IAM policy simulation\)$/,
      /attach AmazonSSMManagedInstanceCore and AWSEC2VssSnapshotPolicy to role weak-role/,
    ],
    [
      "i-00000000nosnapshots",
      "role",
      "fail",
      /^role instance-only-role lacks ec2:CreateImage on snapshot \(by IAM policy simulation\)$/,
      /to role instance-only-role/,
    ],
    ["i-00000000000offline", "ssm", "fail", /^SSM Agent ConnectionLost$/, /start the AmazonSSMAgent service/],
    [
      "i-000000000oldagent",
      "ssm",
      "fail",
      /^SSM Agent 3\.0\.100\.0 is older than 3\.0\.502\.0$/,
      /AWS-UpdateSSMAgent --instance-ids i-000000000oldagent/,
    ],
    [
      "i-0000000000assocfail",
      "vss",
      "fail",
      /^AwsVssComponents install Failed: Failed to install package AwsVssComponents in the latest run of vss-backup-dev-AwsVssComponents$/,
      /aws ssm start-associations-once --association-ids 11111111-2222-3333-4444-555555555555/,
    ],
    [
      "i-0000000000notreached",
      "vss",
      "warn",
      /^not reached by the latest run of vss-backup-dev-AwsVssComponents \(2026-11-20T00:00:00\.000Z\): tagged, launched or registered since/,
      /start-associations-once/,
    ],
    [
      "i-00000000000oldpkg",
      "vss",
      "fail",
      /^AwsVssComponents 2\.2\.1 is older than 2\.3\.1, which the instance role's VSS policy needs \(the AwsVssConfig tag\)$/,
      /start-associations-once/,
    ],
    [
      "i-000000000jobfailed",
      "jobs",
      "fail",
      /^latest backup FAILED: Windows VSS Backup attempt failed because ec2-vss-agent\.exe is not installed in the Instance$/,
      /fix the cause AWS reports/,
    ],
    [
      "i-00000000withissues",
      "jobs",
      "fail",
      /^latest backup completed with issues \(crash-consistent only\): Windows VSS Backup Job Error encountered, trying for regular backup$/,
      /fix the VSS cause/,
    ],
  ])("%s fails only its %s check (%s), with the fix", (id, check, status, detail, fix) => {
    expect(failing(id)).toEqual([[check, status]]);
    const result = instance(id).checks[check as keyof PreflightReport["instances"][number]["checks"]];
    expect(result.detail).toMatch(detail);
    expect(result.fix).toMatch(fix);
  });

  it("fails an instance SSM does not manage, which the package association cannot reach either", () => {
    expect(failing("i-0000000000unmanaged")).toEqual([
      ["ssm", "fail"],
      ["vss", "warn"],
    ]);
    expect(instance("i-0000000000unmanaged").checks.ssm).toMatchObject({
      detail: "not managed by Systems Manager",
      fix: expect.stringMatching(/^check the SSM Agent service/),
    });
    expect(instance("i-0000000000unmanaged").checks.vss.detail).toMatch(/^not reached by the latest run/);
  });

  it("falls back to comparing attached policies when simulation is denied, and says so", () => {
    expect(failing("i-00000000000fallback")).toEqual([]);
    expect(instance("i-00000000000fallback").checks.role.detail).toMatch(
      /^role locked-role allows what VSS needs \(by attached policies \(simulation unavailable: AccessDenied: User is not authorized/,
    );
  });

  it("compares package versions as versions: 2.10.0 is not older than 2.3.1", () => {
    expect(failing("i-000000000000v2100")).toEqual([]);
  });

  it("simulates with real ARNs, the managed policy's actions and the context keys its conditions read", async () => {
    const account = mockAccount(dev, { account: dev.account, instances: [healthy("i-1")], roles: deployedRoles }, now);
    try {
      await main(["--env", "dev", "--json"], {
        config: PROJECT,
        clients: account.clients,
        caller: { sleep: async () => undefined },
        stdout: () => undefined,
        stderr: () => undefined,
        now,
      });
      const [call] = account.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand);
      const input = call.args[0].input;
      expect(input.PolicySourceArn).toBe("arn:aws:iam::111111111111:role/vss-backup-dev-vss-instance");
      expect(input.ResourceArns).toEqual([
        "arn:aws:ec2:eu-west-1:111111111111:instance/i-1",
        "arn:aws:ec2:eu-west-1::image/ami-00000000preflight",
        "arn:aws:ec2:eu-west-1::snapshot/snap-00000000preflight",
        "arn:aws:ec2:eu-west-1:111111111111:volume/vol-00000000preflight",
      ]);
      expect(Object.fromEntries(input.ContextEntries!.map((c) => [c.ContextKeyName, c.ContextKeyValues]))).toEqual({
        "ec2:SourceInstanceARN": ["arn:aws:ec2:eu-west-1:111111111111:instance/i-1"],
        "ec2:InstanceId": ["i-1"],
        "aws:RequestTag/AwsVssConfig": ["preflight"],
        "ec2:ResourceTag/AwsVssConfig": ["preflight"],
        "ec2:CreateAction": ["CreateImage"],
        "aws:TagKeys": ["AppConsistent", "Device"],
      });
      expect(input.ActionNames).toEqual([...SSM_CORE_ACTIONS, ...MANAGED_VSS_ACTIONS]);
    } finally {
      account.restore();
    }
  });

  it("simulates once per distinct role, not per instance", () => {
    expect(run.report!.apiCalls.iam).toBe(2 * 4 + 2); // GetInstanceProfile + SimulatePrincipalPolicy per role; the denied one adds two listings
  });

  it("prints a table with one row per instance, the fix, and a summary line", async () => {
    const table = await preflight("dev", { instances: fleet, roles });
    const lines = table.stdout.split("\n");
    expect(lines.find((l) => l.startsWith("i-0000000000000micro"))).toMatch(
      /ok\s+ok\s+FAIL\s+ok\s+ok\s+ok\s+ok\s+t3\.micro is too small .* -> resize to t3\.small or larger$/,
    );
    expect(lines.at(-1)).toBe("NOT READY: 18 instances, 3 ready, 1 with warnings, 14 not ready");
    expect(table.code).toBe(1);
  });
});

describe("exit codes", () => {
  it("0 when every instance is ready", async () => {
    const run = await preflight("dev", { instances: [healthy("i-1"), healthy("i-2")] });
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").at(-1)).toBe("READY: 2 instances, 2 ready, 0 with warnings, 0 not ready");
  });

  it("looks back --days days from the run's clock", async () => {
    const run = await preflight(
      "dev",
      {
        instances: [
          healthy("i-1", {
            jobs: [
              { state: "COMPLETED", hoursAgo: 5 },
              { state: "FAILED", hoursAgo: 100 },
            ],
          }),
        ],
      },
      "--json",
      "--days",
      "3",
    );
    expect(run.report!.instances[0].checks.jobs).toEqual({
      status: "pass",
      detail: "1 backups in 3 days, all application-consistent",
    });
  });

  it("0 with warnings only, 1 with --strict", async () => {
    const fleet = [healthy("i-1"), healthy("i-2", { notInLatestRun: true })];
    expect((await preflight("dev", { instances: fleet })).code).toBe(0);
    expect((await preflight("dev", { instances: fleet }, "--strict")).code).toBe(1);
  });

  it("1 when no instance carries the tag: nothing is protected", async () => {
    const run = await preflight("dev", { instances: [] });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL no instance carries Backup=windows-vss: nothing is protected");
  });

  it("2 with a clear message when the credentials are for another account", async () => {
    const env = dev;
    const account = mockAccount(env, { account: "999999999999", instances: [] }, now);
    const err: string[] = [];
    try {
      const code = await main(["--env", "dev"], {
        config: PROJECT,
        clients: account.clients,
        stdout: () => undefined,
        stderr: (t) => err.push(t),
        now,
      });
      expect(code).toBe(2);
      expect(err.join("\n")).toBe(
        "preflight: these credentials are for account 999999999999, but dev is account 111111111111; use credentials for 111111111111",
      );
    } finally {
      account.restore();
    }
  });

  it("2 when the credentials do not work", async () => {
    const run = await preflight("dev", { instances: [], denied: ["GetCallerIdentity"] });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^preflight: no usable AWS credentials \(AccessDeniedException: not authorized to perform GetCallerIdentity\)/,
    );
  });

  it.each([
    [[], "--env is required"],
    [["--env", "qa"], "--env qa: unknown environment; known: dev, staging"],
    [["--env", "dev", "--days", "0"], "--days 0 is not a whole number from 1 to 90"],
    [
      ["--env", "dev", "--deadline-seconds", "0"],
      "--deadline-seconds 0 is not a number of seconds above 0 and up to 3600",
    ],
    [["--env", "dev", "--colour"], "Unknown option '--colour'"],
  ])("2 on usage errors: %j", async (argv, message) => {
    const err: string[] = [];
    expect(await main(argv, { config: PROJECT, now, stdout: () => undefined, stderr: (t) => err.push(t) })).toBe(2);
    expect(err.join("\n")).toContain(message);
    expect(err.join("\n")).toContain("usage: npm run preflight -- --env <name>");
  });
});

describe("the backup side", () => {
  it.each<[string, Partial<AccountSpec>, string, RegExp, string[]?]>([
    [
      "a missing vault",
      { vaultExists: false },
      "vault",
      /^vault vss-backup-dev: ResourceNotFoundException/,
      ["vault", "vaultLock"],
    ],
    ["a missing plan", { planExists: false }, "plan", /^no backup plan named vss-backup-dev$/],
    [
      "a plan without WindowsVSS",
      { planVss: false },
      "plan",
      /lacks WindowsVSS=enabled for EC2: backups are crash-consistent/,
    ],
    [
      "a selection of another tag",
      { selectionTagValue: "other" },
      "selection",
      /no selection of plan vss-backup-dev selects EC2 instances tagged Backup=windows-vss/,
    ],
    [
      "EC2 not opted in",
      { ec2OptedIn: false },
      "optIn",
      /EC2 is not opted in to AWS Backup in eu-west-1: tag selections silently skip it/,
    ],
  ])("fails on %s, with the fix", async (_, spec, check, detail, notPassing = [check]) => {
    const run = await preflight("dev", { instances: [healthy("i-1")], ...spec }, "--json");
    expect(run.code).toBe(1);
    expect(run.report!.backupSide[check]).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(detail),
      fix: expect.any(String),
    });
    expect(
      Object.entries(run.report!.backupSide)
        .filter(([, c]) => c.status !== "pass")
        .map(([name]) => name),
    ).toEqual(notPassing);
  });
});

describe("what protects the backups after day one: vault locks, the DR vault, the alert rule", () => {
  const instanceOf = (envName: string) => healthy("i-1", { role: `vss-backup-${envName}-vss-instance` });
  const backupSide = async (envName: string, spec: Partial<AccountSpec> = {}) => {
    const run = await preflight(envName, { instances: [instanceOf(envName)], ...spec }, "--json");
    return { code: run.code, rows: run.report!.backupSide, apiCalls: run.report!.apiCalls };
  };
  const plan = (env: string) => ({
    plan: { status: "pass", detail: `plan vss-backup-${env} takes Windows VSS backups of EC2` },
    selection: { status: "pass", detail: `a selection of plan vss-backup-${env} selects Backup=windows-vss` },
  });

  it("passes what a deployed dev stack holds: a governance lock of its rules' range, the rule enabled and sending to the topic it creates", async () => {
    const { code, rows } = await backupSide("dev");
    expect(rows).toEqual({
      vault: { status: "pass", detail: "vault vss-backup-dev exists" },
      vaultLock: { status: "pass", detail: "vault vss-backup-dev has a governance lock of 7-7 days" },
      ...plan("dev"),
      optIn: { status: "pass", detail: "EC2 is opted in to AWS Backup in eu-west-1" },
      alertRule: { status: "pass", detail: "rule vss-backup-dev-backup-alerts is ENABLED in eu-west-1" },
      alertTarget: {
        status: "pass",
        detail:
          "rule vss-backup-dev-backup-alerts sends to arn:aws:sns:eu-west-1:111111111111:vss-backup-dev-backup-alerts",
      },
    });
    expect(code).toBe(0);
  });

  it("passes what a deployed prod stack holds: an immutable compliance lock, the DR vault and its lock in the DR region", async () => {
    const { code, rows, apiCalls } = await backupSide("prod");
    expect(rows).toEqual({
      vault: { status: "pass", detail: "vault vss-backup-prod exists" },
      vaultLock: {
        status: "pass",
        detail: "vault vss-backup-prod has a compliance lock of 7-400 days, immutable since 2026-11-04T00:00:00.000Z",
      },
      ...plan("prod"),
      optIn: { status: "pass", detail: "EC2 is opted in to AWS Backup in eu-central-1" },
      drVault: { status: "pass", detail: "DR vault vss-backup-prod-dr in eu-west-1 exists" },
      drVaultLock: { status: "pass", detail: "DR vault vss-backup-prod-dr has a governance lock of 90-90 days" },
      alertRule: { status: "pass", detail: "rule vss-backup-prod-backup-alerts is ENABLED in eu-central-1" },
      alertTarget: {
        status: "pass",
        detail:
          "rule vss-backup-prod-backup-alerts sends to arn:aws:sns:eu-central-1:333333333333:vss-backup-prod-backup-alerts",
      },
      restoreTestAlertRule: {
        status: "pass",
        detail: "rule vss-backup-prod-backup-alerts-restore-tests is ENABLED in eu-central-1",
      },
      restoreTestAlertTarget: {
        status: "pass",
        detail:
          "rule vss-backup-prod-backup-alerts-restore-tests sends to arn:aws:sns:eu-central-1:333333333333:vss-backup-prod-backup-alerts",
      },
      configRecorder: {
        status: "pass",
        detail: "AWS Config recorder default is recording in eu-central-1, every supported resource type",
      },
    });
    expect(code).toBe(0);
    // One DescribeBackupVault per vault, DescribeRule and ListTargetsByRule once per rule, and AWS Config's two reads.
    expect(apiCalls).toMatchObject({ events: 4, config: 2 });
  });

  it("passes an environment whose alerts go to an existing topic when the rule sends there", async () => {
    const { rows } = await backupSide("staging");
    expect(rows.vaultLock).toEqual({
      status: "pass",
      detail: "vault vss-backup-staging has a governance lock of 14-35 days",
    });
    expect(rows.alertTarget).toEqual({
      status: "pass",
      detail: "rule vss-backup-staging-backup-alerts sends to arn:aws:sns:eu-west-1:222222222222:ops-alerts",
    });
  });

  it.each<[string, string, Partial<AccountSpec>, string, { status: string; detail: string; fix: string }, string[]?]>([
    [
      "no lock on the vault",
      "dev",
      { vaultLock: null },
      "vaultLock",
      {
        status: "fail",
        detail:
          "vault vss-backup-dev has no vault lock; expected a governance lock of 7-7 days (derived from the rules' retention)",
        fix: "deploy the stack: npx cdktf deploy dev",
      },
    ],
    [
      "a lock range other than the rules'",
      "dev",
      { vaultLock: { minRetentionDays: 1, maxRetentionDays: 36500 } },
      "vaultLock",
      {
        status: "fail",
        detail:
          "vault vss-backup-dev has a governance lock of 1-36500 days; expected a governance lock of 7-7 days (derived from the rules' retention)",
        fix: "aws backup put-backup-vault-lock-configuration --backup-vault-name vss-backup-dev --region eu-west-1 --min-retention-days 7 --max-retention-days 7",
      },
    ],
    [
      "a lock without a minimum",
      "dev",
      { vaultLock: { maxRetentionDays: 7 } },
      "vaultLock",
      {
        status: "fail",
        detail:
          "vault vss-backup-dev has a governance lock of min none, max 7 days; expected a governance lock of 7-7 days (derived from the rules' retention)",
        fix: "aws backup put-backup-vault-lock-configuration --backup-vault-name vss-backup-dev --region eu-west-1 --min-retention-days 7 --max-retention-days 7",
      },
    ],
    [
      "a compliance lock, still changeable, where governance is configured",
      "dev",
      { vaultLock: { minRetentionDays: 7, maxRetentionDays: 7, lockDate: new Date("2026-11-27T00:00:00Z") } },
      "vaultLock",
      {
        status: "fail",
        detail:
          "vault vss-backup-dev has a compliance lock of 7-7 days, changeable until 2026-11-27T00:00:00.000Z; expected a governance lock of 7-7 days (derived from the rules' retention)",
        fix: "remove it before 2026-11-27T00:00:00.000Z, when it becomes immutable: aws backup delete-backup-vault-lock-configuration --backup-vault-name vss-backup-dev --region eu-west-1; then npx cdktf deploy dev",
      },
    ],
    [
      "an immutable compliance lock where governance is configured",
      "dev",
      { vaultLock: { minRetentionDays: 7, maxRetentionDays: 35, lockDate: LOCK_DATE } },
      "vaultLock",
      {
        status: "fail",
        detail:
          "vault vss-backup-dev has a compliance lock of 7-35 days, immutable since 2026-11-04T00:00:00.000Z; expected a governance lock of 7-7 days (derived from the rules' retention)",
        fix: "the lock can never change again: set vault.lock of dev in config/environments.ts to what AWS holds (compliance, 7-35 days)",
      },
    ],
    [
      "a governance lock where compliance is configured",
      "prod",
      { vaultLock: { minRetentionDays: 7, maxRetentionDays: 400 } },
      "vaultLock",
      {
        status: "fail",
        detail: "vault vss-backup-prod has a governance lock of 7-400 days; expected a compliance lock of 7-400 days",
        fix: "aws backup put-backup-vault-lock-configuration --backup-vault-name vss-backup-prod --region eu-central-1 --min-retention-days 7 --max-retention-days 400 --changeable-for-days 3",
      },
    ],
    [
      "no DR vault in the DR region",
      "prod",
      { drVaultExists: false },
      "drVault",
      {
        status: "fail",
        detail:
          "DR vault vss-backup-prod-dr in eu-west-1: ResourceNotFoundException: Backup vault vss-backup-prod-dr does not exist",
        fix: "deploy the stack: npx cdktf deploy prod",
      },
      ["drVault", "drVaultLock"],
    ],
    [
      "no lock on the DR vault",
      "prod",
      { drVaultLock: null },
      "drVaultLock",
      {
        status: "fail",
        detail:
          "DR vault vss-backup-prod-dr has no vault lock; expected a governance lock of 90-90 days (derived from the copies' retention)",
        fix: "deploy the stack: npx cdktf deploy prod",
      },
    ],
    [
      "the alert rule disabled",
      "dev",
      { alertRule: { state: "DISABLED" } },
      "alertRule",
      {
        status: "fail",
        detail:
          "rule vss-backup-dev-backup-alerts is DISABLED in eu-west-1: failed and crash-consistent backups alert no one",
        fix: "aws events enable-rule --name vss-backup-dev-backup-alerts --region eu-west-1",
      },
    ],
    [
      "no alert rule",
      "dev",
      { alertRule: false },
      "alertRule",
      {
        status: "fail",
        detail:
          "no EventBridge rule vss-backup-dev-backup-alerts in eu-west-1: failed and crash-consistent backups alert no one",
        fix: "deploy the stack: npx cdktf deploy dev",
      },
    ],
    [
      "an alert rule without targets",
      "dev",
      { alertRule: { targetArns: [] } },
      "alertTarget",
      {
        status: "fail",
        detail:
          "rule vss-backup-dev-backup-alerts does not send to arn:aws:sns:eu-west-1:111111111111:vss-backup-dev-backup-alerts (its targets: none): failed and crash-consistent backups alert no one",
        fix: "deploy the stack: npx cdktf deploy dev",
      },
    ],
    [
      "an alert rule sending to a topic other than the existing one configured",
      "staging",
      { alertRule: { targetArns: ["arn:aws:sns:eu-west-1:222222222222:vss-backup-staging-backup-alerts"] } },
      "alertTarget",
      {
        status: "fail",
        detail:
          "rule vss-backup-staging-backup-alerts does not send to arn:aws:sns:eu-west-1:222222222222:ops-alerts (its targets: arn:aws:sns:eu-west-1:222222222222:vss-backup-staging-backup-alerts): failed and crash-consistent backups alert no one",
        fix: "deploy the stack: npx cdktf deploy staging",
      },
    ],
    [
      "a disabled restore test alert rule",
      "prod",
      { restoreTestAlertRule: { state: "DISABLED" } },
      "restoreTestAlertRule",
      {
        status: "fail",
        detail:
          "rule vss-backup-prod-backup-alerts-restore-tests is DISABLED in eu-central-1: failed restore tests alert no one",
        fix: "aws events enable-rule --name vss-backup-prod-backup-alerts-restore-tests --region eu-central-1",
      },
    ],
    [
      "no restore test alert rule",
      "prod",
      { restoreTestAlertRule: false },
      "restoreTestAlertRule",
      {
        status: "fail",
        detail:
          "no EventBridge rule vss-backup-prod-backup-alerts-restore-tests in eu-central-1: failed restore tests alert no one",
        fix: "deploy the stack: npx cdktf deploy prod",
      },
    ],
  ])(
    "fails on %s (%s), with the fix, and nothing else",
    async (_, envName, spec, row, expected, notPassing = [row]) => {
      const { code, rows } = await backupSide(envName, spec);
      expect(rows[row]).toEqual(expected);
      expect(
        Object.entries(rows)
          .filter(([, c]) => c.status !== "pass")
          .map(([name]) => name),
      ).toEqual(notPassing);
      expect(code).toBe(1);
    },
  );

  it("checks nothing an environment switches off: no lock row, no alert rows, no EventBridge call", async () => {
    const project: ProjectConfig = {
      ...PROJECT,
      environments: [{ ...DEV_CONFIG, vault: { lock: false }, alerts: false }],
    };
    const run = await preflightIn(project, "dev", { instances: [healthy("i-1")] }, "--json", "--progress");
    expect(Object.keys(run.report!.backupSide)).toEqual(["vault", "plan", "selection", "optIn"]);
    expect(run.report!.apiCalls.events).toBe(0);
    expect(run.stderr).not.toMatch(/DR vault|alert rule/);
    expect(run.code).toBe(0);
  });

  it("says which protection it reads in its progress lines", async () => {
    const run = await preflight("prod", { instances: [instanceOf("prod")] }, "--progress");
    expect(run.stderr.split("\n").slice(0, 2)).toEqual([
      "preflight: checking backup vault, plan and selection...",
      "preflight: checking DR vault and alert rule...",
    ]);
  });

  it("prints the new rows in the table like the others, with their fix", async () => {
    const run = await preflight("dev", { instances: [healthy("i-1")], alertRule: { state: "DISABLED" } });
    const lines = run.stdout.split("\n");
    expect(lines.slice(2, 12)).toEqual([
      "ok   vault: vault vss-backup-dev exists",
      "ok   vaultLock: vault vss-backup-dev has a governance lock of 7-7 days",
      "ok   plan: plan vss-backup-dev takes Windows VSS backups of EC2",
      "ok   selection: a selection of plan vss-backup-dev selects Backup=windows-vss",
      "ok   optIn: EC2 is opted in to AWS Backup in eu-west-1",
      "FAIL alertRule: rule vss-backup-dev-backup-alerts is DISABLED in eu-west-1: failed and crash-consistent backups alert no one",
      "     fix: aws events enable-rule --name vss-backup-dev-backup-alerts --region eu-west-1",
      "ok   alertTarget: rule vss-backup-dev-backup-alerts sends to arn:aws:sns:eu-west-1:111111111111:vss-backup-dev-backup-alerts",
      "",
      "instance  name        running  windows  type  role  ssm  vss  jobs  fix",
    ]);
    expect(lines.at(-1)).toBe("NOT READY: 1 instances, 1 ready, 0 with warnings, 0 not ready");
    expect(run.code).toBe(1);
  });

  it("names the EventBridge permission it lacks, as a warning, never as the fleet's failure", async () => {
    const rule = await backupSide("dev", { denied: ["DescribeRule"] });
    expect({ alertRule: rule.rows.alertRule, alertTarget: rule.rows.alertTarget }).toEqual({
      alertRule: {
        status: "warn",
        detail:
          "alert rule vss-backup-dev-backup-alerts not checked: AccessDeniedException: not authorized to perform DescribeRule",
        fix: "allow events:DescribeRule, then run again",
      },
      alertTarget: {
        status: "warn",
        detail: "alert target not checked: the rule could not be read",
        fix: "see the alertRule check",
      },
    });
    expect(rule.code).toBe(0);
    const targets = await backupSide("dev", { denied: ["ListTargetsByRule"] });
    expect(targets.rows.alertTarget).toEqual({
      status: "warn",
      detail:
        "targets of rule vss-backup-dev-backup-alerts not checked: AccessDeniedException: not authorized to perform ListTargetsByRule",
      fix: "allow events:ListTargetsByRule, then run again",
    });
    expect(targets.code).toBe(0);
  });

  it("warns on both vaults' locks when DescribeBackupVault is denied, naming the permission", async () => {
    const { code, rows } = await backupSide("prod", { denied: ["DescribeBackupVault"] });
    expect(rows).toMatchObject({
      vault: { status: "warn", fix: "allow backup:DescribeBackupVault, then run again" },
      vaultLock: {
        status: "warn",
        detail: "vault vss-backup-prod lock not checked: the vault could not be read",
        fix: "see the vault check",
      },
      drVault: {
        status: "warn",
        detail:
          "DR vault vss-backup-prod-dr in eu-west-1 not checked: AccessDeniedException: not authorized to perform DescribeBackupVault",
        fix: "allow backup:DescribeBackupVault, then run again",
      },
      drVaultLock: {
        status: "warn",
        detail: "DR vault vss-backup-prod-dr lock not checked: the vault could not be read",
        fix: "see the drVault check",
      },
    });
    expect(code).toBe(0);
  });

  it("ends with exit 2 naming the call when EventBridge answers 5xx on every attempt", async () => {
    const run = await preflight("dev", { instances: [healthy("i-1")], unavailable: { DescribeRule: 6 } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "preflight: events DescribeRule: AWS answered 503 (ServiceUnavailable: Service Unavailable) on every attempt; AWS is having trouble there: check the AWS Health Dashboard and run again later",
    );
  });

  it("retries a throttled DescribeRule like any call", async () => {
    const run = await preflight("dev", { instances: [healthy("i-1")], throttle: { DescribeRule: 2 } }, "--json");
    expect(run.report!.backupSide.alertRule.status).toBe("pass");
    expect(run.report!.apiCalls.events).toBe(4);
  });
});

describe("AWS Config recording, which the audit framework's controls evaluate through", () => {
  // prod has an audit framework; the account records with AWS Config unless a test says otherwise.
  const configRow = async (spec: Partial<AccountSpec> = {}, project: ProjectConfig = PROJECT) => {
    const run = await preflightIn(
      project,
      "prod",
      { instances: [healthy("i-1", { role: "vss-backup-prod-vss-instance" })], ...spec },
      "--json",
    );
    const rows = run.report!.backupSide;
    return {
      code: run.code,
      row: rows.configRecorder,
      notPassing: Object.entries(rows)
        .filter(([, c]) => c.status !== "pass")
        .map(([name]) => name),
      apiCalls: run.report!.apiCalls,
    };
  };
  const cannotEvaluate = "the audit framework vss_backup_prod_vss's controls cannot evaluate";

  it("passes a recorder that records every supported resource type, reading both APIs once", async () => {
    const { code, row, apiCalls } = await configRow();
    expect(row).toEqual({
      status: "pass",
      detail: "AWS Config recorder default is recording in eu-central-1, every supported resource type",
    });
    expect(apiCalls.config).toBe(2);
    expect(code).toBe(0);
  });

  it("passes a recorder that lists the types the controls need among others", async () => {
    const { row } = await configRow({
      configRecorder: {
        recordingGroup: {
          allSupported: false,
          resourceTypes: [
            "AWS::EC2::Instance",
            "AWS::Backup::BackupPlan",
            "AWS::Backup::BackupSelection",
            "AWS::Backup::BackupVault",
            "AWS::Backup::RecoveryPoint",
            "AWS::Config::ResourceCompliance",
          ],
        },
      },
    });
    expect(row).toEqual({
      status: "pass",
      detail:
        "AWS Config recorder default is recording in eu-central-1, AWS::Backup::BackupPlan, AWS::Backup::BackupSelection, AWS::Backup::BackupVault, AWS::Backup::RecoveryPoint, AWS::Config::ResourceCompliance",
    });
  });

  it("passes a recorder that excludes only types the controls do not need", async () => {
    const { row } = await configRow({
      configRecorder: {
        recordingGroup: {
          allSupported: false,
          recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
          exclusionByResourceTypes: { resourceTypes: ["AWS::EC2::NetworkInterface"] },
        },
      },
    });
    expect(row.status).toBe("pass");
  });

  it.each<[string, Partial<AccountSpec>, { status: string; detail: string; fix: string }]>([
    [
      "no recorder in the region",
      { configRecorder: false },
      {
        status: "fail",
        detail: `no AWS Config configuration recorder in eu-central-1: ${cannotEvaluate}`,
        fix: "set up AWS Config recording in eu-central-1 (AWS Config console > Get started or Settings, recording all resource types or at least AWS::Backup::BackupPlan, AWS::Backup::BackupSelection, AWS::Backup::BackupVault, AWS::Backup::RecoveryPoint, AWS::Config::ResourceCompliance; or aws configservice put-configuration-recorder, put-delivery-channel and start-configuration-recorder --region eu-central-1)",
      },
    ],
    [
      "a stopped recorder",
      { configRecorder: { name: "account-recorder", recording: false } },
      {
        status: "fail",
        detail: `AWS Config recorder account-recorder in eu-central-1 is not recording: ${cannotEvaluate}`,
        fix: "aws configservice start-configuration-recorder --configuration-recorder-name account-recorder --region eu-central-1",
      },
    ],
    [
      "a recorder that lists some of the types the controls need",
      {
        configRecorder: {
          recordingGroup: {
            allSupported: false,
            resourceTypes: ["AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection", "AWS::Backup::BackupVault"],
          },
        },
      },
      {
        status: "fail",
        detail: `AWS Config recorder default in eu-central-1 does not record AWS::Backup::RecoveryPoint, AWS::Config::ResourceCompliance: ${cannotEvaluate}`,
        fix: "add AWS::Backup::RecoveryPoint, AWS::Config::ResourceCompliance to the resource types recorder default records (AWS Config console > Settings > Edit, or aws configservice put-configuration-recorder --region eu-central-1), or record all resource types",
      },
    ],
    [
      "a recorder that excludes a type the controls need",
      {
        configRecorder: {
          recordingGroup: {
            allSupported: false,
            recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
            exclusionByResourceTypes: { resourceTypes: ["AWS::Config::ResourceCompliance"] },
          },
        },
      },
      {
        status: "fail",
        detail: `AWS Config recorder default in eu-central-1 does not record AWS::Config::ResourceCompliance: ${cannotEvaluate}`,
        fix: "stop excluding AWS::Config::ResourceCompliance in recorder default (AWS Config console > Settings > Edit, or aws configservice put-configuration-recorder --region eu-central-1)",
      },
    ],
    [
      "a recorder whose last recording failed",
      {
        configRecorder: {
          lastStatus: "Failure",
          lastError: { code: "InsufficientPermissionsException", message: "The role cannot describe resources" },
        },
      },
      {
        status: "fail",
        detail: `AWS Config recorder default in eu-central-1 is recording, but its last recording failed (lastStatus Failure, InsufficientPermissionsException: The role cannot describe resources): ${cannotEvaluate}`,
        fix: "fix the cause AWS Config reports (often the recorder's IAM role): aws configservice describe-configuration-recorder-status --region eu-central-1",
      },
    ],
  ])("fails on %s, with the fix, and nothing else", async (_, spec, expected) => {
    const { code, row, notPassing } = await configRow(spec);
    expect(row).toEqual(expected);
    expect(notPassing).toEqual(["configRecorder"]);
    expect(code).toBe(1);
  });

  it.each([
    ["DescribeConfigurationRecorders", "AWS Config recorders"],
    ["DescribeConfigurationRecorderStatus", "AWS Config recorder status"],
  ])("names the permission it lacks for %s, as a warning, never as the fleet's failure", async (command, what) => {
    const { code, row, notPassing } = await configRow({ denied: [command] });
    expect(row).toEqual({
      status: "warn",
      detail: `${what} not checked: AccessDeniedException: not authorized to perform ${command}`,
      fix: `allow config:${command}, then run again`,
    });
    expect(notPassing).toEqual(["configRecorder"]);
    expect(code).toBe(0);
  });

  it("checks nothing when audit is off: no row and no AWS Config call, even in an account without a recorder", async () => {
    const withoutAudit: ProjectConfig = {
      ...PROJECT,
      environments: PROJECT.environments.map((e) => (e.name === "prod" ? { ...PROD_CONFIG, audit: undefined } : e)),
    };
    const { row, apiCalls, code } = await configRow({ configRecorder: false }, withoutAudit);
    expect(row).toBeUndefined();
    expect(apiCalls.config).toBe(0);
    expect(code).toBe(0);
  });

  it("says it reads AWS Config recording in its progress lines", async () => {
    const run = await preflight(
      "prod",
      { instances: [healthy("i-1", { role: "vss-backup-prod-vss-instance" })] },
      "--progress",
    );
    expect(run.stderr.split("\n").slice(1, 3)).toEqual([
      "preflight: checking DR vault and alert rule...",
      "preflight: checking AWS Config recording...",
    ]);
  });
});

describe("at scale, under throttling and missing permissions", () => {
  const bigFleet = generateFleet(2000, 20);

  it("checks 2,000 instances in 20 roles with at most 50 API calls per service", async () => {
    const run = await preflight("dev", { instances: bigFleet, roles: generatedRoles(20) }, "--json");
    expect(run.report!.summary).toMatchObject({ instances: 2000, notReady: 40 });
    expect(run.report!.apiCalls).toEqual({
      sts: 1,
      ec2: 2,
      iam: 40,
      ssm: expect.any(Number),
      backup: expect.any(Number),
      events: 2,
      // dev has no audit framework: AWS Config is not asked.
      config: 0,
    });
    for (const calls of Object.values(run.report!.apiCalls)) expect(calls).toBeLessThanOrEqual(50);
    // DescribeInstanceInformation takes 50 instances per call: 40 pages, plus the association and inventory reads.
    expect(run.report!.apiCalls.ssm).toBe(40 + 1 + 1 + 1 + 1 + 1);
  });

  it("pages through every target of a run that did not reach the whole fleet, and names the instances it missed", async () => {
    const fleet = generateFleet(130, 2).map((i, n) => (n % 13 === 0 ? { ...i, notInLatestRun: true } : i));
    const run = await preflight("dev", { instances: fleet, roles: generatedRoles(2) }, "--json");
    const missed = run
      .report!.instances.filter((i) => /^not reached by the latest run/.test(i.checks.vss.detail))
      .map((i) => i.id);
    expect(missed).toEqual(fleet.filter((i) => i.notInLatestRun).map((i) => i.id));
    // 120 targets at 50 per call: 3 pages, after 3 pages of DescribeInstanceInformation, ListAssociations,
    // DescribeAssociationExecutions and 2 inventory reads.
    expect(run.report!.apiCalls.ssm).toBe(3 + 1 + 1 + 3 + 2);
  });

  it("retries throttled calls with backoff, and counts every attempt", async () => {
    const run = await preflight(
      "dev",
      { instances: [healthy("i-1")], throttle: { DescribeInstances: 2, SimulatePrincipalPolicy: 1 } },
      "--json",
    );
    expect(run.code).toBe(0);
    expect(run.report!.apiCalls).toMatchObject({ ec2: 3, iam: 3 });
  });

  it("exits 2 with a clear message when throttling outlasts the retries", async () => {
    const run = await preflight("dev", { instances: [healthy("i-1")], throttle: { DescribeInstances: 10 } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "preflight: cannot list the tagged instances (ThrottlingException: Rate exceeded); run again later",
    );
  });

  it("retries a passing AWS outage (503) like throttling", async () => {
    const run = await preflight(
      "dev",
      { instances: [healthy("i-1")], unavailable: { DescribeInstances: 1, ListBackupJobs: 2 } },
      "--json",
    );
    expect(run.code).toBe(0);
    expect(run.report!.apiCalls).toMatchObject({ ec2: 2 });
  });

  it("names the permission it lacks for each check it could not make, as a warning, never as the fleet's failure", async () => {
    const denied = ["DescribeBackupVault", "ListBackupPlans", "GetInstanceProfile", "ListAssociations"];
    const run = await preflight("dev", { instances: [healthy("i-1")], denied }, "--json");
    expect(run.report!.backupSide).toMatchObject({
      vault: { status: "warn", fix: "allow backup:DescribeBackupVault, then run again" },
      vaultLock: { status: "warn", detail: "vault vss-backup-dev lock not checked: the vault could not be read" },
      plan: { status: "warn", fix: "allow backup:ListBackupPlans and backup:GetBackupPlan, then run again" },
      selection: { status: "warn", detail: "selection not checked: the plan could not be read" },
    });
    const checks = run.report!.instances[0].checks;
    expect(checks.role).toMatchObject({ status: "warn", fix: "allow iam:GetInstanceProfile, then run again" });
    expect(checks.vss).toMatchObject({
      status: "warn",
      fix: expect.stringMatching(
        /^allow ssm:ListAssociations, ssm:DescribeAssociationExecutions and ssm:DescribeAssociationExecutionTargets/,
      ),
    });
    expect(run.code).toBe(0);
  });

  it("reports what it could not check when permissions are missing, without failing the instance", async () => {
    const run = await preflight(
      "dev",
      { instances: [healthy("i-1")], denied: ["DescribeInstanceInformation", "ListBackupJobs"] },
      "--json",
    );
    const checks = run.report!.instances[0].checks;
    expect(checks.ssm).toMatchObject({
      status: "warn",
      detail: "not checked: AccessDeniedException: not authorized to perform DescribeInstanceInformation",
    });
    expect(checks.jobs).toMatchObject({ status: "warn", fix: "allow backup:ListBackupJobs, then run again" });
    expect(run.code).toBe(0);
  });
});

describe("policy modes", () => {
  it("simulates the scoped-down inline actions in inline mode: no CreateSnapshots, no DescribeSnapshots", async () => {
    const account = mockAccount(
      staging,
      {
        account: staging.account,
        instances: [healthy("i-1", { role: "vss-backup-staging-vss-instance" })],
        roles: { "vss-backup-staging-vss-instance": INLINE_MODE_ROLE },
      },
      now,
    );
    try {
      await main(["--env", "staging", "--json"], {
        config: PROJECT,
        clients: account.clients,
        stdout: () => undefined,
        stderr: () => undefined,
        now,
      });
      const [call] = account.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand);
      expect(call.args[0].input.ActionNames).toEqual([
        ...SSM_CORE_ACTIONS,
        "ec2:DescribeInstanceAttribute",
        "ec2:CreateImage",
        "ec2:CreateTags",
        "ec2:DescribeImages",
      ]);
    } finally {
      account.restore();
    }
  });

  it("checks the package version in inline mode too: its scoped-down policy also requires the AwsVssConfig tag", async () => {
    const run = await preflight(
      "staging",
      {
        instances: [healthy("i-1", { role: "vss-backup-staging-vss-instance", packageVersion: "2.0.0" })],
        roles: { "vss-backup-staging-vss-instance": INLINE_MODE_ROLE },
      },
      "--json",
    );
    expect(run.report!.instances[0].checks.vss).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^AwsVssComponents 2\.0\.0 is older than 2\.3\.1/),
    });
  });

  it("names the project's inline policies in the fix of an inline-mode role that lacks them", async () => {
    const run = await preflight(
      "staging",
      {
        instances: [healthy("i-1", { role: "bare-role" })],
        roles: { "bare-role": { simulationError: "not authorized to perform: iam:SimulatePrincipalPolicy" } },
      },
      "--json",
    );
    expect(run.report!.instances[0].checks.role).toEqual({
      status: "fail",
      detail:
        "role bare-role lacks SSM core permissions (AmazonSSMManagedInstanceCore or inline SsmManagedInstanceCore), VSS snapshot permissions (AWSEC2VssSnapshotPolicy or inline VssSnapshotsForAwsBackup) (by attached policies (simulation unavailable: AccessDenied: not authorized to perform: iam:SimulatePrincipalPolicy))",
      fix: "add the inline policies SsmManagedInstanceCore and VssSnapshotsForAwsBackup to role bare-role, or aws ec2 associate-iam-instance-profile --instance-id i-1 --iam-instance-profile Name=vss-backup-staging-vss-instance",
    });
  });
});

describe("the mocked account answers as AWS does", () => {
  it("returns neither terminated nor untagged instances: DescribeInstances' filters are honoured", async () => {
    const run = await preflight(
      "dev",
      {
        instances: [
          healthy("i-1"),
          healthy("i-gone", { state: "terminated" }),
          healthy("i-untagged", { tags: { Name: "not-backed-up" } }),
          healthy("i-othertag", { tags: { Backup: "nightly" } }),
        ],
      },
      "--json",
    );
    expect(run.report!.instances.map((i) => i.id)).toEqual(["i-1"]);
  });

  it("denies an action conditioned on ec2:SourceInstanceARN when the context lacks it or names another instance", async () => {
    const account = mockAccount(dev, { account: dev.account, instances: [], roles: deployedRoles }, now);
    const simulate = async (context: { ContextKeyName: string; ContextKeyValues: string[] }[]) => {
      const result = await new IAMClient({ region: "eu-west-1" }).send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: "arn:aws:iam::111111111111:role/vss-backup-dev-vss-instance",
          ActionNames: ["ec2:CreateImage"],
          ResourceArns: ["arn:aws:ec2:eu-west-1:111111111111:instance/i-1"],
          ContextEntries: context.map((c) => ({ ...c, ContextKeyType: "string" })),
        }),
      );
      return result.EvaluationResults![0].EvalDecision;
    };
    try {
      expect(await simulate([])).toBe("implicitDeny");
      expect(
        await simulate([
          {
            ContextKeyName: "ec2:SourceInstanceARN",
            ContextKeyValues: ["arn:aws:ec2:eu-west-1:111111111111:instance/i-2"],
          },
          { ContextKeyName: "ec2:InstanceId", ContextKeyValues: ["i-1"] },
        ]),
      ).toBe("implicitDeny");
      expect(
        await simulate([
          {
            ContextKeyName: "ec2:SourceInstanceARN",
            ContextKeyValues: ["arn:aws:ec2:eu-west-1:111111111111:instance/i-1"],
          },
          { ContextKeyName: "ec2:InstanceId", ContextKeyValues: ["i-1"] },
        ]),
      ).toBe("allowed");
    } finally {
      account.restore();
    }
  });

  it("keeps each vault in its own region, and each rule under its name in its region", async () => {
    const account = mockAccount(prod, { account: prod.account, instances: [] }, now);
    const vault = (region: string, name: string) =>
      new BackupClient({ region }).send(new DescribeBackupVaultCommand({ BackupVaultName: name }));
    const rule = (region: string, name: string) =>
      new EventBridgeClient({ region }).send(new DescribeRuleCommand({ Name: name }));
    try {
      await expect(vault("eu-west-1", "vss-backup-prod-dr")).resolves.toMatchObject({ Locked: true });
      await expect(vault("eu-central-1", "vss-backup-prod-dr")).rejects.toThrow("does not exist");
      await expect(vault("eu-west-1", "vss-backup-prod")).rejects.toThrow("does not exist");
      await expect(rule("eu-central-1", "vss-backup-prod-backup-alerts")).resolves.toMatchObject({ State: "ENABLED" });
      await expect(rule("eu-west-1", "vss-backup-prod-backup-alerts")).rejects.toThrow("does not exist");
      await expect(rule("eu-central-1", "another-rule")).rejects.toThrow("does not exist");
    } finally {
      account.restore();
    }
  });

  it("keeps the AWS Config recorder in the environment's region", async () => {
    const account = mockAccount(prod, { account: prod.account, instances: [] }, now);
    try {
      const recorders = (region: string) =>
        new ConfigServiceClient({ region })
          .send(new DescribeConfigurationRecordersCommand({}))
          .then((r) => (r.ConfigurationRecorders ?? []).map((c) => c.name));
      expect(await recorders("eu-central-1")).toEqual(["default"]);
      expect(await recorders("eu-west-1")).toEqual([]);
    } finally {
      account.restore();
    }
  });

  it("rejects a command it does not mock", async () => {
    const account = mockAccount(dev, { account: dev.account, instances: [] }, now);
    try {
      const { DeleteRoleCommand } = await import("@aws-sdk/client-iam");
      await expect(
        new IAMClient({ region: "eu-west-1" }).send(new DeleteRoleCommand({ RoleName: "x" })),
      ).rejects.toThrow("the mocked iam does not answer this command");
    } finally {
      account.restore();
    }
  });
});

describe("values from AWS are data", () => {
  const raw = (text: string) => ["\u001b", "\u009b", "\r"].filter((c) => text.includes(c));
  const forged = "web-01\nREADY: 1 instances, 1 ready, 0 with warnings, 0 not ready\u001b[2K";
  const fleet = [
    healthy("i-1", {
      tags: { Backup: "windows-vss", Name: forged },
      jobs: [{ state: "FAILED", message: "VSS failed\r\nok   vault: all fine\u009b31m", hoursAgo: 2 }],
    }),
  ];

  it("escapes control characters in the table: a Name tag or a status message cannot forge a line", async () => {
    const run = await preflight("dev", { instances: fleet });
    const lines = run.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("i-1"))).toEqual([
      "i-1       web-01\\nREADY: 1 instances, 1 ready, 0 with warnings, 0 not ready\\x1b[2K  ok       ok       ok    ok    ok   ok   FAIL  latest backup FAILED: VSS failed\\r\\nok   vault: all fine\\x9b31m -> fix the cause AWS reports; the other checks usually name it",
    ]);
    expect(lines.filter((l) => l.startsWith("READY"))).toEqual([]);
    expect(lines.at(-1)).toBe("NOT READY: 1 instances, 0 ready, 0 with warnings, 1 not ready");
    expect(raw(run.stdout)).toEqual([]);
  });

  it("escapes line separators and bidirectional overrides too, which reorder or break what a terminal shows", () => {
    expect(escapeUnprintable("a\u2028b\u202ec\td\u0000e\u007f")).toBe("a\\u{2028}b\\u{202e}c\\td\\x00e\\x7f");
    expect(escapeUnprintable("Straße 1: ok")).toBe("Straße 1: ok");
  });

  it("keeps the values whole in JSON, with every control character escaped", async () => {
    const run = await preflight("dev", { instances: fleet }, "--json");
    expect(raw(run.stdout)).toEqual([]);
    expect(run.report!.instances[0].name).toBe(forged);
    expect(run.report!.tag).toEqual({ key: "Backup", value: "windows-vss" });
  });
});
