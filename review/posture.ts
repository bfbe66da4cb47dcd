import { scheduleInWords } from "../modules/schedule";

/** A synthesized stack (cdk.tf.json) as the review reads it. */
export interface StackJson {
  readonly provider?: { readonly aws?: readonly { region?: string; allowed_account_ids?: string[] }[] };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface RetentionPosture {
  readonly deleteAfterDays?: number;
  readonly coldStorageAfterDays?: number;
}
export interface RulePosture extends RetentionPosture {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly scheduleInWords: string;
  readonly copies: readonly (RetentionPosture & { readonly destinationVaultArn: string })[];
}
export interface RolePosture {
  readonly name: string;
  /** Service principals of the trust policy; empty for an existing role the stack only looks up. */
  readonly assumedBy: readonly string[];
  readonly existing: boolean;
  readonly managedPolicies: readonly string[];
  readonly inlinePolicies: readonly string[];
}
/** What one environment's stack protects, and how: read from the synthesized JSON, which is what deploys. */
export interface Posture {
  readonly region?: string;
  readonly accounts: readonly string[];
  readonly tag?: { readonly key: string; readonly value: string };
  readonly windowsVss: boolean;
  readonly vault?: { readonly name: string; readonly preventDestroy: boolean; readonly kmsKeyArn?: string };
  readonly rules: readonly RulePosture[];
  readonly roles: readonly RolePosture[];
}

type Body = Record<string, unknown>;
const all = (stack: StackJson, type: string): [string, Body][] => Object.entries(stack.resource?.[type] ?? {});
const referenced = (value: unknown): string | undefined => /^\$\{([^}]+)\.[a-z_]+\}$/.exec(String(value))?.[1];

export function postureOf(stack: StackJson): Posture {
  const provider = stack.provider?.aws?.[0];
  const [, selection] = all(stack, "aws_backup_selection")[0] ?? [];
  const condition = (selection?.condition as { string_equals?: { key: string; value: string }[] }[] | undefined)?.[0]
    ?.string_equals?.[0];
  const [, plan] = all(stack, "aws_backup_plan")[0] ?? [];
  const [, vault] = all(stack, "aws_backup_vault")[0] ?? [];
  const settings =
    (plan?.advanced_backup_setting as
      | { resource_type: string; backup_options: Record<string, string> }[]
      | undefined) ?? [];
  return {
    region: provider?.region,
    accounts: provider?.allowed_account_ids ?? [],
    tag: condition ? { key: condition.key.replace(/^aws:ResourceTag\//, ""), value: condition.value } : undefined,
    windowsVss: settings.some((s) => s.resource_type === "EC2" && s.backup_options.WindowsVSS === "enabled"),
    vault: vault
      ? {
          name: String(vault.name),
          preventDestroy: (vault.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy === true,
          kmsKeyArn: vault.kms_key_arn as string | undefined,
        }
      : undefined,
    rules: ((plan?.rule as Body[] | undefined) ?? []).map(rulePosture),
    roles: rolesOf(stack),
  };
}

function rulePosture(rule: Body): RulePosture {
  const lifecycle = (value: unknown): RetentionPosture => {
    const body = (value ?? {}) as { delete_after?: number; cold_storage_after?: number };
    return { deleteAfterDays: body.delete_after, coldStorageAfterDays: body.cold_storage_after };
  };
  const timezone = String(rule.schedule_expression_timezone ?? "Etc/UTC");
  return {
    name: String(rule.rule_name),
    schedule: String(rule.schedule),
    timezone,
    scheduleInWords: scheduleInWords(String(rule.schedule), timezone),
    ...lifecycle(rule.lifecycle),
    copies: ((rule.copy_action as Body[] | undefined) ?? []).map((copy) => ({
      destinationVaultArn: String(copy.destination_vault_arn),
      ...lifecycle(copy.lifecycle),
    })),
  };
}

function rolesOf(stack: StackJson): RolePosture[] {
  const byAddress = new Map<
    string,
    { name: string; assumedBy: string[]; existing: boolean; managed: string[]; inline: string[] }
  >();
  for (const [id, role] of all(stack, "aws_iam_role")) {
    const trust = referenced(role.assume_role_policy)?.split(".")[2];
    const statements =
      (stack.data?.aws_iam_policy_document?.[trust ?? ""]?.statement as
        | { principals?: { identifiers: string[] }[] }[]
        | undefined) ?? [];
    byAddress.set(`aws_iam_role.${id}`, {
      name: String(role.name),
      assumedBy: statements.flatMap((s) => s.principals ?? []).flatMap((p) => p.identifiers),
      existing: false,
      managed: [],
      inline: [],
    });
  }
  for (const [id, role] of Object.entries(stack.data?.aws_iam_role ?? {})) {
    byAddress.set(`data.aws_iam_role.${id}`, {
      name: String(role.name),
      assumedBy: [],
      existing: true,
      managed: [],
      inline: [],
    });
  }
  for (const [, attachment] of all(stack, "aws_iam_role_policy_attachment"))
    byAddress.get(referenced(attachment.role) ?? "")?.managed.push(String(attachment.policy_arn));
  for (const [, policy] of all(stack, "aws_iam_role_policy"))
    byAddress.get(referenced(policy.role) ?? "")?.inline.push(String(policy.name));
  return [...byAddress.values()].map((r) => ({
    name: r.name,
    assumedBy: r.assumedBy,
    existing: r.existing,
    managedPolicies: r.managed,
    inlinePolicies: r.inline,
  }));
}
