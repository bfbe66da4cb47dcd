import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { Construct } from "constructs";
import { ARNS, Place, Problems, throwIfAny, VAULT_NAME } from "./validation";

export interface VssBackupVaultProps {
  /** 2-50 of A-Z a-z 0-9 - _ (no periods). Do not put sensitive data in it. */
  readonly name: string;
  /**
   * Customer managed KMS key for the recovery points, in the vault's region and account. A vault's key
   * forces its replacement: it applies to new vaults only. @default the AWS Backup managed key
   */
  readonly kmsKeyArn?: string;
  /**
   * Refuse any plan that destroys the vault (Terraform `prevent_destroy`). Only a disposable test
   * environment should switch it off. @default true
   */
  readonly preventDestroy?: boolean;
}

/** Problems of the props; with `place`, a key in another region or account is one. */
export function vssBackupVaultProblems(props: VssBackupVaultProps, place?: Place): Problems {
  const problems = new Problems();
  problems.checkName("name", props.name, VAULT_NAME);
  if (props.kmsKeyArn !== undefined) problems.checkArn("kmsKeyArn", props.kmsKeyArn, ARNS.kmsKey, place);
  return problems;
}

/** The vault the plan's recovery points go to. Never force-destroyed: it holds the backups. */
export class VssBackupVault extends Construct {
  readonly vaultName: string;
  readonly vaultArn: string;

  constructor(scope: Construct, id: string, props: VssBackupVaultProps) {
    super(scope, id);
    throwIfAny(`VssBackupVault ${this.node.path}`, vssBackupVaultProblems(props).all);
    const vault = new BackupVault(this, "vault", {
      name: props.name,
      kmsKeyArn: props.kmsKeyArn,
      // Deleting a vault that still holds recovery points must fail, not delete them.
      forceDestroy: false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.vaultName = vault.name;
    this.vaultArn = vault.arn;
  }
}
