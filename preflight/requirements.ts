import {
  ManagedPolicies,
  SSM_MANAGED_INSTANCE_STATEMENTS,
  VSS_FOR_AWS_BACKUP_STATEMENTS,
  VssPolicyMode,
} from "../modules";

/** What AWS requires of an instance for VSS backups (EC2 User Guide, VSS prerequisites). */
export const MIN_SSM_AGENT_VERSION = "3.0.502.0";
export const MIN_WINDOWS_SERVER = 2016;
/** "Small instances that might not take the backup successfully" (AWS Backup Developer Guide). */
export const UNSUPPORTED_INSTANCE_TYPES = ["t2.nano", "t2.micro", "t3.nano", "t3.micro", "t3a.nano", "t3a.micro"];

/** The actions of AWSEC2VssSnapshotPolicy (v2). */
const MANAGED_VSS_ACTIONS = [
  "ec2:DescribeInstanceAttribute",
  "ec2:CreateSnapshots",
  "ec2:CreateImage",
  "ec2:CreateTags",
  "ec2:DescribeImages",
  "ec2:DescribeSnapshots",
];

export type TouchedResource = "instance" | "image" | "snapshot" | "volume";

/**
 * The resources each resource-scoped VSS action touches in a backup (EC2 Service Authorization
 * Reference), each of which the role must allow: CreateImage needs the instance and the image and
 * snapshots it creates. Actions not listed here take "*" and are judged on their overall decision.
 */
export const RESOURCES_TOUCHED: Readonly<Record<string, readonly TouchedResource[]>> = {
  "ec2:DescribeInstanceAttribute": ["instance"],
  "ec2:CreateImage": ["instance", "image", "snapshot"],
  // AWS Backup takes VSS backups as AMIs: it tags the image.
  "ec2:CreateTags": ["image"],
  "ec2:CreateSnapshots": ["instance", "volume", "snapshot"],
};

const actionsOf = (statements: readonly { actions?: string[] }[]) => statements.flatMap((s) => s.actions ?? []);

/** The actions the instance role must allow under the environment's policy mode: SSM core plus that mode's VSS actions. */
export function requiredActions(mode: VssPolicyMode): string[] {
  const vss = mode === "managed" ? MANAGED_VSS_ACTIONS : actionsOf(VSS_FOR_AWS_BACKUP_STATEMENTS);
  return [...new Set([...actionsOf(SSM_MANAGED_INSTANCE_STATEMENTS), ...vss])];
}

/**
 * Without simulation: the policies that grant each half, in either mode (attached managed policy or
 * the inline policy this project puts on the role).
 */
export const GRANTS = [
  {
    what: "SSM core permissions",
    managedPolicyArn: ManagedPolicies.SSM_MANAGED_INSTANCE_CORE,
    inlinePolicyName: "SsmManagedInstanceCore",
  },
  {
    what: "VSS snapshot permissions",
    managedPolicyArn: ManagedPolicies.EC2_VSS_SNAPSHOT,
    inlinePolicyName: "VssSnapshotsForAwsBackup",
  },
];
