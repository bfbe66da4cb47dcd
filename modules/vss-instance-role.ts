import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import {
  ManagedPolicies,
  policyDocument,
  serviceRole,
  SSM_MANAGED_INSTANCE_STATEMENTS,
  VSS_FOR_AWS_BACKUP_STATEMENTS,
} from "./iam-policies";
import { IAM_ROLE_NAME, Problems, throwIfAny } from "./validation";

/**
 * How the instance role gets its permissions.
 * - `managed`: AWS managed policies AmazonSSMManagedInstanceCore and AWSEC2VssSnapshotPolicy,
 *   kept current by AWS (needs AwsVssComponents 2.3.1 or later, which the association installs).
 * - `inline`: inline policies with the same SSM actions and the VSS permissions scoped down to the
 *   AWS Backup path, for teams that forbid managed policies.
 */
export type VssPolicyMode = "managed" | "inline";

export interface VssInstanceRoleProps {
  /** Name of the role to create, or of the existing role when `useExistingRole` is set. 1-64 of A-Z a-z 0-9 + = , . @ - _. */
  readonly roleName: string;
  /**
   * Attach the VSS permissions to the existing role `roleName` instead of creating one. Only what VSS
   * adds is attached (the SSM core permissions are expected to be there already), so destroying this
   * construct never detaches anything the fleet relied on before.
   * @default false
   */
  readonly useExistingRole?: boolean;
  /**
   * Grant the VSS permissions. Set false for an existing role that already has them (for example
   * AWSEC2VssSnapshotPolicy attached by another stack): attaching a policy that is already attached
   * succeeds silently, and Terraform would then detach it on destroy.
   * @default true
   */
  readonly grantVssPermissions?: boolean;
  /** @default "managed" */
  readonly policyMode?: VssPolicyMode;
  /** Create an instance profile for the role. @default true for a created role, false for an existing one */
  readonly createInstanceProfile?: boolean;
  /** @default roleName */
  readonly instanceProfileName?: string;
  /** Permissions boundary for a created role. @default none */
  readonly permissionsBoundaryArn?: string;
}

export function vssInstanceRoleProblems(props: VssInstanceRoleProps): Problems {
  const problems = new Problems();
  problems.checkName("roleName", props.roleName, IAM_ROLE_NAME);
  if (props.instanceProfileName !== undefined)
    problems.checkName("instanceProfileName", props.instanceProfileName, IAM_ROLE_NAME);
  if (props.policyMode !== undefined && props.policyMode !== "managed" && props.policyMode !== "inline") {
    problems.add(
      "policyMode",
      `${JSON.stringify(props.policyMode)} is not a policy mode, allowed: "managed" or "inline"`,
    );
  }
  if (props.grantVssPermissions === false && !props.useExistingRole) {
    problems.add(
      "grantVssPermissions",
      "is false for a role this construct creates, which would then lack them; allowed: false only with useExistingRole",
    );
  }
  if (props.permissionsBoundaryArn !== undefined) {
    if (props.useExistingRole)
      problems.add(
        "permissionsBoundaryArn",
        "is set for an existing role, allowed: only for a role this construct creates",
      );
    else problems.checkArn("permissionsBoundaryArn", props.permissionsBoundaryArn, "iam", "policy/");
  }
  return problems;
}

/** Names of the inline policies the `inline` policy mode puts on the role. */
export const VSS_INLINE_POLICY_NAMES = { ssmCore: "SsmManagedInstanceCore", vss: "VssSnapshotsForAwsBackup" } as const;

/** The policy mode the role is built with. */
export function policyModeOf(props: VssInstanceRoleProps): VssPolicyMode {
  return props.policyMode ?? "managed";
}

/** Whether the construct adds to a role that exists already rather than creating one. */
export function usesExistingRole(props: VssInstanceRoleProps): boolean {
  return props.useExistingRole === true;
}

/** The role's name, created or existing. */
export function instanceRoleNameOf(props: VssInstanceRoleProps): string {
  return props.roleName;
}

/** The instance profile the construct creates for the role, or undefined when it creates none. */
export function instanceProfileNameOf(props: VssInstanceRoleProps): string | undefined {
  return (props.createInstanceProfile ?? !props.useExistingRole)
    ? (props.instanceProfileName ?? props.roleName)
    : undefined;
}

/** The IAM role (and instance profile) that lets Windows instances take VSS snapshots for AWS Backup. */
export class VssInstanceRole extends Construct {
  readonly roleName: string;
  readonly roleArn: string;
  /** Undefined when no instance profile is created. */
  readonly instanceProfileName?: string;
  readonly instanceProfileArn?: string;
  readonly policyMode: VssPolicyMode;

  constructor(scope: Construct, id: string, props: VssInstanceRoleProps) {
    super(scope, id);
    throwIfAny(`VssInstanceRole ${this.node.path}`, vssInstanceRoleProblems(props).all);
    this.policyMode = props.policyMode ?? "managed";

    if (props.useExistingRole) {
      // Looked up rather than built from the name: an existing role may live under a path.
      const existing = new DataAwsIamRole(this, "role", { name: props.roleName });
      this.roleName = existing.name;
      this.roleArn = existing.arn;
    } else {
      const role = serviceRole(this, {
        name: props.roleName,
        description: "Windows EC2 instances: SSM management and VSS snapshots for AWS Backup",
        servicePrincipal: "ec2.amazonaws.com",
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      });
      this.roleName = role.name;
      this.roleArn = role.arn;
    }

    // An existing role keeps its own SSM permissions: granting them again would revoke them on destroy.
    const grantSsmCore = !props.useExistingRole;
    const grantVss = props.grantVssPermissions ?? true;
    if (this.policyMode === "managed") {
      if (grantSsmCore) this.attachManaged("ssm-managed-instance-core", ManagedPolicies.SSM_MANAGED_INSTANCE_CORE);
      if (grantVss) this.attachManaged("vss-snapshot", ManagedPolicies.EC2_VSS_SNAPSHOT);
    } else {
      if (grantSsmCore)
        this.putInline(
          "ssm-managed-instance-core",
          VSS_INLINE_POLICY_NAMES.ssmCore,
          policyDocument(this, "ssm-core-policy", SSM_MANAGED_INSTANCE_STATEMENTS).json,
        );
      if (grantVss)
        this.putInline(
          "vss-snapshot",
          VSS_INLINE_POLICY_NAMES.vss,
          policyDocument(this, "vss-policy", VSS_FOR_AWS_BACKUP_STATEMENTS).json,
        );
    }

    if (props.createInstanceProfile ?? !props.useExistingRole) {
      const profile = new IamInstanceProfile(this, "instance-profile", {
        name: props.instanceProfileName ?? props.roleName,
        role: this.roleName,
      });
      this.instanceProfileName = profile.name;
      this.instanceProfileArn = profile.arn;
    }
  }

  private attachManaged(id: string, policyArn: string): void {
    new IamRolePolicyAttachment(this, id, { role: this.roleName, policyArn });
  }

  private putInline(id: string, name: string, policy: string): void {
    new IamRolePolicy(this, id, { role: this.roleName, name, policy });
  }
}
