import type {
  BackupRuleSpec,
  RestoredInstanceSpec,
  ReportFormat,
  RequiredFrequency,
  ExistingInstanceRole,
  NewInstanceRole,
  SelectionTag,
  VssBackupVaultProps,
  VssComponentsAssociationProps,
  VssPolicyMode,
} from "../modules";
import type { BackendConfig } from "./backend";

/**
 * The instance role: a new one (every field optional) or an existing role's name.
 * @default a new role "<project>-<env>-vss-instance" with an instance profile of the same name
 */
export type InstanceRoleConfig = (Partial<NewInstanceRole> | ExistingInstanceRole) & {
  /** @default "managed" */
  readonly policyMode?: VssPolicyMode;
};

/**
 * The role AWS Backup assumes: a new one, or an existing role's ARN (which then must carry the
 * backup and restore permissions itself).
 * @default a new role "<project>-<env>-backup-service"
 */
export type BackupServiceRoleConfig =
  | {
      /** @default "<project>-<env>-backup-service" */
      readonly roleName?: string;
      /** @default none */
      readonly permissionsBoundaryArn?: string;
    }
  | { readonly existingRoleArn: string };

/**
 * Alerts on EC2 backups that failed or fell back to crash-consistent (the VSS fallback AWS Backup
 * reports as COMPLETED with a status message): an EventBridge rule in the environment's region to a
 * topic the stack creates (encrypted with a customer managed key it creates, only the rule may
 * publish), or to an existing topic in the environment's account and region. `false` switches them
 * off, which `review` calls out.
 * @default a topic "<project>-<env>-backup-alerts" with no subscriptions, key alias/<project>-<env>-backup-alerts, rule "<project>-<env>-backup-alerts"
 */
export type AlertsConfig =
  | false
  | {
      /** @default "<project>-<env>-backup-alerts" */
      readonly topicName?: string;
      /** @default "alias/<project>-<env>-backup-alerts" */
      readonly keyAlias?: string;
      /** Addresses subscribed by e-mail (each confirms the mail AWS sends it). @default none */
      readonly emails?: readonly string[];
      /** @default "<project>-<env>-backup-alerts" */
      readonly ruleName?: string;
    }
  | {
      /**
       * An existing topic in the environment's account and region. Its owner must allow
       * events.amazonaws.com to publish and, if it is encrypted, let EventBridge use its key.
       */
      readonly existingTopicArn: string;
      /** @default "<project>-<env>-backup-alerts" */
      readonly ruleName?: string;
    };

/**
 * The vault: name, protection from destroy, and its key: the AWS managed key (default), an existing
 * key (`kmsKeyArn`, in the environment's account and region) or one the stack creates (`createKey`).
 * For EC2 the vault's key does not encrypt the instances' recovery points (they inherit their EBS
 * volumes' encryption), and a vault's key cannot change: the choice applies to new vaults only.
 */
export type VaultConfig = Partial<Omit<VssBackupVaultProps, "key" | "provider">> & {
  /** Create a customer managed key for the vault (rotation on, 30-day deletion window). @default false */
  readonly createKey?: boolean;
  /** The created key's alias. @default "alias/<project>-<env>-vault" */
  readonly keyAlias?: string;
  /**
   * AWS Backup Vault Lock. Governance (the default) can be changed or removed by principals with the
   * IAM permissions; its range defaults to the rules' shortest and longest retention. Compliance
   * becomes IRREVERSIBLE after `changeableForDays` (>= 3): nobody, not even AWS or the root user, can
   * change or remove the lock or delete the vault before its recovery points expire. Every lock
   * argument forces replacement, and a compliance lock can never be replaced: give its range
   * explicitly, so that a later retention change cannot move it. `false` switches the lock off.
   * @default governance, minRetentionDays/maxRetentionDays = the rules' shortest/longest retention
   */
  readonly lock?: false | VaultLockConfig;
  /**
   * A vault access policy that denies everyone but `exemptRoleArns` (1-5 IAM roles of the
   * environment's account: the break-glass role and the role that deploys the stack) deleting
   * recovery points, changing their lifecycle and replacing the policy.
   * @default none: without the deploying role exempted, Terraform could never update the policy again
   */
  readonly deletionGuard?: { readonly exemptRoleArns: readonly string[] };
};

export type VaultLockConfig =
  | {
      readonly mode?: "governance";
      /** @default the rules' shortest retention */
      readonly minRetentionDays?: number;
      /** @default the rules' longest retention */
      readonly maxRetentionDays?: number;
    }
  | {
      readonly mode: "compliance";
      /** Days before the lock becomes immutable (AWS's cooling-off period): at least 3. */
      readonly changeableForDays: number;
      readonly minRetentionDays: number;
      readonly maxRetentionDays: number;
    };

/**
 * A copy of every recovery point in a second region of the same account: a DR vault there (through a
 * second, aliased AWS provider with the same allowed account), with its own key and lock, and a copy
 * action on every rule. A region outage then leaves the copies.
 */
export interface DisasterRecoveryConfig {
  /** The second region: one the provider accepts, not the environment's own. */
  readonly region: string;
  /** Days each copy is kept in the DR vault. @default each rule's own retention */
  readonly keepDays?: number;
  /** @default "<project>-<env>-dr" */
  readonly vaultName?: string;
  /** The DR vault's key, created by the stack in the DR region. @default "alias/<project>-<env>-dr-vault" */
  readonly keyAlias?: string;
  /** The DR vault's lock, as `vault.lock`. @default governance, its range the copies' shortest and longest retention */
  readonly lock?: false | VaultLockConfig;
}

/**
 * AWS Backup restore testing of the tagged instances: on schedule, the latest recovery point of each
 * is restored as a test instance in `subnetId` with `securityGroupIds` (without them AWS launches into
 * the default VPC), with the profile it was backed up with and IMDSv2 required, kept
 * `validationWindowHours`, then deleted by AWS. Only the environment's own vault is tested: a restore
 * test cannot use a vault in another region (the DR copies are not tested). A failed test reaches the
 * alert topic.
 */
export interface RestoreTestingConfig extends RestoredInstanceSpec {
  /** AWS cron, e.g. "cron(0 3 ? * SUN *)" (weekly). */
  readonly schedule: string;
  /** @default "Etc/UTC" */
  readonly timezone?: string;
  /** Hours after the scheduled time within which the test starts, 1-168. @default 24 */
  readonly startWindowHours?: number;
  /** The latest recovery point of this many past days is restored, 1-365. @default 30 */
  readonly selectionWindowDays?: number;
  /** Hours the test instance is kept before AWS deletes it, 1-168. @default 1 */
  readonly validationWindowHours?: number;
  /** 1-50 of A-Z a-z 0-9 _. @default "<project>_<env>_restore_test", hyphens as underscores */
  readonly planName?: string;
  /** 1-50 of A-Z a-z 0-9 _. @default "<project>_<env>_windows_instances", hyphens as underscores */
  readonly selectionName?: string;
}

/**
 * An AWS Backup Audit Manager framework over the environment's backups. Its controls are AWS Config
 * rules: AWS Config must record in the account and region (preflight checks that a configuration
 * recorder exists), or the framework's deployment fails. Controls: the tagged instances are in a
 * backup plan; the plan backs up at least `requiredFrequency` and keeps `requiredRetentionDays`;
 * recovery points are encrypted; and, when configured, the vault denies manual deletion (the
 * deletion guard; a framework deploys this control without IAM role exceptions, so it does not know
 * the exempted roles), the instances are in a locked vault (the lock), and they are copied to the DR
 * region (disasterRecovery).
 * @default none (off): leave `audit` out
 */
export interface AuditConfig {
  /** 1-256 of A-Z a-z 0-9 _, starting with a letter. @default "<project>_<env>_vss" (hyphens as underscores) */
  readonly frameworkName?: string;
  /** "hours" (1-24) or "days" (1-31); a rule must meet it. @default the least frequent rule's frequency */
  readonly requiredFrequency?: RequiredFrequency;
  /** 1-36500; a rule that runs as often as required must keep it. @default the rules' shortest retention */
  readonly requiredRetentionDays?: number;
  /** A daily report to an existing S3 bucket. @default none */
  readonly report?: AuditReportConfig;
}

/** An AWS Backup report plan writing into an existing bucket (its policy must let AWS Backup write). */
export interface AuditReportConfig {
  /** An existing bucket the stack does not manage. */
  readonly bucketName: string;
  /** @default no prefix */
  readonly keyPrefix?: string;
  /** @default ["CSV"] */
  readonly formats?: readonly ReportFormat[];
  /**
   * CONTROL_COMPLIANCE_REPORT: this framework's controls, compliant or not (the audit's evidence);
   * BACKUP_JOB_REPORT: every backup job with AWS's status message. @default "CONTROL_COMPLIANCE_REPORT"
   */
  readonly template?: "CONTROL_COMPLIANCE_REPORT" | "BACKUP_JOB_REPORT";
  /** 1-256 of A-Z a-z 0-9 _, starting with a letter. @default "<project>_<env>_vss_report" (hyphens as underscores) */
  readonly name?: string;
}

/** One environment: one stack, one AWS account and region. Every name has a default derived from project and environment. */
export interface EnvironmentConfig {
  /** Stack name (`cdktf deploy <name>`) and the Environment tag. 1-32 of a-z 0-9 -, starting with a letter. */
  readonly name: string;
  /** The AWS account the stack may be applied to (the provider's allowed_account_ids). 12 digits. */
  readonly account: string;
  /** AWS region, one the pinned provider accepts (modules/regions.ts), e.g. "eu-west-1". */
  readonly region: string;
  /** The tag that puts an instance under VSS backup. @default Backup = windows-vss */
  readonly selectionTag?: SelectionTag;
  /** Extra tags on every resource, besides Project, Environment and ManagedBy (at most 47). @default none */
  readonly tags?: Readonly<Record<string, string>>;
  readonly instanceRole?: InstanceRoleConfig;
  /** @default a vault "<project>-<env>" with the AWS managed key, protected from destroy */
  readonly vault?: VaultConfig;
  readonly plan: {
    /** @default "<project>-<env>" */
    readonly name?: string;
    readonly rules: readonly BackupRuleSpec[];
  };
  readonly selection?: {
    /** @default "<project>-<env>-windows-instances" */
    readonly name?: string;
  };
  readonly backupServiceRole?: BackupServiceRoleConfig;
  /** Where the state lives; BACKEND_VARIABLES override it in CI. @default { type: "local" } */
  readonly backend?: BackendConfig;
  /** @default association "<project>-<env>-AwsVssComponents", latest version, re-applied every 14 days */
  readonly association?: Partial<Omit<VssComponentsAssociationProps, "tag">>;
  readonly alerts?: AlertsConfig;
  /** @default none: the only copy is in the environment's region */
  readonly disasterRecovery?: DisasterRecoveryConfig;
  /** @default none: nothing shows that the backups restore until they are needed */
  readonly restoreTesting?: RestoreTestingConfig;
  /** @default none: no framework (its controls need AWS Config recording in the account) */
  readonly audit?: AuditConfig;
}

export interface ProjectConfig {
  /** Prefix of every name and the Project tag. 1-20 of a-z 0-9 -, starting with a letter. */
  readonly project: string;
  readonly environments: readonly EnvironmentConfig[];
}
