// What AWS requires of an instance for VSS backups, and what its role must allow: the role's part is
// derived from the statements in modules/, the very ones the VssInstanceRole construct grants (or,
// in the managed mode, AWS's managed policies as modules/ documents them), so the two cannot drift.
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { ContextEntry } from "@aws-sdk/client-iam";
import type { ResolvedMember } from "../config/organization-types";
import type { ResolvedEnvironment } from "../config/resolve";
import {
  EC2_VSS_SNAPSHOT_POLICY_STATEMENTS,
  LockMode,
  LockRange,
  ManagedPolicies,
  SSM_MANAGED_INSTANCE_STATEMENTS,
  topicArnOf,
  RESTORE_TEST_RULE_SUFFIX,
  VSS_FOR_AWS_BACKUP_STATEMENTS,
  VSS_INLINE_POLICY_NAMES,
  VssPolicyMode,
} from "../modules";

/** What AWS requires of an instance for VSS backups (EC2 User Guide, VSS prerequisites). */
export const MIN_SSM_AGENT_VERSION = "3.0.502.0";
export const MIN_WINDOWS_SERVER = 2016;
/** "Small instances that might not take the backup successfully" (AWS Backup Developer Guide). */
export const UNSUPPORTED_INSTANCE_TYPES = ["t2.nano", "t2.micro", "t3.nano", "t3.micro", "t3a.nano", "t3a.micro"];

/** The kinds of EC2 resources the VSS actions are scoped to, in the order reports name them. */
export const TOUCHED_RESOURCES = ["instance", "image", "snapshot", "volume"] as const;
export type TouchedResource = (typeof TOUCHED_RESOURCES)[number];

/** One half of what the role needs, granted by an AWS managed policy (managed mode) or a project inline policy (inline mode). */
export interface Grant {
  readonly what: string;
  readonly managedPolicyArn: string;
  readonly inlinePolicyName: string;
  /** The statements this half grants in the environment's policy mode. */
  readonly statements: readonly DataAwsIamPolicyDocumentStatement[];
}

export interface RoleRequirements {
  /** Every action the role must allow, in the statements' order. */
  readonly actions: readonly string[];
  /**
   * The kinds of resources each resource-scoped action touches in a backup, each of which the role
   * must allow (CreateImage needs the instance and the image and snapshots it creates). Actions
   * absent here take "*" and are judged on their overall decision.
   */
  readonly resourcesTouched: Readonly<Record<string, readonly TouchedResource[]>>;
  /** The context keys the statements read: their conditions' keys and the policy variables in their values. */
  readonly contextKeys: readonly string[];
  readonly grants: readonly Grant[];
}

function grantsOf(mode: VssPolicyMode): Grant[] {
  return [
    {
      what: "SSM core permissions",
      managedPolicyArn: ManagedPolicies.SSM_MANAGED_INSTANCE_CORE,
      inlinePolicyName: VSS_INLINE_POLICY_NAMES.ssmCore,
      statements: SSM_MANAGED_INSTANCE_STATEMENTS,
    },
    {
      what: "VSS snapshot permissions",
      managedPolicyArn: ManagedPolicies.EC2_VSS_SNAPSHOT,
      inlinePolicyName: VSS_INLINE_POLICY_NAMES.vss,
      statements: mode === "managed" ? EC2_VSS_SNAPSHOT_POLICY_STATEMENTS : VSS_FOR_AWS_BACKUP_STATEMENTS,
    },
  ];
}

const listOf = <T>(value: T[] | unknown): T[] => (Array.isArray(value) ? value : []);
const conditionsOf = (s: DataAwsIamPolicyDocumentStatement) =>
  listOf<{ variable: string; values: string[] }>(s.condition);
/** `arn:aws:ec2:*:*:image/*` → "image"; "*" → undefined. */
const kindOf = (arnPattern: string) =>
  TOUCHED_RESOURCES.find((kind) => new RegExp(`^arn:aws:ec2:[^:]*:[^:]*:${kind}/`).test(arnPattern));
/** `${ec2:InstanceId}` (or Terraform's `$${ec2:InstanceId}`) → "ec2:InstanceId". */
const policyVariablesIn = (text: string) => [...text.matchAll(/\$?\$\{([^}]+)\}/g)].map(([, name]) => name);

/** What a role must allow in `mode`, derived from the statements the role is granted. */
export function roleRequirements(mode: VssPolicyMode): RoleRequirements {
  const grants = grantsOf(mode);
  const statements = grants.flatMap((g) => g.statements);
  const actions = [...new Set(statements.flatMap((s) => listOf<string>(s.actions)))];
  const resourcesTouched: Record<string, TouchedResource[]> = {};
  for (const action of actions) {
    const kinds = new Set(
      statements
        .filter((s) => listOf<string>(s.actions).includes(action))
        .flatMap((s) => listOf<string>(s.resources).map(kindOf)),
    );
    const touched = TOUCHED_RESOURCES.filter((kind) => kinds.has(kind));
    if (touched.length > 0) resourcesTouched[action] = touched;
  }
  const contextKeys = [
    ...new Set(
      statements.flatMap((s) => conditionsOf(s).flatMap((c) => [c.variable, ...c.values.flatMap(policyVariablesIn)])),
    ),
  ];
  return { actions, resourcesTouched, contextKeys, grants };
}

/** The instance whose role is simulated, as the VSS agent on it would call EC2. */
export interface SimulatedInstance {
  readonly id: string;
  readonly arn: string;
}

/** The tag the VSS agent puts on what it creates, and the tags it adds afterwards (AWS's policy names them). */
const VSS_AGENT_TAG = "AwsVssConfig";
const VSS_AGENT_TAG_KEYS = ["AppConsistent", "Device"];

/** For each context key the statements read, the value the VSS agent's call carries. */
const CONTEXT_VALUES: Readonly<Record<string, (instance: SimulatedInstance) => Omit<ContextEntry, "ContextKeyName">>> =
  {
    "ec2:SourceInstanceARN": (i) => ({ ContextKeyType: "string", ContextKeyValues: [i.arn] }),
    "ec2:InstanceId": (i) => ({ ContextKeyType: "string", ContextKeyValues: [i.id] }),
    [`aws:RequestTag/${VSS_AGENT_TAG}`]: () => ({ ContextKeyType: "string", ContextKeyValues: ["preflight"] }),
    [`ec2:ResourceTag/${VSS_AGENT_TAG}`]: () => ({ ContextKeyType: "string", ContextKeyValues: ["preflight"] }),
    "ec2:CreateAction": () => ({ ContextKeyType: "string", ContextKeyValues: ["CreateImage"] }),
    "aws:TagKeys": () => ({ ContextKeyType: "stringList", ContextKeyValues: VSS_AGENT_TAG_KEYS }),
  };

/** The simulation's context entries for `keys`, as `instance` would send them; throws on a key preflight has no value for. */
export function simulationContext(keys: readonly string[], instance: SimulatedInstance): ContextEntry[] {
  return keys.map((key) => {
    const value = CONTEXT_VALUES[key];
    if (!value)
      throw new Error(
        `the instance role's policy reads the context key ${key}, which preflight cannot simulate; add its value to CONTEXT_VALUES in preflight/requirements.ts`,
      );
    return { ContextKeyName: key, ...value(instance) };
  });
}

/** A vault lock as the stack deploys it; `derived` when its range comes from the retention of what lands in the vault. */
export type ExpectedLock = LockRange & LockMode & { readonly derived: boolean };

/** A vault the stack deploys, and its lock, as preflight expects to find them. */
export interface ExpectedVault {
  /** The environment's vault, or the DR vault in the DR region. */
  readonly kind: "main" | "dr";
  readonly name: string;
  readonly region: string;
  /** Undefined when the lock is switched off. */
  readonly lock?: ExpectedLock;
}

/**
 * The vaults the stack deploys, the main one first, from the resolved environment the stack itself
 * is built from: lock ranges as config/resolve.ts fills them in with modules' derivedLockRange.
 */
export function expectedVaults(env: ResolvedEnvironment): ExpectedVault[] {
  const dr = env.disasterRecovery;
  return [
    { kind: "main", name: env.vault.name, region: env.region, lock: env.vault.lock },
    ...(dr ? [{ kind: "dr" as const, name: dr.vault.name, region: dr.region, lock: dr.vault.lock }] : []),
  ];
}

/** An alert rule the stack deploys: what it reports, its name, its region, and where it sends to. */
export interface ExpectedAlertRule {
  /** "backups": failed and crash-consistent backup jobs; "restoreTests": failed restore tests. */
  readonly reports: "backups" | "restoreTests";
  readonly name: string;
  readonly region: string;
  /** The topic the stack creates or names; a member stack's rules send to the organization's central bus instead. */
  readonly targetArn: string;
}

/**
 * The alert rules the stack deploys (none when alerts are off): the backup jobs' rule, and the
 * failed restore tests' rule beside it when restore testing is configured, both to one target.
 */
export function expectedAlertRules(env: ResolvedEnvironment | ResolvedMember): ExpectedAlertRule[] {
  if (!env.alerts) return [];
  const topic = env.alerts.topic;
  const targetArn =
    "member" in env
      ? env.member.centralBusArn
      : "existingTopicArn" in topic
        ? topic.existingTopicArn
        : topicArnOf(env, topic.name);
  const rule = { name: env.alerts.ruleName, region: env.region, targetArn };
  return [
    { reports: "backups", ...rule },
    ...(env.alerts.failedRestoreTests
      ? [{ ...rule, reports: "restoreTests" as const, name: `${rule.name}${RESTORE_TEST_RULE_SUFFIX}` }]
      : []),
  ];
}
