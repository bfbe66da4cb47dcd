import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { NOW } from "../support/clock";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../config/validate";
import type { Variables } from "../../config/backend";
import type { EnvironmentConfig, ProjectConfig } from "../../config/types";
import { TEST_PROJECT as config } from "../support/fixtures";
import { instanceRoleNameOf, ManagedPolicies } from "../../modules";
import { expectedResourceCounts } from "../expected-resources";
import { VssBackupStack } from "../../stacks/vss-backup-stack";
import {
  addressesOf,
  addressOf,
  dataSources,
  referencedPolicyDocument,
  resources,
  SynthesizedStack,
  synthesizeStack,
  theResource,
} from "../synth";

function stackFor(name: string, variables: Variables = {}, project: ProjectConfig = config) {
  const [env] = loadEnvironments(project, { only: name, variables: variables, now: NOW });
  return { env, stack: synthesizeStack(new VssBackupStack(Testing.app(), env)) };
}

/** The dev environment with `change` applied, synthesized. */
function devWith(change: Partial<EnvironmentConfig>) {
  const dev = config.environments.find((e) => e.name === "dev")!;
  return stackFor("dev", {}, { project: config.project, environments: [{ ...dev, ...change }] });
}

/** The only resource of `type` on the stack's default provider (a DR vault and its lock use aws.dr): address and body. */
function inMainRegion(stack: SynthesizedStack, type: string): [string, Record<string, unknown>] {
  const found = Object.entries(stack.resource?.[type] ?? {}).filter(([, body]) => body.provider === undefined);
  if (found.length !== 1) throw new Error(`expected one ${type} on the default provider, found ${found.length}`);
  return [`${type}.${found[0][0]}`, found[0][1]];
}

function roleAddress(stack: SynthesizedStack, roleName: string): string {
  const [id] = Object.entries(stack.resource!.aws_iam_role).find(([, role]) => role.name === roleName)!;
  return `aws_iam_role.${id}`;
}

/** What is granted to the role at `address`: attached managed policy ARNs and inline policy names. */
function grantsOf(stack: SynthesizedStack, address: string) {
  const onRole = (r: Record<string, unknown>) => addressOf(r.role) === address;
  return {
    managed: resources(stack, IamRolePolicyAttachment)
      .filter(onRole)
      .map((a) => a.policy_arn),
    inline: resources(stack, IamRolePolicy)
      .filter(onRole)
      .map((p) => p.name),
  };
}

const trustedService = (stack: SynthesizedStack, address: string) => {
  const role = stack.resource!.aws_iam_role[address.split(".")[1]];
  return referencedPolicyDocument(stack, role.assume_role_policy).statement;
};
const trusting = (service: string) => [
  { effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] },
];

describe.each(config.environments.map((env) => env.name))("the %s stack", (name) => {
  // Built for each test, inside it: per-test coverage (mutation testing's) credits every test with the stack code it ran.
  let env: ReturnType<typeof stackFor>["env"];
  let stack: SynthesizedStack;
  beforeEach(() => ({ env, stack } = stackFor(name)));
  const configured = config.environments.find((e) => e.name === name)!;

  it("can only be applied to its own account and region (and DR region), tagging everything with project and environment", () => {
    const tags = [{ tags: { Project: config.project, Environment: name, ManagedBy: "cdktf" } }];
    const dr = configured.disasterRecovery;
    expect(stack.provider?.aws).toEqual([
      { region: configured.region, allowed_account_ids: [configured.account], default_tags: tags },
      ...(dr
        ? [{ alias: "dr", region: dr.region, allowed_account_ids: [configured.account], default_tags: tags }]
        : []),
    ]);
  });

  it("keeps local state under terraform-state/ by a relative path", () => {
    expect(stack.terraform?.backend).toEqual({ local: { path: `../../../terraform-state/${name}.tfstate` } });
  });

  it("creates one of each piece of the VSS backup, and nothing else", () => {
    const counts = Object.fromEntries(
      Object.entries(stack.resource ?? {}).map(([type, byId]) => [type, Object.keys(byId).length]),
    );
    expect(counts).toEqual(expectedResourceCounts(env));
  });

  it("backs up and prepares exactly the same instances: the selection's tag is the association's target", () => {
    const selection = theResource(stack, BackupSelection);
    const association = theResource(stack, SsmAssociation);
    const [condition] = selection.condition as { string_equals: { key: string; value: string }[] }[];
    const [target] = association.targets as { key: string; values: string[] }[];
    expect(condition.string_equals).toEqual([
      { key: `aws:ResourceTag/${env.selectionTag.key}`, value: env.selectionTag.value },
    ]);
    expect(target).toEqual({ key: `tag:${env.selectionTag.key}`, values: [env.selectionTag.value] });
    expect(selection.resources).toEqual(["arn:aws:ec2:*:*:instance/*"]);
  });

  it("runs the configured rules with Windows VSS into the stack's vault", () => {
    const plan = theResource(stack, BackupPlan);
    const [vaultAddress] = inMainRegion(stack, BackupVault.tfResourceType);
    expect(plan.advanced_backup_setting).toEqual([{ resource_type: "EC2", backup_options: { WindowsVSS: "enabled" } }]);
    const rules = plan.rule as {
      rule_name: string;
      schedule: string;
      target_vault_name: string;
      lifecycle: { delete_after: number };
    }[];
    expect(rules.map((r) => [r.rule_name, r.schedule, r.lifecycle.delete_after])).toEqual(
      configured.plan.rules.map((r) => [r.name, r.schedule, r.deleteAfterDays]),
    );
    for (const rule of rules) expect(addressOf(rule.target_vault_name)).toBe(vaultAddress);
    expect(addressOf(theResource(stack, BackupSelection).plan_id)).toBe(addressesOf(stack, BackupPlan)[0]);
  });

  it("schedules every rule as configured: time zone, windows and retention", () => {
    const rules = theResource(stack, BackupPlan).rule as Record<string, unknown>[];
    expect(rules).toEqual(
      configured.plan.rules.map((r) =>
        expect.objectContaining({
          rule_name: r.name,
          schedule: r.schedule,
          schedule_expression_timezone: r.timezone ?? "Etc/UTC",
          start_window: r.startWindowMinutes ?? 60,
          completion_window: r.completionWindowMinutes ?? 480,
          lifecycle: { delete_after: r.deleteAfterDays },
        }),
      ),
    );
  });

  it("installs AwsVssComponents with the environment's association settings", () => {
    const association = theResource(stack, SsmAssociation);
    const settings = configured.association ?? {};
    expect(association).toMatchObject({
      name: "AWS-ConfigureAWSPackage",
      association_name: `${config.project}-${name}-AwsVssComponents`,
      parameters: { action: "Install", name: "AwsVssComponents", installationType: "Uninstall and reinstall" },
      schedule_expression: "rate(14 days)",
      max_concurrency: settings.maxConcurrency ?? "10%",
      max_errors: settings.maxErrors ?? "10%",
      compliance_severity: settings.complianceSeverity ?? "HIGH",
    });
  });

  it("trusts EC2 with the instance role and AWS Backup with the service role, granting each its documented policies", () => {
    const instanceRole = roleAddress(stack, instanceRoleNameOf(env.instanceRole));
    const serviceRole = roleAddress(stack, `${config.project}-${name}-backup-service`);
    expect(trustedService(stack, instanceRole)).toEqual(trusting("ec2.amazonaws.com"));
    expect(trustedService(stack, serviceRole)).toEqual(trusting("backup.amazonaws.com"));
    expect(grantsOf(stack, instanceRole)).toEqual(
      (configured.instanceRole?.policyMode ?? "managed") === "managed"
        ? { managed: [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE, ManagedPolicies.EC2_VSS_SNAPSHOT], inline: [] }
        : { managed: [], inline: ["SsmManagedInstanceCore", "VssSnapshotsForAwsBackup"] },
    );
    expect(grantsOf(stack, serviceRole)).toEqual({
      managed: [ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_BACKUP, ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_RESTORES],
      inline: ["PassInstanceRoleForRestores"],
    });
  });

  it("grants no wildcard action anywhere", () => {
    const actions = Object.values(dataSources(stack, DataAwsIamPolicyDocument)).flatMap((d) =>
      (d.statement as { actions: string[] }[]).flatMap((s) => s.actions),
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
  });

  it("protects the vault from destroy", () => {
    expect(inMainRegion(stack, BackupVault.tfResourceType)[1]).toMatchObject({
      name: `${config.project}-${name}`,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("lets AWS Backup assume its own role and pass only this stack's instance role", () => {
    const instanceRole = roleAddress(stack, instanceRoleNameOf(env.instanceRole));
    const serviceRole = roleAddress(stack, `${config.project}-${name}-backup-service`);
    expect(addressOf(theResource(stack, BackupSelection).iam_role_arn)).toBe(serviceRole);
    expect(addressOf(theResource(stack, IamInstanceProfile).role)).toBe(instanceRole);
    const passRole = resources(stack, IamRolePolicy).find((p) => p.name === "PassInstanceRoleForRestores")!;
    expect(referencedPolicyDocument(stack, passRole.policy).statement).toMatchObject([
      { actions: ["iam:PassRole"], resources: [`\${${instanceRole}.arn}`] },
    ]);
    expect(addressOf(passRole.role)).toBe(serviceRole);
  });

  it("outputs what operators need, including the tag an instance must carry", () => {
    expect(Object.keys(stack.output ?? {}).sort()).toEqual(
      [
        "association_id",
        "instance_profile_name",
        "instance_role_arn",
        "plan_id",
        "required_instance_tag",
        "selection_id",
        "vault_arn",
        "alert_topic_arn",
        ...(configured.disasterRecovery ? ["dr_vault_arn"] : []),
        ...(configured.restoreTesting ? ["restore_testing_plan_arn"] : []),
        ...(configured.audit ? ["audit_framework_arn"] : []),
      ].sort(),
    );
    expect(stack.output?.required_instance_tag.value).toBe(`${env.selectionTag.key}=${env.selectionTag.value}`);
    expect(addressOf(stack.output?.plan_id.value)).toBe(addressesOf(stack, BackupPlan)[0]);
  });
});

describe("a copy in a second region (disasterRecovery)", () => {
  let stack: SynthesizedStack;
  let drVaultId: string;
  beforeEach(() => {
    ({ stack } = stackFor("prod"));
    drVaultId = Object.entries(stack.resource!.aws_backup_vault).find(([, v]) => v.name === "vss-backup-prod-dr")![0];
  });

  it("puts the DR vault, its key, alias and lock in the second region through the aliased provider", () => {
    const inDr = (type: string) =>
      resources(stack, type)
        .filter((r) => r.provider === "aws.dr")
        .map((r) => r.name ?? r.min_retention_days);
    expect(inDr("aws_backup_vault")).toEqual(["vss-backup-prod-dr"]);
    expect(inDr("aws_kms_alias")).toEqual(["alias/vss-backup-prod-dr-vault"]);
    expect(inDr("aws_kms_key")).toHaveLength(1);
    const locks = resources(stack, "aws_backup_vault_lock_configuration").filter((r) => r.provider === "aws.dr");
    // Governance, its range what lands there: every copy is kept 90 days.
    expect(locks).toMatchObject([{ min_retention_days: 90, max_retention_days: 90 }]);
    expect(locks[0]).not.toHaveProperty("changeable_for_days");
    expect(addressOf(locks[0].backup_vault_name)).toBe(`aws_backup_vault.${drVaultId}`);
  });

  it("protects the DR vault, its key and lock from destroy, the key usable by AWS Backup in the DR region only", () => {
    const inDr = (type: string) => resources(stack, type).filter((r) => r.provider === "aws.dr");
    for (const type of ["aws_backup_vault", "aws_kms_key", "aws_backup_vault_lock_configuration"])
      expect(inDr(type).map((r) => r.lifecycle)).toEqual([{ prevent_destroy: true }]);
    const [key] = inDr("aws_kms_key");
    expect(key.description).toBe("Encrypts the backups of DR vault vss-backup-prod-dr that AWS Backup fully manages");
    const statements = referencedPolicyDocument(stack, key.policy).statement as { condition?: unknown[] }[];
    expect(JSON.stringify(statements)).toContain('"values":["backup.eu-west-1.amazonaws.com"]');
    expect(JSON.stringify(statements)).not.toContain("backup.eu-central-1.amazonaws.com");
  });

  it("has no DR lock when the DR lock is switched off", () => {
    const { stack: dev } = devWith({ disasterRecovery: { region: "eu-north-1", lock: false } });
    expect(resources(dev, "aws_backup_vault_lock_configuration").filter((r) => r.provider === "aws.dr")).toEqual([]);
  });

  it("writes the DR resources' provider as a bare reference in the HCL form (a quoted one is deprecated)", () => {
    const [env] = loadEnvironments(config, { only: "prod", now: NOW });
    const hcl = new VssBackupStack(Testing.app(), env).toHclTerraform().hcl as string;
    // The DR vault, its key, the key's alias and the vault's lock.
    expect(hcl.match(/provider\s*=\s*aws\.dr$/gm)).toHaveLength(4);
    expect(hcl).not.toMatch(/provider\s*=\s*"aws\.dr"/);
  });

  it("copies every rule's recovery points to the DR vault, kept keepDays there", () => {
    const rules = theResource(stack, "aws_backup_plan").rule as {
      rule_name: string;
      copy_action?: { destination_vault_arn: string; lifecycle: { delete_after: number } }[];
    }[];
    expect(rules.map((r) => [r.rule_name, r.copy_action])).toEqual(
      ["daily", "weekly", "monthly"].map((rule) => [
        rule,
        [{ destination_vault_arn: `\${aws_backup_vault.${drVaultId}.arn}`, lifecycle: { delete_after: 90 } }],
      ]),
    );
    expect(addressOf(stack.output?.dr_vault_arn.value)).toBe(`aws_backup_vault.${drVaultId}`);
  });

  it("keeps each copy as long as its rule when keepDays is not set", () => {
    const { stack: dev } = devWith({ disasterRecovery: { region: "eu-north-1" } });
    const [rule] = theResource(dev, "aws_backup_plan").rule as { copy_action: { lifecycle: unknown }[] }[];
    expect(rule.copy_action[0].lifecycle).toEqual({ delete_after: 7 });
  });
});

describe("vault lock and deletion guard", () => {
  it("locks every vault in governance mode by default, its range the rules' shortest and longest retention", () => {
    const { stack } = stackFor("staging");
    const lock = theResource(stack, "aws_backup_vault_lock_configuration");
    expect(lock).toMatchObject({
      min_retention_days: 14,
      max_retention_days: 35,
      lifecycle: { prevent_destroy: true },
    });
    expect(lock).not.toHaveProperty("changeable_for_days");
    expect(addressOf(lock.backup_vault_name)).toBe(addressesOf(stack, "aws_backup_vault")[0]);
    expect(resources(stack, "aws_backup_vault_policy")).toEqual([]);
  });

  it("locks prod's vault in compliance mode with its explicit range, and guards it against deletion", () => {
    const { stack } = stackFor("prod");
    expect(inMainRegion(stack, "aws_backup_vault_lock_configuration")[1]).toMatchObject({
      changeable_for_days: 3,
      min_retention_days: 7,
      max_retention_days: 400,
    });
    const guard = theResource(stack, "aws_backup_vault_policy");
    expect(referencedPolicyDocument(stack, guard.policy).statement).toMatchObject([
      {
        effect: "Deny",
        condition: [
          {
            test: "ArnNotLike",
            variable: "aws:PrincipalArn",
            values: ["arn:aws:iam::333333333333:role/break-glass", "arn:aws:iam::333333333333:role/deploy-vss-backup"],
          },
        ],
      },
    ]);
  });

  it("has no lock when it is switched off", () => {
    expect(resources(devWith({ vault: { lock: false } }).stack, "aws_backup_vault_lock_configuration")).toEqual([]);
  });
});

describe("vault keys", () => {
  it("creates the vault's key when asked: alias, kept from destroy like the vault, used only through AWS Backup", () => {
    const { stack } = devWith({ vault: { createKey: true }, alerts: false });
    const key = theResource(stack, "aws_kms_key");
    expect(key).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(theResource(stack, "aws_kms_alias").name).toBe("alias/vss-backup-dev-vault");
    expect(addressOf(theResource(stack, "aws_backup_vault").kms_key_arn)).toBe(addressesOf(stack, "aws_kms_key")[0]);
    const statements = referencedPolicyDocument(stack, key.policy).statement as { condition?: unknown }[];
    expect(statements[1].condition).toEqual([
      { test: "StringEquals", variable: "kms:ViaService", values: ["backup.eu-west-1.amazonaws.com"] },
      { test: "StringEquals", variable: "kms:CallerAccount", values: ["111111111111"] },
    ]);
  });

  it("keeps the AWS managed key by default: no key, no kms_key_arn", () => {
    const { stack } = devWith({ alerts: false });
    expect(resources(stack, "aws_kms_key")).toEqual([]);
    expect(theResource(stack, "aws_backup_vault")).not.toHaveProperty("kms_key_arn");
  });
});

describe("what the prod stack tells its readers", () => {
  it("describes every output", () => {
    const { stack } = stackFor("prod");
    const descriptions = Object.fromEntries(
      Object.entries(stack.output ?? {}).map(([id, output]) => [id, output.description]),
    );
    expect(descriptions).toEqual({
      instance_role_arn: "Role of the Windows instances (VSS and SSM permissions)",
      instance_profile_name: "Attach this instance profile to every instance to back up",
      vault_arn: "Vault holding the recovery points",
      dr_vault_arn: "Vault in the second region holding a copy of every recovery point",
      plan_id: "Backup plan with Windows VSS enabled",
      selection_id: "Selection of the tagged EC2 instances",
      association_id: "Association installing AwsVssComponents on the tagged instances",
      restore_testing_plan_arn: "Restore testing plan of the tagged instances",
      alert_topic_arn: "SNS topic of failed and crash-consistent (VSS fallback) backups",
      audit_framework_arn: "AWS Backup Audit Manager framework of this environment",
      required_instance_tag: "Tag an instance needs to be backed up with VSS",
    });
  });

  it("says what each key encrypts; the alert key may go with its topic, the vault keys may not", () => {
    const { stack } = stackFor("prod");
    const keys = resources(stack, "aws_kms_key").map((key) => [key.description, key.lifecycle ?? "destroyable"]);
    expect(keys.sort()).toEqual([
      ["Encrypts the backup alerts of topic vss-backup-prod-backup-alerts", "destroyable"],
      ["Encrypts the backups of DR vault vss-backup-prod-dr that AWS Backup fully manages", { prevent_destroy: true }],
      ["Encrypts the backups of vault vss-backup-prod that AWS Backup fully manages", { prevent_destroy: true }],
    ]);
  });

  it("lets EventBridge use the alert key to publish to the encrypted topic", () => {
    const { stack } = stackFor("dev");
    const key = theResource(stack, "aws_kms_key");
    const statements = referencedPolicyDocument(stack, key.policy).statement as {
      principals?: { type: string; identifiers: string[] }[];
    }[];
    expect(statements.flatMap((s) => s.principals ?? []).filter((p) => p.type === "Service")).toEqual([
      { type: "Service", identifiers: ["events.amazonaws.com"] },
    ]);
  });
});

describe("alerts on failed and crash-consistent (VSS fallback) backups", () => {
  it("by default: a topic encrypted with the stack's own key, published to by the rule, output by ARN", () => {
    const { stack } = stackFor("dev");
    const topic = theResource(stack, "aws_sns_topic");
    expect(topic).toMatchObject({ name: "vss-backup-dev-backup-alerts" });
    expect(addressOf(topic.kms_master_key_id)).toBe(addressesOf(stack, "aws_kms_key")[0]);
    expect(theResource(stack, "aws_kms_alias").name).toBe("alias/vss-backup-dev-backup-alerts");
    expect(theResource(stack, "aws_cloudwatch_event_rule").name).toBe("vss-backup-dev-backup-alerts");
    expect(addressOf(theResource(stack, "aws_cloudwatch_event_target").arn)).toBe(
      addressesOf(stack, "aws_sns_topic")[0],
    );
    expect(addressOf(stack.output?.alert_topic_arn.value)).toBe(addressesOf(stack, "aws_sns_topic")[0]);
    expect(resources(stack, "aws_sns_topic_subscription")).toEqual([]);
  });

  it("names the environment in every message, the failed restore tests' too", () => {
    const { stack } = stackFor("prod");
    const templates = resources(stack, "aws_cloudwatch_event_target").map(
      (target) => (target.input_transformer as { input_template: string }).input_template,
    );
    expect(templates).toHaveLength(2);
    for (const template of templates) expect(template).toMatch(/^"AWS Backup, environment prod: /);
  });

  it("subscribes the configured addresses by e-mail", () => {
    const { stack } = stackFor("prod");
    expect(resources(stack, "aws_sns_topic_subscription").map((s) => [s.protocol, s.endpoint])).toEqual([
      ["email", "backup-team@example.com"],
      ["email", "on-call@example.com"],
    ]);
  });

  it("to an existing topic: targets its ARN and creates no topic, key or policy", () => {
    const { stack } = stackFor("staging");
    expect(theResource(stack, "aws_cloudwatch_event_target").arn).toBe("arn:aws:sns:eu-west-1:222222222222:ops-alerts");
    expect(stack.output?.alert_topic_arn.value).toBe("arn:aws:sns:eu-west-1:222222222222:ops-alerts");
    for (const type of ["aws_sns_topic", "aws_sns_topic_policy", "aws_kms_key", "aws_kms_alias"])
      expect(resources(stack, type)).toEqual([]);
  });

  it("switched off: no rule, no topic, no output", () => {
    const { stack } = devWith({ alerts: false });
    for (const type of ["aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sns_topic", "aws_kms_key"])
      expect(resources(stack, type)).toEqual([]);
    expect(stack.output).not.toHaveProperty("alert_topic_arn");
  });
});

describe("restore testing", () => {
  let stack: SynthesizedStack;
  let plan: Record<string, unknown>;
  let selection: Record<string, unknown>;
  beforeEach(() => {
    ({ stack } = stackFor("prod"));
    plan = theResource(stack, "aws_backup_restore_testing_plan");
    selection = theResource(stack, "aws_backup_restore_testing_selection");
  });

  it("tests the environment's own vault only, weekly as configured, under derived names without hyphens", () => {
    const [vaultAddress] = inMainRegion(stack, "aws_backup_vault");
    expect(plan).toMatchObject({
      name: "vss_backup_prod_restore_test",
      schedule_expression: "cron(0 4 ? * SUN *)",
      schedule_expression_timezone: "Europe/Berlin",
    });
    const [selectionOfPoints] = plan.recovery_point_selection as { include_vaults: string[] }[];
    expect(selectionOfPoints.include_vaults).toEqual([`\${${vaultAddress}.arn}`]);
    expect(selection.name).toBe("vss_backup_prod_windows_instances");
    expect(addressOf(selection.restore_testing_plan_name)).toBe(
      addressesOf(stack, "aws_backup_restore_testing_plan")[0],
    );
  });

  it("selects by the backup selection's own tag condition, and runs as the backup service role", () => {
    const backup = theResource(stack, BackupSelection).condition as { string_equals: unknown[] }[];
    expect(selection.protected_resource_conditions).toEqual([{ string_equals: backup[0].string_equals }]);
    expect(selection.protected_resource_conditions).toEqual([
      { string_equals: [{ key: "aws:ResourceTag/Backup", value: "windows-vss" }] },
    ]);
    expect(addressOf(selection.iam_role_arn)).toBe(roleAddress(stack, "vss-backup-prod-backup-service"));
  });

  it("restores into the configured subnet and group, as t3.large with the backed-up profile and IMDSv2", () => {
    expect(selection.restore_metadata_overrides).toEqual({
      subnetId: "subnet-0a1b2c3d4e5f60718",
      securityGroupIds: '["sg-0123456789abcdef0"]',
      instanceType: "t3.large",
      iamInstanceProfileName: "UseBackedUpValue",
      requireImdsV2: "true",
    });
  });

  it("alerts on failed restore tests through a second rule to the same topic, which both rules may publish to", () => {
    const rules = resources(stack, "aws_cloudwatch_event_rule").map((r) => r.name);
    expect(rules.sort()).toEqual(["vss-backup-prod-backup-alerts", "vss-backup-prod-backup-alerts-restore-tests"]);
    const topic = addressesOf(stack, "aws_sns_topic")[0];
    expect(resources(stack, "aws_cloudwatch_event_target").map((t) => addressOf(t.arn))).toEqual([topic, topic]);
    const policy = referencedPolicyDocument(stack, theResource(stack, "aws_sns_topic_policy").policy);
    const ruleArns = addressesOf(stack, "aws_cloudwatch_event_rule").map((address) => `\${${address}.arn}`);
    const allowed = (policy.statement as { condition: { values: string[] }[] }[])[0].condition[0].values;
    expect([...allowed].sort()).toEqual(ruleArns.sort());
  });

  it("is off unless configured: no plan, no selection, no second rule", () => {
    const { stack: dev } = stackFor("dev");
    for (const type of ["aws_backup_restore_testing_plan", "aws_backup_restore_testing_selection"])
      expect(resources(dev, type)).toEqual([]);
    expect(resources(dev, "aws_cloudwatch_event_rule")).toHaveLength(1);
    expect(dev.output).not.toHaveProperty("restore_testing_plan_arn");
  });
});

describe("audit (an AWS Backup Audit Manager framework)", () => {
  type Control = { name: string; input_parameter?: { name: string; value: string }[]; scope?: unknown };
  const controlsOf = (stack: SynthesizedStack) => theResource(stack, "aws_backup_framework").control as Control[];

  it("is off by default: no framework, no report plan, no output", () => {
    const { stack } = stackFor("dev");
    expect(resources(stack, "aws_backup_framework")).toEqual([]);
    expect(resources(stack, "aws_backup_report_plan")).toEqual([]);
    expect(stack.output).not.toHaveProperty("audit_framework_arn");
  });

  it("in prod judges the plan, its frequency and retention, encryption, the guard, the lock and the copy to eu-west-1", () => {
    const { stack } = stackFor("prod");
    const framework = theResource(stack, "aws_backup_framework");
    expect(framework.name).toBe("vss_backup_prod_vss");
    expect(controlsOf(stack).map((c) => c.name)).toEqual([
      "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
      "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
      "BACKUP_RECOVERY_POINT_ENCRYPTED",
      "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
      "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
      "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
    ]);
    const byName = (name: string) => controlsOf(stack).find((c) => c.name === name)!;
    // daily 35 days, weekly 90, monthly 365: every rule meets every 31 days and 35 days.
    expect(byName("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK").input_parameter).toEqual([
      { name: "requiredFrequencyUnit", value: "days" },
      { name: "requiredFrequencyValue", value: "31" },
      { name: "requiredRetentionDays", value: "35" },
    ]);
    expect(byName("BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION").input_parameter).toEqual([
      { name: "crossRegionList", value: "eu-west-1" },
    ]);
    expect(byName("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN").scope).toEqual({ tags: { Backup: "windows-vss" } });
    expect(addressOf(stack.output?.audit_framework_arn.value)).toBe(addressesOf(stack, "aws_backup_framework")[0]);
  });

  it("in prod reports the day's backup jobs to the existing bucket as CSV and JSON", () => {
    const { stack } = stackFor("prod");
    expect(theResource(stack, "aws_backup_report_plan")).toMatchObject({
      name: "vss_backup_prod_vss_report",
      report_delivery_channel: { s3_bucket_name: "vss-backup-prod-reports", formats: ["CSV", "JSON"] },
      report_setting: { report_template: "BACKUP_JOB_REPORT" },
    });
  });

  it("without a guard, a lock or a copy: only the plan, frequency and encryption controls", () => {
    const { stack } = devWith({ audit: {}, vault: { lock: false } });
    expect(controlsOf(stack).map((c) => c.name)).toEqual([
      "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
      "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
      "BACKUP_RECOVERY_POINT_ENCRYPTED",
    ]);
  });

  it("reports the framework's control compliance by default, naming the framework by reference", () => {
    const { stack } = devWith({ audit: { report: { bucketName: "dev-reports" } } });
    const setting = theResource(stack, "aws_backup_report_plan").report_setting as {
      report_template: string;
      framework_arns: string[];
    };
    expect(setting.report_template).toBe("CONTROL_COMPLIANCE_REPORT");
    expect(setting.framework_arns.map(addressOf)).toEqual(addressesOf(stack, "aws_backup_framework"));
  });
});

describe("a stack reusing what the account already has", () => {
  const existingServiceRole = "arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole";

  it("hands an existing AWS Backup service role to the selection and creates none", () => {
    const { stack } = devWith({ backupServiceRole: { existingRoleArn: existingServiceRole } });
    expect(theResource(stack, BackupSelection).iam_role_arn).toBe(existingServiceRole);
    expect(resources(stack, IamRole).map((r) => r.name)).toEqual(["vss-backup-dev-vss-instance"]);
    expect(resources(stack, IamRolePolicy).filter((p) => p.name === "PassInstanceRoleForRestores")).toEqual([]);
  });

  it("adds VSS to the fleet's existing instance role: no role, no profile output, PassRole on the looked-up ARN", () => {
    const { stack } = devWith({ instanceRole: { existingRoleName: "fleet-windows" } });
    const [lookup] = Object.keys(dataSources(stack, DataAwsIamRole));
    expect(resources(stack, IamRole).map((r) => r.name)).toEqual(["vss-backup-dev-backup-service"]);
    expect(
      resources(stack, IamRolePolicyAttachment)
        .filter((a) => String(a.role).startsWith("${data."))
        .map((a) => a.policy_arn),
    ).toEqual([ManagedPolicies.EC2_VSS_SNAPSHOT]);
    expect(resources(stack, IamInstanceProfile)).toEqual([]);
    expect(stack.output).not.toHaveProperty("instance_profile_name");
    expect(stack.output?.instance_role_arn.value).toBe(`\${data.aws_iam_role.${lookup}.arn}`);
    const passRole = resources(stack, IamRolePolicy).find((p) => p.name === "PassInstanceRoleForRestores")!;
    expect(referencedPolicyDocument(stack, passRole.policy).statement).toMatchObject([
      { actions: ["iam:PassRole"], resources: [`\${data.aws_iam_role.${lookup}.arn}`] },
    ]);
  });
});

describe("state backends", () => {
  it("declares a Terraform Cloud workspace <prefix><environment> in the organization and project, with no token", () => {
    const { stack } = stackFor("prod", {
      VSS_BACKEND: "cloud",
      VSS_TFC_ORGANIZATION: "acme",
      VSS_TFC_PROJECT: "backups",
    });
    expect(stack.terraform?.cloud).toEqual({
      organization: "acme",
      workspaces: { name: "vss-backup-prod", project: "backups" },
    });
    expect(stack.terraform?.backend).toBeUndefined();
    expect(JSON.stringify(stack)).not.toMatch(/token/i);
  });

  it("uses the configured workspace prefix and hostname", () => {
    const { stack } = stackFor("dev", {
      VSS_BACKEND: "cloud",
      VSS_TFC_ORGANIZATION: "acme",
      VSS_TFC_WORKSPACE_PREFIX: "win-",
      VSS_TFC_HOSTNAME: "tfe.example.com",
    });
    expect(stack.terraform?.cloud).toEqual({
      organization: "acme",
      hostname: "tfe.example.com",
      workspaces: { name: "win-dev" },
    });
  });

  it("declares an encrypted S3 backend with one key per environment and S3-native locking, no DynamoDB", () => {
    const { stack } = stackFor("staging", {
      VSS_BACKEND: "s3",
      VSS_S3_BUCKET: "acme-state",
      VSS_S3_REGION: "eu-west-1",
    });
    expect(stack.terraform?.backend).toEqual({
      s3: {
        bucket: "acme-state",
        key: "vss-backup/staging/terraform.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it("keeps the Terraform Cloud project in the HCL form too", () => {
    const [env] = loadEnvironments(config, {
      only: "prod",
      variables: {
        VSS_BACKEND: "cloud",
        VSS_TFC_ORGANIZATION: "acme",
        VSS_TFC_PROJECT: "backups",
      },
      now: NOW,
    });
    const hcl = new VssBackupStack(Testing.app(), env).toHclTerraform().hcl;
    expect(hcl).toMatch(
      /cloud \{\s*organization = "acme"\s*workspaces \{\s*name\s*= "vss-backup-prod"\s*project = "backups"\s*\}/,
    );
  });
});
