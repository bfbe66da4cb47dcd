import { KEY_ADMIN_ACTIONS, KeyUsers, VssKmsKey, VssKmsKeyProps } from "../../modules";
import { ADMINISTRATOR, iamPolicyOf, simulate } from "../support/iam";
import { dataSources, referencedPolicyDocument, synthesize, theResource } from "../synth";

const ACCOUNT = "111111111111";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function synthesizedKey(props: Partial<VssKmsKeyProps> = {}) {
  const stack = synthesize(
    (scope) =>
      new VssKmsKey(scope, "alert-key", {
        alias: "alias/fleet-alerts",
        description: "Encrypts the fleet's alerts",
        account: ACCOUNT,
        users: [KeyUsers.EVENTBRIDGE_TO_ENCRYPTED_TOPIC],
        ...props,
      }),
  );
  const key = theResource(stack, "aws_kms_key");
  return { stack, key, policy: iamPolicyOf(referencedPolicyDocument(stack, key.policy)) };
}

describe("VssKmsKey", () => {
  it("rotates yearly, waits the longest window (30 days) before deletion and has its alias", () => {
    const { stack, key } = synthesizedKey();
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(theResource(stack, "aws_kms_alias")).toMatchObject({ name: "alias/fleet-alerts" });
  });

  it("lets the account administer the key and the named services use it, nobody else; no wildcard action", () => {
    const { stack } = synthesizedKey();
    const [document] = Object.values(dataSources(stack, "aws_iam_policy_document"));
    const statements = document.statement as { sid: string; principals: unknown; actions: string[] }[];
    expect(statements.map((s) => s.sid)).toEqual(["AccountAdministersTheKey", "EventBridgePublishesToEncryptedTopic"]);
    expect(statements.map((s) => s.principals)).toEqual([
      [{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:root"] }],
      [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
    ]);
    expect(statements.flatMap((s) => s.actions).filter((a) => a.includes("*"))).toEqual([]);
  });

  describe("judged by the IAM policy simulator", () => {
    const admin = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
    const request = (principal: string, action: string, identityPolicy?: object) => ({
      principal,
      action,
      resource: KEY_ARN,
      account: ACCOUNT,
      identityPolicy,
    });

    it("lets EventBridge take data keys and decrypt for the encrypted topic", async () => {
      const { policy } = synthesizedKey();
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        expect(await simulate(policy, request("events.amazonaws.com", action))).toBe("Allowed");
      }
    });

    it("does not let EventBridge administer the key, nor another service use it", async () => {
      const { policy } = synthesizedKey();
      expect(await simulate(policy, request("events.amazonaws.com", "kms:ScheduleKeyDeletion"))).toBe(
        "ImplicitlyDenied",
      );
      expect(await simulate(policy, request("sns.amazonaws.com", "kms:Decrypt"))).toBe("ImplicitlyDenied");
    });

    it("lets an administrator of the account administer the key but not decrypt with it", async () => {
      const { policy } = synthesizedKey();
      for (const action of KEY_ADMIN_ACTIONS) {
        expect([action, await simulate(policy, request(admin, action, ADMINISTRATOR))]).toEqual([action, "Allowed"]);
      }
      expect(await simulate(policy, request(admin, "kms:Decrypt", ADMINISTRATOR))).toBe("ImplicitlyDenied");
    });

    it("gives a principal of another account nothing", async () => {
      const { policy } = synthesizedKey();
      const other = "arn:aws:iam::999999999999:role/Administrator";
      expect(await simulate(policy, request(other, "kms:DescribeKey", ADMINISTRATOR))).toBe("ImplicitlyDenied");
    });
  });

  describe("a vault's key (KeyUsers.awsBackupVault), judged by the IAM policy simulator", () => {
    const admin = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
    let policy: ReturnType<typeof synthesizedKey>["policy"];
    beforeEach(() => {
      policy = synthesizedKey({ users: [KeyUsers.awsBackupVault(ACCOUNT, "eu-west-1")] }).policy;
    });
    const use = (action: string, context: Record<string, string>) =>
      simulate(policy, {
        principal: admin,
        action,
        resource: KEY_ARN,
        account: ACCOUNT,
        identityPolicy: ADMINISTRATOR,
        context,
      });

    it("lets the account's principals use it through AWS Backup in the vault's region", async () => {
      const throughBackup = { "kms:ViaService": "backup.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT };
      for (const action of ["kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"])
        expect([action, await use(action, throughBackup)]).toEqual([action, "Allowed"]);
    });

    it("does not let them decrypt directly, nor through AWS Backup in another region or another service", async () => {
      expect(await use("kms:Decrypt", { "kms:CallerAccount": ACCOUNT })).toBe("ImplicitlyDenied");
      const otherRegion = { "kms:ViaService": "backup.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT };
      expect(await use("kms:Decrypt", otherRegion)).toBe("ImplicitlyDenied");
      const s3 = { "kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT };
      expect(await use("kms:Decrypt", s3)).toBe("ImplicitlyDenied");
    });
  });

  it("refuses destroy plans when asked (a vault's key), not by default", () => {
    expect(synthesizedKey({ preventDestroy: true }).key.lifecycle).toEqual({ prevent_destroy: true });
    expect(synthesizedKey().key).not.toHaveProperty("lifecycle");
  });

  it.each<[string, Partial<VssKmsKeyProps>, string]>([
    ["an alias without alias/", { alias: "fleet" }, 'alias: "fleet" is not a key alias'],
    ["an alias under alias/aws/", { alias: "alias/aws/sns" }, "is under alias/aws/, which AWS reserves"],
    ["an alias with a period", { alias: "alias/fleet.alerts" }, 'alias: "alias/fleet.alerts" is not a key alias'],
    ["an account of 11 digits", { account: "11111111111" }, 'account: "11111111111" is not an AWS account ID'],
  ])("rejects %s", (_, props, message) => {
    expect(() => synthesizedKey(props)).toThrow(message);
  });

  it("names the construct by its path, then one line per problem", () => {
    expect(() => synthesizedKey({ account: "11111111111" })).toThrow(
      'VssKmsKey stack/alert-key (1 problem):\n  account: "11111111111" is not an AWS account ID, allowed: 12 digits',
    );
  });
});
