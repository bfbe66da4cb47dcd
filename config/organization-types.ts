import type { BackupPolicyPlan } from "../modules/backup-policy";
import type { BackendConfig, ResolvedBackend } from "./backend";
import type { ResolvedEnvironment } from "./resolve";
import type { EnvironmentConfig } from "./types";

/**
 * What `npm run accounts -- sync` writes (config/accounts.json) from AWS Organizations, and the only
 * thing synth reads about the organization: synth stays offline and deterministic. Sorted by path and
 * by account ID, so that a sync of an unchanged organization changes nothing.
 */
export interface AccountsFile {
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** The root is "Root"; nested OUs are "Root/Workloads/Prod" (OU names joined with "/"). */
  readonly organizationalUnits: readonly { readonly id: string; readonly path: string }[];
  readonly accounts: readonly OrganizationAccount[];
}

export interface OrganizationAccount {
  /** 12 digits. */
  readonly id: string;
  readonly name: string;
  /** The path of the OU the account is directly in, e.g. "Root/Workloads/Prod". */
  readonly ouPath: string;
  /**
   * AWS Organizations' account state (the account's `State`, or `Status` where an API has no `State`);
   * only ACTIVE accounts get stacks. PENDING_ACTIVATION: created, not yet usable.
   */
  readonly status: "ACTIVE" | "SUSPENDED" | "PENDING_ACTIVATION" | "PENDING_CLOSURE" | "CLOSED";
}

/**
 * Where AWS Backup's plan comes from in the accounts of a template:
 * - "organization-policy": an AWS Organizations backup policy (BACKUP_POLICY) that the management stack
 *   attaches to the template's OUs and accounts; the member stacks create what it relies on (vault,
 *   service role, instance side) and no plan of their own.
 * - "account-plan": each member stack creates its own plan and selection, as a single-account environment does.
 */
export type PlanSource = "organization-policy" | "account-plan";

/**
 * The settings of every member stack of a group of accounts (by OU path, and single account IDs),
 * in each of `regions`: an environment's settings without name, account and region, which the
 * accounts file and `regions` supply.
 */
export interface OrganizationTemplate extends Omit<EnvironmentConfig, "name" | "account" | "region" | "backend"> {
  /** 1-16 of a-z 0-9 -, starting with a letter; in the names of the policy and of what it relies on. */
  readonly name: string;
  /** OU paths of the accounts file ("Root/Workloads/Prod"): their accounts and those of OUs below them. @default none */
  readonly ous?: readonly string[];
  /** Single account IDs (of the accounts file), outside or inside `ous`. @default none */
  readonly accounts?: readonly string[];
  /** One member stack per account and region; the first region holds the account's IAM roles. */
  readonly regions: readonly string[];
  /** The deploy wave the template's stacks go out in, one of `waves`. */
  readonly wave: string;
  /** @default "organization-policy" */
  readonly planSource?: PlanSource;
}

/** Organization mode: one management stack and the member stacks of every template. */
export interface OrganizationConfig {
  /** Prefix of every name and the Project tag, as in single-account mode. */
  readonly project: string;
  /**
   * The account the management stack is applied to: the management account or a delegated
   * administrator for backup policies, and the account of the central event bus and alert topic.
   */
  readonly management: {
    readonly account: string;
    readonly region: string;
    /** @default { type: "local" } */
    readonly backend?: BackendConfig;
    /** Addresses subscribed to the central alert topic. @default none */
    readonly alertEmails?: readonly string[];
  };
  /** Roles that exist in every member account (e.g. by a StackSet), assumed by name. */
  readonly memberRoles: {
    /** Assumed by the member stacks' AWS provider when a wave applies: may create what a member stack creates. */
    readonly deployRoleName: string;
    /**
     * Assumed by the member stacks' AWS provider when a wave plans: read-only (what `terraform plan`
     * of a member stack reads). The provider names a profile, and the deploy chooses the role.
     */
    readonly planRoleName: string;
    /** Assumed by `preflight --organization`: read-only (the calls preflight makes). */
    readonly preflightRoleName: string;
  };
  /** Member stacks' state; each stack gets its own workspace or key. @default { type: "local" } */
  readonly memberBackend?: BackendConfig;
  /** Deploy order, e.g. ["sandbox", "non-prod", "prod"]: a failed wave stops the later ones. */
  readonly waves: readonly string[];
  readonly templates: readonly OrganizationTemplate[];
}

/** What makes a resolved environment a member stack of organization mode. */
export interface MemberOf {
  readonly accountName: string;
  readonly ouPath: string;
  readonly template: string;
  readonly wave: string;
  readonly planSource: PlanSource;
  /** The role the stack's AWS provider assumes in the member account when a wave applies (memberRoles.deployRoleName). */
  readonly deployRoleArn: string;
  /** The read-only role it assumes when a wave plans (memberRoles.planRoleName). */
  readonly planRoleArn: string;
  /**
   * The named AWS profile of the stack's AWS providers (memberProfileNameOf): a saved plan keeps its
   * provider configuration, so the provider names a profile and the deploy writes which role that
   * profile assumes, the plan role for a plan and the deploy role for an apply.
   */
  readonly profile: string;
  /** The first of the template's regions: the stack that creates the account's IAM roles. */
  readonly homeRegion: string;
  /** The central event bus the member's alert rule forwards to (in the management account). */
  readonly centralBusArn: string;
}

/** A member stack: an environment (named "a<account id>-<region>") of a template's account and region. */
export type ResolvedMember = ResolvedEnvironment & { readonly member: MemberOf };

/**
 * One template's backup policy, every name filled in: what the management stack emits and attaches.
 * Its plan (BackupPolicyPlan) names the vault and service role every member stack of the template
 * creates; the DR copy is the vault of that name in `copy.region` of the same account.
 */
export interface ResolvedBackupPolicy extends BackupPolicyPlan {
  readonly template: string;
  /** The aws_organizations_policy name, "<project>-<template>-vss". */
  readonly policyName: string;
  /** Attachment targets: OU IDs and account IDs (from the accounts file). */
  readonly targetIds: readonly string[];
}

/** The management stack: backup policies with their attachments, and the organization's central alerts. */
export interface ResolvedManagement {
  /** The stack name: "<project>-management". */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly organizationId: string;
  readonly defaultTags: Readonly<Record<string, string>>;
  readonly backend: ResolvedBackend;
  readonly policies: readonly ResolvedBackupPolicy[];
  /** The central event bus every member's alert rule forwards to, and the topic its rule sends to. */
  readonly centralAlerts: {
    readonly busName: string;
    readonly ruleName: string;
    readonly topicName: string;
    readonly keyAlias: string;
    readonly emails: readonly string[];
  };
}

/** The whole organization, resolved from the configuration and the accounts file. */
export interface ResolvedOrganization {
  readonly management: ResolvedManagement;
  /** Every member stack, in wave order, then account ID, then the template's region order. */
  readonly members: readonly ResolvedMember[];
  /** Accounts of a template that get no stack (suspended, closed), each with why. */
  readonly skipped: readonly { readonly accountId: string; readonly name: string; readonly reason: string }[];
}
