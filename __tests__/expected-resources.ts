import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import type { VssPolicyMode } from "../modules";

/**
 * What one environment's stack creates, by resource type, reasoned from what it must hold: shared by
 * the synth tests and the Terraform tier, which checks that Terraform plans the same count.
 */
export function expectedResourceCounts(policyMode: VssPolicyMode = "managed"): Record<string, number> {
  const managed = policyMode === "managed";
  return {
    [IamRole.tfResourceType]: 2, // instance role and backup service role
    // SSM core + VSS on the instance role (managed mode); backup + restores on the service role
    [IamRolePolicyAttachment.tfResourceType]: managed ? 4 : 2,
    // iam:PassRole for restores; SSM core + VSS inline on the instance role (inline mode)
    [IamRolePolicy.tfResourceType]: managed ? 1 : 3,
    [IamInstanceProfile.tfResourceType]: 1,
    [SsmAssociation.tfResourceType]: 1,
    [BackupVault.tfResourceType]: 1,
    [BackupPlan.tfResourceType]: 1,
    [BackupSelection.tfResourceType]: 1,
  };
}
