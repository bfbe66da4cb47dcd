import {
  ARNS,
  backupServiceRoleProblems,
  copyRetentionOf,
  describeTag,
  existingTopicArnProblem,
  instanceProfileNameOf,
  Place,
  Problem,
  Problems,
  regionProblem,
  selectionTagProblems,
  tagSetProblems,
  under,
  usesExistingRole,
  ValidationError,
  vssAlertTopicProblems,
  vssBackupAlertsProblems,
  vssBackupPlanProblems,
  vssBackupPlanWarnings,
  vssBackupSelectionProblems,
  vssBackupVaultProblems,
  vssComponentsAssociationProblems,
  vssInstanceRoleProblems,
  vssKmsKeyProblems,
  vssVaultDeletionGuardProblems,
  vssVaultLockProblems,
  vssRestoreTestingProblems,
  VAULT_NAME,
  vssAuditFrameworkProblems,
  vssBackupReportPlanProblems,
} from "../modules";
import { backendProblems, effectiveBackend, ignoredBackendVariables, Variables } from "./backend";
import {
  PROJECT_TAG_KEYS,
  ResolvedAlerts,
  ResolvedAudit,
  ResolvedDisasterRecovery,
  resolveEnvironment,
  ResolvedEnvironment,
} from "./resolve";
import { environmentLabel, shapeProblems, UNKNOWN_SETTING } from "./schema";
import type { EnvironmentConfig, ProjectConfig, VaultLockConfig } from "./types";

/** Names the environments to synthesize, comma-separated; unset or empty means all of them. */
export const ENVIRONMENTS_VARIABLE = "VSS_ENVIRONMENTS";

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const PROJECT_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const ACCOUNT = /^\d{12}$/;

/** Why `project` cannot prefix every name and be the Project tag, or undefined. */
export function projectNameProblem(project: string): string | undefined {
  if (PROJECT_NAME.test(project)) return undefined;
  return `${JSON.stringify(project)} is not allowed, allowed: 1-20 of a-z 0-9 - starting with a letter`;
}

/** Why `account` is not an AWS account ID, or undefined. */
export function accountIdProblem(account: string): string | undefined {
  return ACCOUNT.test(account) ? undefined : `${JSON.stringify(account)} is not an AWS account ID, allowed: 12 digits`;
}

export interface LoadOptions {
  /** Environments to return, comma-separated (VSS_ENVIRONMENTS). @default all */
  readonly only?: string;
  /** The process environment: backend overrides (BACKEND_VARIABLES). @default none */
  readonly variables?: Variables;
  /** The time the configuration is judged at (whether schedules still fire). */
  readonly now: Date;
}

/**
 * Validates the whole configuration (its shape first: an unknown key is an error), then returns the
 * environments `only` names (all when empty), resolved, with `variables` overriding backends. Throws
 * one ValidationError listing every problem of every environment.
 */
export function loadEnvironments(config: ProjectConfig, options: LoadOptions): ResolvedEnvironment[] {
  const { only, variables = {}, now } = options;
  const shape = shapeProblems(config);
  const problems = new Problems();
  for (const problem of shape) problems.add(problem.path, problem.message);
  if (!Array.isArray(config?.environments) || typeof config.project !== "string") {
    throw new ValidationError("Invalid configuration", problems.all);
  }
  const projectProblem = projectNameProblem(config.project);
  if (projectProblem) problems.add("project", projectProblem);
  if (config.environments.length === 0) problems.add("environments", "is empty, allowed: at least one environment");
  // An environment with a value of the wrong type is not judged further (the rules expect their types);
  // one with only unknown keys is: its known values are what they claim to be.
  const wrongTypes = shape.filter((p) => !p.message.startsWith(UNKNOWN_SETTING));
  const wellShaped = config.environments.filter((env, i) => !wrongTypes.some((p) => belongsTo(p, env, i)));
  const judged = judgeEnvironments(
    config.project,
    wellShaped.map((env) => ({ env })),
    variables,
    now,
  );
  wellShaped.forEach((env, i) =>
    problems.nest(environmentLabel(env, config.environments.indexOf(env)), judged.problems[i]),
  );
  for (const p of judged.crossProblems) problems.add(`${judged.resolved[p.index].name}.${p.path}`, p.message);
  const resolved = judged.resolved;

  const known = config.environments.map((env) => env.name);
  const wanted = (only ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of wanted.filter((w) => !known.includes(w))) {
    problems.add(name, `unknown environment (named in ${ENVIRONMENTS_VARIABLE}); known: ${known.join(", ")}`);
  }
  if (problems.all.length > 0) throw new ValidationError("Invalid configuration", problems.all);
  return wanted.length === 0 ? resolved : resolved.filter((env) => wanted.includes(env.name));
}

/** One environment to judge: a hand-written one, or a member stack of organization mode. */
export interface EnvironmentToJudge {
  readonly env: EnvironmentConfig;
  /** What default names derive from (resolveEnvironment's nameBase). @default env.name */
  readonly nameBase?: string;
  /**
   * Whether its stack creates what an account has once: the instance role, instance profile and
   * service role (account-wide names) and the DR vault with its key (one per account in the DR
   * region). @default true; a member stack outside its home region uses those of its home region's stack
   */
  readonly createsAccountPieces?: boolean;
}

/** A problem between environments, reported on the environment at `index` (under `path` within it). */
export interface CrossProblem extends Problem {
  readonly index: number;
}

export interface JudgedEnvironments {
  readonly resolved: ResolvedEnvironment[];
  /** Each environment's own problems, paths within it ("plan.rules[0].schedule"), by position. */
  readonly problems: readonly Problems[];
  /** Names two environments claim in one account (and region), on the later one. */
  readonly crossProblems: readonly CrossProblem[];
}

/**
 * Resolves and judges well-shaped environments by the rules every environment obeys, hand-written or
 * generated from an organization's templates: each one's own problems, and the names they share
 * with each other and with environments `alongside` (already judged, deployed next to them).
 */
export function judgeEnvironments(
  project: string,
  entries: readonly EnvironmentToJudge[],
  variables: Variables,
  now: Date,
  alongside: readonly ResolvedEnvironment[] = [],
): JudgedEnvironments {
  const resolved = entries.map(({ env, nameBase }) => resolveEnvironment(project, env, variables, nameBase));
  const problems = entries.map(({ env }, i) => {
    const envProblems = environmentProblems(env, resolved[i], now);
    envProblems.nest("backend", backendProblems(effectiveBackend(env.backend, variables), resolved[i].backend));
    return envProblems;
  });
  // The environments alongside claim their names first: a clash is reported on the judged one.
  const createsAccountPieces = [
    ...alongside.map(() => true),
    ...entries.map((entry) => entry.createsAccountPieces ?? true),
  ];
  const crossProblems = crossEnvironmentProblems([...alongside, ...resolved], createsAccountPieces)
    .filter((p) => p.index >= alongside.length)
    .map((p) => ({ ...p, index: p.index - alongside.length }));
  return { resolved, problems, crossProblems };
}

function belongsTo(problem: Problem, env: EnvironmentConfig, index: number): boolean {
  const head = environmentLabel(env, index);
  return problem.path === head || problem.path.startsWith(`${head}.`) || problem.path.startsWith(`${head}[`);
}

/**
 * Settings that are valid but likely not what their author meant, each under its environment's
 * field path: cold storage on an EC2-only plan, and backend variables for a backend not in use.
 */
export function configurationWarnings(envs: readonly ResolvedEnvironment[], variables: Variables = {}): Problem[] {
  return envs.flatMap((env) => [
    ...under(`${env.name}.plan`, vssBackupPlanWarnings(env.plan).all),
    ...(env.vault.kmsKeyArn !== undefined || env.vault.createdKey
      ? [
          {
            path: `${env.name}.vault`,
            message:
              "a vault's key cannot change: this key applies to a new vault only (an existing vault would be replaced, which preventDestroy refuses); for EC2 it does not encrypt the recovery points, which keep their EBS volumes' encryption",
          },
        ]
      : []),
    ...ignoredBackendVariables(env.backend.type, variables).map((variable) => ({
      path: `${env.name}.backend`,
      message: `${variable} is set, but this environment's state backend is ${env.backend.type}: it is ignored`,
    })),
  ]);
}

function environmentProblems(env: EnvironmentConfig, resolved: ResolvedEnvironment, now: Date): Problems {
  const problems = new Problems();
  const place: Place = { account: env.account, region: env.region };
  if (!ENVIRONMENT_NAME.test(env.name)) {
    problems.add(
      "name",
      `${JSON.stringify(env.name)} is not allowed, allowed: 1-32 of a-z 0-9 - starting with a letter`,
    );
  }
  const account = accountIdProblem(env.account);
  if (account) problems.add("account", account);
  const region = regionProblem(env.region);
  if (region) problems.add("region", region);
  problems.nest("selectionTag", selectionTagProblems(resolved.selectionTag));
  problems.nest("tags", tagSetProblems(env.tags ?? {}, { ownKeys: PROJECT_TAG_KEYS }));
  problems.nest("instanceRole", vssInstanceRoleProblems(resolved.instanceRole, place));
  problems.nest("vault", vaultProblems(env, resolved.vault, place));
  const planProblems = vssBackupPlanProblems(resolved.plan, now);
  problems.nest("plan", planProblems);
  problems.nest("selection", vssBackupSelectionProblems(resolved.selection));
  problems.nest("association", vssComponentsAssociationProblems(resolved.association, now));
  if (resolved.alerts) problems.nest("alerts", alertsProblems(resolved.alerts, place));
  if (resolved.disasterRecovery)
    problems.nest("disasterRecovery", disasterRecoveryProblems(env, resolved.disasterRecovery, place));
  if (resolved.restoreTesting) {
    // The tag is the environment's selectionTag: a key restore testing cannot take is reported here, by what needs it.
    for (const p of vssRestoreTestingProblems({ ...resolved.restoreTesting, tag: resolved.selectionTag }, now).all)
      problems.add(
        p.path === "tag" ? "restoreTesting" : `restoreTesting.${p.path}`,
        p.path === "tag" ? `selectionTag ${p.message}` : p.message,
      );
  }
  if (resolved.audit) problems.nest("audit", auditProblems(env, resolved.audit, planProblems.all.length === 0, now));
  const serviceRole = resolved.backupServiceRole;
  if ("existingRoleArn" in serviceRole) {
    problems.checkArn("backupServiceRole.existingRoleArn", serviceRole.existingRoleArn, ARNS.iamRole, place);
  } else problems.nest("backupServiceRole", backupServiceRoleProblems(serviceRole, place));
  return problems;
}

/** A lock's problems under `lock.`: the fields its mode needs, its range, and each retention outside it. */
function lockProblems(
  problems: Problems,
  given: VaultLockConfig | false | undefined,
  lock: NonNullable<ResolvedEnvironment["vault"]["lock"]>,
  retentions: readonly { path: string; days: number }[],
): void {
  const fields = (given || {}) as Record<string, unknown>;
  if (lock.mode === "compliance") {
    // Every lock argument forces replacement and a compliance lock can never be replaced: no derived range.
    for (const field of ["changeableForDays", "minRetentionDays", "maxRetentionDays"])
      if (fields[field] === undefined)
        problems.add(
          `lock.${field}`,
          "is missing, allowed: a whole number of days (compliance mode takes its range explicitly: a lock is replaced when its range moves, and a compliance lock can never be replaced)",
        );
  } else if (fields.changeableForDays !== undefined) {
    problems.add(
      "lock.changeableForDays",
      'is set in governance mode, allowed: only with mode "compliance" (changeableForDays makes the lock a compliance lock)',
    );
  }
  const range = { minRetentionDays: lock.minRetentionDays, maxRetentionDays: lock.maxRetentionDays };
  const found = vssVaultLockProblems(
    lock.mode === "compliance" && lock.changeableForDays !== undefined
      ? { ...range, mode: "compliance", changeableForDays: lock.changeableForDays }
      : { ...range, mode: "governance" },
    retentions,
  );
  // A retention outside the range is named by its rule, under the lock that refuses it.
  for (const p of found.all)
    if (p.path.startsWith("plan.")) problems.add("lock", `${p.path} ${p.message}`);
    // A derived bound is a retention: its problem is that retention's, reported where it is set.
    else if (fields[p.path] !== undefined || p.path === "changeableForDays") problems.add(`lock.${p.path}`, p.message);
}

function disasterRecoveryProblems(env: EnvironmentConfig, dr: ResolvedDisasterRecovery, place: Place): Problems {
  const problems = new Problems();
  const region = regionProblem(dr.region);
  if (region) problems.add("region", region);
  else if (dr.region === env.region)
    problems.add("region", `${JSON.stringify(dr.region)} is the environment's own region, allowed: a second region`);
  if (dr.keepDays !== undefined) problems.checkInteger("keepDays", dr.keepDays, 1, 36500, "days");
  problems.checkName("vaultName", dr.vault.name, VAULT_NAME);
  for (const p of vssKmsKeyProblems({ alias: dr.vault.keyAlias, account: place.account }).all)
    if (p.path === "alias") problems.add("keyAlias", p.message);
  if (dr.vault.lock) {
    const retentions = (env.plan.rules ?? []).map((rule, i) => ({
      path: `plan.rules[${i}] copy`,
      days: copyRetentionOf(rule, dr.keepDays),
    }));
    lockProblems(problems, env.disasterRecovery?.lock, dr.vault.lock, retentions);
  }
  return problems;
}

function vaultProblems(env: EnvironmentConfig, vault: ResolvedEnvironment["vault"], place: Place): Problems {
  const problems = vssBackupVaultProblems(vault, place);
  if (vault.createdKey) {
    if (vault.kmsKeyArn !== undefined)
      problems.add("createKey", "is true while kmsKeyArn names a key, allowed: one key per vault");
    for (const p of vssKmsKeyProblems({ alias: vault.createdKey.alias, account: place.account }).all)
      if (p.path === "alias") problems.add("keyAlias", p.message);
  } else if (env.vault?.keyAlias !== undefined) {
    problems.add("keyAlias", "is set without createKey: true, allowed: an alias for a key the stack creates");
  }
  const retentions = (env.plan.rules ?? []).map((rule, i) => ({
    path: `plan.rules[${i}].deleteAfterDays`,
    days: rule.deleteAfterDays,
  }));
  if (vault.lock) lockProblems(problems, env.vault?.lock, vault.lock, retentions);
  if (vault.deletionGuard) problems.nest("deletionGuard", vssVaultDeletionGuardProblems(vault.deletionGuard, place));
  return problems;
}

/**
 * The framework's name and requirement, and the report plan's settings. The requirement is judged
 * against the plan's rules only when they are valid: a broken rule is the plan's problem, reported there.
 */
function auditProblems(env: EnvironmentConfig, audit: ResolvedAudit, planIsValid: boolean, now: Date): Problems {
  const problems = new Problems();
  const rules = planIsValid ? env.plan.rules : undefined;
  for (const p of vssAuditFrameworkProblems({ ...audit, name: audit.frameworkName }, rules, now).all)
    problems.add(p.path === "name" ? "frameworkName" : p.path, p.message);
  if (audit.report) problems.nest("report", vssBackupReportPlanProblems(audit.report));
  return problems;
}

function alertsProblems(alerts: ResolvedAlerts, place: Place): Problems {
  const problems = new Problems();
  // The subject is the environment's name, judged as such.
  for (const p of vssBackupAlertsProblems(alerts).all) if (p.path === "ruleName") problems.add(p.path, p.message);
  const topic = alerts.topic;
  if ("existingTopicArn" in topic) {
    const problem = existingTopicArnProblem(topic.existingTopicArn, place);
    if (problem) problems.add("existingTopicArn", problem);
  } else {
    const topicProblems = vssAlertTopicProblems(topic);
    for (const p of topicProblems.all) problems.add(p.path === "name" ? "topicName" : p.path, p.message);
    for (const p of vssKmsKeyProblems({ alias: topic.keyAlias, account: place.account }).all) {
      if (p.path === "alias") problems.add("keyAlias", p.message);
    }
  }
  return problems;
}

/**
 * Environments that share an account collide on account-wide names (IAM roles and instance
 * profiles, and the DR vault) of the stacks that create them (`createsAccountPieces`), on regional names (vault, plan,
 * association) and on the instances they select.
 */
function crossEnvironmentProblems(
  envs: readonly ResolvedEnvironment[],
  createsAccountPieces: readonly boolean[],
): CrossProblem[] {
  const problems: CrossProblem[] = [];
  const firstWith = new Map<string, string>();
  for (const [index, env] of envs.entries()) {
    const claim = (key: string, path: string, clash: (owner: string) => string) => {
      const owner = firstWith.get(key);
      if (owner === undefined) firstWith.set(key, env.name);
      else problems.push({ index, path, message: `${clash(owner)}; allowed: a different one` });
    };
    claim(`name:${env.name}`, "name", () => "another environment has the same name");
    const place = `${env.account}/${env.region}`;
    const tag = describeTag(env.selectionTag);
    claim(
      `tag:${place}:${tag}`,
      "selectionTag",
      (owner) => `${tag} is also selected by ${owner} in ${place}: both would back up the same instances`,
    );
    const regional: [string, string, string][] = [
      ["vault.name", env.vault.name, "vault"],
      ["plan.name", env.plan.name, "backup plan"],
      ["association.name", env.association.name, "association"],
    ];
    if (env.vault.createdKey) regional.push(["vault.keyAlias", env.vault.createdKey.alias, "key alias"]);
    const dr = env.disasterRecovery;
    if (dr && createsAccountPieces[index]) {
      const drPlace = `${env.account}/${dr.region}`;
      for (const [path, name, what] of [
        ["disasterRecovery.vaultName", dr.vault.name, "vault"],
        ["disasterRecovery.keyAlias", dr.vault.keyAlias, "key alias"],
      ])
        claim(
          `${what}:${drPlace}:${name}`,
          path,
          (owner) => `${JSON.stringify(name)} is also ${owner}'s ${what} in ${drPlace}`,
        );
    }
    if (env.restoreTesting)
      regional.push(["restoreTesting.planName", env.restoreTesting.planName, "restore testing plan"]);
    if (env.alerts) {
      regional.push(["alerts.ruleName", env.alerts.ruleName, "EventBridge rule"]);
      if ("name" in env.alerts.topic) {
        regional.push(["alerts.topicName", env.alerts.topic.name, "SNS topic"]);
        regional.push(["alerts.keyAlias", env.alerts.topic.keyAlias, "key alias"]);
      }
    }
    if (env.audit) {
      regional.push(["audit.frameworkName", env.audit.frameworkName, "audit framework"]);
      if (env.audit.report) regional.push(["audit.report.name", env.audit.report.name, "report plan"]);
    }
    for (const [path, name, what] of regional) {
      claim(
        `${what}:${place}:${name}`,
        path,
        (owner) => `${JSON.stringify(name)} is also ${owner}'s ${what} in ${place}`,
      );
    }
    const accountWide: [string, string, string][] = [];
    if (!createsAccountPieces[index]) continue;
    if (!usesExistingRole(env.instanceRole))
      accountWide.push(["instanceRole.roleName", env.instanceRole.roleName, "role"]);
    if ("roleName" in env.backupServiceRole)
      accountWide.push(["backupServiceRole.roleName", env.backupServiceRole.roleName, "role"]);
    const profile = instanceProfileNameOf(env.instanceRole);
    if (profile !== undefined) accountWide.push(["instanceRole.instanceProfileName", profile, "instance profile"]);
    for (const [path, name, what] of accountWide) {
      const clash = (owner: string) =>
        `${JSON.stringify(name)} is also ${what === "role" ? "a role" : "an instance profile"} of ${owner} in account ${env.account} (IAM names are account-wide)`;
      claim(`${what}:${env.account}:${name}`, path, clash);
    }
  }
  return problems;
}
