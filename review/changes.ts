import { BackupFramework } from "@cdktf/provider-aws/lib/backup-framework";
import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupRestoreTestingPlan } from "@cdktf/provider-aws/lib/backup-restore-testing-plan";
import { BackupRestoreTestingSelection } from "@cdktf/provider-aws/lib/backup-restore-testing-selection";
import { BackupReportPlan } from "@cdktf/provider-aws/lib/backup-report-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { BackupVaultPolicy } from "@cdktf/provider-aws/lib/backup-vault-policy";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { providerAddress, StackJson } from "./posture";

export type ChangeAction = "create" | "update" | "replace" | "delete";

/** The `type` of a change to a provider block rather than to a resource. */
export const PROVIDER_CHANGE = "provider";

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** For a replacement found by comparing synthesized JSON: the arguments that force it. */
  readonly forcedBy?: readonly string[];
  /** For the provider: which of its arguments changed (a new region or account moves every resource). */
  readonly changedArguments?: readonly string[];
}

/** Resource types whose replacement or destruction the review calls out at the top. */
export const CRITICAL_TYPES = [
  BackupVault.tfResourceType,
  BackupPlan.tfResourceType,
  BackupSelection.tfResourceType,
  IamRole.tfResourceType,
  BackupVaultLockConfiguration.tfResourceType,
  BackupVaultPolicy.tfResourceType,
];

/**
 * Arguments that force replacement (ForceNew in hashicorp/aws 5.100.0's schema). Every argument of
 * aws_backup_selection forces replacement, so any change to a selection replaces it.
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[] | "every argument">> = {
  [BackupSelection.tfResourceType]: "every argument",
  // Every lock argument forces replacement (the provider has no Update for it).
  [BackupVaultLockConfiguration.tfResourceType]: "every argument",
  [BackupVault.tfResourceType]: ["name", "kms_key_arn"],
  [BackupPlan.tfResourceType]: ["name"],
  [IamRole.tfResourceType]: ["name", "name_prefix", "path"],
  [IamInstanceProfile.tfResourceType]: ["name", "name_prefix", "path"],
  [IamRolePolicy.tfResourceType]: ["name", "name_prefix", "role"],
  [IamRolePolicyAttachment.tfResourceType]: ["role", "policy_arn"],
  [SsmAssociation.tfResourceType]: ["name", "instance_id"],
  // Restore testing (RequiresReplace in the provider's plugin-framework schema).
  [BackupRestoreTestingPlan.tfResourceType]: ["name"],
  [BackupRestoreTestingSelection.tfResourceType]: ["name", "restore_testing_plan_name", "protected_resource_type"],
  [BackupFramework.tfResourceType]: ["name"],
  [BackupReportPlan.tfResourceType]: ["name"],
};

/** One entry of a JSON plan's `resource_changes`. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: { readonly actions: readonly string[] };
}

/** Changes from `terraform show -json <planfile>`: Terraform's own verdict, replacements included. */
export function changesFromPlan(plan: { readonly resource_changes?: readonly PlannedChange[] }): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const change of plan.resource_changes ?? []) {
    if (change.mode === "data") continue;
    const actions = change.change.actions;
    const action: ChangeAction | undefined =
      actions.includes("delete") && actions.includes("create")
        ? "replace"
        : actions.includes("delete")
          ? "delete"
          : actions.includes("create")
            ? "create"
            : actions.includes("update")
              ? "update"
              : undefined;
    if (action) changes.push({ address: change.address, type: change.type, action });
  }
  return changes;
}

type Blocks = Record<string, Record<string, Record<string, unknown>>> | undefined;

/** `prefix<type>.<id>` → the block without cdktf's metadata, with its type. */
function blocks(byType: Blocks, prefix = ""): Map<string, { type: string; body: Record<string, unknown> }> {
  return new Map(
    Object.entries(byType ?? {}).flatMap(([type, byId]) =>
      Object.entries(byId).map(
        ([id, body]) => [`${prefix}${type}.${id}`, { type, body: withoutMetadata(body) }] as const,
      ),
    ),
  );
}

const differing = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]),
  );

/**
 * Changes between two synthesized stacks, with replacements predicted from FORCE_NEW. An argument
 * that reads a changed data source (policies are rendered by aws_iam_policy_document) changes with
 * it; a changed provider (region, account) is reported per provider, as `provider.aws` or `provider.aws.<alias>`.
 */
export function changesFromSynth(base: StackJson | undefined, head: StackJson | undefined): ResourceChange[] {
  const before = blocks(base?.resource);
  const after = blocks(head?.resource);
  const dataBefore = blocks(base?.data, "data.");
  const changedData = [...blocks(head?.data, "data.")]
    .filter(
      ([address, { body }]) => !dataBefore.has(address) || differing(body, dataBefore.get(address)!.body).length > 0,
    )
    .map(([address]) => address);
  const readsChangedData = (value: unknown) =>
    changedData.some((address) => JSON.stringify(value ?? null).includes(`\${${address}.`));
  const changes: ResourceChange[] = [];
  if (base && head) changes.push(...providerChanges(base, head));
  for (const [address, { type, body }] of after) {
    const old = before.get(address);
    if (!old) {
      changes.push({ address, type, action: "create" });
      continue;
    }
    const changed = [
      ...new Set([...differing(body, old.body), ...Object.keys(body).filter((key) => readsChangedData(body[key]))]),
    ];
    if (changed.length === 0) continue;
    const forceNew = FORCE_NEW[type] ?? [];
    const forcedBy =
      forceNew === "every argument"
        ? changed.filter((key) => key !== "lifecycle")
        : changed.filter((key) => forceNew.includes(key));
    changes.push(
      forcedBy.length > 0 ? { address, type, action: "replace", forcedBy } : { address, type, action: "update" },
    );
  }
  for (const [address, { type }] of before) if (!after.has(address)) changes.push({ address, type, action: "delete" });
  return changes;
}

/** Per AWS provider (default and each alias): added, removed, or changed arguments (region, account). */
function providerChanges(base: StackJson, head: StackJson): ResourceChange[] {
  const byAddress = (stack: StackJson) =>
    new Map(
      (stack.provider?.[AwsProvider.tfResourceType] ?? []).map(
        (block) => [`provider.${providerAddress(block.alias)}`, block as Record<string, unknown>] as const,
      ),
    );
  const before = byAddress(base);
  const after = byAddress(head);
  const changes: ResourceChange[] = [];
  for (const [address, block] of after) {
    const old = before.get(address);
    const changedArguments = old ? differing(block, old) : [];
    if (!old) changes.push({ address, type: PROVIDER_CHANGE, action: "create" });
    else if (changedArguments.length > 0)
      changes.push({ address, type: PROVIDER_CHANGE, action: "update", changedArguments });
  }
  for (const address of before.keys())
    if (!after.has(address)) changes.push({ address, type: PROVIDER_CHANGE, action: "delete" });
  return changes;
}

function withoutMetadata(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  delete copy["//"];
  return copy;
}
