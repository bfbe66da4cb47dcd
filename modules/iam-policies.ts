import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
  DataAwsIamPolicyDocumentStatementCondition,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Construct } from "constructs";

/** AWS managed policies this project attaches, each documented by AWS for exactly this job. */
export const ManagedPolicies = {
  /** SSM Agent core functionality: the instance must be SSM-managed for VSS and the package association. */
  SSM_MANAGED_INSTANCE_CORE: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
  /** What the on-instance EC2 VSS agent needs; requires AwsVssComponents 2.3.1 or later (as the inline mode does). */
  EC2_VSS_SNAPSHOT: "arn:aws:iam::aws:policy/AWSEC2VssSnapshotPolicy",
  /** AWS Backup's service role for backups (includes ssm:SendCommand on AWSEC2-CreateVssSnapshot). */
  BACKUP_SERVICE_ROLE_FOR_BACKUP: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  /** AWS Backup's service role for restores. */
  BACKUP_SERVICE_ROLE_FOR_RESTORES: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
} as const;

/** Terraform reads `${...}` as interpolation in JSON too: `$${` reaches IAM as a literal `${`. */
const INSTANCE_OWN_ARN = "arn:aws:ec2:*:*:instance/$${ec2:InstanceId}";
const INSTANCES = "arn:aws:ec2:*:*:instance/*";
const IMAGES = "arn:aws:ec2:*:*:image/*";
const SNAPSHOTS = "arn:aws:ec2:*:*:snapshot/*";
const VOLUMES = "arn:aws:ec2:*:*:volume/*";

const onlyFromTheInstanceItself = { test: "ArnLike", variable: "ec2:SourceInstanceARN", values: [INSTANCE_OWN_ARN] };
const taggedByTheVssAgent = { test: "StringLike", variable: "aws:RequestTag/AwsVssConfig", values: ["*"] };

/**
 * The statements of the AWS managed policy AWSEC2VssSnapshotPolicy (ManagedPolicies.EC2_VSS_SNAPSHOT),
 * version v2, as the AWS Managed Policy Reference publishes it: what a role in the `managed` policy
 * mode is granted for VSS. Written as this module's own statements are (Terraform's `$${` for IAM's
 * `${`), so the two compare statement for statement. Nothing deploys it: AWS owns the policy.
 */
export const EC2_VSS_SNAPSHOT_POLICY_STATEMENTS: readonly DataAwsIamPolicyDocumentStatement[] = [
  {
    sid: "DescribeInstanceInfo",
    effect: "Allow",
    actions: ["ec2:DescribeInstanceAttribute"],
    resources: [INSTANCES],
    condition: [onlyFromTheInstanceItself],
  },
  {
    sid: "CreateSnapshotsWithTag",
    effect: "Allow",
    actions: ["ec2:CreateSnapshots"],
    resources: [SNAPSHOTS],
    condition: [taggedByTheVssAgent],
  },
  {
    sid: "CreateSnapshotsAccessInstance",
    effect: "Allow",
    actions: ["ec2:CreateSnapshots"],
    resources: [INSTANCES],
    condition: [onlyFromTheInstanceItself],
  },
  { sid: "CreateSnapshotsAccessVolume", effect: "Allow", actions: ["ec2:CreateSnapshots"], resources: [VOLUMES] },
  {
    sid: "CreateImageWithTag",
    effect: "Allow",
    actions: ["ec2:CreateImage"],
    resources: [SNAPSHOTS, IMAGES],
    condition: [taggedByTheVssAgent],
  },
  {
    sid: "CreateImageAccessInstance",
    effect: "Allow",
    actions: ["ec2:CreateImage"],
    resources: [INSTANCES],
    condition: [onlyFromTheInstanceItself],
  },
  {
    sid: "CreateTagsOnResourceCreation",
    effect: "Allow",
    actions: ["ec2:CreateTags"],
    resources: [SNAPSHOTS, IMAGES],
    condition: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateImage", "CreateSnapshots"] }],
  },
  {
    sid: "CreateTagsAfterResourceCreation",
    effect: "Allow",
    actions: ["ec2:CreateTags"],
    resources: [SNAPSHOTS, IMAGES],
    condition: [
      { test: "StringLike", variable: "ec2:ResourceTag/AwsVssConfig", values: ["*"] },
      { test: "ForAllValues:StringEquals", variable: "aws:TagKeys", values: ["AppConsistent", "Device"] },
    ],
  },
  {
    sid: "DescribeImagesAndSnapshots",
    effect: "Allow",
    actions: ["ec2:DescribeImages", "ec2:DescribeSnapshots"],
    resources: ["*"],
  },
];

/**
 * AWSEC2VssSnapshotPolicy scoped down to the AWS Backup path (AWS Backup takes VSS backups as AMIs),
 * by the steps the EC2 User Guide gives ("Use case: Use AWS Backup service"): omit the CreateSnapshots
 * statements, take the snapshots and CreateSnapshots out of the tagging statements, and
 * ec2:DescribeSnapshots out of the describe statement. Derived, so it follows the managed policy.
 */
export const VSS_FOR_AWS_BACKUP_STATEMENTS: readonly DataAwsIamPolicyDocumentStatement[] =
  EC2_VSS_SNAPSHOT_POLICY_STATEMENTS.filter((statement) => !statement.sid?.startsWith("CreateSnapshots")).map(
    (statement) => ({
      ...statement,
      actions: statement.actions?.filter((action) => action !== "ec2:DescribeSnapshots"),
      resources: statement.sid?.startsWith("CreateTags")
        ? statement.resources?.filter((resource) => resource !== SNAPSHOTS)
        : statement.resources,
      condition: (statement.condition as DataAwsIamPolicyDocumentStatementCondition[] | undefined)?.map((condition) =>
        condition.variable === "ec2:CreateAction"
          ? { ...condition, values: condition.values.filter((value: string) => value !== "CreateSnapshots") }
          : condition,
      ),
    }),
  );

/**
 * The actions of AmazonSSMManagedInstanceCore (v2), for teams that forbid managed policies. These
 * actions support no resource-level permissions, hence "*" resources as in AWS's own policy.
 */
export const SSM_MANAGED_INSTANCE_STATEMENTS: readonly DataAwsIamPolicyDocumentStatement[] = [
  {
    sid: "SsmAgentCore",
    effect: "Allow",
    actions: [
      "ssm:DescribeAssociation",
      "ssm:GetDeployablePatchSnapshotForInstance",
      "ssm:GetDocument",
      "ssm:DescribeDocument",
      "ssm:GetManifest",
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:ListAssociations",
      "ssm:ListInstanceAssociations",
      "ssm:PutInventory",
      "ssm:PutComplianceItems",
      "ssm:PutConfigurePackageResult",
      "ssm:UpdateAssociationStatus",
      "ssm:UpdateInstanceAssociationStatus",
      "ssm:UpdateInstanceInformation",
    ],
    resources: ["*"],
  },
  {
    sid: "SessionMessages",
    effect: "Allow",
    actions: [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ],
    resources: ["*"],
  },
  {
    sid: "Ec2Messages",
    effect: "Allow",
    actions: [
      "ec2messages:AcknowledgeMessage",
      "ec2messages:DeleteMessage",
      "ec2messages:FailMessage",
      "ec2messages:GetEndpoint",
      "ec2messages:GetMessages",
      "ec2messages:SendReply",
    ],
    resources: ["*"],
  },
];

/** A policy document rendered by Terraform (the only form that keeps `$${...}` right in JSON and HCL). */
export function policyDocument(
  scope: Construct,
  id: string,
  statements: readonly DataAwsIamPolicyDocumentStatement[],
): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, { statement: [...statements] });
}

export interface ServiceRoleProps {
  readonly name: string;
  readonly description: string;
  /** The only principal that may assume the role, e.g. "ec2.amazonaws.com". */
  readonly servicePrincipal: string;
  readonly permissionsBoundaryArn?: string;
}

/** A role that one AWS service, and nothing else, can assume (construct ids "role", "trust-policy"). */
export function serviceRole(scope: Construct, props: ServiceRoleProps): IamRole {
  const trust = policyDocument(scope, "trust-policy", [
    {
      effect: "Allow",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: [props.servicePrincipal] }],
    },
  ]);
  return new IamRole(scope, "role", {
    name: props.name,
    description: props.description,
    assumeRolePolicy: trust.json,
    permissionsBoundary: props.permissionsBoundaryArn,
  });
}
