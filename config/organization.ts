// STUB for the organization preflight's branch: the organization helper's config/organization.ts
// (the organization's configuration, as config/environments.ts is the environments') replaces this
// file when the branches are integrated.
import { BackupRules } from "../modules";
import type { OrganizationConfig } from "./organization-types";

export const organization: OrganizationConfig = {
  project: "vss-backup",
  management: { account: "123456789012", region: "eu-west-1" },
  memberRoles: { deployRoleName: "vss-backup-deploy", preflightRoleName: "vss-backup-preflight" },
  waves: ["prod"],
  templates: [
    {
      name: "prod",
      ous: ["Root"],
      regions: ["eu-west-1"],
      wave: "prod",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    },
  ],
};
