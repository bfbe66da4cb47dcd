// Organization mode in the review: the management stack's backup policies and central alerts, read
// from the policy documents as synthesized, and the member stacks whose plan such a policy is.
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import type { PlanSource } from "../config/organization-types";
import { ALL_EC2_INSTANCES } from "../modules/backup-selection";
import { DEFAULT_TIMEZONE, scheduleInWords } from "../modules/schedule";
import { SelectionTag, tagOfCondition } from "../modules/selection-tag";
import { BACKUP_POLICY_ID_PREFIX } from "../stacks/management-stack";
import {
  AlertsPosture,
  alertsOf,
  DisasterRecoveryPosture,
  Posture,
  RulePosture,
  StackJson,
  vaultProtectionOf,
} from "./posture";

/** One backup policy of the management stack, as its content (the BACKUP_POLICY document) says. */
export interface PolicyPosture {
  readonly policyName: string;
  /** The template the policy was built from (the construct's path), when the stack's metadata names it. */
  readonly template?: string;
  readonly planName: string;
  /** OU, account or root IDs, as the attachments give them. */
  readonly targets: readonly string[];
  readonly regions: readonly string[];
  readonly windowsVss: boolean;
  /** Read in UTC: the policy syntax has no time zone. */
  readonly rules: readonly RulePosture[];
  readonly selection: {
    readonly name: string;
    readonly tag?: SelectionTag;
    readonly resourceTypes: readonly string[];
    /** Whether `resourceTypes` is exactly every EC2 instance. */
    readonly ec2InstancesOnly: boolean;
  };
  /** The vaults of each account the rules copy to, with each rule's days there. */
  readonly copies: readonly Omit<DisasterRecoveryPosture, "lock">[];
  /** The vaults the rules write to, in each account and region. */
  readonly vaultNames: readonly string[];
  readonly serviceRoleName?: string;
}

/** What a management stack deploys: its backup policies and the organization's central alerts. */
export interface ManagementPosture {
  readonly policies: readonly PolicyPosture[];
  readonly centralAlerts?: { readonly busName: string; readonly alerts?: AlertsPosture };
}

/** A management stack of the same synthesized app, by name. */
export interface ManagementOf {
  readonly stackName: string;
  readonly posture: ManagementPosture;
}

/** Where a member stack's plan comes from, for one that creates none of its own. */
export interface PolicyPlanFrom {
  /** Undefined when the management stack is not in the reviewed cdktf.out. */
  readonly management?: { readonly stackName: string; readonly policies: readonly PolicyPosture[] };
  /** The member's own vault, which the policy's rules must write to. */
  readonly vaultName?: string;
  readonly region?: string;
}

type Body = Record<string, unknown>;
type Assigned<T> = { readonly "@@assign"?: T };
const assigned = <T>(value: unknown): T | undefined => (value as Assigned<T> | undefined)?.["@@assign"];
const days = (value: unknown): number | undefined => {
  const text = assigned<string>(value);
  return text === undefined ? undefined : Number(text);
};
/** A policy's vault ARN (`arn:aws:backup:<region>:$account:backup-vault:<name>`): region and name. */
const POLICY_VAULT_ARN = /^arn:aws:backup:([^:]+):[^:]*:backup-vault:(.+)$/;
/** The role at the end of a policy's `arn:aws:iam::$account:role/<name>`. */
const POLICY_ROLE_ARN = /:role\/(.+)$/;
/** The construct path of a policy resource: `<stack>/backup-policy-<template>/policy`. */
const POLICY_PATH = new RegExp(`/${BACKUP_POLICY_ID_PREFIX}([^/]+)/[^/]+$`);

/** The management stack's posture, or undefined for a stack without a backup policy or central bus. */
export function managementPostureOf(stack: StackJson): ManagementPosture | undefined {
  const policies = Object.entries(stack.resource?.[OrganizationsPolicy.tfResourceType] ?? {}).filter(
    ([, policy]) => policy.type === "BACKUP_POLICY",
  );
  const [, bus] = Object.entries(stack.resource?.[CloudwatchEventBus.tfResourceType] ?? {})[0] ?? [];
  if (policies.length === 0 && !bus) return undefined;
  const attachments = Object.values(stack.resource?.[OrganizationsPolicyAttachment.tfResourceType] ?? {});
  return {
    policies: policies.flatMap(([id, policy]) =>
      policyPostures(
        policy,
        attachments
          .filter((a) => a.policy_id === `\${${OrganizationsPolicy.tfResourceType}.${id}.id}`)
          .map((a) => String(a.target_id)),
      ),
    ),
    centralAlerts: bus ? { busName: String(bus.name), alerts: alertsOf(stack) } : undefined,
  };
}

/** Each plan of one policy document (the project writes one per policy). */
function policyPostures(policy: Body, targets: string[]): PolicyPosture[] {
  const document = JSON.parse(String(policy.content)) as { plans?: Record<string, Body> };
  const path = (policy["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? "";
  return Object.entries(document.plans ?? {}).map(([planName, plan]) => {
    const rules = Object.entries((plan.rules ?? {}) as Record<string, Body>);
    const [selectionName, selection] = Object.entries(
      ((plan.selections as { resources?: Record<string, Body> } | undefined)?.resources ?? {}) as Record<string, Body>,
    )[0] ?? ["(none)", {}];
    const conditions = (selection.conditions as { string_equals?: Record<string, Body> } | undefined)?.string_equals;
    const [condition] = Object.values(conditions ?? {});
    const resourceTypes = assigned<string[]>(selection.resource_types) ?? [];
    const windowsVss = (plan.advanced_backup_settings as { ec2?: { windows_vss?: unknown } } | undefined)?.ec2
      ?.windows_vss;
    return {
      policyName: String(policy.name),
      template: POLICY_PATH.exec(path)?.[1],
      planName,
      targets,
      regions: assigned<string[]>(plan.regions) ?? [],
      windowsVss: assigned<string>(windowsVss) === "enabled",
      rules: rules.map(([name, rule]) => policyRulePosture(name, rule)),
      copies: policyCopies(rules),
      selection: {
        name: selectionName,
        tag: condition
          ? tagOfCondition({
              key: String(assigned(condition.condition_key)),
              value: String(assigned(condition.condition_value)),
            })
          : undefined,
        resourceTypes,
        ec2InstancesOnly: resourceTypes.length === 1 && resourceTypes[0] === ALL_EC2_INSTANCES,
      },
      vaultNames: [...new Set(rules.map(([, rule]) => String(assigned(rule.target_backup_vault_name))))],
      serviceRoleName: POLICY_ROLE_ARN.exec(String(assigned(selection.iam_role_arn)))?.[1],
    };
  });
}

function policyRulePosture(name: string, rule: Body): RulePosture {
  const lifecycle = (value: unknown) => {
    const body = (value ?? {}) as Body;
    return {
      deleteAfterDays: days(body.delete_after_days),
      coldStorageAfterDays: days(body.move_to_cold_storage_after_days),
    };
  };
  const schedule = String(assigned(rule.schedule_expression));
  return {
    name,
    schedule,
    timezone: DEFAULT_TIMEZONE,
    scheduleInWords: scheduleInWords(schedule, DEFAULT_TIMEZONE),
    ...lifecycle(rule.lifecycle),
    copies: Object.values((rule.copy_actions ?? {}) as Record<string, Body>).map((copy) => ({
      destinationVaultArn: copyDestination(String(assigned(copy.target_backup_vault_arn))),
      ...lifecycle(copy.lifecycle),
    })),
  };
}

/** `vault <name> in <region> (each account)` for a policy's copy ARN; the ARN as written otherwise. */
function copyDestination(arn: string): string {
  const match = POLICY_VAULT_ARN.exec(arn);
  return match ? `vault ${match[2]} in ${match[1]} (each account)` : arn;
}

/** Each vault the rules copy to (by its ARN in the policy), with the days each rule's copies are kept there. */
function policyCopies(rules: readonly [string, Body][]): Omit<DisasterRecoveryPosture, "lock">[] {
  const byArn = new Map<string, { vaultName: string; region?: string; keepDays: Record<string, number | undefined> }>();
  for (const [name, rule] of rules)
    for (const copy of Object.values((rule.copy_actions ?? {}) as Record<string, Body>)) {
      const arn = String(assigned(copy.target_backup_vault_arn));
      const [, region, vaultName] = POLICY_VAULT_ARN.exec(arn) ?? [undefined, undefined, arn];
      const entry = byArn.get(arn) ?? { vaultName, region, keepDays: {} };
      entry.keepDays[name] = days((copy.lifecycle as Body | undefined)?.delete_after_days);
      byArn.set(arn, entry);
    }
  return [...byArn.values()];
}

/** The stack's `plan_source` output: set on member stacks of organization mode only. */
export function planSourceOf(stack: StackJson): PlanSource | undefined {
  return stack.output?.plan_source?.value as PlanSource | undefined;
}

/** The first management stack among `stacks` (name → JSON). */
export function managementAmong(stacks: ReadonlyMap<string, StackJson>): ManagementOf | undefined {
  for (const [stackName, stack] of stacks) {
    const posture = managementPostureOf(stack);
    if (posture) return { stackName, posture };
  }
  return undefined;
}

/**
 * A member stack under a backup policy: its own posture (vault, lock, roles, alerts) with what the
 * policy decides (selection, Windows VSS, rules, copies) taken from the policy whose rules write to
 * the member's vault. Without the management stack, those stay as the stack has them (none), and
 * `planFrom` says why.
 */
export function memberUnderPolicy(
  own: Posture,
  stack: StackJson,
  region: string | undefined,
  management: ManagementOf | undefined,
): { posture: Posture; planFrom: PolicyPlanFrom } {
  const vaultName = own.vault?.name;
  const planFrom: PolicyPlanFrom = {
    vaultName,
    region,
    management: management && {
      stackName: management.stackName,
      policies: management.posture.policies.filter((p) => vaultName !== undefined && p.vaultNames.includes(vaultName)),
    },
  };
  const policy = planFrom.management?.policies.find((p) => region !== undefined && p.regions.includes(region));
  if (!policy) return { posture: own, planFrom };
  return {
    posture: {
      ...own,
      tag: policy.selection.tag,
      windowsVss: policy.windowsVss,
      rules: policy.rules,
      disasterRecovery: policyDisasterRecovery(policy, stack),
    },
    planFrom,
  };
}

/** The policy's copies (which every account receives), with the lock this stack sets on each copy's vault. */
function policyDisasterRecovery(policy: PolicyPosture, stack: StackJson): DisasterRecoveryPosture[] {
  const vaults = Object.entries(stack.resource?.[BackupVault.tfResourceType] ?? {});
  return policy.copies.map((copy) => {
    const [id] = vaults.find(([, v]) => v.name === copy.vaultName) ?? [];
    return {
      ...copy,
      lock: id === undefined ? undefined : vaultProtectionOf(stack, `${BackupVault.tfResourceType}.${id}`).lock,
    };
  });
}

/** What a change to the management stack takes away from the policies' protection. */
export function policyWeakeningsOf(base: ManagementPosture, head: ManagementPosture): string[] {
  const found: string[] = [];
  for (const before of base.policies) {
    const after = head.policies.find((p) => p.policyName === before.policyName && p.planName === before.planName);
    const name = `backup policy \`${before.policyName}\``;
    if (!after) {
      found.push(
        `removes the ${name} (attached to ${before.targets.join(", ")}): AWS Backup deletes its plan \`${before.planName}\` in every account it reached, and their instances are no longer backed up`,
      );
      continue;
    }
    if (before.windowsVss && !after.windowsVss)
      found.push(`the ${name} no longer enables Windows VSS: its backups are crash-consistent only`);
    for (const target of before.targets.filter((t) => !after.targets.includes(t)))
      found.push(
        `detaches the ${name} from ${target}: the plan \`${before.planName}\` is removed from the accounts it reached through that target`,
      );
    for (const region of before.regions.filter((r) => !after.regions.includes(r)))
      found.push(`the ${name} no longer covers ${region}: instances there are no longer backed up`);
    for (const rule of before.rules) {
      const now = after.rules.find((r) => r.name === rule.name);
      if (!now) {
        found.push(`the ${name} drops rule ${rule.name} (${rule.scheduleInWords}, kept ${kept(rule.deleteAfterDays)})`);
        continue;
      }
      if (shorter(rule.deleteAfterDays, now.deleteAfterDays))
        found.push(
          `the ${name} keeps rule ${rule.name}'s backups ${kept(now.deleteAfterDays)} instead of ${kept(rule.deleteAfterDays)}`,
        );
      for (const copy of rule.copies) {
        const copyNow = now.copies.find((c) => c.destinationVaultArn === copy.destinationVaultArn);
        if (!copyNow)
          found.push(`the ${name} no longer copies rule ${rule.name}'s backups to ${copy.destinationVaultArn}`);
        else if (shorter(copy.deleteAfterDays, copyNow.deleteAfterDays))
          found.push(
            `the ${name} keeps rule ${rule.name}'s copies in ${copy.destinationVaultArn} ${kept(copyNow.deleteAfterDays)} instead of ${kept(copy.deleteAfterDays)}`,
          );
      }
    }
  }
  return found;
}

const kept = (days?: number) => (days === undefined ? "forever" : `${days} days`);
const shorter = (before?: number, after?: number) => (after ?? Infinity) < (before ?? Infinity);

/** A member stack that changes where its plan comes from, in words; undefined when it does not. */
export function planSourceChangeOf(base: StackJson, head: StackJson): string | undefined {
  const [before, after] = [planSourceOf(base), planSourceOf(head)];
  if (before === undefined || after === undefined || before === after) return undefined;
  return after === "organization-policy"
    ? "switches its plan to the organization's backup policy: its own backup plan and selection are destroyed, and from then on only the policy backs up this account and region"
    : "switches its plan from the organization's backup policy to a backup plan and selection of its own";
}
