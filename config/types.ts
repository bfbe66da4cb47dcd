import type {
  BackupRuleSpec,
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
  readonly vault?: Partial<VssBackupVaultProps>;
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
}

export interface ProjectConfig {
  /** Prefix of every name and the Project tag. 1-20 of a-z 0-9 -, starting with a letter. */
  readonly project: string;
  readonly environments: readonly EnvironmentConfig[];
}
