import { BackupPlanRule, BackupPlanRuleCopyAction } from "@cdktf/provider-aws/lib/backup-plan";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { Construct } from "constructs";
import { BackupRuleSpec, planRuleOf, vssBackupPlanProblems } from "./backup-plan";
import { ALL_EC2_INSTANCES } from "./backup-selection";
import { regionProblem } from "./regions";
import { DEFAULT_TIMEZONE } from "./schedule";
import { describeTag, SelectionTag, selectionTagProblems, tagCondition } from "./selection-tag";
import { BACKUP_NAME, IAM_ROLE_NAME, Problems, synthesisTime, throwIfAny, VAULT_NAME } from "./validation";

/*
 * An AWS Organizations backup policy (BACKUP_POLICY), built from the same rules as the per-account
 * plan. The keys and their values are those of AWS's "Backup policy syntax and examples":
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_backup_syntax.html
 * - every value is set with the `@@assign` inheritance operator, numbers as strings as in AWS's examples;
 * - `$account` stands for the account the effective policy runs in, in ARNs only (vault, role);
 * - `selections.resources` (rather than `selections.tags`) takes `resource_types` AND `conditions`, so
 *   the selection is restricted to EC2 instances carrying the tag, as the per-account selection is
 *   (the syntax page's "Example 7: Specifying resources with the resources block", and the AWS Storage
 *   Blog post "Enhance resource selection in AWS Backup Policies");
 * - `advanced_backup_settings.ec2.windows_vss` = "enabled" takes VSS backups of Windows instances;
 * - `schedule_expression` is read in UTC: the syntax has no time zone key, so a rule in another time
 *   zone is refused rather than shifted.
 */

/** AWS Organizations' maximum size of a backup policy document, in characters (Quotas for AWS Organizations). */
export const BACKUP_POLICY_MAX_CHARACTERS = 10_000;

/** The time zones a policy's UTC schedule expressions are read in. */
const UTC_TIMEZONES = [DEFAULT_TIMEZONE, "UTC"];

/** What one plan of a backup policy holds: every name filled in. */
export interface BackupPolicyPlan {
  /** The plan's name in each account, 1-50 of A-Z a-z 0-9 - _ . */
  readonly planName: string;
  /** 1-50 of A-Z a-z 0-9 - _ . */
  readonly selectionName: string;
  /** The per-account plan's rule objects; their time zone must be UTC (the default). */
  readonly rules: readonly BackupRuleSpec[];
  /** Regions whose resources the plan backs up; a vault of `vaultName` must exist in each. */
  readonly regions: readonly string[];
  readonly selectionTag: SelectionTag;
  /** The vault every account has in each region (the member stacks create it). */
  readonly vaultName: string;
  /** The AWS Backup service role every account has, at path "/" (the member stacks create it). */
  readonly serviceRoleName: string;
  /** A copy of each recovery point to the vault `vaultName` in `region` of the same account. @default no copy */
  readonly copy?: { readonly region: string; readonly vaultName: string; readonly keepDays?: number };
}

/** The name of the selection's one tag condition (AWS's examples name conditions freely). */
export const SELECTION_CONDITION_NAME = "selection_tag";

const assign = <T>(value: T) => ({ "@@assign": value });

/** `value` in an ARN of the account the effective policy runs in. */
export const POLICY_ACCOUNT = "$account";

/** A vault's ARN in the account the effective policy runs in. */
export function policyVaultArn(region: string, vaultName: string): string {
  return `arn:aws:backup:${region}:${POLICY_ACCOUNT}:backup-vault:${vaultName}`;
}

/** A role's ARN (at path "/") in the account the effective policy runs in. */
export function policyRoleArn(roleName: string): string {
  return `arn:aws:iam::${POLICY_ACCOUNT}:role/${roleName}`;
}

/** The BACKUP_POLICY document of one plan: what `aws_organizations_policy.content` holds. */
export function backupPolicyDocument(plan: BackupPolicyPlan): Record<string, unknown> {
  const copyTo = plan.copy && {
    vaultArn: policyVaultArn(plan.copy.region, plan.copy.vaultName),
    deleteAfterDays: plan.copy.keepDays,
  };
  const rules = plan.rules.map((rule) => planRuleOf(rule, plan.vaultName, copyTo));
  const condition = tagCondition(plan.selectionTag);
  return {
    plans: {
      [plan.planName]: {
        regions: assign([...plan.regions]),
        rules: Object.fromEntries(rules.map((rule) => [rule.ruleName, policyRule(rule)])),
        selections: {
          resources: {
            [plan.selectionName]: {
              iam_role_arn: assign(policyRoleArn(plan.serviceRoleName)),
              resource_types: assign([ALL_EC2_INSTANCES]),
              conditions: {
                string_equals: {
                  [SELECTION_CONDITION_NAME]: {
                    condition_key: assign(condition.key),
                    condition_value: assign(condition.value),
                  },
                },
              },
            },
          },
        },
        advanced_backup_settings: { ec2: { windows_vss: assign("enabled") } },
      },
    },
  };
}

function policyRule(rule: BackupPlanRule): Record<string, unknown> {
  // planRuleOf writes a plain list (the type admits a token too).
  const copies = (rule.copyAction ?? []) as readonly BackupPlanRuleCopyAction[];
  const tags = Object.entries(rule.recoveryPointTags ?? {});
  return {
    schedule_expression: assign(rule.schedule),
    start_backup_window_minutes: assign(String(rule.startWindow)),
    complete_backup_window_minutes: assign(String(rule.completionWindow)),
    target_backup_vault_name: assign(rule.targetVaultName),
    lifecycle: policyLifecycle(rule.lifecycle),
    ...(copies.length > 0
      ? {
          // AWS: the key must be the vault's ARN, and target_backup_vault_arn is always to be given.
          copy_actions: Object.fromEntries(
            copies.map((copy) => [
              copy.destinationVaultArn,
              { target_backup_vault_arn: assign(copy.destinationVaultArn), lifecycle: policyLifecycle(copy.lifecycle) },
            ]),
          ),
        }
      : {}),
    ...(tags.length > 0
      ? {
          // AWS: each tag's element is named after its key in lower case.
          recovery_point_tags: Object.fromEntries(
            tags.map(([key, value]) => [key.toLowerCase(), { tag_key: assign(key), tag_value: assign(value) }]),
          ),
        }
      : {}),
  };
}

function policyLifecycle(lifecycle?: { deleteAfter?: number; coldStorageAfter?: number }): Record<string, unknown> {
  const { deleteAfter, coldStorageAfter } = lifecycle ?? {};
  return {
    ...(coldStorageAfter !== undefined ? { move_to_cold_storage_after_days: assign(String(coldStorageAfter)) } : {}),
    delete_after_days: assign(String(deleteAfter)),
  };
}

/** Everything AWS Organizations or AWS Backup would refuse in the policy, one problem per field. */
export function backupPolicyPlanProblems(plan: BackupPolicyPlan, now: Date): Problems {
  const problems = new Problems();
  const planProblems = vssBackupPlanProblems(
    { name: plan.planName, rules: plan.rules, copyEveryRuleTo: plan.copy && { deleteAfterDays: plan.copy.keepDays } },
    now,
  );
  // The plan's checks, with the paths of this input's fields.
  for (const problem of planProblems.all)
    problems.add(
      problem.path === "name" ? "planName" : problem.path.replace(/^copyEveryRuleTo\.deleteAfterDays/, "copy.keepDays"),
      problem.message,
    );
  plan.rules.forEach((rule, i) => {
    if (rule.timezone !== undefined && !UTC_TIMEZONES.includes(rule.timezone))
      problems.add(
        `rules[${i}].timezone`,
        `${JSON.stringify(rule.timezone)} cannot be expressed in a backup policy (its schedule_expression is read in UTC), allowed: ${UTC_TIMEZONES.join(" or ")}, with the schedule's hours in UTC`,
      );
    const keys = Object.keys(rule.recoveryPointTags ?? {});
    keys.forEach((key, j) => {
      const earlier = keys.slice(0, j).find((other) => other.toLowerCase() === key.toLowerCase());
      if (earlier !== undefined)
        problems.add(
          `rules[${i}].recoveryPointTags`,
          `${JSON.stringify(key)} and ${JSON.stringify(earlier)} are one tag in a backup policy (it names tags in lower case), allowed: keys that differ in more than case`,
        );
    });
  });
  problems.checkName("selectionName", plan.selectionName, BACKUP_NAME);
  checkRegions(problems, plan.regions);
  problems.nest("selectionTag", selectionTagProblems(plan.selectionTag));
  problems.checkName("vaultName", plan.vaultName, VAULT_NAME);
  problems.checkName("serviceRoleName", plan.serviceRoleName, IAM_ROLE_NAME);
  if (plan.copy) {
    const region = regionProblem(plan.copy.region);
    if (region) problems.add("copy.region", region);
    problems.checkName("copy.vaultName", plan.copy.vaultName, VAULT_NAME);
  }
  const size = JSON.stringify(backupPolicyDocument(plan)).length;
  if (size > BACKUP_POLICY_MAX_CHARACTERS)
    problems.add(
      "policy",
      `the document has ${size} characters, allowed: at most ${BACKUP_POLICY_MAX_CHARACTERS} (AWS Organizations' limit for a backup policy); use fewer rules or shorter names`,
    );
  return problems;
}

function checkRegions(problems: Problems, regions: readonly string[]): void {
  if (regions.length === 0) problems.add("regions", "is empty, allowed: at least one region");
  regions.forEach((region, i) => {
    const problem = regionProblem(region);
    if (problem) problems.add(`regions[${i}]`, problem);
    else if (regions.indexOf(region) < i)
      problems.add(`regions[${i}]`, `${JSON.stringify(region)} is listed twice, allowed: each region once`);
  });
}

/** The root ("r-"), an OU ("ou-") or an account (12 digits): what a policy attaches to (AttachPolicy TargetId). */
const TARGET_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/;
/** CreatePolicy Name: 1-128 characters. */
const POLICY_NAME_MAX = 128;

export interface VssBackupPolicyProps {
  /** The policy's name in AWS Organizations, 1-128 characters. */
  readonly name: string;
  readonly plan: BackupPolicyPlan;
  /** What the policy attaches to: OU IDs, account IDs or the root ID; at least one. */
  readonly targetIds: readonly string[];
}

export function vssBackupPolicyProblems(props: VssBackupPolicyProps, now: Date): Problems {
  const problems = new Problems();
  if (props.name.length < 1 || props.name.length > POLICY_NAME_MAX)
    problems.add(
      "name",
      `${JSON.stringify(props.name)} has ${props.name.length} characters, allowed: 1-${POLICY_NAME_MAX}`,
    );
  if (props.targetIds.length === 0)
    problems.add("targetIds", "is empty, allowed: at least one OU or account ID to attach the policy to");
  props.targetIds.forEach((target, i) => {
    if (!TARGET_ID.test(target))
      problems.add(
        `targetIds[${i}]`,
        `${JSON.stringify(target)} is not an attachment target, allowed: an OU ID (ou-...), an account ID (12 digits) or the root ID (r-...)`,
      );
    else if (props.targetIds.indexOf(target) < i)
      problems.add(`targetIds[${i}]`, `${JSON.stringify(target)} is listed twice, allowed: each target once`);
  });
  problems.nest("plan", backupPolicyPlanProblems(props.plan, now));
  return problems;
}

/**
 * An AWS Organizations backup policy with Windows VSS enabled, attached to OUs and accounts: each
 * account then runs the plan in each of the regions, with the vault and service role it must have.
 */
export class VssBackupPolicy extends Construct {
  readonly policyId: string;
  /** The document as written into the policy's content. */
  readonly document: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: VssBackupPolicyProps) {
    super(scope, id);
    throwIfAny(`VssBackupPolicy ${this.node.path}`, vssBackupPolicyProblems(props, synthesisTime(this)).all);
    this.document = backupPolicyDocument(props.plan);
    const policy = new OrganizationsPolicy(this, "policy", {
      name: props.name,
      type: "BACKUP_POLICY",
      description: `Windows VSS backups of the EC2 instances tagged ${describeTag(props.plan.selectionTag)}`,
      content: JSON.stringify(this.document),
    });
    props.targetIds.forEach(
      (targetId) =>
        new OrganizationsPolicyAttachment(this, `attachment-${targetId}`, { policyId: policy.id, targetId }),
    );
    this.policyId = policy.id;
  }
}
