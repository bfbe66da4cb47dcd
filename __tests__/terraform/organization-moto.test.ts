// Organization mode end to end against moto_server without MOTO_ACCOUNT_ID (the only setting under
// which moto implements AWS Organizations; its default account, 123456789012, is then the
// management account): an organization with two OUs and a member account in each, created first
// (moto gives member accounts random IDs), the accounts sync over it, the organization's
// configuration loaded against that file, the management stack planned, member stacks applied
// through their named AWS profile (written as deploy:wave writes it: role_arn and
// credential_source = Environment, in the file AWS_CONFIG_FILE names) into their accounts and read
// back there, and
// `preflight --organization` over the fleet.
import { BackupClient, DescribeBackupVaultCommand, GetBackupPlanCommand } from "@aws-sdk/client-backup";
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { DescribeEventBusCommand, EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, GetInstanceProfileCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, AssumeRoleCommandOutput, STSClient } from "@aws-sdk/client-sts";
import { writeFileSync } from "fs";
import { join } from "path";
import { readAccountsFile } from "../../config/accounts-file";
import { loadOrganization } from "../../config/organization-load";
import type {
  AccountsFile,
  OrganizationConfig,
  ResolvedMember,
  ResolvedOrganization,
} from "../../config/organization-types";
import { BackupRules, instanceRoleNameOf } from "../../modules";
import { createOrganizationClients } from "../../organization/aws";
import { formatAccountsFile, readOrganization } from "../../organization/sync";
import { AwsCaller, AwsCredentials, Clients } from "../../preflight/aws";
import { main as preflight } from "../../preflight/cli";
import type { OrganizationReport } from "../../preflight/organization";
import { memberProfilesConfig } from "../../scripts/member-profiles";
import { MotoServer, startMoto } from "../../scripts/terraform/moto";
import { initAndValidate } from "../../scripts/terraform/tools";
import { buildApp } from "../../stacks/app";
import { NOW } from "../support/clock";
import { accountClientClasses, MANAGED_MODE_ROLE, mockAccount } from "../support/mock-fleet";
import { amazonImages, motoClientOptions } from "../support/moto-fleet";
import {
  expectClean,
  freshDir,
  managedAfter,
  PlanApplyDestroy,
  planApplyDestroy,
  StateResource,
  terraformTier,
} from "./tier";

const tier = terraformTier("Terraform tier: organization mode against moto");
jest.setTimeout(10 * 60_000);

/** moto's account when MOTO_ACCOUNT_ID is not set: the organization's management account. */
const MANAGEMENT_ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const DEPLOY_ROLE = "vss-backup-deploy";
const PLAN_ROLE = "vss-backup-plan";
const PREFLIGHT_ROLE = "vss-backup-preflight";

/**
 * Two templates over the two OUs: prod's plan comes from the organization's backup policy, sandbox's
 * from its own stack. Vaults without prevent_destroy: this run destroys what it applies.
 */
const CONFIG: OrganizationConfig = {
  project: "vss-backup",
  management: { account: MANAGEMENT_ACCOUNT, region: REGION, alertEmails: ["backup-oncall@example.com"] },
  memberRoles: { deployRoleName: DEPLOY_ROLE, planRoleName: PLAN_ROLE, preflightRoleName: PREFLIGHT_ROLE },
  waves: ["sandbox", "prod"],
  templates: [
    {
      name: "prod",
      ous: ["Root/Workloads/Prod"],
      regions: [REGION],
      wave: "prod",
      plan: { rules: [BackupRules.daily({ keepDays: 35, atHour: 23 })] },
      vault: { preventDestroy: false },
    },
    {
      name: "sandbox",
      ous: ["Root/Sandbox"],
      regions: [REGION],
      wave: "sandbox",
      planSource: "account-plan",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
      vault: { preventDestroy: false },
    },
  ],
};

/** What moto implements of the member stacks; the SSM association and the backup selection are planned only. */
const APPLIED_BY_MOTO = [
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_instance_profile",
  "aws_backup_vault",
  "aws_backup_vault_lock_configuration",
  "aws_backup_plan",
  "aws_kms_key",
  "aws_kms_alias",
  "aws_sns_topic",
  "aws_sns_topic_policy",
  "aws_sns_topic_subscription",
  "aws_cloudwatch_event_rule",
  "aws_cloudwatch_event_target",
  "aws_cloudwatch_event_bus",
  "aws_cloudwatch_event_bus_policy",
];
/** moto answers CreatePolicy of type BACKUP_POLICY with a 500 (Terraform retries for many minutes): never applied. */
const PLAN_ONLY = ["aws_organizations_policy", "aws_organizations_policy_attachment"];

/** validate, plan, apply of the resources moto implements only (never PLAN_ONLY ones), destroy: each a promise. */
function startRun(dir: string, env: NodeJS.ProcessEnv): PlanApplyDestroy {
  const validated = initAndValidate(dir, env, { backend: true }).then(expectClean);
  return planApplyDestroy(dir, async () => env, APPLIED_BY_MOTO, validated);
}

const stateOf = (resources: StateResource[], type: string) =>
  resources.filter((r) => r.type === type).map((r) => r.values);

tier.describe("organization mode against moto's AWS Organizations, STS, IAM, AWS Backup and EventBridge", () => {
  let moto: MotoServer;
  let sts: STSClient;
  let accounts: AccountsFile;
  let org: ResolvedOrganization;
  const ous: Record<string, string> = {};
  const ids = { prod: "", sandbox: "" };
  let prodMember: ResolvedMember;
  let sandboxMember: ResolvedMember;
  const runs = new Map<string, PlanApplyDestroy>();

  /** SDK options acting in `account`, through an assumed role there (moto's credentials name the account). */
  const inAccount = async (account: string, region = REGION) => {
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${DEPLOY_ROLE}`, RoleSessionName: "test" }),
    );
    const { AccessKeyId, SecretAccessKey, SessionToken } = assumed.Credentials!;
    return {
      endpoint: moto.endpoint,
      region,
      credentials: { accessKeyId: AccessKeyId!, secretAccessKey: SecretAccessKey!, sessionToken: SessionToken },
    };
  };

  beforeAll(async () => {
    moto = await startMoto(undefined);
    const options = motoClientOptions(moto.endpoint, "us-east-1");
    sts = new STSClient(options);
    const organizations = new OrganizationsClient(options);
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    const rootId = (await organizations.send(new ListRootsCommand({}))).Roots![0].Id!;
    const createOu = async (ParentId: string, Name: string) =>
      (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId, Name }))).OrganizationalUnit!.Id!;
    ous["Root/Workloads"] = await createOu(rootId, "Workloads");
    ous["Root/Workloads/Prod"] = await createOu(ous["Root/Workloads"], "Prod");
    ous["Root/Sandbox"] = await createOu(rootId, "Sandbox");
    const createAccount = async (AccountName: string, ouPath: string) => {
      const created = await organizations.send(
        new CreateAccountCommand({ AccountName, Email: `${AccountName}@example.com` }),
      );
      const id = created.CreateAccountStatus!.AccountId!;
      await organizations.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ous[ouPath] }),
      );
      return id;
    };
    ids.prod = await createAccount("orders-prod", "Root/Workloads/Prod");
    ids.sandbox = await createAccount("sandbox-dev", "Root/Sandbox");
    // The roles every member account has (from a StackSet): moto never refuses AssumeRole, but a real account needs them.
    const trustManagement = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` }, Action: "sts:AssumeRole" },
      ],
    });
    for (const account of Object.values(ids)) {
      const iam = new IAMClient(await inAccount(account));
      for (const RoleName of [DEPLOY_ROLE, PLAN_ROLE, PREFLIGHT_ROLE])
        await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustManagement }));
    }

    // The accounts file, written as `npm run accounts -- sync` writes it and read as synth reads it.
    const synced = await readOrganization(
      new AwsCaller(
        (region) => createOrganizationClients(region, motoClientOptions(moto.endpoint, region)),
        "us-east-1",
      ),
    );
    const accountsPath = join(freshDir("organization-moto-accounts"), "accounts.json");
    writeFileSync(accountsPath, formatAccountsFile(synced));
    accounts = readAccountsFile(accountsPath);
    org = loadOrganization(CONFIG, accounts, { now: NOW });
    prodMember = org.members.find((m) => m.account === ids.prod)!;
    sandboxMember = org.members.find((m) => m.account === ids.sandbox)!;

    const out = freshDir("organization-moto");
    buildApp(org.members, { outdir: out }, NOW, org.management).synth();
    // The member profiles an apply of deploy:wave writes: each assumes its account's deploy role with moto's keys.
    const awsConfig = join(out, "aws-config");
    writeFileSync(
      awsConfig,
      memberProfilesConfig(
        org.members.map((m) => m.member),
        "apply",
        moto.env,
      ),
    );
    // The provider assumes a profile's role while it resolves credentials, with an STS client that
    // takes its endpoint from AWS_ENDPOINT_URL_STS (or endpoints.sts), not from AWS_ENDPOINT_URL.
    const env = { ...tier.env, ...moto.env, AWS_ENDPOINT_URL_STS: moto.endpoint, AWS_CONFIG_FILE: awsConfig };
    for (const name of [org.management.name, ...org.members.map((m) => m.name)])
      runs.set(name, startRun(join(out, "stacks", name), env));
  });

  afterAll(async () => {
    // Destroy before stopping moto, also when a test failed.
    await Promise.allSettled([...runs.values()].map((run) => run.destroy()));
    await moto?.stop();
  });

  it("syncs the accounts file from the organization moto holds: its OUs by path, one member stack per member account", () => {
    expect(accounts.managementAccountId).toBe(MANAGEMENT_ACCOUNT);
    expect(accounts.organizationalUnits.map((ou) => [ou.path, ou.id])).toEqual([
      ["Root", expect.stringMatching(/^r-/)],
      ["Root/Sandbox", ous["Root/Sandbox"]],
      ["Root/Workloads", ous["Root/Workloads"]],
      ["Root/Workloads/Prod", ous["Root/Workloads/Prod"]],
    ]);
    expect(org.members.map((m) => [m.name, m.member.ouPath, m.member.planSource, m.member.deployRoleArn])).toEqual([
      [`a${ids.sandbox}-${REGION}`, "Root/Sandbox", "account-plan", `arn:aws:iam::${ids.sandbox}:role/${DEPLOY_ROLE}`],
      [
        `a${ids.prod}-${REGION}`,
        "Root/Workloads/Prod",
        "organization-policy",
        `arn:aws:iam::${ids.prod}:role/${DEPLOY_ROLE}`,
      ],
    ]);
  });

  describe("the management stack", () => {
    const run = () => runs.get(org.management.name)!;

    it("plans the prod template's backup policy with WindowsVSS enabled, naming the vault and role the member stacks create (plan-only: moto lacks BACKUP_POLICY)", async () => {
      const [policy] = managedAfter(await run().plan, "aws_organizations_policy");
      expect(policy).toMatchObject({ name: "vss-backup-prod-vss", type: "BACKUP_POLICY" });
      const assign = (value: unknown) => ({ "@@assign": value });
      expect(JSON.parse(String(policy.content))).toEqual({
        plans: {
          "vss-backup-prod": {
            regions: assign([REGION]),
            rules: {
              daily: {
                schedule_expression: assign("cron(0 23 ? * * *)"),
                start_backup_window_minutes: assign("60"),
                complete_backup_window_minutes: assign("480"),
                target_backup_vault_name: assign("vss-backup-prod"),
                lifecycle: { delete_after_days: assign("35") },
              },
            },
            selections: {
              resources: {
                "vss-backup-prod-windows-instances": {
                  iam_role_arn: assign("arn:aws:iam::$account:role/vss-backup-prod-backup-service"),
                  resource_types: assign(["arn:aws:ec2:*:*:instance/*"]),
                  conditions: {
                    string_equals: {
                      selection_tag: {
                        condition_key: assign("aws:ResourceTag/Backup"),
                        condition_value: assign("windows-vss"),
                      },
                    },
                  },
                },
              },
            },
            advanced_backup_settings: { ec2: { windows_vss: assign("enabled") } },
          },
        },
      });
    });

    it("plans one attachment, to the prod OU's ID from the accounts file (plan-only)", async () => {
      expect(managedAfter(await run().plan, "aws_organizations_policy_attachment")).toEqual([
        expect.objectContaining({ target_id: ous["Root/Workloads/Prod"] }),
      ]);
    });

    it("applies the central alerts without the policy: the bus whose policy admits the organization, its rule sending to the topic", async () => {
      const state = await run().applied;
      expect(state.filter((r) => PLAN_ONLY.includes(r.type))).toEqual([]);
      const events = new EventBridgeClient(motoClientOptions(moto.endpoint, REGION));
      const bus = await events.send(new DescribeEventBusCommand({ Name: org.management.centralAlerts.busName }));
      expect(bus.Arn).toBe(prodMember.member.centralBusArn);
      const [statement] = JSON.parse(bus.Policy!).Statement;
      expect(statement).toMatchObject({
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: bus.Arn,
        Condition: { StringEquals: { "aws:PrincipalOrgID": accounts.organizationId } },
      });
      const [topic] = stateOf(state, "aws_sns_topic");
      const targets = await events.send(
        new ListTargetsByRuleCommand({
          Rule: org.management.centralAlerts.ruleName,
          EventBusName: org.management.centralAlerts.busName,
        }),
      );
      expect(targets.Targets?.map((t) => t.Arn)).toEqual([topic.arn]);
    });
  });

  // The governance lock each stack deploys: its one rule's retention as the range.
  describe.each([
    ["prod", "organization-policy", 35],
    ["sandbox", "account-plan", 7],
  ] as const)("the %s member stack (%s), through its AWS profile", (template, planSource, lockDays) => {
    const member = () => (template === "prod" ? prodMember : sandboxMember);
    const run = () => runs.get(member().name)!;

    it("plans the association and, with a plan of its own, the selection (plan-only: moto lacks CreateAssociation and CreateBackupSelection)", async () => {
      const changes = await run().plan;
      const [association] = managedAfter(changes, "aws_ssm_association");
      expect(association).toMatchObject({
        name: "AWS-ConfigureAWSPackage",
        targets: [{ key: "tag:Backup", values: ["windows-vss"] }],
      });
      expect(managedAfter(changes, "aws_backup_plan").map((p) => p.name)).toEqual(
        planSource === "account-plan" ? [`vss-backup-${template}`] : [],
      );
      expect(managedAfter(changes, "aws_backup_selection")).toHaveLength(planSource === "account-plan" ? 1 : 0);
    });

    it("creates the vault and the roles in the member account, none in the management account", async () => {
      await run().applied;
      const account = member().account;
      const there = await inAccount(account);
      const vault = await new BackupClient(there).send(
        new DescribeBackupVaultCommand({ BackupVaultName: member().vault.name }),
      );
      expect(vault.BackupVaultArn).toBe(`arn:aws:backup:${REGION}:${account}:backup-vault:vss-backup-${template}`);
      expect([vault.Locked, vault.MinRetentionDays, vault.MaxRetentionDays]).toEqual([true, lockDays, lockDays]);
      const iam = new IAMClient(there);
      const serviceRole = await iam.send(new GetRoleCommand({ RoleName: `vss-backup-${template}-backup-service` }));
      expect(serviceRole.Role?.Arn).toBe(`arn:aws:iam::${account}:role/vss-backup-${template}-backup-service`);
      const profileName = instanceRoleNameOf(member().instanceRole);
      const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }));
      expect(profile.InstanceProfile?.Arn).toBe(`arn:aws:iam::${account}:instance-profile/${profileName}`);

      const management = motoClientOptions(moto.endpoint, REGION);
      await expect(
        new BackupClient(management).send(new DescribeBackupVaultCommand({ BackupVaultName: member().vault.name })),
      ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      await expect(
        new IAMClient(management).send(new GetRoleCommand({ RoleName: `vss-backup-${template}-backup-service` })),
      ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    });

    if (planSource === "account-plan")
      it("creates its own plan in the member account, with WindowsVSS enabled", async () => {
        const [plan] = stateOf(await run().applied, "aws_backup_plan");
        const read = await new BackupClient(await inAccount(member().account)).send(
          new GetBackupPlanCommand({ BackupPlanId: String(plan.id) }),
        );
        expect(read.AdvancedBackupSettings).toEqual([
          { ResourceType: "EC2", BackupOptions: { WindowsVSS: "enabled" } },
        ]);
        expect(read.BackupPlanArn).toMatch(new RegExp(`^arn:aws:backup:${REGION}:${member().account}:backup-plan:`));
      });

    it("forwards its alerts to the central bus in the management account, with a role of its own account", async () => {
      await run().applied;
      const there = await inAccount(member().account);
      const targets = await new EventBridgeClient(there).send(
        new ListTargetsByRuleCommand({ Rule: `vss-backup-${template}-backup-alerts` }),
      );
      const busArn = `arn:aws:events:${REGION}:${MANAGEMENT_ACCOUNT}:event-bus/vss-backup-backup-alerts`;
      expect(targets.Targets?.map((t) => [t.Arn, t.RoleArn?.split(":")[4]])).toEqual([[busArn, member().account]]);
      const role = await new IAMClient(there).send(
        new GetRoleCommand({ RoleName: targets.Targets![0].RoleArn!.split("/").pop() }),
      );
      expect(role.Role?.Arn).toBe(targets.Targets![0].RoleArn);
    });
  });

  describe("preflight --organization over the fleet: STS, EC2, IAM, EventBridge and the vaults from moto, as Terraform applied them; SSM and the rest of AWS Backup mocked (moto lacks them)", () => {
    let json: { code: number; output: string };
    let table: { code: number; output: string };
    let instanceId: string;

    beforeAll(async () => {
      await Promise.all(org.members.map((m) => runs.get(m.name)!.applied));
      // One Windows instance in the prod account, with the instance profile its stack created and the backup tag.
      const prodEc2 = new EC2Client(await inAccount(ids.prod));
      const { windows } = await amazonImages(prodEc2);
      const profile = instanceRoleNameOf(prodMember.instanceRole);
      const launched = await prodEc2.send(
        new RunInstancesCommand({
          ImageId: windows,
          InstanceType: "m5.large",
          MinCount: 1,
          MaxCount: 1,
          IamInstanceProfile: { Name: profile },
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Backup", Value: "windows-vss" }] }],
        }),
      );
      instanceId = launched.Instances![0].InstanceId!;

      // The rest of each account as its stack and its instances leave it, mocked per account.
      const mocked = new Map(
        org.members.map((m) => [
          m.account,
          mockAccount(
            m,
            {
              account: m.account,
              roles: { [instanceRoleNameOf(m.instanceRole)]: MANAGED_MODE_ROLE },
              instances:
                m === prodMember
                  ? [
                      {
                        id: instanceId,
                        role: profile,
                        ssm: { ping: "Online", agent: "3.3.1142.0" },
                        jobs: [{ state: "COMPLETED", hoursAgo: 5 }],
                      },
                    ]
                  : [],
            },
            NOW,
            accountClientClasses(),
          ),
        ]),
      );
      // AssumeRole's credentials name their account to moto; the mocks are told which account they belong to.
      const accountOfKey = new Map<string, string>();
      const callerSts = new STSClient(motoClientOptions(moto.endpoint, REGION));
      const send = callerSts.send.bind(callerSts) as (command: unknown) => Promise<unknown>;
      Object.assign(callerSts, {
        send: async (command: unknown) => {
          const answer = (await send(command)) as AssumeRoleCommandOutput;
          if (command instanceof AssumeRoleCommand)
            accountOfKey.set(answer.Credentials!.AccessKeyId!, answer.AssumedRoleUser!.Arn!.split(":")[4]);
          return answer;
        },
      });
      const clients = (region: string, credentials?: AwsCredentials): Clients => {
        const account = credentials && accountOfKey.get(credentials.accessKeyId);
        const mock = account ? mocked.get(account) : undefined;
        if (!credentials || !mock) return { ...mocked.get(ids.prod)!.clients(region), sts: callerSts };
        const options = { endpoint: moto.endpoint, region, credentials };
        const mockedBackup = mock.clients(region).backup;
        const motoBackup = new BackupClient(options);
        return {
          ...mock.clients(region),
          sts: new STSClient(options),
          ec2: new EC2Client(options),
          iam: new IAMClient(options),
          events: new EventBridgeClient(options),
          backup: {
            send: (command: object) =>
              command instanceof DescribeBackupVaultCommand
                ? motoBackup.send(command)
                : mockedBackup.send(command as DescribeBackupVaultCommand),
          } as unknown as BackupClient,
        };
      };
      const run = async (...flags: string[]) => {
        const out: string[] = [];
        const exit = await preflight(["--organization", ...flags], {
          now: NOW,
          organization: () => ({ config: CONFIG, accounts, loadOrganization }),
          clients,
          caller: { sleep: async () => undefined },
          stdout: (text) => out.push(text),
          stderr: (text) => console.error(text),
          isTty: false,
        });
        return { code: exit, output: out.join("\n") };
      };
      try {
        json = await run("--json");
        table = await run();
      } finally {
        for (const account of mocked.values()) account.restore();
      }
    });

    it("reports each member account with its verdict", () => {
      const report = JSON.parse(json.output) as OrganizationReport;
      expect(
        report.accounts.map((a) => [a.account, a.name, a.ouPath, a.status, a.errors, a.stacks.map((s) => s.region)]),
      ).toEqual([
        [ids.sandbox, "sandbox-dev", "Root/Sandbox", "fail", [], [REGION]],
        [ids.prod, "orders-prod", "Root/Workloads/Prod", "pass", [], [REGION]],
      ]);
      // What moto holds, as Terraform applied it in each account: the vault, its lock, the alert rule and its target.
      const fromMoto = ["vault", "vaultLock", "alertRule", "alertTarget"];
      const busArn = `arn:aws:events:${REGION}:${MANAGEMENT_ACCOUNT}:event-bus/vss-backup-backup-alerts`;
      expect(
        report.accounts.map((a) =>
          Object.entries(a.stacks[0].backupSide)
            .filter(([name]) => fromMoto.includes(name))
            .map(([name, check]) => [name, check.status, check.detail]),
        ),
      ).toEqual(
        [
          ["sandbox", 7],
          ["prod", 35],
        ].map(([template, days]) => [
          ["vault", "pass", `vault vss-backup-${template} exists`],
          ["vaultLock", "pass", `vault vss-backup-${template} has a governance lock of ${days}-${days} days`],
          ["alertRule", "pass", `rule vss-backup-${template}-backup-alerts is ENABLED in ${REGION}`],
          ["alertTarget", "pass", `rule vss-backup-${template}-backup-alerts sends to ${busArn}`],
        ]),
      );
      expect(json.code).toBe(1);
    });

    it("shows the table with the account column: the sandbox account has nothing tagged, the prod account's instance is ready; exit 1", () => {
      const sandbox = `${ids.sandbox} (sandbox-dev)`;
      const prod = `${ids.prod} (orders-prod)`;
      expect(table.output.split("\n")).toEqual([
        "VSS preflight across the organization: 2 accounts",
        "",
        `FAIL ${sandbox} ${REGION}: no instance carries Backup=windows-vss: nothing is protected`,
        "     fix: tag the instances to back up: aws ec2 create-tags --resources <id> --tags Key=Backup,Value=windows-vss",
        "",
        "account                     region     instance             name  running  windows  type  role  ssm  vss  jobs  fix",
        `${prod}  ${REGION}  ${instanceId}        ok       ok       ok    ok    ok   ok   ok`,
        "",
        "NOT READY: 2 accounts, 2 checked, 0 unreachable; 1 instances, 1 ready, 0 with warnings, 0 not ready",
      ]);
      expect(table.code).toBe(1);
    });
  });

  it("destroys what it applied in every account: each stack's state is empty", async () => {
    const left = await Promise.all([...runs.values()].map((run) => run.destroy()));
    expect(left).toEqual([...runs.keys()].map(() => ""));
  });
});
