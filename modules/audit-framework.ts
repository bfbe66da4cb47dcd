import { BackupFramework, BackupFrameworkControl } from "@cdktf/provider-aws/lib/backup-framework";
import { Construct } from "constructs";
import type { BackupRuleSpec, VssBackupPlan } from "./backup-plan";
import type { VssBackupSelection } from "./backup-selection";
import { regionProblem } from "./regions";
import { longestIntervalMinutes } from "./schedule";
import { describeTag } from "./selection-tag";
import type { VssVaultDeletionGuard } from "./vault-deletion-guard";
import type { VssVaultLock } from "./vault-lock";
import { NameSpec, Problems, synthesisTime, throwIfAny } from "./validation";

/**
 * AWS Backup Audit Manager framework and report plan names (CreateFramework, CreateReportPlan, and
 * the provider's validFrameworkName / validReportPlanName): 1-256 characters, a letter first, then
 * letters, digits and underscores (no hyphens).
 */
export const AUDIT_NAME: NameSpec = {
  min: 1,
  max: 256,
  pattern: /^[A-Za-z][A-Za-z0-9_]*$/,
  charsLabel: "A-Z a-z 0-9 _ starting with a letter",
};

/** A framework or report plan name from a project's own name: hyphens become underscores. */
export const auditNameOf = (...parts: string[]): string => parts.join("_").replace(/-/g, "_");

/** The AWS Backup Audit Manager controls the framework deploys ("Choosing your controls"). */
export const AUDIT_CONTROLS = {
  /** The tagged resources are in a backup plan. */
  protectedByPlan: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
  /** The plan backs up at least as often, and keeps at least as long, as required. */
  frequencyAndRetention: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
  /** The EC2 recovery points are encrypted. */
  encrypted: "BACKUP_RECOVERY_POINT_ENCRYPTED",
  /** The vault's policy denies deleting recovery points (the deletion guard's Deny). */
  manualDeletionDisabled: "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
  /** The tagged resources are backed up to a locked vault. */
  protectedByVaultLock: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
  /** The tagged resources have a copy scheduled to another region. */
  protectedByCrossRegion: "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
} as const;

/**
 * The resource types AWS Config must record in the account and region for this framework's controls
 * to evaluate ("Choosing your controls", AWS Backup Developer Guide: each control's "AWS Config
 * recording resource type"): backup selections (protected by a plan, copied to another region),
 * backup plans (minimum frequency and retention), backup vaults (manual deletion
 * disabled), recovery points (encrypted), and for every control AWS Config: resource compliance,
 * which records the compliance status. A recorder that records all supported types records these.
 */
export const AUDIT_RECORDED_RESOURCE_TYPES = [
  "AWS::Backup::BackupPlan",
  "AWS::Backup::BackupSelection",
  "AWS::Backup::BackupVault",
  "AWS::Backup::RecoveryPoint",
  "AWS::Config::ResourceCompliance",
] as const;

/** The input parameters of BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK and of the cross-region control. */
export const AUDIT_PARAMETERS = {
  frequencyUnit: "requiredFrequencyUnit",
  frequencyValue: "requiredFrequencyValue",
  retentionDays: "requiredRetentionDays",
  crossRegions: "crossRegionList",
} as const;

/**
 * How often the plan must back up (requiredFrequencyUnit and requiredFrequencyValue): AWS Config's
 * rule takes "hours" up to 24 and "days" up to 31.
 */
export interface RequiredFrequency {
  readonly unit: "hours" | "days";
  readonly value: number;
}

const MAX_FREQUENCY = { hours: 24, days: 31 } as const;
const MINUTES_PER = { hours: 60, days: 1440 } as const;
const MAX_RETENTION_DAYS = 36_500;

export const minutesOf = (frequency: RequiredFrequency): number => frequency.value * MINUTES_PER[frequency.unit];

/** `every 1 day`, `every 12 hours`. */
export const frequencyInWords = (f: RequiredFrequency): string =>
  `every ${f.value} ${f.value === 1 ? f.unit.replace(/s$/, "") : f.unit}`;

/**
 * The requirement a rule that runs at most `minutes` apart meets exactly: whole hours below a day,
 * whole days above (a daily rule: 1 day); undefined beyond 31 days, which the control cannot express.
 */
export function frequencyOf(minutes: number): RequiredFrequency | undefined {
  if (minutes < MINUTES_PER.days && minutes % MINUTES_PER.days !== 0)
    return { unit: "hours", value: Math.ceil(minutes / MINUTES_PER.hours) };
  const days = Math.ceil(minutes / MINUTES_PER.days);
  return days <= MAX_FREQUENCY.days ? { unit: "days", value: days } : undefined;
}

/** What one rule promises: how far apart it runs (its longest gap, wall-clock) and how long it keeps. */
export interface RulePromise {
  readonly rule: string;
  /** Undefined when the schedule runs fewer than twice in two years. */
  readonly intervalMinutes?: number;
  readonly retentionDays: number;
}

export function rulePromises(rules: readonly BackupRuleSpec[], now: Date): RulePromise[] {
  return rules.map((rule) => ({
    rule: rule.name,
    intervalMinutes: longestIntervalMinutes(rule.schedule, now),
    retentionDays: rule.deleteAfterDays,
  }));
}

/**
 * The requirement every rule meets: the least frequent rule's frequency (of the rules the control can
 * express, at most every 31 days) and the shortest retention of any rule. A stricter requirement
 * would report the plan NON_COMPLIANT the day it is deployed. Undefined when no rule runs at least
 * every 31 days.
 */
export function derivedAuditRequirement(
  rules: readonly BackupRuleSpec[],
  now: Date,
): { readonly frequency: RequiredFrequency; readonly retentionDays: number } | undefined {
  const promises = rulePromises(rules, now);
  const expressible = promises
    .map((p) => (p.intervalMinutes === undefined ? undefined : frequencyOf(p.intervalMinutes)))
    .filter((f): f is RequiredFrequency => f !== undefined);
  if (expressible.length === 0) return undefined;
  const frequency = expressible.reduce((a, b) => (minutesOf(b) > minutesOf(a) ? b : a));
  return { frequency, retentionDays: Math.min(...promises.map((p) => p.retentionDays)) };
}

export interface VssAuditFrameworkProps {
  /** 1-256 of A-Z a-z 0-9 _, starting with a letter; unique in the account and region. */
  readonly name: string;
  /** The plan BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK judges (the control is scoped to it). */
  readonly plan: VssBackupPlan;
  /** The selection whose tag scopes the resource controls (protected by a plan, by a lock, by a copy). */
  readonly selection: VssBackupSelection;
  /**
   * How often the plan must back up. It must be a frequency one of the plan's rules meets, or the
   * control reports the plan NON_COMPLIANT. @default the least frequent rule's frequency
   */
  readonly requiredFrequency?: RequiredFrequency;
  /**
   * Days the plan must keep each backup, 1-36500; a rule that runs as often as required must keep
   * them as long. @default the plan's shortest retention
   */
  readonly requiredRetentionDays?: number;
  /**
   * The vault's deletion guard: with it, BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED judges that
   * vault (without it the control could only ever report NON_COMPLIANT). AWS deploys this control
   * through a framework WITHOUT IAM role exceptions ("Choosing your controls": "There are also no IAM
   * role exceptions when you deploy this control with the AWS Backup framework"), so no
   * principalArnList is passed: the control judges the Deny statement itself (Principal and Resource
   * "*" on the three actions) and does not know which roles the Deny's condition exempts. Whether AWS
   * counts a Deny that carries such a condition as "suitable" is not documented: if it does not, the
   * control reports the vault NON_COMPLIANT although only the exempted roles can delete.
   * @default no such control
   */
  readonly deletionGuard?: VssVaultDeletionGuard;
  /** The vault's lock: with it, BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK. @default no such control */
  readonly lock?: VssVaultLock;
  /**
   * The region every rule copies to: with it, BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION with that
   * region as crossRegionList. @default no such control
   */
  readonly copyRegion?: string;
}

/**
 * The props' problems: the name, the requirement's units and ranges, and, given the plan's `rules`,
 * whether a rule meets the requirement (otherwise the plan is NON_COMPLIANT from the first day).
 * Without rules (a plan with problems of its own) that last judgement is left out.
 */
export function vssAuditFrameworkProblems(
  props: Pick<VssAuditFrameworkProps, "name" | "requiredFrequency" | "requiredRetentionDays" | "copyRegion">,
  rules: readonly BackupRuleSpec[] | undefined,
  now: Date,
): Problems {
  const problems = new Problems();
  problems.checkName("name", props.name, AUDIT_NAME);
  if (props.copyRegion !== undefined) {
    const region = regionProblem(props.copyRegion);
    if (region) problems.add("copyRegion", region);
  }
  const given = props.requiredFrequency;
  let frequencyOk = true;
  if (given !== undefined) {
    if (given.unit !== "hours" && given.unit !== "days") {
      problems.add(
        "requiredFrequency.unit",
        `${JSON.stringify(given.unit)} is not allowed, allowed: "hours" or "days"`,
      );
      frequencyOk = false;
    } else if (!Number.isInteger(given.value) || given.value < 1 || given.value > MAX_FREQUENCY[given.unit]) {
      problems.checkInteger("requiredFrequency.value", given.value, 1, MAX_FREQUENCY[given.unit], given.unit);
      frequencyOk = false;
    }
  }
  const retention = props.requiredRetentionDays;
  if (retention !== undefined && (!Number.isInteger(retention) || retention < 1 || retention > MAX_RETENTION_DAYS)) {
    problems.checkInteger("requiredRetentionDays", retention, 1, MAX_RETENTION_DAYS, "days");
    return problems;
  }
  if (!frequencyOk || rules === undefined) return problems;
  const derived = derivedAuditRequirement(rules, now);
  if (!derived && given === undefined) {
    problems.add(
      "requiredFrequency",
      `no rule of the plan backs up at least every ${MAX_FREQUENCY.days} days, the longest frequency the control takes; allowed: a plan with such a rule`,
    );
    return problems;
  }
  const frequency = given ?? derived!.frequency;
  const days = retention ?? derived?.retentionDays ?? Math.min(...rules.map((r) => r.deleteAfterDays));
  const promises = rulePromises(rules, now);
  const often = promises.filter((p) => p.intervalMinutes !== undefined && p.intervalMinutes <= minutesOf(frequency));
  const offered = promises
    .map(
      (p) =>
        `${p.rule}: ${p.intervalMinutes === undefined ? "runs fewer than twice in two years" : frequencyInWords(frequencyOf(p.intervalMinutes) ?? { unit: "days", value: Math.ceil(p.intervalMinutes / 1440) })}, ${p.retentionDays} days`,
    )
    .join("; ");
  if (often.length === 0) {
    problems.add(
      "requiredFrequency",
      `${frequencyInWords(frequency)} is met by no rule of the plan: the control would report it NON_COMPLIANT; allowed: a frequency a rule meets (${offered})`,
    );
  } else if (!often.some((p) => p.retentionDays >= days)) {
    problems.add(
      "requiredRetentionDays",
      `${days} days is kept by no rule that backs up ${frequencyInWords(frequency)}: the control would report the plan NON_COMPLIANT; allowed: a retention such a rule keeps (${offered})`,
    );
  }
  return problems;
}

/**
 * An AWS Backup Audit Manager framework over one environment's backups. Its controls are AWS Config
 * rules that AWS Backup deploys: they evaluate only when AWS Config records in the account and region
 * (resource types backup plans, selections, vaults, recovery points and resource compliance), and
 * the framework's deployment fails otherwise. Controls:
 * - BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN, BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK and
 *   BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION, scoped to the selection's tag (AWS documents a scope
 *   as resource types, one tag, or one type with one ID: not a tag with types, so any resource
 *   carrying the tag is judged, an EBS volume too);
 * - BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK, scoped to this plan (type AWS::Backup::BackupPlan
 *   and its ID, as AWS's example scopes a vault control to a vault);
 * - BACKUP_RECOVERY_POINT_ENCRYPTED, scoped to EC2 recovery points;
 * - BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED, scoped to the guarded vault (see `deletionGuard`).
 */
export class VssAuditFramework extends Construct {
  readonly frameworkArn: string;
  readonly frameworkName: string;
  /** The requirement deployed: given, or derived from the plan's rules. */
  readonly requiredFrequency: RequiredFrequency;
  readonly requiredRetentionDays: number;

  constructor(scope: Construct, id: string, props: VssAuditFrameworkProps) {
    super(scope, id);
    const now = synthesisTime(this);
    throwIfAny(`VssAuditFramework ${this.node.path}`, vssAuditFrameworkProblems(props, props.plan.rules, now).all);
    const derived = derivedAuditRequirement(props.plan.rules, now);
    this.requiredFrequency = props.requiredFrequency ?? derived!.frequency;
    this.requiredRetentionDays = props.requiredRetentionDays ?? derived!.retentionDays;
    const tagged = { tags: { [props.selection.tag.key]: props.selection.tag.value } };
    const parameter = (name: string, value: string | number) => ({ name, value: String(value) });
    const controls: BackupFrameworkControl[] = [
      { name: AUDIT_CONTROLS.protectedByPlan, scope: tagged },
      {
        name: AUDIT_CONTROLS.frequencyAndRetention,
        inputParameter: [
          parameter(AUDIT_PARAMETERS.frequencyUnit, this.requiredFrequency.unit),
          parameter(AUDIT_PARAMETERS.frequencyValue, this.requiredFrequency.value),
          parameter(AUDIT_PARAMETERS.retentionDays, this.requiredRetentionDays),
        ],
        scope: { complianceResourceTypes: ["AWS::Backup::BackupPlan"], complianceResourceIds: [props.plan.planId] },
      },
      { name: AUDIT_CONTROLS.encrypted, scope: { complianceResourceTypes: ["EC2"] } },
    ];
    if (props.deletionGuard)
      controls.push({
        name: AUDIT_CONTROLS.manualDeletionDisabled,
        scope: {
          complianceResourceTypes: ["AWS::Backup::BackupVault"],
          complianceResourceIds: [props.deletionGuard.vault.vaultName],
        },
      });
    if (props.lock) controls.push({ name: AUDIT_CONTROLS.protectedByVaultLock, scope: tagged });
    if (props.copyRegion)
      controls.push({
        name: AUDIT_CONTROLS.protectedByCrossRegion,
        inputParameter: [parameter(AUDIT_PARAMETERS.crossRegions, props.copyRegion)],
        scope: tagged,
      });
    const framework = new BackupFramework(this, "framework", {
      name: props.name,
      description: `Windows VSS backups of the EC2 instances tagged ${describeTag(props.selection.tag)}`,
      control: controls,
    });
    this.frameworkArn = framework.arn;
    this.frameworkName = framework.name;
  }
}
