import { BackupVaultPolicy } from "@cdktf/provider-aws/lib/backup-vault-policy";
import { Construct } from "constructs";
import type { VssBackupVault } from "./backup-vault";
import { policyDocument } from "./iam-policies";
import { ARNS, Place, Problems, throwIfAny } from "./validation";

/**
 * The actions AWS Config's BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED requires a vault policy to
 * deny (Principal and Resource "*"): deleting a recovery point, shortening its lifecycle, and
 * replacing the policy itself. Vault access policies take no wildcard actions.
 */
export const DELETION_DENIED_ACTIONS = [
  "backup:DeleteRecoveryPoint",
  "backup:UpdateRecoveryPointLifecycle",
  "backup:PutBackupVaultAccessPolicy",
] as const;

/** At most 5 exempted roles: the break-glass role and the role that deploys the stack, and few others. */
export const MAX_EXEMPT_ROLES = 5;

export interface VssVaultDeletionGuardProps {
  readonly vault: VssBackupVault;
  /**
   * IAM roles (ARNs, the vault's account) the Deny exempts: the break-glass role, and the role that
   * deploys the stack (without it, Terraform can never update this policy again). 1 to 5.
   */
  readonly exemptRoleArns: readonly string[];
}

export function vssVaultDeletionGuardProblems(
  props: Pick<VssVaultDeletionGuardProps, "exemptRoleArns">,
  place?: Place,
): Problems {
  const problems = new Problems();
  const roles = props.exemptRoleArns;
  if (roles.length === 0 || roles.length > MAX_EXEMPT_ROLES) {
    problems.add(
      "exemptRoleArns",
      `${roles.length} roles, allowed: 1-${MAX_EXEMPT_ROLES} (at least the role that deploys the stack, or Terraform can never update the policy again)`,
    );
  }
  roles.forEach((arn, i) => problems.checkArn(`exemptRoleArns[${i}]`, arn, ARNS.iamRole, place));
  return problems;
}

/**
 * A vault access policy that denies everyone but the exempted roles deleting recovery points,
 * changing their lifecycle and replacing the policy. AWS Backup's own lifecycle expiry is not a
 * principal's call: see the README for what AWS documents (and does not) about it.
 */
export class VssVaultDeletionGuard extends Construct {
  /** The vault whose policy this is. */
  readonly vault: VssBackupVault;

  constructor(scope: Construct, id: string, props: VssVaultDeletionGuardProps) {
    super(scope, id);
    this.vault = props.vault;
    throwIfAny(`VssVaultDeletionGuard ${this.node.path}`, vssVaultDeletionGuardProblems(props).all);
    const document = policyDocument(this, "policy-document", [
      {
        sid: "DenyManualDeletionExceptBreakGlass",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: [...DELETION_DENIED_ACTIONS],
        resources: ["*"],
        condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: [...props.exemptRoleArns] }],
      },
    ]);
    new BackupVaultPolicy(this, "policy", {
      backupVaultName: props.vault.vaultName,
      policy: document.json,
      provider: props.vault.provider,
    });
  }
}
