import type { EnvironmentConfig, ProjectConfig } from "../../config/types";
import { BackupRules } from "../../modules";

/**
 * The tests' own configuration, one environment per path through the stack: config/environments.ts
 * is the user's to edit, and no test depends on it.
 */
export const DEV: EnvironmentConfig = {
  name: "dev",
  account: "111111111111",
  region: "eu-west-1",
  plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
};

/** Inline policy mode (a team that forbids AWS managed policies), two rules. */
export const STAGING: EnvironmentConfig = {
  name: "staging",
  account: "222222222222",
  region: "eu-west-1",
  plan: { rules: [BackupRules.daily({ keepDays: 14 }), BackupRules.weekly({ keepDays: 35 })] },
  instanceRole: { policyMode: "inline" },
  // Alerts to a topic the operations team already runs.
  alerts: { existingTopicArn: "arn:aws:sns:eu-west-1:222222222222:ops-alerts" },
};

/** Another region, rules in a time zone, association settings of its own. */
export const PROD: EnvironmentConfig = {
  name: "prod",
  account: "333333333333",
  region: "eu-central-1",
  plan: {
    rules: [
      BackupRules.daily({ keepDays: 35, atHour: 1, timezone: "Europe/Berlin" }),
      BackupRules.weekly({ keepDays: 90, atHour: 2, timezone: "Europe/Berlin" }),
      BackupRules.monthly({ keepDays: 365, atHour: 3, timezone: "Europe/Berlin" }),
    ],
  },
  association: { maxConcurrency: "5%", maxErrors: "5%", complianceSeverity: "CRITICAL" },
  alerts: { emails: ["backup-team@example.com", "on-call@example.com"] },
  // A copy of every recovery point in a second region, kept 90 days there.
  disasterRecovery: { region: "eu-west-1", keepDays: 90 },
  // Every Sunday at 04:00 Berlin, the latest recovery point of each instance is restored in a test subnet.
  restoreTesting: {
    schedule: "cron(0 4 ? * SUN *)",
    timezone: "Europe/Berlin",
    subnetId: "subnet-0a1b2c3d4e5f60718",
    securityGroupIds: ["sg-0123456789abcdef0"],
    instanceType: "t3.large",
  },
  vault: {
    createKey: true,
    lock: { mode: "compliance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 400 },
    deletionGuard: {
      exemptRoleArns: [
        "arn:aws:iam::333333333333:role/break-glass",
        "arn:aws:iam::333333333333:role/deploy-vss-backup",
      ],
    },
  },
  // An audit framework over all of it, and a daily job report (no framework reference: moto applies it).
  audit: {
    report: { bucketName: "vss-backup-prod-reports", template: "BACKUP_JOB_REPORT", formats: ["CSV", "JSON"] },
  },
};

export const TEST_PROJECT: ProjectConfig = { project: "vss-backup", environments: [DEV, STAGING, PROD] };

/** The same environments without the protection settings (alerts, DR, vault key, lock and guard, restore testing). */
/** The same environments without the protection settings (alerts, DR, vault key, lock and guard, audit). */
export const PLAIN_PROJECT: ProjectConfig = {
  ...TEST_PROJECT,
  environments: TEST_PROJECT.environments.map((env) => {
    const plain: Record<string, unknown> = { ...env };
    delete plain.alerts;
    delete plain.disasterRecovery;
    delete plain.restoreTesting;
    delete plain.vault;
    delete plain.audit;
    return plain as unknown as EnvironmentConfig;
  }),
};
