import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { ResolvedManagement } from "../config/organization-types";
import { KeyUsers, VssAlertTopic, VssBackupPolicy, VssCentralAlertBus, VssKmsKey } from "../modules";
import { declareBackend } from "./backend";
import { SelfContainedStack } from "./self-contained-stack";

/**
 * What the organization must have switched on once, outside Terraform: this stack does not manage
 * aws_organizations_organization (that resource would take the whole organization over: its feature
 * set, every enabled service and policy type). Both commands run in the management account.
 * - Trusted access for AWS Backup: AWS Backup's cross-account monitoring (the jobs of every account
 *   in the management account's AWS Backup console) and its backup policies need it
 *   (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-backup.html).
 * - The BACKUP_POLICY policy type on the root: without it, creating the policy fails
 *   (https://docs.aws.amazon.com/organizations/latest/userguide/enable-policy-type.html).
 */
export const ORGANIZATION_PREREQUISITES = [
  "aws organizations enable-aws-service-access --service-principal backup.amazonaws.com",
  "aws organizations enable-policy-type --root-id $(aws organizations list-roots --query 'Roots[0].Id' --output text) --policy-type BACKUP_POLICY",
] as const;

/** The id of a template's VssBackupPolicy is this prefix and the template's name: the review reads the template back from it. */
export const BACKUP_POLICY_ID_PREFIX = "backup-policy-";

/**
 * The organization's side of organization mode, in the management account (or the delegated
 * administrator for backup policies): one backup policy per template, attached to its OUs and
 * accounts, and the central alerts every member account forwards to.
 */
export class ManagementStack extends SelfContainedStack {
  constructor(scope: Construct, management: ResolvedManagement) {
    super(scope, management.name);

    new AwsProvider(this, "aws", {
      region: management.region,
      allowedAccountIds: [management.account],
      defaultTags: [{ tags: { ...management.defaultTags } }],
    });
    declareBackend(this, management.backend);

    const output = (id: string, value: string, description: string) =>
      new TerraformOutput(this, id, { value, description });
    for (const policy of management.policies) {
      const { policyName, targetIds, ...plan } = policy;
      const created = new VssBackupPolicy(this, `${BACKUP_POLICY_ID_PREFIX}${policy.template}`, {
        name: policyName,
        plan,
        targetIds,
      });
      output(
        `backup_policy_${policy.template.replace(/-/g, "_")}_id`,
        created.policyId,
        `Backup policy of template ${policy.template}, attached to ${targetIds.join(", ")}`,
      );
    }

    const central = management.centralAlerts;
    const topic = new VssAlertTopic(this, "alert-topic", {
      name: central.topicName,
      emails: central.emails,
      key: new VssKmsKey(this, "alert-key", {
        alias: central.keyAlias,
        description: `Encrypts the backup alerts of topic ${central.topicName}`,
        account: management.account,
        users: [KeyUsers.EVENTBRIDGE_TO_ENCRYPTED_TOPIC],
        preventDestroy: false,
      }),
    });
    const bus = new VssCentralAlertBus(this, "central-alerts", {
      busName: central.busName,
      ruleName: central.ruleName,
      organizationId: management.organizationId,
      subject: `organization ${management.organizationId}`,
      topic,
    });
    output("central_bus_arn", bus.busArn, "Event bus every member account's alert rules forward to");
    output("alert_topic_arn", topic.topicArn, "SNS topic of the organization's failed and crash-consistent backups");
    // One line of shell: cdktf's HCL form cannot write a line break, and a list output makes cdktf call
    // util.isArray, which Node.js 24 warns is deprecated on every synth.
    new TerraformOutput(this, "organization_prerequisites", {
      value: ORGANIZATION_PREREQUISITES.join(" && "),
      description:
        "Run once in the management account: trusted access for AWS Backup (cross-account monitoring) and the BACKUP_POLICY type",
    });
  }
}
