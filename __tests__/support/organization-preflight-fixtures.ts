// Organization mode's inputs for the organization preflight's tests and benchmark: member stacks as
// the organization's loader resolves them, and a loader that answers only what it is asked.
import type {
  AccountsFile,
  OrganizationConfig,
  ResolvedMember,
  ResolvedOrganization,
} from "../../config/organization-types";
import type { OrganizationLoadOptions } from "../../config/organization-load";
import { resolveEnvironment } from "../../config/resolve";
import type { EnvironmentConfig } from "../../config/types";
import { BackupRules } from "../../modules";
import type { OrganizationSource } from "../../preflight/cli";

export const MANAGEMENT_ACCOUNT = "123456789012";
export const PREFLIGHT_ROLE_NAME = "vss-backup-preflight";

export const ORGANIZATION: OrganizationConfig = {
  project: "vss-backup",
  management: { account: MANAGEMENT_ACCOUNT, region: "eu-west-1" },
  memberRoles: {
    deployRoleName: "vss-backup-deploy",
    planRoleName: "vss-backup-plan",
    preflightRoleName: PREFLIGHT_ROLE_NAME,
  },
  waves: ["non-prod", "prod"],
  templates: [
    {
      name: "workloads",
      ous: ["Root/Workloads"],
      regions: ["eu-west-1"],
      wave: "prod",
      planSource: "account-plan",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    },
  ],
};

/**
 * The environment of a member stack of `account` in `region`, named "a<account>-<region>" as the
 * loader names it. The selection is named: the default, "<project>-<name>-windows-instances", would
 * pass AWS Backup's 50 characters.
 */
export function memberEnvironment(account: string, region: string): EnvironmentConfig {
  return {
    name: `a${account}-${region}`,
    account,
    region,
    plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    selection: { name: "vss-backup-windows-instances" },
  };
}

/** A member stack of `account` in `region`, as the loader resolves it. */
export function member(
  account: { readonly id: string; readonly name: string; readonly ouPath: string },
  region = "eu-west-1",
  homeRegion = region,
): ResolvedMember {
  const env = resolveEnvironment(ORGANIZATION.project, memberEnvironment(account.id, region));
  return {
    ...env,
    member: {
      accountName: account.name,
      ouPath: account.ouPath,
      template: "workloads",
      wave: "prod",
      planSource: "account-plan",
      deployRoleArn: `arn:aws:iam::${account.id}:role/${ORGANIZATION.memberRoles.deployRoleName}`,
      planRoleArn: `arn:aws:iam::${account.id}:role/${ORGANIZATION.memberRoles.planRoleName}`,
      profile: `vss-backup-${env.name}`,
      homeRegion,
      centralBusArn: `arn:aws:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/vss-backup-central`,
    },
  };
}

/** The organization the loader resolves to, with these member stacks. */
export function resolvedOrganization(members: readonly ResolvedMember[]): ResolvedOrganization {
  return {
    management: {
      name: "vss-backup-management",
      account: MANAGEMENT_ACCOUNT,
      region: "eu-west-1",
      organizationId: "o-exampleorgid",
      defaultTags: { Project: "vss-backup", ManagedBy: "cdktf" },
      backend: { type: "local", path: "terraform.vss-backup-management.tfstate" },
      policies: [],
      centralAlerts: {
        busName: "vss-backup-central",
        ruleName: "vss-backup-central-alerts",
        topicName: "vss-backup-central-alerts",
        keyAlias: "alias/vss-backup-central-alerts",
        emails: [],
      },
    },
    members,
    skipped: [],
  };
}

/**
 * Organization mode's inputs whose loader answers only the filters of `answers` (and only for the
 * organization's own configuration and accounts file, at `now`): any other question is an error.
 */
export function organizationSource(
  accounts: AccountsFile,
  now: Date,
  answers: readonly { readonly ou?: string; readonly wave?: string; readonly members: readonly ResolvedMember[] }[],
): OrganizationSource {
  return {
    config: ORGANIZATION,
    accounts,
    loadOrganization: (config, file, options: OrganizationLoadOptions) => {
      const answer = answers.find((a) => a.ou === options.ou && a.wave === options.wave);
      if (config !== ORGANIZATION || file !== accounts || options.now !== now || !answer)
        throw new Error(`the fake loader was not asked this: ${JSON.stringify(options)}`);
      return resolvedOrganization(answer.members);
    },
  };
}
