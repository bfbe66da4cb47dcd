import {
  backupServiceRoleProblems,
  describeTag,
  Problem,
  Problems,
  selectionTagProblems,
  under,
  ValidationError,
  vssBackupPlanProblems,
  vssBackupPlanWarnings,
  vssBackupSelectionProblems,
  vssBackupVaultProblems,
  vssComponentsAssociationProblems,
  vssInstanceRoleProblems,
} from "../modules";
import { backendProblems, effectiveBackend, Variables } from "./backend";
import { resolveEnvironment, ResolvedEnvironment } from "./resolve";
import type { EnvironmentConfig, ProjectConfig } from "./types";

/** Names the environments to synthesize, comma-separated; unset or empty means all of them. */
export const ENVIRONMENTS_VARIABLE = "VSS_ENVIRONMENTS";

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const PROJECT_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}-[a-z]+-\d+$/;
// The policies, the selection and the managed policy ARNs are written for the commercial partition (arn:aws:).
const OTHER_PARTITION_REGION = /^(cn-|us-gov-|us-iso[a-z]*-|eusc-)/;
const RESERVED_TAG_KEYS = ["Project", "Environment", "ManagedBy"];

/**
 * Validates the whole configuration, then returns the environments `selection` names (all when
 * empty), resolved, with `variables` (the process environment) overriding backends. Throws one
 * ValidationError listing every problem of every environment.
 */
export interface LoadOptions {
  /** Environments to return, comma-separated (VSS_ENVIRONMENTS). @default all */
  readonly only?: string;
  /** The process environment: backend overrides (BACKEND_VARIABLES). @default none */
  readonly variables?: Variables;
  /** The time the configuration is judged at (whether schedules still fire). */
  readonly now: Date;
}

export function loadEnvironments(config: ProjectConfig, options: LoadOptions): ResolvedEnvironment[] {
  const { only: selection, variables = {}, now } = options;
  const problems = new Problems();
  if (!PROJECT_NAME.test(config.project)) {
    problems.add(
      "project",
      `${JSON.stringify(config.project)} is not allowed, allowed: 1-20 of a-z 0-9 - starting with a letter`,
    );
  }
  if (config.environments.length === 0) problems.add("environments", "is empty, allowed: at least one environment");
  const resolved = config.environments.map((env) => resolveEnvironment(config.project, env, variables));
  config.environments.forEach((env, i) => {
    const envProblems = environmentProblems(env, resolved[i], now);
    envProblems.nest("backend", backendProblems(effectiveBackend(env.backend, variables), resolved[i].backend));
    problems.nest(env.name || `environments[${i}]`, envProblems);
  });
  crossEnvironmentProblems(resolved, problems);

  const known = resolved.map((env) => env.name);
  const wanted = (selection ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of wanted.filter((w) => !known.includes(w))) {
    problems.add(name, `unknown environment (named in ${ENVIRONMENTS_VARIABLE}); known: ${known.join(", ")}`);
  }
  if (problems.all.length > 0) throw new ValidationError("Invalid configuration", problems.all);
  return wanted.length === 0 ? resolved : resolved.filter((env) => wanted.includes(env.name));
}

/** Settings that are valid but likely not what their author meant, each under its environment's field path. */
export function configurationWarnings(envs: readonly ResolvedEnvironment[]): Problem[] {
  return envs.flatMap((env) => under(`${env.name}.plan`, vssBackupPlanWarnings(env.plan).all));
}

function environmentProblems(env: EnvironmentConfig, resolved: ResolvedEnvironment, now: Date): Problems {
  const problems = new Problems();
  if (!ENVIRONMENT_NAME.test(env.name))
    problems.add(
      "name",
      `${JSON.stringify(env.name)} is not allowed, allowed: 1-32 of a-z 0-9 - starting with a letter`,
    );
  if (!ACCOUNT.test(env.account))
    problems.add("account", `${JSON.stringify(env.account)} is not an AWS account ID, allowed: 12 digits`);
  if (OTHER_PARTITION_REGION.test(env.region)) {
    problems.add(
      "region",
      `${JSON.stringify(env.region)} is outside the commercial partition, whose arn:aws: ARNs the stacks write; allowed: a commercial region such as eu-west-1`,
    );
  } else if (!REGION.test(env.region)) {
    problems.add(
      "region",
      `${JSON.stringify(env.region)} is not an AWS region, allowed: a region code such as eu-west-1`,
    );
  }
  problems.nest("selectionTag", selectionTagProblems(resolved.selectionTag));
  tagProblems(env.tags ?? {}, problems);
  problems.nest("instanceRole", vssInstanceRoleProblems(resolved.instanceRole));
  problems.nest("vault", vssBackupVaultProblems(resolved.vault));
  problems.nest("plan", vssBackupPlanProblems(resolved.plan, now));
  problems.nest("selection", vssBackupSelectionProblems(resolved.selection));
  problems.nest("association", vssComponentsAssociationProblems(resolved.association, now));
  const serviceRole = resolved.backupServiceRole;
  if ("existingRoleArn" in serviceRole)
    problems.checkArn("backupServiceRole.existingRoleArn", serviceRole.existingRoleArn, "iam", "role/");
  else problems.nest("backupServiceRole", backupServiceRoleProblems({ ...serviceRole, passableInstanceRoleArns: [] }));
  return problems;
}

function tagProblems(tags: Readonly<Record<string, string>>, problems: Problems): void {
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(tags)) {
    const path = `tags[${JSON.stringify(key)}]`;
    const clash = RESERVED_TAG_KEYS.find((reserved) => reserved.toLowerCase() === key.toLowerCase());
    if (key.trim() === "") problems.add(path, "empty tag key, allowed: 1-128 characters");
    else if (clash) problems.add(path, `is set by the project itself (${clash}), allowed: any other key`);
    else if (seen.has(key.toLowerCase()))
      problems.add(
        path,
        `duplicates ${JSON.stringify(seen.get(key.toLowerCase()))} (IAM tag keys ignore case), allowed: one of them`,
      );
    else if (value.trim() === "") problems.add(path, "empty tag value, allowed: 1-256 characters");
    seen.set(key.toLowerCase(), key);
  }
}

/** Environments that share an account collide on account-wide names and on the instances they select. */
function crossEnvironmentProblems(envs: readonly ResolvedEnvironment[], problems: Problems): void {
  const firstWith = new Map<string, string>();
  const claim = (key: string, env: ResolvedEnvironment, path: string, clash: (owner: string) => string) => {
    const owner = firstWith.get(key);
    if (owner === undefined) firstWith.set(key, env.name);
    else problems.add(`${env.name}.${path}`, `${clash(owner)}; allowed: a different one`);
  };
  for (const env of envs) {
    claim(`name:${env.name}`, env, "name", () => "another environment has the same name");
    const place = `${env.account}/${env.region}`;
    claim(
      `tag:${place}:${describeTag(env.selectionTag)}`,
      env,
      "selectionTag",
      (owner) =>
        `${describeTag(env.selectionTag)} is also selected by ${owner} in ${place}: both would back up the same instances`,
    );
    claim(
      `vault:${place}:${env.vault.name}`,
      env,
      "vault.name",
      (owner) => `${JSON.stringify(env.vault.name)} is also ${owner}'s vault in ${place}`,
    );
    const roles = [["instanceRole.roleName", env.instanceRole.roleName]];
    if ("roleName" in env.backupServiceRole) roles.push(["backupServiceRole.roleName", env.backupServiceRole.roleName]);
    for (const [path, roleName] of roles) {
      claim(
        `role:${env.account}:${roleName}`,
        env,
        path,
        (owner) =>
          `${JSON.stringify(roleName)} is also a role of ${owner} in account ${env.account} (IAM names are account-wide)`,
      );
    }
  }
}
