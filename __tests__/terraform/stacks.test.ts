import { NOW } from "../support/clock";
import { motoClientOptions } from "../support/moto-fleet";
import {
  BackupClient,
  DescribeBackupVaultCommand,
  DescribeReportPlanCommand,
  GetBackupPlanCommand,
} from "@aws-sdk/client-backup";
import {
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { readFileSync } from "fs";
import { join } from "path";
import { TEST_PROJECT as config } from "../support/fixtures";
import type { ResolvedEnvironment } from "../../config/resolve";
import { loadEnvironments } from "../../config/validate";
import { instanceRoleNameOf, ManagedPolicies } from "../../modules";
import { startMoto, MotoServer } from "../../scripts/terraform/moto";
import { initAndValidate, ValidateOutput } from "../../scripts/terraform/tools";
import { buildApp } from "../../stacks/app";
import { expectedResourceCounts } from "../expected-resources";
import {
  expectClean,
  freshDir,
  handled,
  managedAfter,
  PlanApplyDestroy,
  planApplyDestroy,
  terraformTier,
} from "./tier";
import { backupJobEvent, judgeEvents, restoreJobEvent } from "../support/event-engine";
import { ADMINISTRATOR, simulate } from "../support/iam";

const tier = terraformTier("Terraform tier");
jest.setTimeout(10 * 60_000);

/**
 * Resource types moto implements; the backup selection, the SSM association, the vault policy and
 * restore testing are planned only.
 * the audit framework are planned only. A report plan is applied when it names no framework.
 */
const APPLIED_BY_MOTO = [
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_instance_profile",
  "aws_backup_vault",
  "aws_backup_plan",
  "aws_kms_key",
  "aws_kms_alias",
  "aws_sns_topic",
  "aws_sns_topic_policy",
  "aws_sns_topic_subscription",
  "aws_cloudwatch_event_rule",
  "aws_cloudwatch_event_target",
  "aws_backup_vault_lock_configuration",
  "aws_backup_report_plan",
];

/** Every stage of one stack, each a promise the tests await (a failed stage fails its tests with Terraform's output). */
interface StackRun extends PlanApplyDestroy {
  readonly env: ResolvedEnvironment;
  readonly synthesizedResources: Record<string, Record<string, unknown>>;
  readonly validateJson: Promise<ValidateOutput>;
  readonly validateHcl: Promise<ValidateOutput>;
}

/** The configuration's environments with prevent_destroy switched off: this cycle destroys what it applies. */
const environments = loadEnvironments(
  {
    ...config,
    environments: config.environments.map((e) => ({ ...e, vault: { ...e.vault, preventDestroy: false } })),
  },
  { now: NOW },
);
const servers = new Map<string, Promise<MotoServer>>();
const runs = new Map<string, StackRun>();

function motoFor(account: string): Promise<MotoServer> {
  if (!servers.has(account)) servers.set(account, startMoto(account));
  return servers.get(account)!;
}

function startRun(env: ResolvedEnvironment, jsonDir: string, hclDir: string): StackRun {
  const synthesized = JSON.parse(readFileSync(join(jsonDir, "cdk.tf.json"), "utf8"));
  const validateJson = handled(initAndValidate(jsonDir, tier.env, { backend: true }));
  const validateHcl = handled(initAndValidate(hclDir, tier.env, { backend: false }));
  const withMoto = async () => ({ ...tier.env, ...(await motoFor(env.account)).env });
  const stages = planApplyDestroy(jsonDir, withMoto, APPLIED_BY_MOTO, validateJson);
  return { env, synthesizedResources: synthesized.resource, validateJson, validateHcl, ...stages };
}

beforeAll(() => {
  if (tier.describe === describe.skip) return;
  const jsonOut = freshDir("json");
  const hclOut = freshDir("hcl");
  freshDir("terraform-state");
  buildApp(environments, { outdir: jsonOut }).synth();
  buildApp(environments, { outdir: hclOut, hclOutput: true }).synth();
  for (const env of environments)
    runs.set(env.name, startRun(env, join(jsonOut, "stacks", env.name), join(hclOut, "stacks", env.name)));
});

afterAll(async () => {
  // Destroy before stopping moto, also when a test failed; then stop every server started.
  await Promise.allSettled([...runs.values()].map((run) => run.destroy()));
  await Promise.allSettled([...servers.values()].map(async (server) => (await server).stop()));
});

/** Policies compared by meaning: single values as one-element arrays, Sid and key order ignored. */
function normalisePolicy(json: unknown): unknown {
  const document = JSON.parse(String(json));
  const list = (value: unknown) => (value === undefined ? undefined : ([] as unknown[]).concat(value).sort());
  return {
    Version: document.Version,
    Statement: document.Statement.map((s: Record<string, unknown>) => ({
      Effect: s.Effect,
      Action: list(s.Action),
      ...(s.Principal
        ? { Principal: Object.fromEntries(Object.entries(s.Principal as object).map(([k, v]) => [k, list(v)])) }
        : {}),
      ...(s.Resource ? { Resource: list(s.Resource) } : {}),
      ...(s.Condition ? { Condition: s.Condition } : {}),
    })),
  };
}

const trustOf = (service: string) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole"], Principal: { Service: [service] } }],
});

tier.describe.each(environments.map((env) => env.name))("the %s stack, judged by Terraform", (name) => {
  const run = () => runs.get(name)!;
  const env = environments.find((e) => e.name === name)!;
  const managed = (env.instanceRole.policyMode ?? "managed") === "managed";

  it("passes terraform validate with no errors and no warnings (JSON form)", async () => {
    expectClean(await run().validateJson);
  });

  it("passes terraform validate with no errors and no warnings (HCL form, cdktf synth --hcl)", async () => {
    expectClean(await run().validateHcl);
  });

  describe("terraform plan against moto", () => {
    it("creates every synthesized resource, and nothing else: the expected number of each type", async () => {
      const managedChanges = (await run().plan).filter((c) => c.mode === "managed");
      const created = managedChanges.map((c) => [c.address, c.change.actions]);
      const synthesized = Object.entries(run().synthesizedResources).flatMap(([type, byId]) =>
        Object.keys(byId).map((id) => [`${type}.${id}`, ["create"]]),
      );
      expect(created.sort()).toEqual(synthesized.sort());
      const counts: Record<string, number> = {};
      for (const change of managedChanges) counts[change.type] = (counts[change.type] ?? 0) + 1;
      expect(counts).toEqual(expectedResourceCounts(env));
    });

    it("computes the plan's advanced_backup_setting with WindowsVSS enabled for EC2", async () => {
      const [plan] = managedAfter(await run().plan, "aws_backup_plan");
      expect(plan.advanced_backup_setting).toEqual([
        { resource_type: "EC2", backup_options: { WindowsVSS: "enabled" } },
      ]);
      expect((plan.rule as { rule_name: string }[]).map((r) => r.rule_name).sort()).toEqual(
        env.plan.rules.map((r) => r.name).sort(),
      );
    });

    if (env.vault.deletionGuard) {
      const guard = env.vault.deletionGuard;
      it("plans the vault policy whose Deny stops an administrator, not the break-glass role (moto lacks PutBackupVaultAccessPolicy: plan only, judged by the IAM simulator)", async () => {
        const [planned] = managedAfter(await run().plan, "aws_backup_vault_policy");
        const policy = JSON.parse(String(planned.policy));
        const recoveryPoint = `arn:aws:backup:${env.region}:${env.account}:recovery-point:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d`;
        const deleteAs = (principal: string) =>
          simulate(policy, {
            principal,
            action: "backup:DeleteRecoveryPoint",
            resource: recoveryPoint,
            account: env.account,
            identityPolicy: ADMINISTRATOR,
            context: { "aws:PrincipalArn": principal },
          });
        expect(await deleteAs(`arn:aws:iam::${env.account}:role/Administrator`)).toBe("ExplicitlyDenied");
        expect(await deleteAs(guard.exemptRoleArns[0])).toBe("Allowed");
      });
    }

    if (env.audit) {
      const audit = env.audit;
      it("plans the audit framework with the plan's frequency and retention and the tag's scope (moto lacks CreateFramework: plan only)", async () => {
        const [framework] = managedAfter(await run().plan, "aws_backup_framework");
        expect(framework.name).toBe(audit.frameworkName);
        type Control = { name: string; input_parameter: { name: string; value: string }[]; scope: unknown[] };
        const controls = framework.control as Control[];
        expect(controls.map((c) => c.name).sort()).toEqual(
          [
            "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
            "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
            "BACKUP_RECOVERY_POINT_ENCRYPTED",
            ...(env.vault.deletionGuard ? ["BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED"] : []),
            ...(env.vault.lock ? ["BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK"] : []),
            ...(env.disasterRecovery ? ["BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION"] : []),
          ].sort(),
        );
        const check = controls.find((c) => c.name === "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")!;
        expect(check.input_parameter.map((p) => p.name).sort()).toEqual([
          "requiredFrequencyUnit",
          "requiredFrequencyValue",
          "requiredRetentionDays",
        ]);
        const byPlan = controls.find((c) => c.name === "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN")!;
        expect(byPlan.scope).toMatchObject([{ tags: { [env.selectionTag.key]: env.selectionTag.value } }]);
      });
    }

    it("plans the association to install AwsVssComponents on the tagged instances (moto lacks CreateAssociation: covered by plan only)", async () => {
      const [association] = managedAfter(await run().plan, "aws_ssm_association");
      expect(association).toMatchObject({
        name: "AWS-ConfigureAWSPackage",
        parameters: { action: "Install", name: "AwsVssComponents", installationType: "Uninstall and reinstall" },
        targets: [{ key: `tag:${env.selectionTag.key}`, values: [env.selectionTag.value] }],
      });
    });

    it("plans the backup selection for EC2 instances with the same tag (moto lacks CreateBackupSelection: covered by plan only)", async () => {
      const [selection] = managedAfter(await run().plan, "aws_backup_selection");
      expect(selection.resources).toEqual(["arn:aws:ec2:*:*:instance/*"]);
      expect(selection.selection_tag).toEqual([]);
      expect(selection.condition).toMatchObject([
        { string_equals: [{ key: `aws:ResourceTag/${env.selectionTag.key}`, value: env.selectionTag.value }] },
      ]);
    });

    if (env.restoreTesting) {
      const testing = env.restoreTesting;
      it("plans restore testing: the plan on its schedule and the EC2 selection by the backup tag with the restore overrides (moto lacks restore testing: plan only)", async () => {
        const changes = await run().plan;
        const [plan] = managedAfter(changes, "aws_backup_restore_testing_plan");
        expect(plan).toMatchObject({
          name: testing.planName,
          schedule_expression: testing.schedule,
          schedule_expression_timezone: testing.timezone ?? "Etc/UTC",
          recovery_point_selection: [
            { algorithm: "LATEST_WITHIN_WINDOW", recovery_point_types: ["SNAPSHOT"], selection_window_days: 30 },
          ],
        });
        const [selection] = managedAfter(changes, "aws_backup_restore_testing_selection");
        expect(selection).toMatchObject({
          name: testing.selectionName,
          protected_resource_type: "EC2",
          protected_resource_conditions: [
            {
              string_equals: [{ key: `aws:ResourceTag/${env.selectionTag.key}`, value: env.selectionTag.value }],
              string_not_equals: [],
            },
          ],
          restore_metadata_overrides: {
            subnetId: testing.subnetId,
            securityGroupIds: JSON.stringify(testing.securityGroupIds),
            iamInstanceProfileName: "UseBackedUpValue",
            requireImdsV2: "true",
            ...(testing.instanceType ? { instanceType: testing.instanceType } : {}),
          },
        });
      });
    }

    it("renders the trust policies: EC2 for the instance role, AWS Backup for the service role", async () => {
      const roles = managedAfter(await run().plan, "aws_iam_role");
      const trustByName = Object.fromEntries(roles.map((r) => [r.name, normalisePolicy(r.assume_role_policy)]));
      expect(trustByName).toEqual({
        [instanceRoleNameOf(env.instanceRole)]: trustOf("ec2.amazonaws.com"),
        [(env.backupServiceRole as { roleName: string }).roleName]: trustOf("backup.amazonaws.com"),
      });
    });

    it("attaches exactly the AWS managed policies documented for this job", async () => {
      const arns = managedAfter(await run().plan, "aws_iam_role_policy_attachment").map((a) => a.policy_arn);
      const expected: string[] = [
        ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_BACKUP,
        ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_RESTORES,
      ];
      if (managed) expected.push(ManagedPolicies.SSM_MANAGED_INSTANCE_CORE, ManagedPolicies.EC2_VSS_SNAPSHOT);
      expect(arns.sort()).toEqual(expected.sort());
    });

    if (!managed)
      it("renders the inline VSS policy with the IAM variable ${ec2:InstanceId} intact (inline policy mode)", async () => {
        const vss = managedAfter(await run().plan, "aws_iam_role_policy").find(
          (p) => p.name === "VssSnapshotsForAwsBackup",
        )!;
        const statements = JSON.parse(String(vss.policy)).Statement as {
          Sid: string;
          Condition?: unknown;
          Action: unknown;
        }[];
        expect(statements.find((s) => s.Sid === "DescribeInstanceInfo")?.Condition).toEqual({
          ArnLike: { "ec2:SourceInstanceARN": "arn:aws:ec2:*:*:instance/${ec2:InstanceId}" },
        });
        expect(statements.flatMap((s) => s.Action).filter((a) => String(a).includes("*"))).toEqual([]);
      });
  });

  describe("terraform apply against moto, read back with the AWS SDK", () => {
    const clients = async (region = env.region) => {
      const server = await motoFor(env.account);
      const options = motoClientOptions(server.endpoint, region);
      return { backup: new BackupClient(options), iam: new IAMClient(options) };
    };
    const stateOf = async (type: string) => (await run().applied).filter((r) => r.type === type).map((r) => r.values);
    /** The key an alias points to, as applied. */
    const keyOf = async (alias: string) => {
      const target = (await stateOf("aws_kms_alias")).find((a) => a.name === alias)?.target_key_arn;
      return (await stateOf("aws_kms_key")).find((k) => k.arn === target)!;
    };

    it("creates a backup plan that AWS reports with WindowsVSS enabled for EC2", async () => {
      const [plan] = await stateOf("aws_backup_plan");
      const read = await (await clients()).backup.send(new GetBackupPlanCommand({ BackupPlanId: String(plan.id) }));
      expect(read.AdvancedBackupSettings).toEqual([{ ResourceType: "EC2", BackupOptions: { WindowsVSS: "enabled" } }]);
      const rules = read.BackupPlan?.Rules?.map((r) => [
        r.RuleName,
        r.ScheduleExpression,
        r.ScheduleExpressionTimezone,
        r.TargetBackupVaultName,
        r.Lifecycle?.DeleteAfterDays,
      ]);
      expect(rules?.sort()).toEqual(
        env.plan.rules
          .map((r) => [r.name, r.schedule, r.timezone ?? "Etc/UTC", env.vault.name, r.deleteAfterDays])
          .sort(),
      );
    });

    it("creates the vault", async () => {
      const read = await (
        await clients()
      ).backup.send(new DescribeBackupVaultCommand({ BackupVaultName: env.vault.name }));
      expect(read.BackupVaultName).toBe(env.vault.name);
    });

    it("creates an instance profile that holds the instance role, with its policies", async () => {
      const { iam } = await clients();
      const profile = await iam.send(
        new GetInstanceProfileCommand({ InstanceProfileName: instanceRoleNameOf(env.instanceRole) }),
      );
      expect(profile.InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual([instanceRoleNameOf(env.instanceRole)]);
      const attached = await iam.send(
        new ListAttachedRolePoliciesCommand({ RoleName: instanceRoleNameOf(env.instanceRole) }),
      );
      expect(attached.AttachedPolicies?.map((p) => p.PolicyArn).sort()).toEqual(
        managed ? [ManagedPolicies.EC2_VSS_SNAPSHOT, ManagedPolicies.SSM_MANAGED_INSTANCE_CORE].sort() : [],
      );
    });

    if (!managed)
      it("puts the instance role's inline policies, the VSS one with the literal IAM variable ${ec2:InstanceId} (inline policy mode)", async () => {
        const { iam } = await clients();
        const names = await iam.send(new ListRolePoliciesCommand({ RoleName: instanceRoleNameOf(env.instanceRole) }));
        expect(names.PolicyNames?.sort()).toEqual(["SsmManagedInstanceCore", "VssSnapshotsForAwsBackup"]);
        const vss = await iam.send(
          new GetRolePolicyCommand({
            RoleName: instanceRoleNameOf(env.instanceRole),
            PolicyName: "VssSnapshotsForAwsBackup",
          }),
        );
        const statements = JSON.parse(decodeURIComponent(vss.PolicyDocument!)).Statement as {
          Sid: string;
          Condition?: unknown;
        }[];
        expect(statements.find((s) => s.Sid === "DescribeInstanceInfo")?.Condition).toEqual({
          ArnLike: { "ec2:SourceInstanceARN": "arn:aws:ec2:*:*:instance/${ec2:InstanceId}" },
        });
      });

    it("creates the service role AWS Backup assumes, allowed to pass only the instance role", async () => {
      const { iam } = await clients();
      const serviceRoleName = (env.backupServiceRole as { roleName: string }).roleName;
      const role = await iam.send(new GetRoleCommand({ RoleName: serviceRoleName }));
      expect(normalisePolicy(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toEqual(
        trustOf("backup.amazonaws.com"),
      );
      const instanceRole = await iam.send(new GetRoleCommand({ RoleName: instanceRoleNameOf(env.instanceRole) }));
      const passRole = await iam.send(
        new GetRolePolicyCommand({ RoleName: serviceRoleName, PolicyName: "PassInstanceRoleForRestores" }),
      );
      const [statement] = (
        normalisePolicy(decodeURIComponent(passRole.PolicyDocument!)) as {
          Statement: { Action: string[]; Resource: string[] }[];
        }
      ).Statement;
      expect(statement).toMatchObject({ Action: ["iam:PassRole"], Resource: [instanceRole.Role!.Arn] });
    });

    if (env.vault.lock) {
      const lock = env.vault.lock;
      it(`locks the vault in ${lock.mode} mode with its range, as AWS Backup reports it`, async () => {
        const read = await (
          await clients()
        ).backup.send(new DescribeBackupVaultCommand({ BackupVaultName: env.vault.name }));
        expect([read.Locked, read.MinRetentionDays, read.MaxRetentionDays]).toEqual([
          true,
          lock.minRetentionDays,
          lock.maxRetentionDays,
        ]);
        const state = (await stateOf("aws_backup_vault_lock_configuration")).find(
          (l) => l.backup_vault_name === env.vault.name,
        )!;
        expect(state.changeable_for_days ?? null).toBe(lock.mode === "compliance" ? lock.changeableForDays : null);
      });
    }

    if (env.disasterRecovery) {
      const dr = env.disasterRecovery;
      it(`creates the DR vault in ${dr.region} through the second provider, with its own key and lock, as AWS Backup there reports it`, async () => {
        const read = await (
          await clients(dr.region)
        ).backup.send(new DescribeBackupVaultCommand({ BackupVaultName: dr.vault.name }));
        expect(read.BackupVaultArn).toMatch(new RegExp(`^arn:aws:backup:${dr.region}:${env.account}:backup-vault:`));
        const key = await keyOf(dr.vault.keyAlias);
        expect(key.arn).toMatch(new RegExp(`^arn:aws:kms:${dr.region}:`));
        expect(read.EncryptionKeyArn).toBe(key.arn);
        expect([read.Locked, read.MinRetentionDays, read.MaxRetentionDays]).toEqual([
          true,
          dr.vault.lock?.minRetentionDays,
          dr.vault.lock?.maxRetentionDays,
        ]);
      });

      it("copies every rule's recovery points to the DR vault, as AWS Backup reports the plan", async () => {
        const [plan] = await stateOf("aws_backup_plan");
        const read = await (await clients()).backup.send(new GetBackupPlanCommand({ BackupPlanId: String(plan.id) }));
        const drVault = await (
          await clients(dr.region)
        ).backup.send(new DescribeBackupVaultCommand({ BackupVaultName: dr.vault.name }));
        expect(
          read.BackupPlan?.Rules?.map((r) => [
            r.RuleName,
            r.CopyActions?.map((c) => [c.DestinationBackupVaultArn, c.Lifecycle?.DeleteAfterDays]),
          ]).sort(),
        ).toEqual(
          env.plan.rules.map((r) => [r.name, [[drVault.BackupVaultArn, dr.keepDays ?? r.deleteAfterDays]]]).sort(),
        );
      });
    }

    if (env.vault.createdKey) {
      const alias = env.vault.createdKey.alias;
      it("encrypts the vault with the key the stack created, as AWS Backup reports it; the key usable only through AWS Backup (IAM simulator)", async () => {
        const key = await keyOf(alias);
        expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
        const read = await (
          await clients()
        ).backup.send(new DescribeBackupVaultCommand({ BackupVaultName: env.vault.name }));
        expect(read.EncryptionKeyArn).toBe(key.arn);
        const admin = `arn:aws:iam::${env.account}:role/Administrator`;
        const decrypt = (context: Record<string, string>) =>
          simulate(JSON.parse(String(key.policy)), {
            principal: admin,
            action: "kms:Decrypt",
            resource: String(key.arn),
            account: env.account,
            identityPolicy: ADMINISTRATOR,
            context: { "kms:CallerAccount": env.account, ...context },
          });
        expect(await decrypt({ "kms:ViaService": `backup.${env.region}.amazonaws.com` })).toBe("Allowed");
        expect(await decrypt({})).toBe("ImplicitlyDenied");
      });
    }

    if (env.alerts && "name" in env.alerts.topic) {
      const topicSpec = env.alerts.topic;
      it("creates the alert key with rotation on, a 30-day deletion window and its alias (state read back from moto; no KMS client in package.json)", async () => {
        const key = await keyOf(topicSpec.keyAlias);
        expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
      });

      it("puts a key policy the IAM simulator judges: EventBridge may take data keys, not administer; another service nothing", async () => {
        const key = await keyOf(topicSpec.keyAlias);
        const policy = JSON.parse(String(key.policy));
        const request = (principal: string, action: string) => ({
          principal,
          action,
          resource: String(key.arn),
          account: env.account,
        });
        expect(await simulate(policy, request("events.amazonaws.com", "kms:GenerateDataKey"))).toBe("Allowed");
        expect(await simulate(policy, request("events.amazonaws.com", "kms:ScheduleKeyDeletion"))).toBe(
          "ImplicitlyDenied",
        );
        expect(await simulate(policy, request("s3.amazonaws.com", "kms:Decrypt"))).toBe("ImplicitlyDenied");
      });

      it("creates the topic encrypted with that key, whose policy lets only the alert rules publish (IAM simulator, real ARNs)", async () => {
        const [topic] = await stateOf("aws_sns_topic");
        const key = await keyOf(topicSpec.keyAlias);
        const rules = await stateOf("aws_cloudwatch_event_rule");
        const rule = rules.find((r) => r.name === env.alerts!.ruleName)!;
        expect(topic).toMatchObject({ name: topicSpec.name, kms_master_key_id: key.arn });
        const [topicPolicy] = await stateOf("aws_sns_topic_policy");
        expect(topicPolicy.arn).toBe(topic.arn);
        const publish = (principal: string, sourceArn: string) =>
          simulate(JSON.parse(String(topicPolicy.policy)), {
            principal,
            action: "sns:Publish",
            resource: String(topic.arn),
            account: env.account,
            context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": env.account },
          });
        expect(await publish("events.amazonaws.com", String(rule.arn))).toBe("Allowed");
        expect(await publish("events.amazonaws.com", `${String(rule.arn)}-other`)).toBe("ImplicitlyDenied");
        expect(await publish("backup.amazonaws.com", String(rule.arn))).toBe("ImplicitlyDenied");
        // The failed-restore-test rule publishes too, when there is one.
        for (const other of rules) expect(await publish("events.amazonaws.com", String(other.arn))).toBe("Allowed");
        expect(rules).toHaveLength(env.alerts!.failedRestoreTests ? 2 : 1);
      });

      it("subscribes the configured addresses by e-mail", async () => {
        const subscriptions = await stateOf("aws_sns_topic_subscription");
        const [topic] = await stateOf("aws_sns_topic");
        expect(subscriptions.map((s) => [s.topic_arn, s.protocol, s.endpoint]).sort()).toEqual(
          topicSpec.emails.map((email) => [topic.arn, "email", email]).sort(),
        );
      });
    }

    if (env.alerts)
      it("creates the alert rule, whose stored pattern moto's engine matches to a VSS fallback and not to a clean job, and its target with the input transformer", async () => {
        const rule = (await stateOf("aws_cloudwatch_event_rule")).find((r) => r.name === env.alerts!.ruleName)!;
        expect(rule).toMatchObject({ name: env.alerts!.ruleName, state: "ENABLED" });
        const fallback = backupJobEvent({ state: "COMPLETED", statusMessage: "Windows VSS Backup Job Error" });
        const clean = backupJobEvent({ state: "COMPLETED" });
        expect(judgeEvents(String(rule.event_pattern), [fallback, clean]).matches).toEqual([true, false]);
        const target = (await stateOf("aws_cloudwatch_event_target")).find((t) => t.rule === env.alerts!.ruleName)!;
        const topicArn =
          "existingTopicArn" in env.alerts!.topic
            ? env.alerts!.topic.existingTopicArn
            : (await stateOf("aws_sns_topic"))[0].arn;
        expect(target).toMatchObject({ rule: env.alerts!.ruleName, arn: topicArn });
        const [transformer] = target.input_transformer as { input_template: string }[];
        expect(transformer.input_template).toContain(`environment ${env.name}`);
      });

    if (env.alerts?.failedRestoreTests)
      it("creates the failed-restore-test rule, whose stored pattern moto's engine matches to a failed restore test and not to a completed one, and its target to the same topic", async () => {
        const rules = await stateOf("aws_cloudwatch_event_rule");
        const rule = rules.find((r) => r.name === `${env.alerts!.ruleName}-restore-tests`)!;
        expect(rule).toMatchObject({ state: "ENABLED" });
        const completed = restoreJobEvent({ status: "COMPLETED", statusMessage: undefined });
        expect(judgeEvents(String(rule.event_pattern), [restoreJobEvent({}), completed]).matches).toEqual([
          true,
          false,
        ]);
        const targets = await stateOf("aws_cloudwatch_event_target");
        const target = targets.find((t) => t.rule === rule.name)!;
        const main = targets.find((t) => t.rule === env.alerts!.ruleName)!;
        expect(target.arn).toBe(main.arn);
        const [transformer] = target.input_transformer as { input_template: string }[];
        expect(transformer.input_template).toContain(`environment ${env.name}: the restore test`);
      });
    if (env.audit?.report?.template === "BACKUP_JOB_REPORT") {
      const report = env.audit.report;
      it("creates the job report plan (no framework reference, so moto applies it), as AWS Backup reports it", async () => {
        const read = await (
          await clients()
        ).backup.send(new DescribeReportPlanCommand({ ReportPlanName: report.name }));
        expect(read.ReportPlan?.ReportSetting?.ReportTemplate).toBe("BACKUP_JOB_REPORT");
        expect(read.ReportPlan?.ReportDeliveryChannel).toMatchObject({
          S3BucketName: report.bucketName,
          Formats: [...(report.formats ?? ["CSV"])],
        });
      });
    }

    it("destroys everything it applied (prevent_destroy switched off by configuration): the state is empty", async () => {
      expect(await run().destroy()).toBe("");
    });
  });
});
