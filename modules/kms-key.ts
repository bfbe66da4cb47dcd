import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { policyDocument } from "./iam-policies";
import { Problems, throwIfAny } from "./validation";

/** Who may use the key, and for what: only the actions they need, never a wildcard. */
export interface KeyUser {
  /** Words for the statement id, e.g. "EventBridgePublishesToEncryptedTopic" (A-Z a-z 0-9). */
  readonly sid: string;
  /** A service principal ("events.amazonaws.com") or an AWS principal (an account's root, a role ARN). */
  readonly principal: { readonly type: "Service" | "AWS"; readonly identifier: string };
  readonly actions: readonly string[];
  /** Conditions every use must meet. @default none */
  readonly conditions?: readonly { readonly test: string; readonly variable: string; readonly values: string[] }[];
}

/** The key users this project knows, each with the actions AWS documents for the job. */
export const KeyUsers = {
  /**
   * EventBridge publishing to an SNS topic encrypted with this key: it needs a data key for each
   * message (the AWS managed key alias/aws/sns cannot grant this, hence a customer managed key).
   * No aws:SourceAccount condition: AWS documents none for these calls, and a condition the service
   * does not send would silently drop every alert.
   */
  EVENTBRIDGE_TO_ENCRYPTED_TOPIC: {
    sid: "EventBridgePublishesToEncryptedTopic",
    principal: { type: "Service", identifier: "events.amazonaws.com" },
    actions: ["kms:Decrypt", "kms:GenerateDataKey"],
  } satisfies KeyUser,

  /**
   * A vault's key: the account's principals may use it only through AWS Backup in the vault's region
   * (kms:ViaService), the shape of AWS Backup's own managed key policy (aws/backup). Creating the
   * vault and backing up both go through AWS Backup; nobody can decrypt with the key directly.
   */
  awsBackupVault(account: string, region: string): KeyUser {
    return {
      sid: "AccountUsesTheKeyOnlyThroughAwsBackup",
      principal: { type: "AWS", identifier: `arn:aws:iam::${account}:root` },
      actions: [
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
      ],
      conditions: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`backup.${region}.amazonaws.com`] },
        { test: "StringEquals", variable: "kms:CallerAccount", values: [account] },
      ],
    };
  },
} as const;

/**
 * What the account (through its IAM policies) may do with the key: administer it, not use it. Listed
 * one by one: no `kms:*`, and none of the actions that encrypt, decrypt or grant use.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

/** Days between a deletion request and the key's deletion: the longest KMS allows, to undo a mistake. */
export const KEY_DELETION_WINDOW_DAYS = 30;

export interface VssKmsKeyProps {
  /** The alias, `alias/` and 1-250 of A-Z a-z 0-9 / _ -, not under alias/aws/. */
  readonly alias: string;
  readonly description: string;
  /** The account that administers the key (its root principal: the account's IAM policies decide who). */
  readonly account: string;
  /** Who uses the key; nobody else does. */
  readonly users: readonly KeyUser[];
  /**
   * Refuse any plan that destroys the key (Terraform `prevent_destroy`): a vault's key should live
   * as long as the vault. @default false
   */
  readonly preventDestroy?: boolean;
  /** The provider of the key's region (an aliased AwsProvider). @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

const ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;

export function vssKmsKeyProblems(props: Pick<VssKmsKeyProps, "alias" | "account">): Problems {
  const problems = new Problems();
  if (!ALIAS.test(props.alias)) {
    problems.add(
      "alias",
      `${JSON.stringify(props.alias)} is not a key alias, allowed: alias/ and 1-250 of A-Z a-z 0-9 / _ -`,
    );
  } else if (props.alias.startsWith("alias/aws/")) {
    problems.add("alias", `${JSON.stringify(props.alias)} is under alias/aws/, which AWS reserves for its own keys`);
  }
  if (!/^\d{12}$/.test(props.account)) {
    problems.add("account", `${JSON.stringify(props.account)} is not an AWS account ID, allowed: 12 digits`);
  }
  return problems;
}

/** The key policy's statements: the account administers, each user service uses, nobody else. */
export function keyPolicyStatements(props: VssKmsKeyProps): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "AccountAdministersTheKey",
      effect: "Allow",
      principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${props.account}:root`] }],
      actions: [...KEY_ADMIN_ACTIONS],
      // In a key policy, "*" is this key.
      resources: ["*"],
    },
    ...props.users.map((user) => ({
      sid: user.sid,
      effect: "Allow",
      principals: [{ type: user.principal.type, identifiers: [user.principal.identifier] }],
      actions: [...user.actions],
      resources: ["*"],
      ...(user.conditions ? { condition: user.conditions.map((c) => ({ ...c, values: [...c.values] })) } : {}),
    })),
  ];
}

/**
 * A customer managed KMS key: yearly rotation on, a 30-day deletion window, an alias, and a key policy
 * that lets the account administer it and only the named services use it.
 */
export class VssKmsKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: VssKmsKeyProps) {
    super(scope, id);
    throwIfAny(`VssKmsKey ${this.node.path}`, vssKmsKeyProblems(props).all);
    const policy = policyDocument(this, "key-policy", keyPolicyStatements(props));
    const key = new KmsKey(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      policy: policy.json,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
      provider: props.provider,
    });
    const alias = new KmsAlias(this, "alias", { name: props.alias, targetKeyId: key.keyId, provider: props.provider });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = alias.name;
  }
}
