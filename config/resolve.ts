import {
  auditNameOf,
  BackupRuleSpec,
  ReportFormat,
  RequiredFrequency,
  copyRetentionOf,
  derivedLockRange,
  LockMode,
  LockRange,
  RetentionSpec,
  DEFAULT_SELECTION_TAG,
  restoreTestingName,
  VssRestoreTestingProps,
  SelectionTag,
  VssBackupVaultProps,
  VssComponentsAssociationProps,
  VssInstanceRoleProps,
} from "../modules";
import { effectiveBackend, resolveBackend, ResolvedBackend, Variables } from "./backend";
import type { EnvironmentConfig, VaultLockConfig } from "./types";

/** The tags the project puts on every resource itself (provider default_tags). */
export const PROJECT_TAG_KEYS = ["Project", "Environment", "ManagedBy"] as const;

/** The alerts of an environment, every default filled in. */
export interface ResolvedAlerts {
  readonly ruleName: string;
  /** What each message names, e.g. "environment prod". */
  readonly subject: string;
  /** Whether a second rule alerts on failed restore tests: when restore testing is configured. */
  readonly failedRestoreTests: boolean;
  readonly topic:
    | { readonly name: string; readonly keyAlias: string; readonly emails: readonly string[] }
    | { readonly existingTopicArn: string };
}

/** The audit of an environment, names filled in; the requirement stays as given (the framework derives it from the rules). */
export interface ResolvedAudit {
  readonly frameworkName: string;
  readonly requiredFrequency?: RequiredFrequency;
  readonly requiredRetentionDays?: number;
  readonly report?: {
    readonly name: string;
    readonly bucketName: string;
    readonly keyPrefix?: string;
    readonly formats?: readonly ReportFormat[];
    readonly template: "CONTROL_COMPLIANCE_REPORT" | "BACKUP_JOB_REPORT";
  };
}

/** An environment with every default filled in: exactly what its stack hands to the modules. */
export interface ResolvedEnvironment {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** Provider default_tags: Project, Environment, ManagedBy and the environment's own. */
  readonly defaultTags: Readonly<Record<string, string>>;
  readonly selectionTag: SelectionTag;
  readonly instanceRole: VssInstanceRoleProps;
  readonly vault: Omit<VssBackupVaultProps, "key" | "provider"> & {
    /** A key the stack creates for the vault, by alias. */
    readonly createdKey?: { readonly alias: string };
    /** Undefined when switched off; `derived` when the range comes from the rules. */
    readonly lock?: LockRange & LockMode & { readonly derived: boolean };
    readonly deletionGuard?: { readonly exemptRoleArns: readonly string[] };
  };
  readonly plan: { readonly name: string; readonly rules: readonly BackupRuleSpec[] };
  readonly selection: { readonly name: string };
  readonly backupServiceRole:
    | { readonly roleName: string; readonly permissionsBoundaryArn?: string }
    | { readonly existingRoleArn: string };
  readonly association: Omit<VssComponentsAssociationProps, "tag">;
  readonly backend: ResolvedBackend;
  /** Undefined when switched off. */
  readonly alerts?: ResolvedAlerts;
  readonly disasterRecovery?: ResolvedDisasterRecovery;
  /** Undefined when not configured. */
  readonly restoreTesting?: ResolvedRestoreTesting;
  /** Undefined when off (the default). */
  readonly audit?: ResolvedAudit;
}

/** Restore testing with its names filled in; the stack adds the vault, the role and the tag. */
export type ResolvedRestoreTesting = Omit<VssRestoreTestingProps, "vaults" | "serviceRole" | "tag">;

export interface ResolvedDisasterRecovery {
  readonly region: string;
  /** Undefined: each copy is kept as long as its rule keeps the original. */
  readonly keepDays?: number;
  readonly vault: {
    readonly name: string;
    readonly preventDestroy?: boolean;
    readonly keyAlias: string;
    readonly lock?: LockRange & LockMode & { readonly derived: boolean };
  };
}

/** Provider default_tags of a stack of `project` named `environment`: the project's own tags (PROJECT_TAG_KEYS). */
export function projectTags(project: string, environment: string): Record<(typeof PROJECT_TAG_KEYS)[number], string> {
  return { Project: project, Environment: environment, ManagedBy: "cdktf" };
}

/**
 * `variables` are the process environment: they may override the backend (BACKEND_VARIABLES).
 * `nameBase` is what default names derive from ("<project>-<nameBase>-vss-instance"): the
 * environment's name, or for a member stack its template's, so that every account of a template has
 * the same names (the backup policy names the vault and role it relies on).
 */
export function resolveEnvironment(
  project: string,
  env: EnvironmentConfig,
  variables: Variables = {},
  nameBase: string = env.name,
): ResolvedEnvironment {
  const prefix = `${project}-${nameBase}`;
  const role = env.instanceRole ?? {};
  const serviceRole = env.backupServiceRole ?? {};
  return {
    name: env.name,
    account: env.account,
    region: env.region,
    defaultTags: { ...env.tags, ...projectTags(project, env.name) },
    selectionTag: env.selectionTag ?? DEFAULT_SELECTION_TAG,
    instanceRole: "existingRoleName" in role ? role : { ...role, roleName: role.roleName ?? `${prefix}-vss-instance` },
    vault: resolveVault(prefix, env),
    plan: { name: env.plan.name ?? prefix, rules: env.plan.rules },
    selection: { name: env.selection?.name ?? `${prefix}-windows-instances` },
    backupServiceRole:
      "existingRoleArn" in serviceRole
        ? serviceRole
        : { ...serviceRole, roleName: serviceRole.roleName ?? `${prefix}-backup-service` },
    association: { ...env.association, name: env.association?.name ?? `${prefix}-AwsVssComponents` },
    backend: resolveBackend(project, env.name, effectiveBackend(env.backend, variables)),
    alerts: resolveAlerts(prefix, env),
    disasterRecovery: resolveDisasterRecovery(prefix, env),
    ...(env.restoreTesting ? { restoreTesting: resolveRestoreTesting(prefix, env.restoreTesting) } : {}),
    ...(env.audit ? { audit: resolveAudit(project, nameBase, env) } : {}),
  };
}

function resolveAudit(project: string, nameBase: string, env: EnvironmentConfig): ResolvedAudit {
  const { report, ...audit } = env.audit ?? {};
  return {
    ...audit,
    frameworkName: audit.frameworkName ?? auditNameOf(project, nameBase, "vss"),
    ...(report
      ? {
          report: {
            ...report,
            name: report.name ?? auditNameOf(project, nameBase, "vss", "report"),
            template: report.template ?? "CONTROL_COMPLIANCE_REPORT",
          },
        }
      : {}),
  };
}

function resolveVault(prefix: string, env: EnvironmentConfig): ResolvedEnvironment["vault"] {
  const { createKey, keyAlias, lock, deletionGuard, ...vault } = env.vault ?? {};
  return {
    ...vault,
    name: vault.name ?? prefix,
    ...(createKey ? { createdKey: { alias: keyAlias ?? `alias/${prefix}-vault` } } : {}),
    ...(lock === false ? {} : { lock: resolveLock(lock ?? {}, env.plan.rules) }),
    ...(deletionGuard ? { deletionGuard } : {}),
  };
}

function resolveRestoreTesting(
  prefix: string,
  { planName, selectionName, ...settings }: NonNullable<EnvironmentConfig["restoreTesting"]>,
): ResolvedRestoreTesting {
  return {
    ...settings,
    planName: planName ?? restoreTestingName(prefix, "restore_test"),
    selectionName: selectionName ?? restoreTestingName(prefix, "windows_instances"),
  };
}

function resolveDisasterRecovery(prefix: string, env: EnvironmentConfig): ResolvedDisasterRecovery | undefined {
  const dr = env.disasterRecovery;
  if (!dr) return undefined;
  const copies = env.plan.rules.map((rule) => ({ deleteAfterDays: copyRetentionOf(rule, dr.keepDays) }));
  return {
    region: dr.region,
    ...(dr.keepDays !== undefined ? { keepDays: dr.keepDays } : {}),
    vault: {
      name: dr.vaultName ?? `${prefix}-dr`,
      ...(env.vault?.preventDestroy !== undefined ? { preventDestroy: env.vault.preventDestroy } : {}),
      keyAlias: dr.keyAlias ?? `alias/${prefix}-dr-vault`,
      ...(dr.lock === false ? {} : { lock: resolveLock(dr.lock ?? {}, copies) }),
    },
  };
}

/** The lock with its range filled in from what lands in the vault: the retention of each rule (or copy). */
function resolveLock(
  lock: VaultLockConfig,
  rules: readonly RetentionSpec[],
): LockRange & LockMode & { derived: boolean } {
  const retentions = rules.map((r) => r.deleteAfterDays).filter((d) => Number.isInteger(d));
  const derived =
    retentions.length > 0 ? derivedLockRange(retentions) : { minRetentionDays: 1, maxRetentionDays: 36500 };
  const range = {
    minRetentionDays: lock.minRetentionDays ?? derived.minRetentionDays,
    maxRetentionDays: lock.maxRetentionDays ?? derived.maxRetentionDays,
    derived: lock.minRetentionDays === undefined || lock.maxRetentionDays === undefined,
  };
  // A compliance lock's missing fields are reported by validation; the values here only keep the shape.
  if (lock.mode === "compliance") return { ...range, mode: "compliance", changeableForDays: lock.changeableForDays };
  return { ...range, mode: "governance" };
}

function resolveAlerts(prefix: string, env: EnvironmentConfig): ResolvedAlerts | undefined {
  const alerts = env.alerts ?? {};
  if (alerts === false) return undefined;
  const name = `${prefix}-backup-alerts`;
  const common = {
    ruleName: alerts.ruleName ?? name,
    subject: `environment ${env.name}`,
    failedRestoreTests: env.restoreTesting !== undefined,
  };
  if ("existingTopicArn" in alerts) return { ...common, topic: { existingTopicArn: alerts.existingTopicArn } };
  return {
    ...common,
    topic: {
      name: alerts.topicName ?? name,
      keyAlias: alerts.keyAlias ?? `alias/${name}`,
      emails: alerts.emails ?? [],
    },
  };
}
