import { BackupRestoreTestingPlan } from "@cdktf/provider-aws/lib/backup-restore-testing-plan";
import { BackupRestoreTestingSelection } from "@cdktf/provider-aws/lib/backup-restore-testing-selection";
import { Construct } from "constructs";
import type { IBackupServiceRole } from "./backup-service-role";
import type { VssBackupVault } from "./backup-vault";
import { backupScheduleProblem, DEFAULT_TIMEZONE, timezoneProblem } from "./schedule";
import { RESOURCE_TAG_CONDITION_PREFIX, SelectionTag, selectionTagProblems, tagCondition } from "./selection-tag";
import { NameSpec, Problems, synthesisTime, throwIfAny, under } from "./validation";

/**
 * Restore testing plan and selection names (hashicorp/aws 5.100.0 validates both): 1-50 of A-Z a-z
 * 0-9 _, no hyphens or periods, unlike every other AWS Backup name.
 */
export const RESTORE_TESTING_NAME: NameSpec = {
  min: 1,
  max: 50,
  pattern: /^[A-Za-z0-9_]+$/,
  charsLabel: "A-Z a-z 0-9 _",
};

/** A restore testing name from hyphenated parts: `restoreTestingName("vss-backup-prod", "restore_test")` is `vss_backup_prod_restore_test`. */
export const restoreTestingName = (...parts: readonly string[]): string =>
  parts.join("_").replace(/[^A-Za-z0-9_]/g, "_");

/**
 * The EC2 restore metadata a restore test may override (AWS Backup "Restore testing inferred
 * metadata"; keys are not case sensitive there, these are AWS's spelling). List values are JSON
 * array strings, because the overrides are a map of strings.
 */
export const EC2_RESTORE_METADATA = {
  subnetId: "subnetId",
  securityGroupIds: "securityGroupIds",
  instanceType: "instanceType",
  iamInstanceProfileName: "iamInstanceProfileName",
  requireImdsV2: "requireImdsV2",
} as const;

/**
 * The only instance profile a restore test can give the instance besides none: the one it was backed
 * up with. AWS Backup refuses a new profile ("does not permit attaching a new instance profile to an
 * EC2 instance"), and passing it needs iam:PassRole on its role (BackupServiceRole grants it for the
 * VSS instance role).
 */
export const USE_BACKED_UP_VALUE = "UseBackedUpValue";

/** Restore testing's bounds (AWS Backup "Restore testing quotas and parameters", the provider's validators). */
export const RESTORE_TESTING_LIMITS = {
  startWindowHours: { min: 1, max: 168 },
  selectionWindowDays: { min: 1, max: 365 },
  validationWindowHours: { min: 1, max: 168 },
  securityGroups: { min: 1, max: 5 },
  /** A condition key is `aws:ResourceTag/<tag key>`, at most 128 characters. */
  conditionKeyLength: 128,
} as const;

/** Defaults, set explicitly so that Terraform plans no computed value. */
export const RESTORE_TESTING_DEFAULTS = {
  startWindowHours: 24,
  /** AWS's own default: recovery points of the last 30 days are eligible. */
  selectionWindowDays: 30,
  validationWindowHours: 1,
} as const;

const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
/** What a restore testing condition key may hold besides letters, digits and spaces. */
const CONDITION_KEY = /^[\p{L}\p{N}\p{Zs}+\-=._:/]+$/u;

/** Where a restored test instance runs, and as what. */
export interface RestoredInstanceSpec {
  /** The subnet of the environment's region the test instance is launched in: `subnet-` and 8 or 17 hex digits. */
  readonly subnetId: string;
  /** 1-5 security groups of the subnet's VPC: `sg-` and 8 or 17 hex digits each. */
  readonly securityGroupIds: readonly string[];
  /** e.g. "t3.large". @default the backed-up instance's own type */
  readonly instanceType?: string;
}

export interface VssRestoreTestingProps extends RestoredInstanceSpec {
  /** 1-50 of A-Z a-z 0-9 _. */
  readonly planName: string;
  /** 1-50 of A-Z a-z 0-9 _. */
  readonly selectionName: string;
  /** AWS cron, six fields, e.g. "cron(0 3 ? * SUN *)". */
  readonly schedule: string;
  /** IANA time zone the schedule is read in. @default "Etc/UTC" */
  readonly timezone?: string;
  /** Hours after the scheduled time within which the test starts, 1-168. @default 24 */
  readonly startWindowHours?: number;
  /** The latest recovery point of this many past days is restored, 1-365. @default 30 */
  readonly selectionWindowDays?: number;
  /** Hours the restored instance is kept (for a look or a validation hook) before AWS deletes it, 1-168. @default 1 */
  readonly validationWindowHours?: number;
  /**
   * The vaults whose recovery points are tested: vaults of the plan's own region. AWS documents no
   * cross-Region restore test: the plan is a regional resource, its restore jobs run where the
   * recovery point is, and the subnet and security groups exist only in this region. A copy in a
   * disaster-recovery region is therefore not tested by this plan.
   */
  readonly vaults: readonly VssBackupVault[];
  /** Role the restore jobs run as; it needs AWSBackupServiceRolePolicyForRestores and iam:PassRole on the instance role. */
  readonly serviceRole: IBackupServiceRole;
  /** The backup selection's tag: instances whose latest recovery point carries it are tested. */
  readonly tag: SelectionTag;
}

/** Problems of the settings, judged at `now` (whether the schedule still fires); the tag is its owner's to check. */
export function vssRestoreTestingProblems(
  props: Omit<VssRestoreTestingProps, "vaults" | "serviceRole">,
  now: Date,
): Problems {
  const problems = new Problems();
  problems.checkName("planName", props.planName, RESTORE_TESTING_NAME);
  problems.checkName("selectionName", props.selectionName, RESTORE_TESTING_NAME);
  const schedule = backupScheduleProblem(props.schedule, now, props.timezone);
  if (schedule) problems.add("schedule", schedule);
  const timezone = props.timezone !== undefined ? timezoneProblem(props.timezone) : undefined;
  if (timezone) problems.add("timezone", timezone);
  const limits = RESTORE_TESTING_LIMITS;
  for (const [field, unit] of [
    ["startWindowHours", "hours"],
    ["selectionWindowDays", "days"],
    ["validationWindowHours", "hours"],
  ] as const) {
    const value = props[field];
    if (value !== undefined) problems.checkInteger(field, value, limits[field].min, limits[field].max, unit);
  }
  if (!SUBNET_ID.test(props.subnetId)) {
    problems.add(
      "subnetId",
      `${JSON.stringify(props.subnetId)} is not a subnet ID, allowed: subnet- and 8 or 17 of 0-9 a-f, e.g. subnet-0123456789abcdef0`,
    );
  }
  const groups = props.securityGroupIds;
  if (groups.length < limits.securityGroups.min || groups.length > limits.securityGroups.max) {
    problems.add(
      "securityGroupIds",
      `has ${groups.length} groups, allowed: ${limits.securityGroups.min}-${limits.securityGroups.max} security group IDs`,
    );
  }
  groups.forEach((id, i) => {
    if (!SECURITY_GROUP_ID.test(id)) {
      problems.add(
        `securityGroupIds[${i}]`,
        `${JSON.stringify(id)} is not a security group ID, allowed: sg- and 8 or 17 of 0-9 a-f, e.g. sg-0123456789abcdef0`,
      );
    } else if (groups.indexOf(id) !== i) {
      problems.add(`securityGroupIds[${i}]`, `${JSON.stringify(id)} is listed twice, allowed: each group once`);
    }
  });
  if (props.instanceType !== undefined && !INSTANCE_TYPE.test(props.instanceType)) {
    problems.add(
      "instanceType",
      `${JSON.stringify(props.instanceType)} is not an instance type, allowed: family.size of a-z 0-9 -, e.g. t3.large`,
    );
  }
  const key = tagCondition(props.tag).key;
  if (key.length > limits.conditionKeyLength || !CONDITION_KEY.test(key)) {
    problems.add(
      "tag",
      `key ${JSON.stringify(props.tag.key)} cannot be a restore testing condition (${JSON.stringify(key)}), allowed: a tag key of at most ${limits.conditionKeyLength - RESOURCE_TAG_CONDITION_PREFIX.length} letters, digits, spaces and + - = . _ : /`,
    );
  }
  return problems;
}

/** The restore metadata overrides of a test instance: where it runs, as what, with IMDSv2 required. */
export function ec2RestoreMetadataOverrides(spec: RestoredInstanceSpec): Record<string, string> {
  const keys = EC2_RESTORE_METADATA;
  return {
    [keys.subnetId]: spec.subnetId,
    [keys.securityGroupIds]: JSON.stringify(spec.securityGroupIds),
    ...(spec.instanceType !== undefined ? { [keys.instanceType]: spec.instanceType } : {}),
    [keys.iamInstanceProfileName]: USE_BACKED_UP_VALUE,
    [keys.requireImdsV2]: "true",
  };
}

/**
 * AWS Backup restore testing of the tagged Windows instances: on schedule, the latest recovery point
 * (of the last `selectionWindowDays`) of each instance whose recovery point carries the tag is
 * restored as a new instance in the given subnet and security groups, with the instance profile it
 * was backed up with and IMDSv2 required, kept `validationWindowHours`, then deleted by AWS. Without
 * the subnet AWS would launch into the default VPC, which may not exist.
 *
 * The selection uses tag conditions only: hashicorp/aws 5.100.0 takes exactly one of
 * `protected_resource_arns` and `protected_resource_conditions`.
 */
export class VssRestoreTesting extends Construct {
  readonly planName: string;
  readonly planArn: string;

  constructor(scope: Construct, id: string, props: VssRestoreTestingProps) {
    super(scope, id);
    throwIfAny(`VssRestoreTesting ${this.node.path}`, [
      ...vssRestoreTestingProblems(props, synthesisTime(this)).all,
      ...under("tag", selectionTagProblems(props.tag).all),
      ...(props.vaults.length === 0 ? [{ path: "vaults", message: "is empty, allowed: at least one vault" }] : []),
    ]);
    const plan = new BackupRestoreTestingPlan(this, "plan", {
      name: props.planName,
      scheduleExpression: props.schedule,
      scheduleExpressionTimezone: props.timezone ?? DEFAULT_TIMEZONE,
      startWindowHours: props.startWindowHours ?? RESTORE_TESTING_DEFAULTS.startWindowHours,
      recoveryPointSelection: [
        {
          algorithm: "LATEST_WITHIN_WINDOW",
          includeVaults: props.vaults.map((vault) => vault.vaultArn),
          recoveryPointTypes: ["SNAPSHOT"],
          selectionWindowDays: props.selectionWindowDays ?? RESTORE_TESTING_DEFAULTS.selectionWindowDays,
        },
      ],
    });
    new BackupRestoreTestingSelection(this, "selection", {
      name: props.selectionName,
      restoreTestingPlanName: plan.name,
      protectedResourceType: "EC2",
      iamRoleArn: props.serviceRole.roleArn,
      protectedResourceConditions: [{ stringEquals: [tagCondition(props.tag)] }],
      restoreMetadataOverrides: ec2RestoreMetadataOverrides(props),
      validationWindowHours: props.validationWindowHours ?? RESTORE_TESTING_DEFAULTS.validationWindowHours,
    });
    this.planName = plan.name;
    this.planArn = plan.arn;
  }
}
