import type { AccountsFile, OrganizationConfig } from "../../config/organization-types";
import { BackupRules } from "../../modules";

/**
 * The tests' own organization: config/organization.ts and config/accounts.json are the user's (and
 * the sync's) to edit, and no test depends on them. A nested OU (Root/Dev/Team), an account directly
 * in the root, and one account of each state that gets no stack.
 */
export const ORG_ACCOUNTS: AccountsFile = {
  organizationId: "o-testorg0001",
  managementAccountId: "123456789012",
  organizationalUnits: [
    { id: "r-t001", path: "Root" },
    { id: "ou-t001-dev00001", path: "Root/Dev" },
    { id: "ou-t001-devteam1", path: "Root/Dev/Team" },
    { id: "ou-t001-other001", path: "Root/Other" },
    { id: "ou-t001-prod0001", path: "Root/Prod" },
  ],
  accounts: [
    { id: "123456789012", name: "management", ouPath: "Root", status: "ACTIVE" },
    { id: "444444444441", name: "legacy-prod", ouPath: "Root", status: "ACTIVE" },
    { id: "111111111111", name: "dev-a", ouPath: "Root/Dev", status: "ACTIVE" },
    { id: "111111111113", name: "dev-old", ouPath: "Root/Dev", status: "SUSPENDED" },
    { id: "111111111112", name: "dev-b", ouPath: "Root/Dev/Team", status: "ACTIVE" },
    { id: "333333333331", name: "tools", ouPath: "Root/Other", status: "ACTIVE" },
    { id: "333333333332", name: "gone", ouPath: "Root/Other", status: "CLOSED" },
    { id: "222222222221", name: "prod-a", ouPath: "Root/Prod", status: "ACTIVE" },
    { id: "222222222222", name: "prod-closing", ouPath: "Root/Prod", status: "PENDING_CLOSURE" },
  ],
};

/**
 * Three templates: dev over an OU with a nested one, in two regions; prod over an OU plus a single
 * account, with a DR copy; tools with plans of their own (account-plan).
 */
export const ORG_CONFIG: OrganizationConfig = {
  project: "acme",
  management: { account: "123456789012", region: "us-east-1", alertEmails: ["oncall@example.com"] },
  memberRoles: { deployRoleName: "acme-deploy", planRoleName: "acme-plan", preflightRoleName: "acme-read" },
  waves: ["dev", "prod"],
  templates: [
    {
      name: "dev",
      ous: ["Root/Dev"],
      regions: ["eu-west-1", "eu-central-1"],
      wave: "dev",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    },
    {
      name: "prod",
      ous: ["Root/Prod"],
      accounts: ["444444444441"],
      regions: ["us-east-1"],
      wave: "prod",
      plan: { rules: [BackupRules.daily({ keepDays: 35 }), BackupRules.monthly({ keepDays: 365 })] },
      disasterRecovery: { region: "us-west-2", keepDays: 60 },
    },
    {
      name: "tools",
      ous: ["Root/Other"],
      regions: ["eu-west-1"],
      wave: "prod",
      planSource: "account-plan",
      plan: { rules: [BackupRules.weekly({ keepDays: 28 })] },
    },
  ],
};
