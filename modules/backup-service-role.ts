import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { ManagedPolicies, policyDocument, serviceRole } from "./iam-policies";
import { ARNS, IAM_ROLE_NAME, Place, Problems, throwIfAny } from "./validation";
import type { VssInstanceRole } from "./vss-instance-role";

/** A role AWS Backup assumes: one this construct creates, or an existing one (`BackupServiceRole.fromRoleArn`). */
export interface IBackupServiceRole {
  readonly roleArn: string;
}

export interface BackupServiceRoleProps {
  /** 1-64 of A-Z a-z 0-9 + = , . @ - _. */
  readonly roleName: string;
  /**
   * Instance roles AWS Backup may pass to EC2 when it restores an instance (restores launch the
   * instance with its original profile). Nothing else can be passed.
   */
  readonly passableInstanceRoles: readonly VssInstanceRole[];
  /** Permissions boundary for the role. @default none */
  readonly permissionsBoundaryArn?: string;
}

export function backupServiceRoleProblems(
  props: Omit<BackupServiceRoleProps, "passableInstanceRoles">,
  place?: Place,
): Problems {
  const problems = new Problems();
  problems.checkName("roleName", props.roleName, IAM_ROLE_NAME);
  if (props.permissionsBoundaryArn !== undefined) {
    problems.checkArn("permissionsBoundaryArn", props.permissionsBoundaryArn, ARNS.iamPolicy, place);
  }
  return problems;
}

/**
 * The role AWS Backup assumes to back up and restore the selected instances. AWS's backup policy
 * already grants `ssm:SendCommand` on AWSEC2-CreateVssSnapshot, which is how VSS is triggered.
 */
export class BackupServiceRole extends Construct implements IBackupServiceRole {
  /** An existing role (which must carry the backup and restore permissions itself). */
  static fromRoleArn(roleArn: string): IBackupServiceRole {
    return { roleArn };
  }

  readonly roleName: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: BackupServiceRoleProps) {
    super(scope, id);
    throwIfAny(`BackupServiceRole ${this.node.path}`, backupServiceRoleProblems(props).all);
    const role = serviceRole(this, {
      name: props.roleName,
      description: "AWS Backup: VSS backups and restores of Windows EC2 instances",
      servicePrincipal: "backup.amazonaws.com",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    this.roleName = role.name;
    this.roleArn = role.arn;

    new IamRolePolicyAttachment(this, "backup", {
      role: role.name,
      policyArn: ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_BACKUP,
    });
    new IamRolePolicyAttachment(this, "restores", {
      role: role.name,
      policyArn: ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_RESTORES,
    });
    if (props.passableInstanceRoles.length > 0) {
      const passRole = policyDocument(this, "pass-instance-role-policy", [
        {
          sid: "PassInstanceRoleToRestoredInstances",
          effect: "Allow",
          actions: ["iam:PassRole"],
          resources: props.passableInstanceRoles.map((instanceRole) => instanceRole.roleArn),
          condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
        },
      ]);
      new IamRolePolicy(this, "pass-instance-role", {
        role: role.name,
        name: PASS_ROLE_POLICY_NAME,
        policy: passRole.json,
      });
    }
  }
}

/** The inline policy that lets AWS Backup pass the instance roles to restored instances. */
export const PASS_ROLE_POLICY_NAME = "PassInstanceRoleForRestores";
