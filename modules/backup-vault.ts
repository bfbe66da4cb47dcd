import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { VssKmsKey } from "./kms-key";
import { ARNS, Place, Problems, throwIfAny, VAULT_NAME } from "./validation";

export interface VssBackupVaultProps {
  /** 2-50 of A-Z a-z 0-9 - _ (no periods). Do not put sensitive data in it. */
  readonly name: string;
  /**
   * An existing customer managed KMS key, in the vault's region and account. What it protects for
   * EC2: little. EC2 is not fully managed by AWS Backup, so an instance's recovery point (an AMI and
   * its EBS snapshots) inherits the encryption of the instance's EBS volumes, not the vault's key;
   * the vault's key encrypts the backups of fully managed resource types, and AWS re-encrypts a copy
   * of those with the destination vault's key (AWS Backup Developer Guide, "Encryption for backups").
   * A vault's key cannot change (kms_key_arn forces replacement): it applies to new vaults only.
   * @default the AWS Backup managed key (aws/backup)
   */
  readonly kmsKeyArn?: string;
  /** A key the stack creates (`VssKmsKey` with `KeyUsers.awsBackupVault`); not with kmsKeyArn. Same caveats. @default none */
  readonly key?: VssKmsKey;
  /**
   * Refuse any plan that destroys the vault (Terraform `prevent_destroy`). Only a disposable test
   * environment should switch it off. @default true
   */
  readonly preventDestroy?: boolean;
  /** The provider of another region or account (an aliased AwsProvider). @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Problems of the props; with `place`, a key in another region or account is one. */
export function vssBackupVaultProblems(
  props: Omit<VssBackupVaultProps, "key"> & { readonly key?: unknown },
  place?: Place,
): Problems {
  const problems = new Problems();
  problems.checkName("name", props.name, VAULT_NAME);
  if (props.kmsKeyArn !== undefined) problems.checkArn("kmsKeyArn", props.kmsKeyArn, ARNS.kmsKey, place);
  if (props.kmsKeyArn !== undefined && props.key !== undefined)
    problems.add("kmsKeyArn", "is given with a key to create, allowed: one key per vault");
  return problems;
}

/** The vault the plan's recovery points go to. Never force-destroyed: it holds the backups. */
export class VssBackupVault extends Construct {
  readonly vaultName: string;
  readonly vaultArn: string;
  readonly provider?: TerraformProvider;

  constructor(scope: Construct, id: string, props: VssBackupVaultProps) {
    super(scope, id);
    throwIfAny(`VssBackupVault ${this.node.path}`, vssBackupVaultProblems(props).all);
    const vault = new BackupVault(this, "vault", {
      name: props.name,
      kmsKeyArn: props.key?.keyArn ?? props.kmsKeyArn,
      // Deleting a vault that still holds recovery points must fail, not delete them.
      forceDestroy: false,
      provider: props.provider,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.vaultName = vault.name;
    this.vaultArn = vault.arn;
    this.provider = props.provider;
  }
}
