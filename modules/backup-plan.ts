import { BackupPlan, BackupPlanRule } from "@cdktf/provider-aws/lib/backup-plan";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { backupScheduleProblem, DEFAULT_TIMEZONE, timezoneProblem } from "./schedule";
import { VssBackupSelection, VssBackupSelectionOptions } from "./backup-selection";
import type { VssBackupVault } from "./backup-vault";
import { tagSetProblems } from "./tags";
import { ARNS, BACKUP_NAME, Problems, synthesisTime, throwIfAny } from "./validation";

/** How long recovery points are kept. */
export interface RetentionSpec {
  /** Days until deletion, 1-36500; at least coldStorageAfterDays + 90 when cold storage is used. */
  readonly deleteAfterDays: number;
  /**
   * Days until transition to cold storage. AWS ignores it for EC2 backups, so setting it on this
   * EC2-only plan only prints a warning. @default no cold storage
   */
  readonly coldStorageAfterDays?: number;
}

/** A copy of each recovery point to another vault (another region or account). */
export interface BackupCopySpec extends RetentionSpec {
  readonly destinationVaultArn: string;
}

export interface BackupRuleSpec extends RetentionSpec {
  /** 1-50 of A-Z a-z 0-9 - _ . , unique within the plan. */
  readonly name: string;
  /** AWS cron, six fields, at most hourly, e.g. "cron(0 5 ? * * *)". */
  readonly schedule: string;
  /** IANA time zone the schedule is read in. @default "Etc/UTC" */
  readonly timezone?: string;
  /** Minutes after the scheduled time within which the job must start; AWS requires at least 60. @default 60 */
  readonly startWindowMinutes?: number;
  /** Minutes after the scheduled time within which the job must finish. @default 480 */
  readonly completionWindowMinutes?: number;
  /** @default no copies */
  readonly copies?: readonly BackupCopySpec[];
  /** Tags put on each recovery point. @default none */
  readonly recoveryPointTags?: Readonly<Record<string, string>>;
}

export interface PresetRuleOptions {
  /** How long each recovery point is kept. */
  readonly keepDays: number;
  /** Hour of day the backup starts (0-23, in `timezone`). @default 5 */
  readonly atHour?: number;
  /** @default "Etc/UTC" */
  readonly timezone?: string;
  /** @default the preset's own name: "daily", "weekly" or "monthly" */
  readonly name?: string;
  /** @default no copies */
  readonly copies?: readonly BackupCopySpec[];
}

/** Named schedules, so configuration reads as intent rather than cron. */
export const BackupRules = {
  /** Every day at `atHour`. */
  daily: (options: PresetRuleOptions): BackupRuleSpec =>
    preset("daily", `cron(0 ${options.atHour ?? 5} ? * * *)`, options),
  /** Every Sunday at `atHour`. */
  weekly: (options: PresetRuleOptions): BackupRuleSpec =>
    preset("weekly", `cron(0 ${options.atHour ?? 5} ? * SUN *)`, options),
  /** The first day of each month at `atHour`. */
  monthly: (options: PresetRuleOptions): BackupRuleSpec =>
    preset("monthly", `cron(0 ${options.atHour ?? 5} 1 * ? *)`, options),
};

function preset(name: string, schedule: string, options: PresetRuleOptions): BackupRuleSpec {
  return {
    name: options.name ?? name,
    schedule,
    timezone: options.timezone,
    deleteAfterDays: options.keepDays,
    copies: options.copies,
  };
}

export const DEFAULT_START_WINDOW_MINUTES = 60;
export const DEFAULT_COMPLETION_WINDOW_MINUTES = 480;
const MAX_WINDOW_MINUTES = 52_560_000; // 100 years, the API's maximum
const MAX_RETENTION_DAYS = 36_500;
const MIN_DAYS_IN_COLD_STORAGE = 90;

export interface VssBackupPlanProps {
  /** Plan name shown in the AWS Backup console. 1-50 of A-Z a-z 0-9 - _ . */
  readonly name: string;
  /** Vault the rules write to. */
  readonly vault: VssBackupVault;
  /** At least one rule. */
  readonly rules: readonly BackupRuleSpec[];
  /** Take VSS (application-consistent) snapshots of Windows instances. @default true */
  readonly windowsVss?: boolean;
  /**
   * A vault (e.g. in a second region, through an aliased provider) every rule also copies each
   * recovery point to, kept `deleteAfterDays` there. @default no such copy
   */
  readonly copyEveryRuleTo?: { readonly vault: Pick<VssBackupVault, "vaultArn">; readonly deleteAfterDays?: number };
}

/** Days a copy to `copyEveryRuleTo` is kept after rule `rule`: its own days unless given. */
export const copyRetentionOf = (rule: RetentionSpec, keepDays?: number): number => keepDays ?? rule.deleteAfterDays;

export function vssBackupPlanProblems(
  props: Pick<VssBackupPlanProps, "name" | "rules"> & {
    readonly copyEveryRuleTo?: { readonly deleteAfterDays?: number };
  },
  now: Date,
): Problems {
  const problems = new Problems();
  problems.checkName("name", props.name, BACKUP_NAME);
  const keep = props.copyEveryRuleTo?.deleteAfterDays;
  if (keep !== undefined) problems.checkInteger("copyEveryRuleTo.deleteAfterDays", keep, 1, MAX_RETENTION_DAYS, "days");
  if (props.rules.length === 0)
    problems.add("rules", "is empty, allowed: at least one rule, e.g. BackupRules.daily({ keepDays: 35 })");
  const seen = new Set<string>();
  props.rules.forEach((rule, i) => {
    if (seen.has(rule.name))
      problems.add(
        `rules[${i}].name`,
        `${JSON.stringify(rule.name)} is used by an earlier rule, allowed: a name unique within the plan`,
      );
    seen.add(rule.name);
    problems.nest(`rules[${i}]`, ruleProblems(rule, now));
  });
  return problems;
}

function ruleProblems(rule: BackupRuleSpec, now: Date): Problems {
  const problems = new Problems();
  problems.checkName("name", rule.name, BACKUP_NAME);
  const timezone = rule.timezone !== undefined ? timezoneProblem(rule.timezone) : undefined;
  const schedule = backupScheduleProblem(rule.schedule, now, rule.timezone);
  if (schedule) problems.add("schedule", schedule);
  if (timezone) problems.add("timezone", timezone);
  const start = rule.startWindowMinutes ?? DEFAULT_START_WINDOW_MINUTES;
  const completion = rule.completionWindowMinutes ?? DEFAULT_COMPLETION_WINDOW_MINUTES;
  problems.checkInteger("startWindowMinutes", start, 60, MAX_WINDOW_MINUTES, "minutes (AWS Backup needs at least 60)");
  if (!Number.isInteger(completion) || completion <= start || completion > MAX_WINDOW_MINUTES) {
    problems.add(
      "completionWindowMinutes",
      `${completion} is not allowed, allowed: a whole number of minutes greater than startWindowMinutes (${start}) and at most ${MAX_WINDOW_MINUTES}`,
    );
  }
  checkRetention(problems, "", rule);
  (rule.copies ?? []).forEach((copy, i) => {
    problems.checkArn(`copies[${i}].destinationVaultArn`, copy.destinationVaultArn, ARNS.backupVault);
    checkRetention(problems, `copies[${i}].`, copy);
  });
  problems.nest("recoveryPointTags", tagSetProblems(rule.recoveryPointTags ?? {}));
  return problems;
}

function checkRetention(problems: Problems, prefix: string, retention: RetentionSpec): void {
  problems.checkInteger(`${prefix}deleteAfterDays`, retention.deleteAfterDays, 1, MAX_RETENTION_DAYS, "days");
  const cold = retention.coldStorageAfterDays;
  if (cold === undefined) return;
  problems.checkInteger(
    `${prefix}coldStorageAfterDays`,
    cold,
    1,
    MAX_RETENTION_DAYS - MIN_DAYS_IN_COLD_STORAGE,
    "days",
  );
  if (retention.deleteAfterDays < cold + MIN_DAYS_IN_COLD_STORAGE) {
    problems.add(
      `${prefix}coldStorageAfterDays`,
      `${cold} leaves ${Math.max(0, retention.deleteAfterDays - cold)} days in cold storage; deleteAfterDays must be at least ${cold + MIN_DAYS_IN_COLD_STORAGE} (cold storage keeps a backup 90 days)`,
    );
  }
}

/** Settings that are valid but do not do what their author likely expects. */
export function vssBackupPlanWarnings(props: Pick<VssBackupPlanProps, "rules">): Problems {
  const warnings = new Problems();
  props.rules.forEach((rule, i) => {
    const message =
      "AWS Backup ignores cold storage for EC2 backups, and this plan selects only EC2 instances; leave it out";
    if (rule.coldStorageAfterDays !== undefined) warnings.add(`rules[${i}].coldStorageAfterDays`, message);
    (rule.copies ?? []).forEach((copy, j) => {
      if (copy.coldStorageAfterDays !== undefined)
        warnings.add(`rules[${i}].copies[${j}].coldStorageAfterDays`, message);
    });
  });
  return warnings;
}

/** A backup plan whose rules take Windows VSS (application-consistent) backups of EC2 instances. */
export class VssBackupPlan extends Construct {
  readonly planId: string;
  readonly planArn: string;
  /** The rules as given: what the plan promises (an audit framework derives its requirement from them). */
  readonly rules: readonly BackupRuleSpec[];

  constructor(scope: Construct, id: string, props: VssBackupPlanProps) {
    super(scope, id);
    throwIfAny(`VssBackupPlan ${this.node.path}`, vssBackupPlanProblems(props, synthesisTime(this)).all);
    for (const warning of vssBackupPlanWarnings(props).all)
      Annotations.of(this).addWarning(`${warning.path}: ${warning.message}`);

    const copyTo = props.copyEveryRuleTo;
    const plan = new BackupPlan(this, "plan", {
      name: props.name,
      rule: props.rules.map((rule) =>
        planRuleOf(
          rule,
          props.vault.vaultName,
          copyTo && { vaultArn: copyTo.vault.vaultArn, deleteAfterDays: copyTo.deleteAfterDays },
        ),
      ),
      advancedBackupSetting:
        props.windowsVss === false ? undefined : [{ resourceType: "EC2", backupOptions: { WindowsVSS: "enabled" } }],
    });
    this.planId = plan.id;
    this.planArn = plan.arn;
    this.rules = props.rules;
  }

  /** Backs up the EC2 instances carrying `options.tag` with this plan. */
  addSelection(id: string, options: VssBackupSelectionOptions): VssBackupSelection {
    return new VssBackupSelection(this, id, { ...options, plan: this });
  }
}

/**
 * A rule as AWS Backup's plan takes it: every default filled in, and with `copyTo` a copy of each
 * recovery point to that vault (kept as long as the rule keeps the original unless `deleteAfterDays`).
 * The one conversion of a rule: a backup policy (backup-policy.ts) is built from its result too.
 */
export function planRuleOf(
  rule: BackupRuleSpec,
  vaultName: string,
  copyTo?: { readonly vaultArn: string; readonly deleteAfterDays?: number },
): BackupPlanRule {
  const copies = [
    ...(rule.copies ?? []).map((copy) => ({
      destinationVaultArn: copy.destinationVaultArn,
      lifecycle: toLifecycle(copy),
    })),
    ...(copyTo
      ? [
          {
            destinationVaultArn: copyTo.vaultArn,
            lifecycle: { deleteAfter: copyRetentionOf(rule, copyTo.deleteAfterDays) },
          },
        ]
      : []),
  ];
  return {
    ruleName: rule.name,
    targetVaultName: vaultName,
    schedule: rule.schedule,
    scheduleExpressionTimezone: rule.timezone ?? DEFAULT_TIMEZONE,
    startWindow: rule.startWindowMinutes ?? DEFAULT_START_WINDOW_MINUTES,
    completionWindow: rule.completionWindowMinutes ?? DEFAULT_COMPLETION_WINDOW_MINUTES,
    lifecycle: toLifecycle(rule),
    copyAction: copies.length > 0 ? copies : undefined,
    recoveryPointTags: rule.recoveryPointTags ? { ...rule.recoveryPointTags } : undefined,
  };
}

function toLifecycle(retention: RetentionSpec) {
  return { deleteAfter: retention.deleteAfterDays, coldStorageAfter: retention.coldStorageAfterDays };
}
