import {
  DELETION_DENIED_ACTIONS,
  VssBackupVault,
  VssVaultDeletionGuard,
  VssVaultLock,
  LockMode,
  LockRange,
} from "../../modules";
import { ADMINISTRATOR, iamPolicyOf, simulate } from "../support/iam";
import { addressesOf, addressOf, referencedPolicyDocument, SynthesizedStack, synthesize, theResource } from "../synth";

const ACCOUNT = "111111111111";
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/break-glass`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/deploy-vss-backup`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
const VAULT_ARN = `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:fleet`;
const RECOVERY_POINT = `arn:aws:backup:eu-west-1:${ACCOUNT}:recovery-point:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d`;

type LockInput = LockRange & LockMode;
function lockOf(props: LockInput) {
  const stack = synthesize((scope) => {
    const vault = new VssBackupVault(scope, "vault", { name: "fleet" });
    new VssVaultLock(scope, "lock", { vault, ...props });
  });
  return { stack, lock: theResource(stack, "aws_backup_vault_lock_configuration") };
}

describe("VssVaultLock", () => {
  it("locks the vault in governance mode: no changeable_for_days, the range given, protected from destroy", () => {
    const { stack, lock } = lockOf({ mode: "governance", minRetentionDays: 7, maxRetentionDays: 365 });
    expect(lock).toMatchObject({
      min_retention_days: 7,
      max_retention_days: 365,
      lifecycle: { prevent_destroy: true },
    });
    expect(lock).not.toHaveProperty("changeable_for_days");
    expect(addressOf(lock.backup_vault_name)).toBe(addressesOf(stack, "aws_backup_vault")[0]);
  });

  it("stays in governance mode when a governance lock carries a stray changeableForDays (setting it would make the lock compliance, irreversibly)", () => {
    const stray = { mode: "governance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 365 } as LockInput;
    expect(lockOf(stray).lock).not.toHaveProperty("changeable_for_days");
  });

  it("names the construct by its path, then one line per problem", () => {
    expect(() => lockOf({ mode: "governance", minRetentionDays: 8, maxRetentionDays: 7 })).toThrow(
      "VssVaultLock stack/lock (1 problem):\n  minRetentionDays: 8 is above maxRetentionDays 7, allowed: at most the maximum",
    );
  });

  it("locks in compliance mode with the cooling-off period", () => {
    const { lock } = lockOf({ mode: "compliance", changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 });
    expect(lock).toMatchObject({ changeable_for_days: 3, min_retention_days: 1, max_retention_days: 400 });
  });

  it.each<[string, LockInput, string]>([
    [
      "a minimum of 0",
      { mode: "governance", minRetentionDays: 0, maxRetentionDays: 7 },
      "minRetentionDays: 0 is not allowed",
    ],
    [
      "a maximum over 36500",
      { mode: "governance", minRetentionDays: 1, maxRetentionDays: 36501 },
      "maxRetentionDays: 36501 is not allowed",
    ],
    [
      "a minimum above the maximum",
      { mode: "governance", minRetentionDays: 8, maxRetentionDays: 7 },
      "minRetentionDays: 8 is above maxRetentionDays 7",
    ],
    [
      "a compliance lock changeable for 2 days",
      { mode: "compliance", changeableForDays: 2, minRetentionDays: 1, maxRetentionDays: 7 },
      "changeableForDays: 2 is not allowed, allowed: a whole number of days from 3",
    ],
  ])("rejects %s", (_, props, message) => {
    expect(() => lockOf(props)).toThrow(message);
  });
});

describe("VssVaultDeletionGuard", () => {
  let stack: SynthesizedStack;
  let policyResource: Record<string, unknown>;
  let document: ReturnType<typeof referencedPolicyDocument>;
  let policy: ReturnType<typeof iamPolicyOf>;
  beforeEach(() => {
    stack = synthesize((scope) => {
      const vault = new VssBackupVault(scope, "vault", { name: "fleet" });
      new VssVaultDeletionGuard(scope, "guard", { vault, exemptRoleArns: [BREAK_GLASS, DEPLOYER] });
    });
    policyResource = theResource(stack, "aws_backup_vault_policy");
    document = referencedPolicyDocument(stack, policyResource.policy);
    policy = iamPolicyOf(document);
  });

  it("denies everyone (Principal and Resource *) the three actions AWS Config's manual-deletion rule requires", () => {
    expect(document.statement).toEqual([
      {
        sid: "DenyManualDeletionExceptBreakGlass",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: [
          "backup:DeleteRecoveryPoint",
          "backup:UpdateRecoveryPointLifecycle",
          "backup:PutBackupVaultAccessPolicy",
        ],
        resources: ["*"],
        condition: [{ test: "ArnNotLike", variable: "aws:PrincipalArn", values: [BREAK_GLASS, DEPLOYER] }],
      },
    ]);
    expect(addressOf(policyResource.backup_vault_name)).toBe(addressesOf(stack, "aws_backup_vault")[0]);
  });

  describe("judged by the IAM policy simulator", () => {
    const request = (principal: string, action: string, resource = RECOVERY_POINT) =>
      simulate(policy, {
        principal,
        action,
        resource,
        account: ACCOUNT,
        identityPolicy: ADMINISTRATOR,
        // What IAM sets for a role's session: the role's ARN.
        context: { "aws:PrincipalArn": principal },
      });

    it("an administrator without break-glass cannot delete a recovery point, shorten its lifecycle or replace the policy", async () => {
      for (const action of DELETION_DENIED_ACTIONS) {
        const resource = action === "backup:PutBackupVaultAccessPolicy" ? VAULT_ARN : RECOVERY_POINT;
        expect([action, await request(ADMIN, action, resource)]).toEqual([action, "ExplicitlyDenied"]);
      }
    });

    it("the break-glass role can delete a recovery point", async () => {
      expect(await request(BREAK_GLASS, "backup:DeleteRecoveryPoint")).toBe("Allowed");
    });

    it("the deploying role can update the policy (Terraform keeps managing it)", async () => {
      expect(await request(DEPLOYER, "backup:PutBackupVaultAccessPolicy", VAULT_ARN)).toBe("Allowed");
    });

    it("the administrator keeps every other action, e.g. starting a backup job", async () => {
      expect(await request(ADMIN, "backup:StartBackupJob", VAULT_ARN)).toBe("Allowed");
    });
  });

  it.each<[string, string[], string]>([
    ["no exempted role", [], "exemptRoleArns: 0 roles, allowed: 1-5"],
    [
      "six exempted roles",
      [1, 2, 3, 4, 5, 6].map((i) => `arn:aws:iam::${ACCOUNT}:role/r${i}`),
      "6 roles, allowed: 1-5",
    ],
    ["a user instead of a role", [`arn:aws:iam::${ACCOUNT}:user/alice`], "exemptRoleArns[0]: "],
  ])("rejects %s", (_, exemptRoleArns, message) => {
    expect(() =>
      synthesize((scope) => {
        const vault = new VssBackupVault(scope, "vault", { name: "fleet" });
        new VssVaultDeletionGuard(scope, "guard", { vault, exemptRoleArns });
      }),
    ).toThrow(message);
  });
});
