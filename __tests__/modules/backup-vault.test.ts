import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { Testing } from "cdktf";
import { KeyUsers, VssBackupVault, VssBackupVaultProps, VssKmsKey } from "../../modules";
import { addressesOf, addressOf, synthesize, theResource } from "../synth";

function vault(props: Partial<VssBackupVaultProps> = {}) {
  return theResource(
    synthesize((scope) => new VssBackupVault(scope, "vault", { name: "fleet_vault-1", ...props })),
    BackupVault,
  );
}

describe("VssBackupVault", () => {
  it("is never force-destroyed and refuses destroy plans by default (cdktf's own matcher)", () => {
    const synthesized = Testing.synthScope((scope) => new VssBackupVault(scope, "vault", { name: "fleet_vault-1" }));
    expect(synthesized).toHaveResourceWithProperties(BackupVault, {
      name: "fleet_vault-1",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("uses the AWS Backup managed key unless given one", () => {
    expect(vault()).not.toHaveProperty("kms_key_arn");
  });

  it("lets a disposable environment switch prevent_destroy off", () => {
    expect(vault({ preventDestroy: false }).lifecycle).toEqual({ prevent_destroy: false });
  });

  it("encrypts with a customer managed key when given", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(vault({ kmsKeyArn: key }).kms_key_arn).toBe(key);
  });

  it("encrypts with a key the stack creates, by reference", () => {
    const stack = synthesize((scope) => {
      const key = new VssKmsKey(scope, "key", {
        alias: "alias/fleet-vault",
        description: "vault",
        account: "123456789012",
        users: [KeyUsers.awsBackupVault("123456789012", "eu-west-1")],
      });
      new VssBackupVault(scope, "vault", { name: "fleet", key });
    });
    expect(addressOf(theResource(stack, "aws_backup_vault").kms_key_arn)).toBe(addressesOf(stack, "aws_kms_key")[0]);
  });

  it("refuses a created key and a key ARN at once", () => {
    expect(() =>
      synthesize((scope) => {
        const key = new VssKmsKey(scope, "key", {
          alias: "alias/fleet-vault",
          description: "vault",
          account: "123456789012",
          users: [],
        });
        new VssBackupVault(scope, "vault", {
          name: "fleet",
          key,
          kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        });
      }),
    ).toThrow("kmsKeyArn: is given with a key to create, allowed: one key per vault");
  });

  it.each<[string, Partial<VssBackupVaultProps>, RegExp]>([
    ["a period in the name", { name: "stg.vault" }, /name: "stg\.vault" has '\.', allowed: 2-50 of A-Z a-z 0-9 - _/],
    ["a one-character name", { name: "v" }, /name: "v" has 1 characters, allowed: 2-50/],
    ["a 51-character name", { name: "v".repeat(51) }, /has 51 characters, allowed: 2-50/],
    [
      "a KMS alias instead of a key ARN",
      { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/backup" },
      /kmsKeyArn: .* is not a KMS key ARN, allowed: an ARN like arn:aws:kms:<region>:<account>:key\/<name>/,
    ],
    ["a key ID instead of an ARN", { kmsKeyArn: "1234abcd" }, /kmsKeyArn: "1234abcd" is not an ARN/],
  ])("rejects %s", (_, props, message) => {
    expect(() => vault(props)).toThrow(message);
  });

  it("names the construct by its path, then one line per problem", () => {
    expect(() => vault({ name: "v" })).toThrow(
      'VssBackupVault stack/vault (1 problem):\n  name: "v" has 1 characters, allowed: 2-50 of A-Z a-z 0-9 - _',
    );
  });
});
