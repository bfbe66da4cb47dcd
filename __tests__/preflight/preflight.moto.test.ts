import { NOW } from "../support/clock";
import {
  BackupClient,
  CreateBackupVaultCommand,
  DeleteBackupVaultCommand,
  DeleteBackupVaultLockConfigurationCommand,
  DescribeBackupVaultCommand,
  PutBackupVaultLockConfigurationCommand,
} from "@aws-sdk/client-backup";
import { ConfigServiceClient, StopConfigurationRecorderCommand } from "@aws-sdk/client-config-service";
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand, _InstanceType } from "@aws-sdk/client-ec2";
import {
  DeleteRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import type { ProjectConfig } from "../../config/types";
import { loadEnvironments } from "../../config/validate";
import { instanceRoleNameOf, ManagedPolicies, VSS_FALLBACK_EVENT_PATTERN } from "../../modules";
import { main } from "../../preflight/cli";
import type { PreflightReport } from "../../preflight/run";
import { mockAccount, unmocked } from "../support/mock-fleet";
import {
  amazonImages,
  createInstanceRole,
  removeConfigRecording,
  removeInstanceRole,
  startConfigRecording,
  motoClientOptions,
  MotoClientOptions,
} from "../support/moto-fleet";
import { DEV, TEST_PROJECT as PROJECT } from "../support/fixtures";
import { MotoServer, startMoto } from "../../scripts/terraform/moto";
import { terraformTier } from "../terraform/tier";

const tier = terraformTier("preflight against moto", ["moto_server"]);
jest.setTimeout(120_000);

/**
 * The tests' dev environment with a copy to a second region (its DR vault lives in moto's
 * eu-central-1) and an audit framework (AWS Config must record in eu-west-1).
 */
const project: ProjectConfig = {
  ...PROJECT,
  environments: PROJECT.environments.map((e) =>
    e.name === "dev" ? { ...DEV, disasterRecovery: { region: "eu-central-1" }, audit: {} } : e,
  ),
};
const [env] = loadEnvironments(project, { only: "dev", now: NOW });
const instanceRole = instanceRoleNameOf(env.instanceRole);
/** What dev's stack deploys, spelt out: a governance lock of its one rule's 7 days on both vaults, the alert rule and its topic. */
const VAULT = "vss-backup-dev";
const DR_VAULT = "vss-backup-dev-dr";
const RULE = "vss-backup-dev-backup-alerts";
const TOPIC_ARN = "arn:aws:sns:eu-west-1:111111111111:vss-backup-dev-backup-alerts";
/** The account's AWS Config recorder in eu-west-1. */
const RECORDER = "default";
const tag = [{ Key: env.selectionTag.key, Value: env.selectionTag.value }];

/** IAM roles with their instance profiles, as a fleet has them; removed again in cleanup(). */
const roles: Record<string, readonly string[]> = {
  [instanceRole]: [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE, ManagedPolicies.EC2_VSS_SNAPSHOT],
  "weak-role": [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE],
};

tier.describe(
  "preflight against moto: EC2 instances, IAM, both vaults with their locks, the alert rule and AWS Config's recorder from moto; SSM and the rest of AWS Backup mocked (moto lacks them)",
  () => {
    let moto: MotoServer;
    let ec2: EC2Client;
    let iam: IAMClient;
    let options: MotoClientOptions;
    const backupIn = (region: string) => new BackupClient({ ...options, region });
    const launched: Record<string, string> = {};
    let ssmFleet: { id: string; tags: Record<string, string>; ssm: { ping: string; agent: string } }[];
    let report: PreflightReport;
    let code: number;

    /**
     * Runs preflight: EC2, IAM, STS, EventBridge, AWS Config and DescribeBackupVault (in either region) answer
     * from moto; SSM and the plan, selections, region settings and jobs from the mock.
     */
    const preflight = async (): Promise<{ code: number; report: PreflightReport }> => {
      const account = mockAccount(env, { account: env.account, instances: ssmFleet }, NOW);
      account.mocks.ec2.restore();
      account.mocks.iam.restore();
      account.mocks.sts.restore();
      account.mocks.events.restore();
      account.mocks.config.restore();
      const backup = (region: string) => {
        const fromMoto = unmocked(backupIn(region));
        const mocked = account.clients(region).backup;
        return {
          send: (command: object, ...rest: unknown[]) =>
            command instanceof DescribeBackupVaultCommand
              ? fromMoto.send(command, ...(rest as []))
              : mocked.send(command as DescribeBackupVaultCommand, ...(rest as [])),
        } as unknown as BackupClient;
      };
      try {
        let output = "";
        const exit = await main(["--env", env.name, "--json"], {
          config: project,
          now: NOW,
          caller: { sleep: async () => undefined },
          clients: (region) => ({
            ...account.clients(region),
            sts: new STSClient(options),
            ec2,
            iam,
            backup: backup(region),
            events: new EventBridgeClient({ ...options, region }),
            config: new ConfigServiceClient({ ...options, region }),
          }),
          stdout: (text) => (output = text),
          stderr: (text) => console.error(text),
          isTty: false,
        });
        return { code: exit, report: JSON.parse(output) };
      } finally {
        account.restore();
      }
    };

    beforeAll(async () => {
      moto = await startMoto(env.account);
      options = motoClientOptions(moto.endpoint, env.region);
      ec2 = new EC2Client(options);
      iam = new IAMClient(options);
      // The backup side as dev's stack deploys it (the topic itself is not needed: preflight reads the rule's target).
      for (const [region, vault] of [
        ["eu-west-1", VAULT],
        ["eu-central-1", DR_VAULT],
      ]) {
        await backupIn(region).send(new CreateBackupVaultCommand({ BackupVaultName: vault }));
        await backupIn(region).send(
          new PutBackupVaultLockConfigurationCommand({
            BackupVaultName: vault,
            MinRetentionDays: 7,
            MaxRetentionDays: 7,
          }),
        );
      }
      const events = new EventBridgeClient(options);
      await events.send(
        new PutRuleCommand({ Name: RULE, EventPattern: JSON.stringify(VSS_FALLBACK_EVENT_PATTERN), State: "ENABLED" }),
      );
      await events.send(new PutTargetsCommand({ Rule: RULE, Targets: [{ Id: "alert-topic", Arn: TOPIC_ARN }] }));
      await startConfigRecording(new ConfigServiceClient(options), env.account, RECORDER);
      for (const [role, policies] of Object.entries(roles)) await createInstanceRole(iam, role, policies);
      const { windows: windowsAmi, linux: linuxAmi } = await amazonImages(ec2);
      const run = async (name: string, ami: string, type: _InstanceType, profile?: string, tags = tag) => {
        const result = await ec2.send(
          new RunInstancesCommand({
            ImageId: ami,
            InstanceType: type,
            MinCount: 1,
            MaxCount: 1,
            IamInstanceProfile: profile ? { Name: profile } : undefined,
            TagSpecifications: [{ ResourceType: "instance", Tags: [...tags, { Key: "Name", Value: name }] }],
          }),
        );
        launched[name] = result.Instances![0].InstanceId!;
      };
      await run("ready", windowsAmi, "m5.large", instanceRole);
      await run("micro", windowsAmi, "t3.micro", instanceRole);
      await run("weak", windowsAmi, "m5.large", "weak-role");
      await run("no-profile", windowsAmi, "m5.large");
      await run("linux", linuxAmi, "m5.large", instanceRole);
      await run("untagged", windowsAmi, "m5.large", instanceRole, []);

      // SSM and AWS Backup answer from the mock, about the instances moto launched.
      ssmFleet = Object.entries(launched).map(([name, id]) => ({
        id,
        tags: name === "untagged" ? { Name: name } : { [env.selectionTag.key]: env.selectionTag.value, Name: name },
        ssm: { ping: "Online", agent: "3.3.1142.0" },
      }));
      ({ code, report } = await preflight());
    });

    afterAll(async () => {
      try {
        if (ec2 && Object.keys(launched).length > 0)
          await ec2.send(new TerminateInstancesCommand({ InstanceIds: Object.values(launched) }));
        for (const [role, policies] of Object.entries(roles)) if (iam) await removeInstanceRole(iam, role, policies);
        const ignore = () => undefined;
        if (options) {
          const events = new EventBridgeClient(options);
          await events.send(new RemoveTargetsCommand({ Rule: RULE, Ids: ["alert-topic"] })).catch(ignore);
          await events.send(new DeleteRuleCommand({ Name: RULE })).catch(ignore);
          await removeConfigRecording(new ConfigServiceClient(options), RECORDER);
          for (const [region, vault] of [
            ["eu-west-1", VAULT],
            ["eu-central-1", DR_VAULT],
          ]) {
            await backupIn(region)
              .send(new DeleteBackupVaultLockConfigurationCommand({ BackupVaultName: vault }))
              .catch(ignore);
            await backupIn(region)
              .send(new DeleteBackupVaultCommand({ BackupVaultName: vault }))
              .catch(ignore);
          }
        }
      } finally {
        await moto?.stop();
      }
    });

    const checks = (name: string) => report.instances.find((i) => i.id === launched[name])!.checks;

    it("finds exactly the tagged instances, through DescribeInstances' tag filter", () => {
      const { untagged, ...tagged } = launched;
      expect(report.instances.map((i) => i.id).sort()).toEqual(Object.values(tagged).sort());
      expect(report.instances.map((i) => i.id)).not.toContain(untagged);
    });

    it("passes the instance with the right profile, type and platform", () => {
      expect(Object.values(checks("ready")).filter((c) => c.status !== "pass")).toEqual([]);
    });

    it("reads the role through the real instance profile and judges its attached policies", () => {
      expect(checks("ready").role.detail).toMatch(new RegExp(`^role ${instanceRole} allows what VSS needs`));
      expect(checks("weak").role).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/^role weak-role lacks/),
      });
    });

    it("fails the unsupported type, the Linux instance and the instance without a profile", () => {
      expect(checks("micro").type).toMatchObject({
        status: "fail",
        detail: "t3.micro is too small for VSS backups (AWS excludes it)",
      });
      expect(checks("linux").windows).toMatchObject({
        status: "fail",
        fix: `remove the tag: aws ec2 delete-tags --resources ${launched.linux} --tags Key=Backup`,
      });
      expect(checks("no-profile").role).toMatchObject({ status: "fail", detail: "no instance profile" });
      expect(code).toBe(1);
    });

    it("passes the backup side moto holds as the stack deploys it: both vaults locked, the rule enabled with its target, AWS Config recording", () => {
      expect(report.backupSide).toMatchObject({
        vaultLock: { status: "pass", detail: "vault vss-backup-dev has a governance lock of 7-7 days" },
        drVault: { status: "pass", detail: "DR vault vss-backup-dev-dr in eu-central-1 exists" },
        drVaultLock: { status: "pass", detail: "DR vault vss-backup-dev-dr has a governance lock of 7-7 days" },
        alertRule: { status: "pass", detail: "rule vss-backup-dev-backup-alerts is ENABLED in eu-west-1" },
        alertTarget: { status: "pass", detail: `rule vss-backup-dev-backup-alerts sends to ${TOPIC_ARN}` },
        configRecorder: {
          status: "pass",
          detail: "AWS Config recorder default is recording in eu-west-1, every supported resource type",
        },
      });
      expect(Object.entries(report.backupSide).filter(([, c]) => c.status !== "pass")).toEqual([]);
      expect(report.apiCalls).toMatchObject({ events: 2, config: 2 });
    });

    it("finds the rule disabled and the DR vault's lock removed, and nothing else on the backup side", async () => {
      await new EventBridgeClient(options).send(new DisableRuleCommand({ Name: RULE }));
      await backupIn("eu-central-1").send(new DeleteBackupVaultLockConfigurationCommand({ BackupVaultName: DR_VAULT }));
      const broken = await preflight();
      expect(Object.entries(broken.report.backupSide).filter(([, c]) => c.status !== "pass")).toEqual([
        [
          "drVaultLock",
          {
            status: "fail",
            detail:
              "DR vault vss-backup-dev-dr has no vault lock; expected a governance lock of 7-7 days (derived from the copies' retention)",
            fix: "deploy the stack: npx cdktf deploy dev",
          },
        ],
        [
          "alertRule",
          {
            status: "fail",
            detail:
              "rule vss-backup-dev-backup-alerts is DISABLED in eu-west-1: failed and crash-consistent backups alert no one",
            fix: "aws events enable-rule --name vss-backup-dev-backup-alerts --region eu-west-1",
          },
        ],
      ]);
      expect(broken.code).toBe(1);
    });

    it("finds moto's AWS Config recorder stopped, with the command that starts it", async () => {
      await new ConfigServiceClient(options).send(
        new StopConfigurationRecorderCommand({ ConfigurationRecorderName: RECORDER }),
      );
      const stopped = await preflight();
      expect(stopped.report.backupSide.configRecorder).toEqual({
        status: "fail",
        detail:
          "AWS Config recorder default in eu-west-1 is not recording: the audit framework vss_backup_dev_vss's controls cannot evaluate",
        fix: "aws configservice start-configuration-recorder --configuration-recorder-name default --region eu-west-1",
      });
      expect(stopped.code).toBe(1);
    });
  },
);
