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
import { ARNS, IAM_ROLE_NAME, INSTANCE_PROFILE_NAME, Place, Problems, throwIfAny } from "./validation";

/**
 * How the instance role gets its permissions.
 * - `managed`: AWS managed policies AmazonSSMManagedInstanceCore and AWSEC2VssSnapshotPolicy,
 *   kept current by AWS (needs AwsVssComponents 2.3.1 or later, which the association installs).
 * - `inline`: inline policies with the same SSM actions and the VSS permissions scoped down to the
 *   AWS Backup path, for teams that forbid managed policies.
 */
export type VssPolicyMode = "managed" | "inline";
export const POLICY_MODES: readonly VssPolicyMode[] = ["managed", "inline"];

/** A role the construct creates, with an instance profile of its own. */
export interface NewInstanceRole {
  /** 1-64 of A-Z a-z 0-9 + = , . @ - _. */
  readonly roleName: string;
  /** 1-128 of A-Z a-z 0-9 + = , . @ - _. @default roleName */
  readonly instanceProfileName?: string;
  /** Permissions boundary of the role (an IAM policy ARN of the account, or an AWS managed one). @default none */
  readonly permissionsBoundaryArn?: string;
}

/**
 * A role the fleet has already, to which the construct adds only what VSS needs (the SSM core
 * permissions are expected to be there), so destroying it never takes away what the fleet relied on.
 */
export interface ExistingInstanceRole {
  /** Name of the existing role (looked up: it may live under a path). */
  readonly existingRoleName: string;
  /**
   * Grant the VSS permissions. Set false for a role that already has them (e.g. AWSEC2VssSnapshotPolicy
   * attached by another stack): attaching a policy that is already attached succeeds silently, and
   * Terraform would then detach it on destroy. @default true
   */
  readonly grantVssPermissions?: boolean;
  /** Create an instance profile of this name for the role. @default none: the role's profiles stay as they are */
  readonly instanceProfileName?: string;
}

export type VssInstanceRoleProps = (NewInstanceRole | ExistingInstanceRole) & {
  /** @default "managed" */
  readonly policyMode?: VssPolicyMode;
};

/** Names of the inline policies the `inline` policy mode puts on the role. */
export const VSS_INLINE_POLICY_NAMES = { ssmCore: "SsmManagedInstanceCore", vss: "VssSnapshotsForAwsBackup" } as const;

/** The policy mode the role is built with. */
export function policyModeOf(props: VssInstanceRoleProps): VssPolicyMode {
  return props.policyMode ?? "managed";
}

/** Whether the construct adds to a role that exists already rather than creating one. */
export function usesExistingRole(props: VssInstanceRoleProps): props is ExistingInstanceRole & VssInstanceRoleProps {
  return "existingRoleName" in props;
}

/** The role's name, created or existing. */
export function instanceRoleNameOf(props: VssInstanceRoleProps): string {
  return usesExistingRole(props) ? props.existingRoleName : props.roleName;
}

/** The instance profile the construct creates for the role, or undefined when it creates none. */
export function instanceProfileNameOf(props: VssInstanceRoleProps): string | undefined {
  return usesExistingRole(props) ? props.instanceProfileName : (props.instanceProfileName ?? props.roleName);
}

/** Problems of the props; with `place`, a permissions boundary of another account is one. */
export function vssInstanceRoleProblems(props: VssInstanceRoleProps, place?: Place): Problems {
  const problems = new Problems();
  if (usesExistingRole(props)) problems.checkName("existingRoleName", props.existingRoleName, IAM_ROLE_NAME);
  else {
    problems.checkName("roleName", props.roleName, IAM_ROLE_NAME);
    if (props.permissionsBoundaryArn !== undefined) {
      problems.checkArn("permissionsBoundaryArn", props.permissionsBoundaryArn, ARNS.iamPolicy, place);
    }
  }
  if (props.instanceProfileName !== undefined) {
    problems.checkName("instanceProfileName", props.instanceProfileName, INSTANCE_PROFILE_NAME);
  }
  if (props.policyMode !== undefined && !POLICY_MODES.includes(props.policyMode)) {
    problems.add(
      "policyMode",
      `${JSON.stringify(props.policyMode)} is not a policy mode, allowed: "managed" or "inline"`,
    );
  }
  return problems;
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
    this.policyMode = policyModeOf(props);

    if (usesExistingRole(props)) {
      // Looked up rather than built from the name: an existing role may live under a path.
      const existing = new DataAwsIamRole(this, "role", { name: props.existingRoleName });
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
    const grantSsmCore = !usesExistingRole(props);
    const grantVss = !usesExistingRole(props) || props.grantVssPermissions !== false;
    if (this.policyMode === "managed") {
      if (grantSsmCore) this.attachManaged("ssm-managed-instance-core", ManagedPolicies.SSM_MANAGED_INSTANCE_CORE);
      if (grantVss) this.attachManaged("vss-snapshot", ManagedPolicies.EC2_VSS_SNAPSHOT);
    } else {
      if (grantSsmCore) {
        const document = policyDocument(this, "ssm-core-policy", SSM_MANAGED_INSTANCE_STATEMENTS);
        this.putInline("ssm-managed-instance-core", VSS_INLINE_POLICY_NAMES.ssmCore, document.json);
      }
      if (grantVss) {
        const document = policyDocument(this, "vss-policy", VSS_FOR_AWS_BACKUP_STATEMENTS);
        this.putInline("vss-snapshot", VSS_INLINE_POLICY_NAMES.vss, document.json);
      }
    }

    const profileName = instanceProfileNameOf(props);
    if (profileName !== undefined) {
      const profile = new IamInstanceProfile(this, "instance-profile", { name: profileName, role: this.roleName });
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
