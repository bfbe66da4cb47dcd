import type {
  MemberOf,
  ResolvedBackupPolicy,
  ResolvedManagement,
  ResolvedMember,
} from "../../config/organization-types";
import { resolveEnvironment } from "../../config/resolve";
import type { EnvironmentConfig } from "../../config/types";
import { BackupRules, DEFAULT_SELECTION_TAG } from "../../modules";

/**
 * Organization mode's resolved objects, written out as the configuration would resolve them: the
 * stacks are built against these types while the configuration that produces them is built apart.
 */
export const MANAGEMENT_ACCOUNT = "123456789012";
export const ORGANIZATION_ID = "o-a1b2c3d4e5";
export const PROD_OU = "ou-a1b2-prod0001";
export const NONPROD_OU = "ou-a1b2-nonp0001";
export const PROD_ACCOUNT = "444455556666";
export const CENTRAL_BUS_ARN = `arn:aws:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/vss-backup-alerts`;

/** Template "prod-fleet": two regions, a daily and a weekly rule, a DR copy to eu-central-1 kept 90 days. */
export const PROD_POLICY: ResolvedBackupPolicy = {
  template: "prod-fleet",
  policyName: "vss-backup-prod-fleet-vss",
  planName: "vss-backup-prod-fleet",
  selectionName: "vss-backup-prod-fleet-windows-instances",
  rules: [BackupRules.daily({ keepDays: 35, atHour: 1 }), BackupRules.weekly({ keepDays: 90, atHour: 2 })],
  regions: ["eu-west-1", "us-east-1"],
  selectionTag: DEFAULT_SELECTION_TAG,
  vaultName: "vss-backup-prod-fleet",
  serviceRoleName: "vss-backup-prod-fleet-backup-service",
  copy: { region: "eu-central-1", vaultName: "vss-backup-prod-fleet-dr", keepDays: 90 },
  targetIds: [PROD_OU, "777788889999"],
};

/** Template "sandbox": one region, one rule, no copy, the project's default tag. */
export const SANDBOX_POLICY: ResolvedBackupPolicy = {
  template: "sandbox",
  policyName: "vss-backup-sandbox-vss",
  planName: "vss-backup-sandbox",
  selectionName: "vss-backup-sandbox-windows-instances",
  rules: [BackupRules.daily({ keepDays: 7 })],
  regions: ["eu-west-1"],
  selectionTag: DEFAULT_SELECTION_TAG,
  vaultName: "vss-backup-sandbox",
  serviceRoleName: "vss-backup-sandbox-backup-service",
  targetIds: [NONPROD_OU],
};

export const MANAGEMENT: ResolvedManagement = {
  name: "vss-backup-management",
  account: MANAGEMENT_ACCOUNT,
  region: "eu-west-1",
  organizationId: ORGANIZATION_ID,
  defaultTags: { Project: "vss-backup", Environment: "management", ManagedBy: "cdktf" },
  backend: { type: "local", path: "terraform.vss-backup-management.tfstate" },
  policies: [PROD_POLICY, SANDBOX_POLICY],
  centralAlerts: {
    busName: "vss-backup-alerts",
    ruleName: "vss-backup-organization-alerts",
    topicName: "vss-backup-organization-alerts",
    keyAlias: "alias/vss-backup-organization-alerts",
    emails: ["backup-team@example.com"],
  },
};

/** The template's settings, named after the template so that every region's stack names the account's roles alike. */
const PROD_FLEET: EnvironmentConfig = {
  name: "prod-fleet",
  account: PROD_ACCOUNT,
  region: "eu-west-1",
  plan: { name: PROD_POLICY.planName, rules: PROD_POLICY.rules },
  disasterRecovery: { region: "eu-central-1", keepDays: 90, vaultName: "vss-backup-prod-fleet-dr" },
};

/** A member stack of the prod account in `region`, getting its plan from `planSource`. */
export function prodMember(region: string, planSource: MemberOf["planSource"] = "organization-policy"): ResolvedMember {
  const name = `a${PROD_ACCOUNT}-${region}`;
  const env = resolveEnvironment("vss-backup", { ...PROD_FLEET, region });
  return {
    ...env,
    name,
    defaultTags: { ...env.defaultTags, Environment: name },
    backend: { type: "local", path: `terraform.${name}.tfstate` },
    member: {
      accountName: "prod-workloads",
      ouPath: "Root/Workloads/Prod",
      template: "prod-fleet",
      wave: "prod",
      planSource,
      deployRoleArn: `arn:aws:iam::${PROD_ACCOUNT}:role/vss-backup-deploy`,
      planRoleArn: `arn:aws:iam::${PROD_ACCOUNT}:role/vss-backup-plan`,
      profile: `vss-backup-${name}`,
      homeRegion: "eu-west-1",
      centralBusArn: CENTRAL_BUS_ARN,
    },
  };
}

/** A backup policy value set with `@@assign`. */
export const assign = (value: unknown) => ({ "@@assign": value });

/** What template prod-fleet's backup policy must say, written out (AWS's backup policy syntax). */
export const PROD_POLICY_DOCUMENT = {
  plans: {
    "vss-backup-prod-fleet": {
      regions: assign(["eu-west-1", "us-east-1"]),
      rules: {
        daily: {
          schedule_expression: assign("cron(0 1 ? * * *)"),
          start_backup_window_minutes: assign("60"),
          complete_backup_window_minutes: assign("480"),
          target_backup_vault_name: assign("vss-backup-prod-fleet"),
          lifecycle: { delete_after_days: assign("35") },
          copy_actions: {
            "arn:aws:backup:eu-central-1:$account:backup-vault:vss-backup-prod-fleet-dr": {
              target_backup_vault_arn: assign(
                "arn:aws:backup:eu-central-1:$account:backup-vault:vss-backup-prod-fleet-dr",
              ),
              lifecycle: { delete_after_days: assign("90") },
            },
          },
        },
        weekly: {
          schedule_expression: assign("cron(0 2 ? * SUN *)"),
          start_backup_window_minutes: assign("60"),
          complete_backup_window_minutes: assign("480"),
          target_backup_vault_name: assign("vss-backup-prod-fleet"),
          lifecycle: { delete_after_days: assign("90") },
          copy_actions: {
            "arn:aws:backup:eu-central-1:$account:backup-vault:vss-backup-prod-fleet-dr": {
              target_backup_vault_arn: assign(
                "arn:aws:backup:eu-central-1:$account:backup-vault:vss-backup-prod-fleet-dr",
              ),
              lifecycle: { delete_after_days: assign("90") },
            },
          },
        },
      },
      selections: {
        resources: {
          "vss-backup-prod-fleet-windows-instances": {
            iam_role_arn: assign("arn:aws:iam::$account:role/vss-backup-prod-fleet-backup-service"),
            resource_types: assign(["arn:aws:ec2:*:*:instance/*"]),
            conditions: {
              string_equals: {
                selection_tag: {
                  condition_key: assign("aws:ResourceTag/Backup"),
                  condition_value: assign("windows-vss"),
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

/** What template sandbox's backup policy must say, written out. */
export const SANDBOX_POLICY_DOCUMENT = {
  plans: {
    "vss-backup-sandbox": {
      regions: assign(["eu-west-1"]),
      rules: {
        daily: {
          schedule_expression: assign("cron(0 5 ? * * *)"),
          start_backup_window_minutes: assign("60"),
          complete_backup_window_minutes: assign("480"),
          target_backup_vault_name: assign("vss-backup-sandbox"),
          lifecycle: { delete_after_days: assign("7") },
        },
      },
      selections: {
        resources: {
          "vss-backup-sandbox-windows-instances": {
            iam_role_arn: assign("arn:aws:iam::$account:role/vss-backup-sandbox-backup-service"),
            resource_types: assign(["arn:aws:ec2:*:*:instance/*"]),
            conditions: {
              string_equals: {
                selection_tag: {
                  condition_key: assign("aws:ResourceTag/Backup"),
                  condition_value: assign("windows-vss"),
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
