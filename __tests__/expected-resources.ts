import type { ResolvedEnvironment } from "../config/resolve";

/**
 * What one environment's stack creates, by resource type, reasoned from what it must hold: shared by
 * the synth tests and the Terraform tier, which checks that Terraform plans the same count.
 */
export function expectedResourceCounts(env: ResolvedEnvironment): Record<string, number> {
  const managed = (env.instanceRole.policyMode ?? "managed") === "managed";
  const topic = env.alerts?.topic;
  // A created alert topic comes with its key, its alias, its policy and one subscription per address.
  const createdTopic: Record<string, number> =
    topic && "name" in topic
      ? {
          aws_kms_key: 1,
          aws_kms_alias: 1,
          aws_sns_topic: 1,
          aws_sns_topic_policy: 1,
          ...(topic.emails.length > 0 ? { aws_sns_topic_subscription: topic.emails.length } : {}),
        }
      : {};
  // The alert rule and its one target, to whichever topic; a second pair for failed restore tests.
  const rules = env.alerts ? (env.alerts.failedRestoreTests ? 2 : 1) : 0;
  const alerts: Record<string, number> =
    rules > 0 ? { aws_cloudwatch_event_rule: rules, aws_cloudwatch_event_target: rules } : {};
  // A key created for the vault comes with its alias; so does the DR vault's key.
  const dr = env.disasterRecovery;
  const vaultKey = (env.vault.createdKey ? 1 : 0) + (dr ? 1 : 0);
  const keys: Record<string, number> = {
    aws_kms_key: (createdTopic.aws_kms_key ?? 0) + vaultKey,
    aws_kms_alias: (createdTopic.aws_kms_alias ?? 0) + vaultKey,
  };
  return {
    ...createdTopic,
    ...(keys.aws_kms_key > 0 ? keys : {}),
    ...alerts,
    aws_iam_role: 2, // instance role and backup service role
    // SSM core + VSS on the instance role (managed mode); backup + restores on the service role
    aws_iam_role_policy_attachment: managed ? 4 : 2,
    // iam:PassRole for restores; SSM core + VSS inline on the instance role (inline mode)
    aws_iam_role_policy: managed ? 1 : 3,
    aws_iam_instance_profile: 1,
    aws_ssm_association: 1,
    // The environment's vault, and the DR vault in the second region.
    aws_backup_vault: dr ? 2 : 1,
    // A vault lock is on unless switched off, on each vault; the deletion guard only with exempted roles.
    ...((env.vault.lock ? 1 : 0) + (dr?.vault.lock ? 1 : 0) > 0
      ? { aws_backup_vault_lock_configuration: (env.vault.lock ? 1 : 0) + (dr?.vault.lock ? 1 : 0) }
      : {}),
    ...(env.vault.deletionGuard ? { aws_backup_vault_policy: 1 } : {}),
    aws_backup_plan: 1,
    aws_backup_selection: 1,
    // Restore testing: one plan and its one EC2 selection.
    ...(env.restoreTesting ? { aws_backup_restore_testing_plan: 1, aws_backup_restore_testing_selection: 1 } : {}),
    // The audit framework when configured, and its report plan when one is.
    ...(env.audit ? { aws_backup_framework: 1 } : {}),
    ...(env.audit?.report ? { aws_backup_report_plan: 1 } : {}),
  };
}
