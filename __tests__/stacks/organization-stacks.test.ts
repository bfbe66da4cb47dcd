import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { Testing } from "cdktf";
import type { ResolvedMember } from "../../config/organization-types";
import { SYNTHESIS_TIME_CONTEXT } from "../../modules";
import { ManagementStack } from "../../stacks/management-stack";
import { VssBackupStack } from "../../stacks/vss-backup-stack";
import { NOW } from "../support/clock";
import {
  CENTRAL_BUS_ARN,
  MANAGEMENT,
  NONPROD_OU,
  PROD_ACCOUNT,
  PROD_OU,
  PROD_POLICY,
  PROD_POLICY_DOCUMENT,
  prodMember,
  SANDBOX_POLICY_DOCUMENT,
} from "../support/organization-stack-fixtures";
import { resources, SynthesizedStack, synthesizeStack, theResource } from "../synth";

const app = () => Testing.app({ context: { [SYNTHESIS_TIME_CONTEXT]: NOW.toISOString() } });
const memberStack = (member: ResolvedMember) => synthesizeStack(new VssBackupStack(app(), member));

describe("ManagementStack", () => {
  let stack: SynthesizedStack;
  beforeEach(() => (stack = synthesizeStack(new ManagementStack(app(), MANAGEMENT))));

  it("works in the management account only, with the project's tags", () => {
    expect(stack.provider!.aws).toEqual([
      {
        region: "eu-west-1",
        allowed_account_ids: ["123456789012"],
        default_tags: [{ tags: { Project: "vss-backup", Environment: "management", ManagedBy: "cdktf" } }],
      },
    ]);
    expect(stack.terraform!.backend).toEqual({ local: { path: "terraform.vss-backup-management.tfstate" } });
  });

  it("emits one backup policy per template, each with its own document", () => {
    const policies = resources(stack, OrganizationsPolicy);
    expect(policies.map((p) => [p.name, p.type])).toEqual([
      ["vss-backup-prod-fleet-vss", "BACKUP_POLICY"],
      ["vss-backup-sandbox-vss", "BACKUP_POLICY"],
    ]);
    expect(JSON.parse(String(policies[0].content))).toEqual(PROD_POLICY_DOCUMENT);
    expect(JSON.parse(String(policies[1].content))).toEqual(SANDBOX_POLICY_DOCUMENT);
  });

  it("attaches each policy to its template's OUs and accounts, and nowhere else", () => {
    const idOf = (name: string) => {
      const [id] = Object.entries(stack.resource!.aws_organizations_policy).find(([, p]) => p.name === name)!;
      return `\${aws_organizations_policy.${id}.id}`;
    };
    const attachments = resources(stack, OrganizationsPolicyAttachment).map((a) => [a.policy_id, a.target_id]);
    expect(attachments.sort()).toEqual(
      [
        [idOf("vss-backup-prod-fleet-vss"), PROD_OU],
        [idOf("vss-backup-prod-fleet-vss"), "777788889999"],
        [idOf("vss-backup-sandbox-vss"), NONPROD_OU],
      ].sort(),
    );
  });

  it("creates the central bus, its rules and the central topic, and does not manage the organization itself", () => {
    expect(theResource(stack, CloudwatchEventBus).name).toBe("vss-backup-alerts");
    expect(
      resources(stack, CloudwatchEventRule)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["vss-backup-organization-alerts", "vss-backup-organization-alerts-restore-tests"]);
    expect(theResource(stack, SnsTopic).name).toBe("vss-backup-organization-alerts");
    expect(resources(stack, "aws_sns_topic_subscription").map((s) => s.endpoint)).toEqual(["backup-team@example.com"]);
    expect(Object.keys(stack.resource!).filter((type) => /organizations_(organization|account)\b/.test(type))).toEqual(
      [],
    );
  });

  it("outputs the policies, the bus, the topic and the one-time organization switches", () => {
    expect(Object.keys(stack.output!).sort()).toEqual([
      "alert_topic_arn",
      "backup_policy_prod_fleet_id",
      "backup_policy_sandbox_id",
      "central_bus_arn",
      "organization_prerequisites",
    ]);
    expect(stack.output!.organization_prerequisites.value).toBe(
      "aws organizations enable-aws-service-access --service-principal backup.amazonaws.com && " +
        "aws organizations enable-policy-type --root-id $(aws organizations list-roots --query 'Roots[0].Id' --output text) --policy-type BACKUP_POLICY",
    );
  });
});

describe("member stack: the provider", () => {
  it("names the member's AWS profile and no role (the deploy chooses it), and works in that account only, in its region and the DR region", () => {
    const stack = memberStack(prodMember("eu-west-1"));
    const default_tags = [
      { tags: { Project: "vss-backup", Environment: "a444455556666-eu-west-1", ManagedBy: "cdktf" } },
    ];
    const profile = "vss-backup-a444455556666-eu-west-1";
    expect(stack.provider!.aws).toEqual([
      { region: "eu-west-1", allowed_account_ids: [PROD_ACCOUNT], default_tags, profile },
      { alias: "dr", region: "eu-central-1", allowed_account_ids: [PROD_ACCOUNT], default_tags, profile },
    ]);
  });
});

describe("member stack: where the plan comes from", () => {
  it("creates no plan, selection or plan output under the organization's backup policy, but the vault the policy names", () => {
    const stack = memberStack(prodMember("eu-west-1"));
    expect(resources(stack, BackupPlan)).toEqual([]);
    expect(resources(stack, BackupSelection)).toEqual([]);
    expect(Object.keys(stack.output!)).not.toContain("plan_id");
    expect(Object.keys(stack.output!)).not.toContain("selection_id");
    expect(stack.output!.plan_source.value).toBe("organization-policy");
    expect(
      resources(stack, BackupVault)
        .map((v) => v.name)
        .sort(),
    ).toEqual([PROD_POLICY.vaultName, PROD_POLICY.copy!.vaultName]);
  });

  it("creates the service role under the name the policy's selection uses", () => {
    const stack = memberStack(prodMember("eu-west-1"));
    expect(resources(stack, IamRole).map((r) => r.name)).toContain(PROD_POLICY.serviceRoleName);
  });

  it("creates its own plan and selection with planSource account-plan", () => {
    const stack = memberStack(prodMember("eu-west-1", "account-plan"));
    expect(theResource(stack, BackupPlan).name).toBe("vss-backup-prod-fleet");
    expect(resources(stack, BackupSelection)).toHaveLength(1);
    expect(stack.output!.plan_source.value).toBe("account-plan");
  });

  it("refuses an audit under a backup policy: its plan control needs a plan of the stack", () => {
    const member = { ...prodMember("eu-west-1"), audit: { frameworkName: "vss_backup_prod_fleet_vss" } };
    expect(() => new VssBackupStack(app(), member)).toThrow(
      'audit: its plan control judges a plan of the stack, and planSource "organization-policy" creates none; allowed: no audit, or planSource "account-plan"',
    );
  });
});

describe("member stack: IAM in the home region only", () => {
  it("creates the instance role and profile, the service role and the forwarding role in the home region", () => {
    const stack = memberStack(prodMember("eu-west-1"));
    expect(
      resources(stack, IamRole)
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "vss-backup-alerts-forwarder",
      "vss-backup-prod-fleet-backup-service",
      "vss-backup-prod-fleet-vss-instance",
    ]);
    expect(theResource(stack, IamInstanceProfile).name).toBe("vss-backup-prod-fleet-vss-instance");
  });

  it("creates no IAM in another region, and names the home region's roles", () => {
    const stack = memberStack(prodMember("us-east-1"));
    for (const type of [IamRole, IamRolePolicy, IamRolePolicyAttachment, IamInstanceProfile])
      expect([type.tfResourceType, resources(stack, type)]).toEqual([type.tfResourceType, []]);
    expect(stack.output!.instance_profile_name.value).toBe("vss-backup-prod-fleet-vss-instance");
    expect(resources(stack, CloudwatchEventTarget).map((t) => t.role_arn)).toEqual([
      `arn:aws:iam::${PROD_ACCOUNT}:role/vss-backup-alerts-forwarder`,
    ]);
  });

  it("creates the DR vault once, in the home region's stack; another region's own plan copies to it by ARN", () => {
    const home = memberStack(prodMember("eu-west-1"));
    expect(resources(home, BackupVault).map((v) => [v.name, v.provider])).toContainEqual([
      "vss-backup-prod-fleet-dr",
      "aws.dr",
    ]);
    const other = memberStack(prodMember("us-east-1", "account-plan"));
    expect(resources(other, BackupVault).map((v) => v.name)).toEqual(["vss-backup-prod-fleet"]);
    expect(other.provider!.aws).toHaveLength(1);
    const rules = theResource(other, BackupPlan).rule as { copy_action: { destination_vault_arn: string }[] }[];
    expect(rules.map((r) => r.copy_action.map((c) => c.destination_vault_arn))).toEqual([
      [`arn:aws:backup:eu-central-1:${PROD_ACCOUNT}:backup-vault:vss-backup-prod-fleet-dr`],
      [`arn:aws:backup:eu-central-1:${PROD_ACCOUNT}:backup-vault:vss-backup-prod-fleet-dr`],
    ]);
  });

  it("hands restore testing the home region's service role by ARN in another region", () => {
    const member: ResolvedMember = {
      ...prodMember("us-east-1"),
      restoreTesting: {
        planName: "vss_backup_prod_fleet_restore_test",
        selectionName: "vss_backup_prod_fleet_windows_instances",
        schedule: "cron(0 4 ? * SUN *)",
        subnetId: "subnet-0a1b2c3d4e5f60718",
        securityGroupIds: ["sg-0123456789abcdef0"],
      },
    };
    const stack = memberStack(member);
    expect(theResource(stack, "aws_backup_restore_testing_selection").iam_role_arn).toBe(
      `arn:aws:iam::${PROD_ACCOUNT}:role/vss-backup-prod-fleet-backup-service`,
    );
  });
});

describe("member stack: alerts forwarded to the central bus", () => {
  it("sends the alert rule's events, as they are, to the central bus through the forwarding role; no topic of its own", () => {
    const stack = memberStack(prodMember("eu-west-1"));
    const roleId = Object.entries(stack.resource!.aws_iam_role).find(
      ([, r]) => r.name === "vss-backup-alerts-forwarder",
    )![0];
    const [target] = resources(stack, CloudwatchEventTarget);
    expect(target).toMatchObject({
      target_id: "central-bus",
      arn: CENTRAL_BUS_ARN,
      role_arn: `\${aws_iam_role.${roleId}.arn}`,
    });
    expect(target.input_transformer).toBeUndefined();
    expect(resources(stack, SnsTopic)).toEqual([]);
    expect(stack.output!.alert_bus_arn.value).toBe(CENTRAL_BUS_ARN);
    expect(Object.keys(stack.output!)).not.toContain("alert_topic_arn");
  });
});
