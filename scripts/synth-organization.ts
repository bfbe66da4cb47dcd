// Benchmark input: synthesizes organization mode at scale into a scratch directory, through the same
// loading and stacks as main.ts: the example environments (config/environments.ts) next to a generated
// organization of <accounts> accounts in three OUs, each with a template (one region) that has every
// protection feature on, plus the management stack.
// VSS_WAVE, VSS_OU, VSS_ENVIRONMENTS and VSS_SYNTH_THREADS work as they do for the app.
// Prints how many stacks each thread wrote: {"stacksPerThread":[...]}.
// Usage: node scripts/run.js scripts/synth-organization.ts <accounts> <outdir>
import { config } from "../config/environments";
import type { AccountsFile, OrganizationConfig, OrganizationTemplate } from "../config/organization-types";
import { loadStacks } from "../config/stacks";
import { BackupRules } from "../modules/backup-plan";
import { synthesize } from "../stacks/synthesize";

const count = Number(process.argv[2] ?? 500);
const outdir = process.argv[3];
if (!Number.isInteger(count) || count < 1 || !outdir) {
  console.error("usage: node scripts/run.js scripts/synth-organization.ts <accounts> <outdir>");
  process.exit(2);
}

const ous = [
  { id: "ou-b3n4-sandbox01", path: "Root/Sandbox", template: "sandbox", wave: "sandbox" },
  { id: "ou-b3n4-nonprod01", path: "Root/Workloads/NonProd", template: "nonprod", wave: "non-prod" },
  { id: "ou-b3n4-prod0001", path: "Root/Workloads/Prod", template: "prod", wave: "prod" },
] as const;
const accounts: AccountsFile = {
  organizationId: "o-benchorg001",
  managementAccountId: "999999999999",
  organizationalUnits: [
    { id: "r-b3n4", path: "Root" },
    { id: "ou-b3n4-workload0", path: "Root/Workloads" },
    ...ous.map(({ id, path }) => ({ id, path })),
  ],
  accounts: [
    { id: "999999999999", name: "management", ouPath: "Root", status: "ACTIVE" },
    ...Array.from({ length: count }, (_, i) => ({
      id: String(500_000_000_000 + i),
      name: `workload-${i + 1}`,
      ouPath: ous[i % ous.length].path,
      status: "ACTIVE" as const,
    })),
  ],
};

// What every template has on: vault lock, a DR copy (with its own lock), alerts (forwarded to the central
// bus) and restore testing. Audit is not allowed under a backup policy, so only the account-plan template has it.
const protection = {
  vault: { lock: { mode: "compliance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 400 } },
  disasterRecovery: { region: "eu-north-1", keepDays: 90 },
  alerts: {},
  restoreTesting: {
    schedule: "cron(0 6 ? * SUN *)",
    subnetId: "subnet-0123456789abcdef0",
    securityGroupIds: ["sg-0123456789abcdef0"],
    instanceType: "m5.large",
  },
} satisfies Partial<OrganizationTemplate>;
const organization: OrganizationConfig = {
  project: "vss-backup",
  management: { account: "999999999999", region: "eu-west-1", alertEmails: ["backup-oncall@example.com"] },
  memberRoles: {
    deployRoleName: "vss-backup-deploy",
    planRoleName: "vss-backup-plan",
    preflightRoleName: "vss-backup-preflight",
  },
  waves: ous.map((ou) => ou.wave),
  templates: [
    {
      ...protection,
      name: "sandbox",
      ous: [ous[0].path],
      regions: ["eu-west-1"],
      wave: ous[0].wave,
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    },
    {
      ...protection,
      name: "nonprod",
      ous: [ous[1].path],
      regions: ["eu-west-1"],
      wave: ous[1].wave,
      planSource: "account-plan",
      plan: { rules: [BackupRules.daily({ keepDays: 14 }), BackupRules.weekly({ keepDays: 35 })] },
      audit: {},
    },
    {
      ...protection,
      name: "prod",
      ous: [ous[2].path],
      regions: ["eu-central-1"],
      wave: ous[2].wave,
      plan: {
        rules: [
          BackupRules.daily({ keepDays: 35, atHour: 23 }),
          BackupRules.weekly({ keepDays: 90, atHour: 0 }),
          BackupRules.monthly({ keepDays: 365, atHour: 1 }),
        ],
      },
    },
  ],
};

const sources = { project: config, organization: { config: organization, accounts: () => accounts } };
void synthesize({
  load: (now) => loadStacks(sources, process.env, now),
  appConfig: { outdir },
  variables: process.env,
}).then((summary) => summary && console.log(JSON.stringify(summary)));
