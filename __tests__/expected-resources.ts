import type { VssPolicyMode } from "../modules";

/**
 * What one environment's stack creates, by resource type, reasoned from what it must hold: shared by
 * the synth tests and the Terraform tier, which checks that Terraform plans the same count.
 */
export function expectedResourceCounts(policyMode: VssPolicyMode = "managed"): Record<string, number> {
  const managed = policyMode === "managed";
  return {
    aws_iam_role: 2, // instance role and backup service role
    // SSM core + VSS on the instance role (managed mode); backup + restores on the service role
    aws_iam_role_policy_attachment: managed ? 4 : 2,
    // iam:PassRole for restores; SSM core + VSS inline on the instance role (inline mode)
    aws_iam_role_policy: managed ? 1 : 3,
    aws_iam_instance_profile: 1,
    aws_ssm_association: 1,
    aws_backup_vault: 1,
    aws_backup_plan: 1,
    aws_backup_selection: 1,
  };
}
