import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { Construct } from "constructs";
import type { VssBackupVault } from "./backup-vault";
import { Problems, throwIfAny } from "./validation";

/** The shortest minimum and longest maximum retention a lock takes (PutBackupVaultLockConfiguration). */
export const LOCK_MIN_DAYS = 1;
export const LOCK_MAX_DAYS = 36500;
/** AWS's cooling-off period: a compliance lock becomes immutable after ChangeableForDays, at least 3. */
export const LOCK_MIN_CHANGEABLE_DAYS = 3;

/** A lock's range of retention: every recovery point that lands in the vault must be kept within it. */
export interface LockRange {
  readonly minRetentionDays: number;
  readonly maxRetentionDays: number;
}

/**
 * Governance: users with the right IAM permissions can still change or remove the lock. Compliance:
 * after `changeableForDays` (the cooling-off period, >= 3) nobody can, not even AWS or the root user,
 * and the vault cannot be deleted until its recovery points expire: irreversible.
 */
export type LockMode =
  | { readonly mode: "governance" }
  | { readonly mode: "compliance"; readonly changeableForDays: number };

export type VssVaultLockProps = LockRange &
  LockMode & {
    /** The vault to lock. */
    readonly vault: VssBackupVault;
    /** Refuse any plan that removes or replaces the lock (Terraform `prevent_destroy`). @default true */
    readonly preventDestroy?: boolean;
  };

/**
 * The lock's range problems, and, given `retentions` (the days each rule or copy keeps what lands in
 * the vault, by field path), each retention outside the range: AWS fails those jobs.
 */
export function vssVaultLockProblems(
  props: LockRange & LockMode,
  retentions: readonly { readonly path: string; readonly days: number }[] = [],
): Problems {
  const problems = new Problems();
  problems.checkInteger("minRetentionDays", props.minRetentionDays, LOCK_MIN_DAYS, LOCK_MAX_DAYS, "days");
  problems.checkInteger("maxRetentionDays", props.maxRetentionDays, LOCK_MIN_DAYS, LOCK_MAX_DAYS, "days");
  if (props.minRetentionDays > props.maxRetentionDays) {
    problems.add(
      "minRetentionDays",
      `${props.minRetentionDays} is above maxRetentionDays ${props.maxRetentionDays}, allowed: at most the maximum`,
    );
  }
  if (props.mode === "compliance" && (!Number.isInteger(props.changeableForDays) || props.changeableForDays < 3)) {
    problems.add(
      "changeableForDays",
      `${props.changeableForDays} is not allowed, allowed: a whole number of days from ${LOCK_MIN_CHANGEABLE_DAYS} (AWS's 72-hour cooling-off period)`,
    );
  }
  for (const { path, days } of retentions) {
    if (days < props.minRetentionDays || days > props.maxRetentionDays) {
      problems.add(
        path,
        `keeps ${days} days, outside the vault lock's range ${props.minRetentionDays}-${props.maxRetentionDays} days: AWS fails such jobs; allowed: a retention within the range`,
      );
    }
  }
  return problems;
}

/** The range that fits exactly what lands in the vault: from the shortest retention to the longest. */
export function derivedLockRange(retentionDays: readonly number[]): LockRange {
  return { minRetentionDays: Math.min(...retentionDays), maxRetentionDays: Math.max(...retentionDays) };
}

/**
 * AWS Backup Vault Lock on a vault (every argument forces replacement: `review` calls a replacement
 * out). Governance mode when `mode` is governance; compliance, immutable after the cooling-off
 * period, otherwise.
 */
export class VssVaultLock extends Construct {
  readonly mode: LockMode["mode"];

  constructor(scope: Construct, id: string, props: VssVaultLockProps) {
    super(scope, id);
    throwIfAny(`VssVaultLock ${this.node.path}`, vssVaultLockProblems(props).all);
    this.mode = props.mode;
    new BackupVaultLockConfiguration(this, "lock", {
      backupVaultName: props.vault.vaultName,
      minRetentionDays: props.minRetentionDays,
      maxRetentionDays: props.maxRetentionDays,
      changeableForDays: props.mode === "compliance" ? props.changeableForDays : undefined,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      // The vault's own provider: a DR vault's lock lives in the DR region.
      provider: props.vault.provider,
    });
  }
}
