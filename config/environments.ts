import { BackupRules } from "../modules/backup-plan";
import type { ProjectConfig } from "./types";

/**
 * Every environment of the project. Adding an environment is adding one entry here; the account
 * IDs are examples to replace with your own.
 */
export const config: ProjectConfig = {
  project: "vss-backup",
  environments: [
    {
      name: "dev",
      account: "111111111111",
      region: "eu-west-1",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    },
    {
      name: "staging",
      account: "222222222222",
      region: "eu-west-1",
      plan: { rules: [BackupRules.daily({ keepDays: 14 }), BackupRules.weekly({ keepDays: 35 })] },
      // Example of a team that forbids AWS managed policies on instance roles.
      instanceRole: { policyMode: "inline" },
    },
    {
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
      vault: {
        // COMPLIANCE: 3 days after the first apply this lock can never be changed or removed, and the
        // vault cannot be deleted before its recovery points expire. The range is explicit (every
        // retention above must stay within 7-400 days) so that a retention change never moves it.
        lock: { mode: "compliance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 400 },
        // Nobody but these roles may delete recovery points, shorten their lifecycle or replace this policy.
        deletionGuard: {
          exemptRoleArns: [
            "arn:aws:iam::333333333333:role/break-glass",
            "arn:aws:iam::333333333333:role/github-deploy-vss-backup",
          ],
        },
      },
      alerts: { emails: ["backup-oncall@example.com"] },
      // A copy of every recovery point in Ireland, kept 90 days there, in a vault with its own key and lock.
      disasterRecovery: { region: "eu-west-1", keepDays: 90 },
      // Every Sunday at 06:00 Berlin (after the weekly backup), the latest recovery point of each tagged
      // instance is restored in an isolated test subnet and deleted again after 2 hours; a failed test
      // reaches the alerts. Replace the IDs with a subnet and security group of your own VPC.
      restoreTesting: {
        schedule: "cron(0 6 ? * SUN *)",
        timezone: "Europe/Berlin",
        subnetId: "subnet-0123456789abcdef0",
        securityGroupIds: ["sg-0123456789abcdef0"],
        instanceType: "m5.large",
        validationWindowHours: 2,
      },
      // AWS Backup Audit Manager: needs AWS Config recording in the account (preflight checks a recorder).
      // Controls: instances in the plan, every 31 days and 35 days kept (derived from the rules),
      // encryption, the deletion guard, the lock and the copy to eu-west-1; a daily compliance report
      // as CSV into an existing bucket whose policy lets AWS Backup write.
      audit: { report: { bucketName: "example-vss-backup-audit-reports" } },
    },
  ],
};
