import type { StackJson } from "./posture";

export type ChangeAction = "create" | "update" | "replace" | "delete";

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** For a replacement found by comparing synthesized JSON: the arguments that force it. */
  readonly forcedBy?: readonly string[];
}

/** Resource types whose replacement or destruction the review calls out at the top. */
export const CRITICAL_TYPES = ["aws_backup_vault", "aws_backup_plan", "aws_backup_selection", "aws_iam_role"];

/**
 * Arguments that force replacement (ForceNew in hashicorp/aws 5.100.0's schema). Every argument of
 * aws_backup_selection forces replacement, so any change to a selection replaces it.
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[] | "every argument">> = {
  aws_backup_selection: "every argument",
  aws_backup_vault: ["name", "kms_key_arn"],
  aws_backup_plan: ["name"],
  aws_iam_role: ["name", "name_prefix", "path"],
  aws_iam_instance_profile: ["name", "name_prefix", "path"],
  aws_iam_role_policy: ["name", "name_prefix", "role"],
  aws_iam_role_policy_attachment: ["role", "policy_arn"],
  aws_ssm_association: ["name", "instance_id"],
};

/** Changes from `terraform show -json <planfile>`: Terraform's own verdict, replacements included. */
export function changesFromPlan(plan: { resource_changes?: { address: string; type: string; mode?: string; change: { actions: string[] } }[] }): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const change of plan.resource_changes ?? []) {
    if (change.mode === "data") continue;
    const actions = change.change.actions;
    const action: ChangeAction | undefined =
      actions.includes("delete") && actions.includes("create") ? "replace" : actions.includes("delete") ? "delete" : actions.includes("create") ? "create" : actions.includes("update") ? "update" : undefined;
    if (action) changes.push({ address: change.address, type: change.type, action });
  }
  return changes;
}

/** Changes between two synthesized stacks, with replacements predicted from FORCE_NEW. */
export function changesFromSynth(base: StackJson | undefined, head: StackJson | undefined): ResourceChange[] {
  const resources = (stack: StackJson | undefined) =>
    new Map(Object.entries(stack?.resource ?? {}).flatMap(([type, byId]) => Object.entries(byId).map(([id, body]) => [`${type}.${id}`, { type, body: withoutMetadata(body) }] as const)));
  const before = resources(base);
  const after = resources(head);
  const changes: ResourceChange[] = [];
  for (const [address, { type, body }] of after) {
    const old = before.get(address);
    if (!old) {
      changes.push({ address, type, action: "create" });
      continue;
    }
    const changed = [...new Set([...Object.keys(body), ...Object.keys(old.body)])].filter((key) => JSON.stringify(body[key]) !== JSON.stringify(old.body[key]));
    if (changed.length === 0) continue;
    const forceNew = FORCE_NEW[type] ?? [];
    const forcedBy = forceNew === "every argument" ? changed.filter((key) => key !== "lifecycle") : changed.filter((key) => forceNew.includes(key));
    changes.push(forcedBy.length > 0 ? { address, type, action: "replace", forcedBy } : { address, type, action: "update" });
  }
  for (const [address, { type }] of before) if (!after.has(address)) changes.push({ address, type, action: "delete" });
  return changes;
}

function withoutMetadata(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  delete copy["//"];
  return copy;
}
