import { BackupFramework } from "@cdktf/provider-aws/lib/backup-framework";
import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupReportPlan } from "@cdktf/provider-aws/lib/backup-report-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { BackupVaultPolicy } from "@cdktf/provider-aws/lib/backup-vault-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { BackupRestoreTestingPlan } from "@cdktf/provider-aws/lib/backup-restore-testing-plan";
import { BackupRestoreTestingSelection } from "@cdktf/provider-aws/lib/backup-restore-testing-selection";
import { EC2_RESTORE_METADATA } from "../modules/restore-testing";
import { DEFAULT_TIMEZONE, scheduleInWords } from "../modules/schedule";
import { SelectionTag, tagOfCondition } from "../modules/selection-tag";

/** A synthesized stack (cdk.tf.json) as the review reads it. */
export interface StackJson {
  readonly provider?: Readonly<Record<string, readonly ProviderBlock[]>>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Readonly<Record<string, { readonly value?: unknown }>>;
}

export interface RetentionPosture {
  readonly deleteAfterDays?: number;
  readonly coldStorageAfterDays?: number;
}
export interface RulePosture extends RetentionPosture {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly scheduleInWords: string;
  readonly copies: readonly (RetentionPosture & { readonly destinationVaultArn: string })[];
}
export interface RolePosture {
  readonly name: string;
  /** Service principals of the trust policy; empty for an existing role the stack only looks up. */
  readonly assumedBy: readonly string[];
  readonly existing: boolean;
  readonly managedPolicies: readonly string[];
  readonly inlinePolicies: readonly string[];
}
/** One provider block of a synthesized stack (a second, aliased one points at another region or account). */
export interface ProviderBlock {
  readonly alias?: string;
  readonly region?: string;
  readonly allowed_account_ids?: readonly string[];
}

/** Where one AWS provider of a stack points. */
export interface ProviderPosture {
  /** `aws`, or `aws.<alias>`: the key Terraform gives it in a plan's configuration.provider_config. */
  readonly address: string;
  readonly region?: string;
  readonly accounts: readonly string[];
}

/** The address Terraform gives a root-module AWS provider: `aws`, or `aws.<alias>`. */
export const providerAddress = (alias?: string): string =>
  alias ? `${AwsProvider.tfResourceType}.${alias}` : AwsProvider.tfResourceType;

/** `account 333333333333, region eu-central-1`: where a provider creates resources. */
export const whereProviderPoints = (provider: Omit<ProviderPosture, "address">): string =>
  `account ${provider.accounts.join(", ") || "(any)"}, region ${provider.region ?? "(provider default)"}`;

/** Each AWS provider block of a stack, by address. */
export function awsProvidersOf(stack: StackJson): ProviderPosture[] {
  return (stack.provider?.[AwsProvider.tfResourceType] ?? []).map((block) => ({
    address: providerAddress(block.alias),
    region: block.region,
    accounts: block.allowed_account_ids ?? [],
  }));
}

/** What one environment's stack protects, and how: read from the synthesized JSON, which is what deploys. */
export interface Posture {
  readonly providers: readonly ProviderPosture[];
  readonly tag?: SelectionTag;
  readonly windowsVss: boolean;
  readonly vault?: { readonly name: string; readonly preventDestroy: boolean; readonly kmsKeyArn?: string };
  readonly rules: readonly RulePosture[];
  readonly roles: readonly RolePosture[];
  /** Undefined when no rule watches AWS Backup's jobs. */
  readonly alerts?: AlertsPosture;
  /** The vaults in other regions every rule copies to (through an aliased provider). */
  readonly disasterRecovery: readonly DisasterRecoveryPosture[];
  /** The main vault's lock; undefined when it has none. */
  readonly lock?: LockPosture;
  /** Roles the vault policy's Deny on deleting recovery points exempts; undefined when there is no such Deny. */
  readonly deletionGuard?: { readonly exemptRoleArns: readonly string[] };
  /** Undefined when no restore testing plan tests the instances. */
  readonly restoreTesting?: RestoreTestingPosture;
  /** The AWS Backup Audit Manager framework; undefined when there is none. */
  readonly audit?: AuditPosture;
}

/** When and how the backups are restored as a test. */
export interface RestoreTestingPosture {
  readonly planName: string;
  readonly scheduleInWords: string;
  /** The vaults whose recovery points are tested, as `vaultNamed` shows them. */
  readonly vaults: readonly string[];
  readonly selectionWindowDays?: number;
  /** Restore metadata overrides of the EC2 selection. */
  readonly subnetId?: string;
  readonly securityGroupIds: readonly string[];
  readonly instanceType?: string;
  readonly validationWindowHours?: number;
}

/** The audit framework's controls (by AWS's control name, with their input parameters) and its report. */
export interface AuditPosture {
  readonly frameworkName: string;
  readonly controls: readonly { readonly name: string; readonly parameters: Readonly<Record<string, string>> }[];
  readonly report?: {
    readonly name: string;
    readonly template: string;
    readonly bucketName: string;
    readonly formats: readonly string[];
  };
}

export interface DisasterRecoveryPosture {
  readonly vaultName: string;
  /** The provider's region, e.g. eu-west-1. */
  readonly region?: string;
  /** Days each rule's copy is kept there, by rule. */
  readonly keepDays: Readonly<Record<string, number | undefined>>;
  readonly lock?: LockPosture;
}

export interface LockPosture {
  readonly mode: "governance" | "compliance";
  readonly minRetentionDays?: number;
  readonly maxRetentionDays?: number;
  readonly changeableForDays?: number;
}

/** Where alerts on failed and crash-consistent backups go. */
export interface AlertsPosture {
  readonly ruleName: string;
  /** Whether the rule matches COMPLETED jobs with a status message: the VSS fallback. */
  readonly catchesVssFallback: boolean;
  /** Whether a rule also reports failed restore tests ("Restore Job State Change"). */
  readonly failedRestoreTests: boolean;
  /** The states of failed jobs it matches. */
  readonly failedStates: readonly string[];
  /** `topic <name>` for a topic the stack creates, else the existing topic's ARN. */
  readonly destination: string;
  /** The alias of the key that encrypts a created topic. */
  readonly keyAlias?: string;
  readonly emails: readonly string[];
}

type Body = Record<string, unknown>;
const all = (stack: StackJson, type: string): [string, Body][] => Object.entries(stack.resource?.[type] ?? {});
const referenced = (value: unknown): string | undefined => /^\$\{([^}]+)\.[a-z_]+\}$/.exec(String(value))?.[1];

export function postureOf(stack: StackJson): Posture {
  const [, selection] = all(stack, BackupSelection.tfResourceType)[0] ?? [];
  const condition = (selection?.condition as { string_equals?: { key: string; value: string }[] }[] | undefined)?.[0]
    ?.string_equals?.[0];
  const [, plan] = all(stack, BackupPlan.tfResourceType)[0] ?? [];
  // The environment's own vault is the one the plan's rules write to; a DR vault only receives copies.
  const target = referenced((plan?.rule as Body[] | undefined)?.[0]?.target_vault_name);
  const vaults = all(stack, BackupVault.tfResourceType);
  const [vaultId, vault] =
    vaults.find(([id]) => `${BackupVault.tfResourceType}.${id}` === target) ??
    vaults.find(([, v]) => v.provider === undefined) ??
    [];
  const settings =
    (plan?.advanced_backup_setting as
      | { resource_type: string; backup_options: Record<string, string> }[]
      | undefined) ?? [];
  return {
    providers: awsProvidersOf(stack),
    tag: condition ? tagOfCondition(condition) : undefined,
    windowsVss: settings.some((s) => s.resource_type === "EC2" && s.backup_options.WindowsVSS === "enabled"),
    vault: vault
      ? {
          name: String(vault.name),
          preventDestroy: (vault.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy === true,
          kmsKeyArn: keyNamed(stack, vault.kms_key_arn as string | undefined),
        }
      : undefined,
    rules: ((plan?.rule as Body[] | undefined) ?? []).map((rule) => rulePosture(stack, rule)),
    roles: rolesOf(stack),
    alerts: alertsOf(stack),
    disasterRecovery: disasterRecoveryOf(stack, (plan?.rule as Body[] | undefined) ?? []),
    ...vaultProtectionOf(stack, vault ? `${BackupVault.tfResourceType}.${vaultId}` : undefined),
    restoreTesting: restoreTestingOf(stack),
    audit: auditOf(stack),
  };
}

function restoreTestingOf(stack: StackJson): RestoreTestingPosture | undefined {
  const [planId, plan] = all(stack, BackupRestoreTestingPlan.tfResourceType)[0] ?? [];
  if (!plan) return undefined;
  const planAddress = `${BackupRestoreTestingPlan.tfResourceType}.${planId}`;
  const [, selection] =
    all(stack, BackupRestoreTestingSelection.tfResourceType).find(
      ([, s]) => referenced(s.restore_testing_plan_name) === planAddress,
    ) ?? [];
  const points = (plan.recovery_point_selection as Body[] | undefined)?.[0] ?? {};
  const overrides = (selection?.restore_metadata_overrides ?? {}) as Record<string, string | undefined>;
  const groups = overrides[EC2_RESTORE_METADATA.securityGroupIds];
  return {
    planName: String(plan.name),
    scheduleInWords: scheduleInWords(
      String(plan.schedule_expression),
      String(plan.schedule_expression_timezone ?? DEFAULT_TIMEZONE),
    ),
    vaults: ((points.include_vaults as string[] | undefined) ?? []).map((arn) => vaultNamed(stack, arn)),
    selectionWindowDays: points.selection_window_days as number | undefined,
    subnetId: overrides[EC2_RESTORE_METADATA.subnetId],
    securityGroupIds: groups ? (JSON.parse(groups) as string[]) : [],
    instanceType: overrides[EC2_RESTORE_METADATA.instanceType],
    validationWindowHours: selection?.validation_window_hours as number | undefined,
  };
}

function auditOf(stack: StackJson): AuditPosture | undefined {
  const [, framework] = all(stack, BackupFramework.tfResourceType)[0] ?? [];
  if (!framework) return undefined;
  const [, report] = all(stack, BackupReportPlan.tfResourceType)[0] ?? [];
  type Control = { name: string; input_parameter?: { name: string; value: string }[] };
  const channel = report?.report_delivery_channel as { s3_bucket_name?: string; formats?: string[] } | undefined;
  return {
    frameworkName: String(framework.name),
    controls: ((framework.control as Control[] | undefined) ?? []).map((c) => ({
      name: c.name,
      parameters: Object.fromEntries((c.input_parameter ?? []).map((p) => [p.name, p.value])),
    })),
    report: report
      ? {
          name: String(report.name),
          template: String((report.report_setting as { report_template?: string } | undefined)?.report_template),
          bucketName: String(channel?.s3_bucket_name),
          formats: channel?.formats ?? [],
        }
      : undefined,
  };
}

function disasterRecoveryOf(stack: StackJson, rules: readonly Body[]): DisasterRecoveryPosture[] {
  const providers = awsProvidersOf(stack);
  return all(stack, BackupVault.tfResourceType)
    .filter(([, v]) => typeof v.provider === "string")
    .map(([id, v]) => {
      const address = `${BackupVault.tfResourceType}.${id}`;
      const keepDays: Record<string, number | undefined> = {};
      for (const rule of rules)
        for (const copy of (rule.copy_action as Body[] | undefined) ?? [])
          if (referenced(copy.destination_vault_arn) === address)
            keepDays[String(rule.rule_name)] = (copy.lifecycle as { delete_after?: number } | undefined)?.delete_after;
      return {
        vaultName: String(v.name),
        region: providers.find((p) => p.address === v.provider)?.region,
        keepDays,
        lock: vaultProtectionOf(stack, address).lock,
      };
    })
    .filter((dr) => Object.keys(dr.keepDays).length > 0);
}

/** The lock and deletion guard of the vault at `vaultAddress` (`aws_backup_vault.<id>`). */
export function vaultProtectionOf(
  stack: StackJson,
  vaultAddress: string | undefined,
): Pick<Posture, "lock" | "deletionGuard"> {
  const onVault = ([, body]: [string, Body]) => referenced(body.backup_vault_name) === vaultAddress;
  const [, lock] = all(stack, BackupVaultLockConfiguration.tfResourceType).find(onVault) ?? [];
  const [, policy] = all(stack, BackupVaultPolicy.tfResourceType).find(onVault) ?? [];
  const documentId = referenced(policy?.policy)?.split(".")[2];
  const statements =
    (stack.data?.[DataAwsIamPolicyDocument.tfResourceType]?.[documentId ?? ""]?.statement as
      | { effect?: string; actions?: string[]; condition?: { variable: string; values: string[] }[] }[]
      | undefined) ?? [];
  const deny = statements.find((s) => s.effect === "Deny" && s.actions?.includes("backup:DeleteRecoveryPoint"));
  return {
    lock: lock
      ? {
          mode: lock.changeable_for_days === undefined ? "governance" : "compliance",
          minRetentionDays: lock.min_retention_days as number | undefined,
          maxRetentionDays: lock.max_retention_days as number | undefined,
          changeableForDays: lock.changeable_for_days as number | undefined,
        }
      : undefined,
    deletionGuard: deny
      ? {
          exemptRoleArns: (deny.condition ?? [])
            .filter((c) => c.variable === "aws:PrincipalArn")
            .flatMap((c) => c.values),
        }
      : undefined,
  };
}

/** A vault ARN as written, or for a vault of the stack `vault <name> (this stack)`. */
function vaultNamed(stack: StackJson, arn: string): string {
  const id = referenced(arn)?.split(".")[1];
  const vault = id ? stack.resource?.[BackupVault.tfResourceType]?.[id] : undefined;
  return vault ? `vault ${String(vault.name)} (this stack)` : arn;
}

/** A key ARN as written, or for a key the stack creates `alias/... (created by the stack)`. */
function keyNamed(stack: StackJson, arn: string | undefined): string | undefined {
  const keyAddress = referenced(arn);
  if (!keyAddress) return arn;
  const [, alias] =
    all(stack, KmsAlias.tfResourceType).find(([, a]) => referenced(a.target_key_id) === keyAddress) ?? [];
  return alias ? `${String(alias.name)} (created by the stack)` : keyAddress;
}

interface PatternShape {
  source?: string[];
  "detail-type"?: string[];
  detail?: { $or?: { state?: string[]; statusMessage?: unknown }[]; state?: string[] };
}

export function alertsOf(stack: StackJson): AlertsPosture | undefined {
  const rules = all(stack, CloudwatchEventRule.tfResourceType).filter(([, rule]) => {
    const pattern = JSON.parse(String(rule.event_pattern ?? "{}")) as PatternShape;
    return pattern.source?.includes("aws.backup");
  });
  if (rules.length === 0) return undefined;
  const detailTypes = ([, r]: [string, Body]) =>
    (JSON.parse(String(r.event_pattern)) as PatternShape)["detail-type"] ?? [];
  // The backup job rule is the main one; a second rule may report failed restore tests.
  const [ruleId, rule] = rules.find((r) => detailTypes(r).includes("Backup Job State Change")) ?? rules[0];
  const pattern = JSON.parse(String(rule.event_pattern)) as PatternShape;
  type Branch = { state?: string[]; statusMessage?: unknown };
  const branches: Branch[] = pattern.detail?.$or ?? [(pattern.detail ?? {}) as Branch];
  const ruleAddress = `${CloudwatchEventRule.tfResourceType}.${ruleId}`;
  const [, target] =
    all(stack, CloudwatchEventTarget.tfResourceType).find(([, t]) => referenced(t.rule) === ruleAddress) ?? [];
  const topicAddress = referenced(target?.arn);
  const topic = topicAddress ? stack.resource?.[SnsTopic.tfResourceType]?.[topicAddress.split(".")[1]] : undefined;
  const keyAddress = referenced(topic?.kms_master_key_id);
  const [, alias] =
    all(stack, KmsAlias.tfResourceType).find(([, a]) => keyAddress && referenced(a.target_key_id) === keyAddress) ?? [];
  return {
    ruleName: String(rule.name),
    catchesVssFallback: branches.some((b) => b.state?.includes("COMPLETED") && b.statusMessage !== undefined),
    failedRestoreTests: rules.some((r) => detailTypes(r).includes("Restore Job State Change")),
    failedStates: branches.flatMap((b) => (b.state ?? []).filter((state) => state !== "COMPLETED")),
    destination: topic ? `topic ${String(topic.name)}` : target ? String(target.arn) : "nowhere (no target)",
    keyAlias: alias ? String(alias.name) : undefined,
    emails: all(stack, SnsTopicSubscription.tfResourceType)
      .filter(([, s]) => topicAddress && referenced(s.topic_arn) === topicAddress && s.protocol === "email")
      .map(([, s]) => String(s.endpoint)),
  };
}

/**
 * What a change takes away from an environment's protection, found by comparing the posture of the
 * base's synthesized JSON with the head's (a plan's JSON carries no prior values to compare).
 */
export function weakeningsOf(base: Posture, head: Posture): string[] {
  const found: string[] = [];
  const range = (l: LockPosture) => `${l.minRetentionDays ?? "any"}-${l.maxRetentionDays ?? "any"} days`;
  if (base.lock && !head.lock) {
    found.push(`removes the ${base.lock.mode} vault lock (${range(base.lock)})`);
  } else if (base.lock && head.lock) {
    const [b, h] = [base.lock, head.lock];
    if (
      b.mode !== h.mode ||
      b.minRetentionDays !== h.minRetentionDays ||
      b.maxRetentionDays !== h.maxRetentionDays ||
      b.changeableForDays !== h.changeableForDays
    ) {
      found.push(
        `replaces the vault lock (${b.mode}, ${range(b)} → ${h.mode}, ${range(h)}): every lock argument forces replacement, and a compliance lock past its cooling-off period cannot be replaced, so the apply fails`,
      );
    }
    if (
      (h.minRetentionDays ?? 0) < (b.minRetentionDays ?? 0) ||
      (h.maxRetentionDays ?? Infinity) < (b.maxRetentionDays ?? Infinity)
    ) {
      found.push(`narrows what the vault lock keeps: ${range(b)} → ${range(h)}`);
    }
    if (b.mode === "compliance" && h.mode === "governance")
      found.push("turns the compliance lock into a governance lock");
  }
  if (base.deletionGuard && !head.deletionGuard) {
    found.push("removes the vault policy's Deny on deleting recovery points: any administrator can delete them again");
  }
  for (const dr of base.disasterRecovery) {
    const now = head.disasterRecovery.find((h) => h.vaultName === dr.vaultName && h.region === dr.region);
    if (!now) found.push(`removes the copy to ${dr.vaultName} in ${dr.region}: a region outage takes the only copy`);
    else if (dr.lock && !now.lock) found.push(`removes the lock of DR vault ${dr.vaultName}`);
  }
  if (base.restoreTesting && !head.restoreTesting) {
    found.push(
      `removes restore testing (plan \`${base.restoreTesting.planName}\`, ${base.restoreTesting.scheduleInWords}): nothing shows any more that the backups restore`,
    );
  }
  if (base.audit && !head.audit) {
    found.push(
      `removes the audit framework \`${base.audit.frameworkName}\`: no control reports a vault, lock or plan that drifts`,
    );
  } else if (base.audit && head.audit) {
    for (const control of base.audit.controls)
      if (!head.audit.controls.some((c) => c.name === control.name))
        found.push(`drops the audit control ${control.name} from \`${head.audit.frameworkName}\``);
  }
  if (base.alerts && !head.alerts) {
    found.push(
      `removes the alerts on failed and crash-consistent backups (rule \`${base.alerts.ruleName}\` to ${base.alerts.destination}): no one is told when VSS falls back`,
    );
  } else if (base.alerts?.catchesVssFallback && head.alerts && !head.alerts.catchesVssFallback) {
    found.push(
      `the alert rule \`${head.alerts.ruleName}\` no longer catches COMPLETED jobs with a status message: a VSS fallback to crash-consistent goes unreported`,
    );
  }
  return found;
}

function rulePosture(stack: StackJson, rule: Body): RulePosture {
  const lifecycle = (value: unknown): RetentionPosture => {
    const body = (value ?? {}) as { delete_after?: number; cold_storage_after?: number };
    return { deleteAfterDays: body.delete_after, coldStorageAfterDays: body.cold_storage_after };
  };
  const timezone = String(rule.schedule_expression_timezone ?? "Etc/UTC");
  return {
    name: String(rule.rule_name),
    schedule: String(rule.schedule),
    timezone,
    scheduleInWords: scheduleInWords(String(rule.schedule), timezone),
    ...lifecycle(rule.lifecycle),
    copies: ((rule.copy_action as Body[] | undefined) ?? []).map((copy) => ({
      destinationVaultArn: vaultNamed(stack, String(copy.destination_vault_arn)),
      ...lifecycle(copy.lifecycle),
    })),
  };
}

function rolesOf(stack: StackJson): RolePosture[] {
  const byAddress = new Map<
    string,
    { name: string; assumedBy: string[]; existing: boolean; managed: string[]; inline: string[] }
  >();
  for (const [id, role] of all(stack, IamRole.tfResourceType)) {
    const trust = referenced(role.assume_role_policy)?.split(".")[2];
    const statements =
      (stack.data?.[DataAwsIamPolicyDocument.tfResourceType]?.[trust ?? ""]?.statement as
        | { principals?: { identifiers: string[] }[] }[]
        | undefined) ?? [];
    byAddress.set(`${IamRole.tfResourceType}.${id}`, {
      name: String(role.name),
      assumedBy: statements.flatMap((s) => s.principals ?? []).flatMap((p) => p.identifiers),
      existing: false,
      managed: [],
      inline: [],
    });
  }
  for (const [id, role] of Object.entries(stack.data?.[DataAwsIamRole.tfResourceType] ?? {})) {
    byAddress.set(`data.${DataAwsIamRole.tfResourceType}.${id}`, {
      name: String(role.name),
      assumedBy: [],
      existing: true,
      managed: [],
      inline: [],
    });
  }
  for (const [, attachment] of all(stack, IamRolePolicyAttachment.tfResourceType))
    byAddress.get(referenced(attachment.role) ?? "")?.managed.push(String(attachment.policy_arn));
  for (const [, policy] of all(stack, IamRolePolicy.tfResourceType))
    byAddress.get(referenced(policy.role) ?? "")?.inline.push(String(policy.name));
  return [...byAddress.values()].map((r) => ({
    name: r.name,
    assumedBy: r.assumedBy,
    existing: r.existing,
    managedPolicies: r.managed,
    inlinePolicies: r.inline,
  }));
}
