import { BackupRules } from "../modules/backup-plan";
import type { OrganizationConfig } from "./organization-types";

/**
 * Organization mode: one management stack (backup policies, central alerts) and a member stack per
 * account and region of each template. The accounts come from config/accounts.json, which
 * `npm run accounts -- sync` rewrites from AWS Organizations (commit it after review: synth reads
 * only that file). The IDs here and there are examples to replace with your own; `undefined` turns
 * organization mode off.
 */
export const organization: OrganizationConfig | undefined = {
  project: "vss-backup",
  // The management account (or a delegated administrator for backup policies): the policies and the
  // central event bus and alert topic that every member account's alerts reach.
  management: { account: "999999999999", region: "eu-west-1", alertEmails: ["backup-oncall@example.com"] },
  // Roles every member account has (e.g. from a StackSet): a wave's apply deploys the member stacks
  // through the first, its plan reads through the second (read-only), `preflight --organization` through the third.
  memberRoles: {
    deployRoleName: "vss-backup-deploy",
    planRoleName: "vss-backup-plan",
    preflightRoleName: "vss-backup-preflight",
  },
  // Deploy order: a failed wave stops the later ones.
  waves: ["sandbox", "non-prod", "prod"],
  templates: [
    {
      name: "sandbox",
      ous: ["Root/Sandbox"],
      regions: ["eu-west-1"],
      wave: "sandbox",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    },
    {
      // Two regions: the first (eu-west-1) holds each account's IAM roles, the second uses them.
      name: "nonprod",
      ous: ["Root/Workloads/NonProd"],
      regions: ["eu-west-1", "eu-central-1"],
      wave: "non-prod",
      plan: { rules: [BackupRules.daily({ keepDays: 14 }), BackupRules.weekly({ keepDays: 35 })] },
    },
    {
      name: "prod",
      ous: ["Root/Workloads/Prod"],
      regions: ["eu-central-1"],
      wave: "prod",
      // A backup policy reads its schedules in UTC (it has no time zone): 23:00, 00:00 and 01:00 UTC are
      // after midnight in Berlin in winter.
      plan: {
        rules: [
          BackupRules.daily({ keepDays: 35, atHour: 23 }),
          BackupRules.weekly({ keepDays: 90, atHour: 0 }),
          BackupRules.monthly({ keepDays: 365, atHour: 1 }),
        ],
      },
      vault: {
        // COMPLIANCE: 3 days after the first apply this lock can never be changed or removed in any
        // prod account. The range is explicit so that a retention change never moves it.
        lock: { mode: "compliance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 400 },
      },
      // A copy of every recovery point in Ireland, in each prod account, kept 90 days there.
      disasterRecovery: { region: "eu-west-1", keepDays: 90 },
    },
    {
      // One account outside the OUs above, with a plan of its own instead of the organization's policy.
      name: "shared",
      accounts: ["200000000001"],
      regions: ["eu-west-1"],
      wave: "prod",
      planSource: "account-plan",
      plan: { rules: [BackupRules.daily({ keepDays: 30 })] },
    },
  ],
};
