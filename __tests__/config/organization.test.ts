import accountsJson from "../../config/accounts.json";
import { organization } from "../../config/organization";
import { loadOrganization, OrganizationLoadOptions } from "../../config/organization-load";
import type { AccountsFile, OrganizationConfig, OrganizationTemplate } from "../../config/organization-types";
import type { EnvironmentConfig } from "../../config/types";
import { loadEnvironments } from "../../config/validate";
import { BackupRules, ValidationError } from "../../modules";
import { NOW } from "../support/clock";
import { ORG_ACCOUNTS, ORG_CONFIG } from "../support/organization-fixtures";

function load(config = ORG_CONFIG, accounts = ORG_ACCOUNTS, options: Partial<OrganizationLoadOptions> = {}) {
  return loadOrganization(config, accounts, { now: NOW, ...options });
}

function problemsOf(config: unknown, accounts: unknown = ORG_ACCOUNTS, options: Partial<OrganizationLoadOptions> = {}) {
  try {
    load(config as OrganizationConfig, accounts as AccountsFile, options);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

/** The fixture with template `name` changed (keys set to undefined are removed). */
function withTemplate(name: string, change: Record<string, unknown>): OrganizationConfig {
  return {
    ...ORG_CONFIG,
    templates: ORG_CONFIG.templates.map((t) =>
      t.name === name
        ? (Object.fromEntries(
            Object.entries({ ...t, ...change }).filter(([, v]) => v !== undefined),
          ) as unknown as OrganizationTemplate)
        : t,
    ),
  };
}

const withTemplates = (...extra: Record<string, unknown>[]): OrganizationConfig => ({
  ...ORG_CONFIG,
  templates: [...ORG_CONFIG.templates, ...(extra as unknown as OrganizationTemplate[])],
});

const withAccounts = (change: Record<string, unknown>): AccountsFile =>
  ({ ...ORG_ACCOUNTS, ...change }) as AccountsFile;

const DAILY_7 = { name: "daily", schedule: "cron(0 5 ? * * *)", deleteAfterDays: 7 };
const BACKUP_TAG = { key: "Backup", value: "windows-vss" };

describe("loadOrganization: the members", () => {
  it("expands each template over its OUs (and those below them) and its accounts, times its regions: wave order, then account ID, then region order", () => {
    const members = load().members.map((m) => [m.name, m.account, m.region, m.member.template]);
    expect(members).toEqual([
      ["a111111111111-eu-west-1", "111111111111", "eu-west-1", "dev"],
      ["a111111111111-eu-central-1", "111111111111", "eu-central-1", "dev"],
      ["a111111111112-eu-west-1", "111111111112", "eu-west-1", "dev"], // in Root/Dev/Team, below Root/Dev
      ["a111111111112-eu-central-1", "111111111112", "eu-central-1", "dev"],
      ["a222222222221-us-east-1", "222222222221", "us-east-1", "prod"],
      ["a333333333331-eu-west-1", "333333333331", "eu-west-1", "tools"],
      ["a444444444441-us-east-1", "444444444441", "us-east-1", "prod"], // a single account, in the root
    ]);
  });

  it("resolves a member as an environment whose names are its template's, the same in every account", () => {
    const member = load().members.find((m) => m.name === "a111111111111-eu-central-1");
    expect(member).toEqual({
      name: "a111111111111-eu-central-1",
      account: "111111111111",
      region: "eu-central-1",
      defaultTags: { Project: "acme", Environment: "a111111111111-eu-central-1", ManagedBy: "cdktf" },
      selectionTag: BACKUP_TAG,
      instanceRole: { roleName: "acme-dev-vss-instance" },
      vault: {
        name: "acme-dev",
        lock: { mode: "governance", minRetentionDays: 7, maxRetentionDays: 7, derived: true },
      },
      plan: { name: "acme-dev", rules: [DAILY_7] },
      selection: { name: "acme-dev-windows-instances" },
      backupServiceRole: { roleName: "acme-dev-backup-service" },
      association: { name: "acme-dev-AwsVssComponents" },
      backend: { type: "local", path: "../../../terraform-state/a111111111111-eu-central-1.tfstate" },
      alerts: {
        ruleName: "acme-dev-backup-alerts",
        subject: "environment a111111111111-eu-central-1",
        failedRestoreTests: false,
        topic: { name: "acme-dev-backup-alerts", keyAlias: "alias/acme-dev-backup-alerts", emails: [] },
      },
      member: {
        accountName: "dev-a",
        ouPath: "Root/Dev",
        template: "dev",
        wave: "dev",
        planSource: "organization-policy",
        deployRoleArn: "arn:aws:iam::111111111111:role/acme-deploy",
        planRoleArn: "arn:aws:iam::111111111111:role/acme-plan",
        profile: "acme-a111111111111-eu-central-1",
        homeRegion: "eu-west-1",
        centralBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/acme-backup-alerts",
      },
    });
  });

  it("gives every member its account, OU, wave and plan source, and its template's first region as home", () => {
    const fields = load().members.map(({ name, member }) => [
      name,
      member.accountName,
      member.ouPath,
      member.wave,
      member.planSource,
      member.homeRegion,
      member.deployRoleArn,
    ]);
    expect(fields).toEqual([
      [
        "a111111111111-eu-west-1",
        "dev-a",
        "Root/Dev",
        "dev",
        "organization-policy",
        "eu-west-1",
        "arn:aws:iam::111111111111:role/acme-deploy",
      ],
      [
        "a111111111111-eu-central-1",
        "dev-a",
        "Root/Dev",
        "dev",
        "organization-policy",
        "eu-west-1",
        "arn:aws:iam::111111111111:role/acme-deploy",
      ],
      [
        "a111111111112-eu-west-1",
        "dev-b",
        "Root/Dev/Team",
        "dev",
        "organization-policy",
        "eu-west-1",
        "arn:aws:iam::111111111112:role/acme-deploy",
      ],
      [
        "a111111111112-eu-central-1",
        "dev-b",
        "Root/Dev/Team",
        "dev",
        "organization-policy",
        "eu-west-1",
        "arn:aws:iam::111111111112:role/acme-deploy",
      ],
      [
        "a222222222221-us-east-1",
        "prod-a",
        "Root/Prod",
        "prod",
        "organization-policy",
        "us-east-1",
        "arn:aws:iam::222222222221:role/acme-deploy",
      ],
      [
        "a333333333331-eu-west-1",
        "tools",
        "Root/Other",
        "prod",
        "account-plan",
        "eu-west-1",
        "arn:aws:iam::333333333331:role/acme-deploy",
      ],
      [
        "a444444444441-us-east-1",
        "legacy-prod",
        "Root",
        "prod",
        "organization-policy",
        "us-east-1",
        "arn:aws:iam::444444444441:role/acme-deploy",
      ],
    ]);
  });

  it("keeps the plan resolved on organization-policy members (preflight and review read its rules)", () => {
    const prod = load().members.find((m) => m.name === "a222222222221-us-east-1")!;
    expect(prod.plan).toEqual({
      name: "acme-prod",
      rules: [
        { name: "daily", schedule: "cron(0 5 ? * * *)", deleteAfterDays: 35 },
        { name: "monthly", schedule: "cron(0 5 1 * ? *)", deleteAfterDays: 365 },
      ],
    });
    expect(prod.disasterRecovery).toEqual({
      region: "us-west-2",
      keepDays: 60,
      vault: {
        name: "acme-prod-dr",
        keyAlias: "alias/acme-prod-dr-vault",
        lock: { mode: "governance", minRetentionDays: 60, maxRetentionDays: 60, derived: true },
      },
    });
  });

  it("puts each member's state in its own place of memberBackend", () => {
    const config = { ...ORG_CONFIG, memberBackend: { type: "s3" as const, bucket: "acme-state", region: "eu-west-1" } };
    expect(load(config).members[0].backend).toEqual({
      type: "s3",
      bucket: "acme-state",
      region: "eu-west-1",
      key: "acme/a111111111111-eu-west-1/terraform.tfstate",
      kmsKeyId: undefined,
    });
  });

  it("skips suspended, closing and closed accounts with the reason, in wave order then account ID", () => {
    expect(load().skipped).toEqual([
      {
        accountId: "111111111113",
        name: "dev-old",
        reason: "suspended (status SUSPENDED): no stack until it is ACTIVE again",
      },
      { accountId: "222222222222", name: "prod-closing", reason: "being closed (status PENDING_CLOSURE): no stack" },
      { accountId: "333333333332", name: "gone", reason: "closed (status CLOSED): no stack" },
    ]);
  });

  it("orders members and skipped accounts by the waves' order before account ID", () => {
    const { members, skipped } = load({ ...ORG_CONFIG, waves: ["prod", "dev"] });
    expect(members.map((m) => m.name)).toEqual([
      "a222222222221-us-east-1",
      "a333333333331-eu-west-1",
      "a444444444441-us-east-1",
      "a111111111111-eu-west-1",
      "a111111111111-eu-central-1",
      "a111111111112-eu-west-1",
      "a111111111112-eu-central-1",
    ]);
    expect(skipped.map((s) => s.accountId)).toEqual(["222222222222", "333333333332", "111111111113"]);
  });

  it("lets an account-plan template's members use an existing backup service role", () => {
    const backupServiceRole = { existingRoleArn: "arn:aws:iam::333333333331:role/backup" };
    const tools = load(withTemplate("tools", { backupServiceRole })).members.find((m) => m.member.template === "tools");
    expect(tools?.backupServiceRole).toEqual({ existingRoleArn: "arn:aws:iam::333333333331:role/backup" });
  });

  it("skips the management account in an account-plan template, saying why", () => {
    const { members, skipped } = load(withTemplate("tools", { ous: ["Root/Other"], accounts: ["123456789012"] }));
    expect(members.map((m) => m.account)).not.toContain("123456789012");
    expect(skipped).toContainEqual({
      accountId: "123456789012",
      name: "management",
      reason: "the management account: it holds no member stacks (AWS advises keeping workloads out of it)",
    });
  });
});

describe("loadOrganization: the management stack", () => {
  it("has a backup policy per organization-policy template, attached to its OUs' IDs and its accounts", () => {
    expect(load().management).toEqual({
      name: "acme-management",
      account: "123456789012",
      region: "us-east-1",
      organizationId: "o-testorg0001",
      defaultTags: { Project: "acme", Environment: "acme-management", ManagedBy: "cdktf" },
      backend: { type: "local", path: "../../../terraform-state/management.tfstate" },
      policies: [
        {
          template: "dev",
          policyName: "acme-dev-vss",
          planName: "acme-dev",
          selectionName: "acme-dev-windows-instances",
          rules: [DAILY_7],
          regions: ["eu-west-1", "eu-central-1"],
          selectionTag: BACKUP_TAG,
          vaultName: "acme-dev",
          serviceRoleName: "acme-dev-backup-service",
          targetIds: ["ou-t001-dev00001"],
        },
        {
          template: "prod",
          policyName: "acme-prod-vss",
          planName: "acme-prod",
          selectionName: "acme-prod-windows-instances",
          rules: [
            { name: "daily", schedule: "cron(0 5 ? * * *)", deleteAfterDays: 35 },
            { name: "monthly", schedule: "cron(0 5 1 * ? *)", deleteAfterDays: 365 },
          ],
          regions: ["us-east-1"],
          selectionTag: BACKUP_TAG,
          vaultName: "acme-prod",
          serviceRoleName: "acme-prod-backup-service",
          copy: { region: "us-west-2", vaultName: "acme-prod-dr", keepDays: 60 },
          targetIds: ["ou-t001-prod0001", "444444444441"],
        },
      ],
      centralAlerts: {
        busName: "acme-backup-alerts",
        ruleName: "acme-backup-alerts",
        topicName: "acme-backup-alerts",
        keyAlias: "alias/acme-backup-alerts",
        emails: ["oncall@example.com"],
      },
    });
  });

  it("attaches a template of accounts only to those accounts, and has no alert addresses unless given", () => {
    const config = {
      ...withTemplate("prod", { ous: undefined, disasterRecovery: { region: "us-west-2" } }),
      management: { account: "123456789012", region: "us-east-1" },
    };
    const { management } = load(config);
    expect(management.policies[1].targetIds).toEqual(["444444444441"]);
    expect(management.policies[1].copy).toStrictEqual({ region: "us-west-2", vaultName: "acme-prod-dr" });
    expect(management.centralAlerts.emails).toEqual([]);
  });

  it("names the policy's vault, role, plan and selection as its template's members do, tag and names overridden", () => {
    const config = withTemplate("dev", {
      selectionTag: { key: "vss", value: "on" },
      vault: { name: "dev-vault" },
      backupServiceRole: { roleName: "dev-backup" },
      plan: { name: "dev-plan", rules: [BackupRules.daily({ keepDays: 7 })] },
      selection: { name: "dev-selection" },
    });
    const { management, members } = load(config);
    const policy = management.policies[0];
    expect([policy.vaultName, policy.serviceRoleName, policy.planName, policy.selectionName]).toEqual([
      "dev-vault",
      "dev-backup",
      "dev-plan",
      "dev-selection",
    ]);
    expect(policy.selectionTag).toEqual({ key: "vss", value: "on" });
    expect(members[0].vault.name).toBe("dev-vault");
    expect(members[0].backupServiceRole).toEqual({ roleName: "dev-backup" });
  });

  it("accepts the management account by the accounts file's managementAccountId alone", () => {
    const accounts = withAccounts({ accounts: ORG_ACCOUNTS.accounts.filter((a) => a.id !== "123456789012") });
    expect(load(ORG_CONFIG, accounts).management.account).toBe("123456789012");
  });

  it("refuses a management backend terraform init would refuse, naming the management state key", () => {
    const backend = { type: "s3" as const, bucket: "acme-state", region: "us-east-1", keyPrefix: "/states/" };
    expect(problemsOf({ ...ORG_CONFIG, management: { ...ORG_CONFIG.management, backend } })).toEqual([
      'management.backend.keyPrefix: "/states/" makes the state key "/states/management/terraform.tfstate", which terraform init refuses; allowed: a prefix like "team/backups/", without a leading \'/\' or \'//\' (or set VSS_S3_KEY_PREFIX)',
    ]);
  });

  it("keeps its state where the management backend says, under the name management", () => {
    const config = {
      ...ORG_CONFIG,
      management: { ...ORG_CONFIG.management, backend: { type: "cloud" as const, organization: "acme-corp" } },
    };
    expect(load(config).management.backend).toEqual({
      type: "cloud",
      organization: "acme-corp",
      workspace: "acme-management",
      project: undefined,
      hostname: undefined,
    });
  });
});

describe("loadOrganization: wave and OU filters", () => {
  it("returns only the members (and skipped accounts) of the wave; the management stack always", () => {
    const prod = load(ORG_CONFIG, ORG_ACCOUNTS, { wave: "prod" });
    expect(prod.members.map((m) => m.name)).toEqual([
      "a222222222221-us-east-1",
      "a333333333331-eu-west-1",
      "a444444444441-us-east-1",
    ]);
    expect(prod.skipped.map((s) => s.accountId)).toEqual(["222222222222", "333333333332"]);
    expect(prod.management.policies.map((p) => p.template)).toEqual(["dev", "prod"]);
  });

  it("returns only the members of accounts in the OU or below it", () => {
    expect(load(ORG_CONFIG, ORG_ACCOUNTS, { ou: "Root/Dev" }).members.map((m) => m.name)).toEqual([
      "a111111111111-eu-west-1",
      "a111111111111-eu-central-1",
      "a111111111112-eu-west-1",
      "a111111111112-eu-central-1",
    ]);
    const team = load(ORG_CONFIG, ORG_ACCOUNTS, { ou: "Root/Dev/Team" });
    expect(team.members.map((m) => m.name)).toEqual(["a111111111112-eu-west-1", "a111111111112-eu-central-1"]);
    expect(team.skipped).toEqual([]);
  });

  it("combines wave and OU", () => {
    expect(load(ORG_CONFIG, ORG_ACCOUNTS, { wave: "dev", ou: "Root/Prod" }).members).toEqual([]);
  });

  it("refuses an unknown wave or OU, naming the known ones", () => {
    expect(problemsOf(ORG_CONFIG, ORG_ACCOUNTS, { wave: "production", ou: "Root/Dev/" })).toEqual([
      'wave: "production" is not a wave, allowed: one of dev, prod',
      'ou: "Root/Dev/" is not an OU of the accounts file, allowed: one of Root, Root/Dev, Root/Dev/Team, Root/Other, Root/Prod',
    ]);
  });
});

describe("loadOrganization: IAM names are account-wide", () => {
  it("lets the regions of one template's account share its roles: only the home region's stack creates them", () => {
    const names = load()
      .members.filter((m) => m.account === "111111111111")
      .map((m) => [m.region, m.instanceRole, m.backupServiceRole]);
    expect(names).toEqual([
      ["eu-west-1", { roleName: "acme-dev-vss-instance" }, { roleName: "acme-dev-backup-service" }],
      ["eu-central-1", { roleName: "acme-dev-vss-instance" }, { roleName: "acme-dev-backup-service" }],
    ]);
  });

  it("flags a hand-written environment's role in a member account, on the member's home region only", () => {
    const handWritten: EnvironmentConfig = {
      name: "legacy",
      account: "111111111111",
      region: "eu-central-1",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
      instanceRole: { roleName: "acme-dev-vss-instance" },
      selectionTag: { key: "Backup", value: "legacy-vss" },
    };
    const alongside = loadEnvironments({ project: "acme", environments: [handWritten] }, { now: NOW });
    expect(problemsOf(ORG_CONFIG, ORG_ACCOUNTS, { alongside })).toEqual([
      'templates[dev] a111111111111-eu-west-1.instanceRole.roleName: "acme-dev-vss-instance" is also a role of legacy in account 111111111111 (IAM names are account-wide); allowed: a different one',
      'templates[dev] a111111111111-eu-west-1.instanceRole.instanceProfileName: "acme-dev-vss-instance" is also an instance profile of legacy in account 111111111111 (IAM names are account-wide); allowed: a different one',
    ]);
  });

  it("leaves clashes among the hand-written environments to their own validation", () => {
    const handWritten: EnvironmentConfig = {
      name: "legacy",
      account: "999999999999",
      region: "eu-central-1",
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    };
    const once = () => loadEnvironments({ project: "acme", environments: [handWritten] }, { now: NOW });
    expect(problemsOf(ORG_CONFIG, ORG_ACCOUNTS, { alongside: [...once(), ...once()] })).toEqual([]);
  });

  it("flags two templates that reach one account, and the names their stacks would both claim", () => {
    const extra = {
      name: "extra",
      accounts: ["111111111112"],
      regions: ["eu-west-1"],
      wave: "dev",
      instanceRole: { roleName: "acme-dev-vss-instance" },
      plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
    };
    expect(problemsOf(withTemplates(extra))).toEqual([
      'templates[extra].accounts[0]: account 111111111112 ("dev-b") is also in templates[dev] (through OU "Root/Dev"), allowed: one template per account',
      "templates[extra] a111111111112-eu-west-1.name: another environment has the same name; allowed: a different one",
      "templates[extra] a111111111112-eu-west-1.selectionTag: Backup=windows-vss is also selected by a111111111112-eu-west-1 in 111111111112/eu-west-1: both would back up the same instances; allowed: a different one",
      'templates[extra] a111111111112-eu-west-1.instanceRole.roleName: "acme-dev-vss-instance" is also a role of a111111111112-eu-west-1 in account 111111111112 (IAM names are account-wide); allowed: a different one',
      'templates[extra] a111111111112-eu-west-1.instanceRole.instanceProfileName: "acme-dev-vss-instance" is also an instance profile of a111111111112-eu-west-1 in account 111111111112 (IAM names are account-wide); allowed: a different one',
    ]);
  });
});

describe("loadOrganization: validation", () => {
  it("throws one ValidationError listing every problem, one line each", () => {
    const config = { ...ORG_CONFIG, project: "Acme", waves: ["dev", "prod", "dev"] };
    expect(() => load(config)).toThrow(
      [
        "Invalid organization configuration (2 problems):",
        '  project: "Acme" is not allowed, allowed: 1-20 of a-z 0-9 - starting with a letter',
        '  waves[2]: "dev" is listed twice, allowed: each wave once',
      ].join("\n"),
    );
  });

  it.each<[string, OrganizationConfig, string[]]>([
    [
      "a template OU the accounts file does not know",
      withTemplate("dev", { ous: ["Root/Dev", "Root/Development"] }),
      [
        'templates[dev].ous[1]: "Root/Development" is not an OU of the accounts file, allowed: one of Root, Root/Dev, Root/Dev/Team, Root/Other, Root/Prod (a new OU: run npm run accounts -- sync)',
      ],
    ],
    [
      "an OU listed twice",
      withTemplate("dev", { ous: ["Root/Dev", "Root/Dev"] }),
      ['templates[dev].ous[1]: "Root/Dev" is listed twice, allowed: each OU once'],
    ],
    [
      "a single account the accounts file does not know, or not an account ID",
      withTemplate("prod", { accounts: ["444444444441", "555555555555", "5555"] }),
      [
        'templates[prod].accounts[1]: "555555555555" is not an account of the accounts file, allowed: the ID of one of its 9 accounts (a new account: run npm run accounts -- sync)',
        'templates[prod].accounts[2]: "5555" is not an AWS account ID, allowed: 12 digits',
      ],
    ],
    [
      "a single account listed twice",
      withTemplate("prod", { accounts: ["444444444441", "444444444441"] }),
      ['templates[prod].accounts[1]: "444444444441" is listed twice, allowed: each account once'],
    ],
    [
      "a wave that is not in waves",
      withTemplate("dev", { wave: "development" }),
      ['templates[dev].wave: "development" is not a wave, allowed: one of dev, prod'],
    ],
    [
      "a plan source that does not exist",
      withTemplate("dev", { planSource: "policy" }),
      ['templates[dev].planSource: "policy" is not a plan source, allowed: "organization-policy" or "account-plan"'],
    ],
    [
      "a template with neither OUs nor accounts",
      withTemplate("prod", { ous: [], accounts: undefined }),
      ["templates[prod]: has no ous and no accounts, allowed: at least one OU path or account ID of the accounts file"],
    ],
    [
      "an empty regions list",
      withTemplate("dev", { regions: [] }),
      ["templates[dev].regions: is empty, allowed: at least one region"],
    ],
    [
      "a region listed twice",
      withTemplate("dev", { regions: ["eu-west-1", "eu-central-1", "eu-west-1"] }),
      ['templates[dev].regions[2]: "eu-west-1" is listed twice, allowed: each region once'],
    ],
    [
      "a region the provider does not accept",
      withTemplate("prod", { regions: ["us-gov-west-1"] }),
      [
        'templates[prod].regions[0]: "us-gov-west-1" is outside the commercial partition, whose arn:aws: ARNs the stacks write; allowed: a commercial region such as eu-west-1',
      ],
    ],
    [
      "an existing service role in an organization-policy template",
      withTemplate("prod", { backupServiceRole: { existingRoleArn: "arn:aws:iam::222222222221:role/backup" } }),
      [
        'templates[prod].backupServiceRole.existingRoleArn: is set, allowed: with planSource "organization-policy" a role the member stacks create (roleName): the policy names one role for every account',
        'templates[prod] a444444444441-us-east-1.backupServiceRole.existingRoleArn: "arn:aws:iam::222222222221:role/backup" is in account 222222222221, allowed: an IAM role of the environment\'s account 444444444441',
      ],
    ],
  ])("%s", (_, config, expected) => {
    expect(problemsOf(config)).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ["capitals", "Dev", '"Dev" is not allowed, allowed: 1-16 of a-z 0-9 - starting with a letter'],
    [
      "17 characters",
      "development-team1",
      '"development-team1" is not allowed, allowed: 1-16 of a-z 0-9 - starting with a letter',
    ],
    ["a leading digit", "1dev", '"1dev" is not allowed, allowed: 1-16 of a-z 0-9 - starting with a letter'],
  ])("refuses a template name with %s", (_, name, message) => {
    expect(problemsOf(withTemplate("tools", { name }))[0]).toBe(`templates[${name}].name: ${message}`);
  });

  it("accepts a template name of 16 characters", () => {
    expect(problemsOf(withTemplate("tools", { name: "tools-and-infra1" }))).toEqual([]);
  });

  it("refuses two templates of one name", () => {
    const copy = { ...ORG_CONFIG.templates[2], ous: [], accounts: ["444444444441"] };
    expect(problemsOf(withTemplates(copy))).toContain(
      'templates[tools].name: "tools" is also the name of templates[2], allowed: a name of its own (it is in the names of what the stacks create)',
    );
  });

  it("refuses an organization-policy template that reaches the management account, through an OU or by ID", () => {
    expect(problemsOf(withTemplate("prod", { ous: ["Root"], accounts: undefined }))).toContain(
      'templates[prod].ous[0]: reaches the management account 123456789012 (through OU "Root"): the backup policy would apply there too (a management policy reaches every account below where it is attached), but the management account gets no member stack to create the vault and role it names; allowed: OUs and accounts without the management account, or planSource "account-plan"',
    );
    expect(problemsOf(withTemplate("prod", { accounts: ["123456789012"] }))).toEqual([
      'templates[prod].accounts[0]: reaches the management account 123456789012 (through its accounts): the backup policy would apply there too (a management policy reaches every account below where it is attached), but the management account gets no member stack to create the vault and role it names; allowed: OUs and accounts without the management account, or planSource "account-plan"',
    ]);
  });

  it("refuses a management account that is not an account ID, or not of the organization, and a bad region", () => {
    const config = (account: string, region = "us-east-1") => ({
      ...ORG_CONFIG,
      management: { ...ORG_CONFIG.management, account, region },
    });
    expect(problemsOf(config("12345", "us-east-9"))).toEqual([
      'management.account: "12345" is not an AWS account ID, allowed: 12 digits',
      `management.region: "us-east-9" is not a region hashicorp/aws 5.100.0 accepts, allowed: one of ${REGIONS}`,
    ]);
    expect(problemsOf(config("999999999999"))).toEqual([
      'management.account: "999999999999" is not an account of the organization in the accounts file, allowed: its management account (123456789012) or a delegated administrator',
    ]);
  });

  it("accepts a delegated administrator (a member account) as the management stack's account", () => {
    const config = { ...ORG_CONFIG, management: { ...ORG_CONFIG.management, account: "333333333331" } };
    expect(load(config).members[0].member.centralBusArn).toBe(
      "arn:aws:events:us-east-1:333333333331:event-bus/acme-backup-alerts",
    );
  });

  it("refuses member role names IAM would refuse", () => {
    const memberRoles = { deployRoleName: "acme deploy", planRoleName: "acme/plan", preflightRoleName: "r".repeat(65) };
    expect(problemsOf({ ...ORG_CONFIG, memberRoles })).toEqual([
      `memberRoles.deployRoleName: "acme deploy" has ' ', allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _`,
      `memberRoles.planRoleName: "acme/plan" has '/', allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _`,
      `memberRoles.preflightRoleName: "${"r".repeat(65)}" has 65 characters, allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _`,
    ]);
  });

  it("refuses the deploy role as the plan or preflight role (IAM role names ignore case)", () => {
    const memberRoles = {
      deployRoleName: "acme-deploy",
      planRoleName: "ACME-Deploy",
      preflightRoleName: "acme-deploy",
    };
    expect(problemsOf({ ...ORG_CONFIG, memberRoles })).toEqual([
      'memberRoles.planRoleName: "ACME-Deploy" is the deploy role (memberRoles.deployRoleName), allowed: a read-only role of its own',
      'memberRoles.preflightRoleName: "acme-deploy" is the deploy role (memberRoles.deployRoleName), allowed: a read-only role of its own',
    ]);
  });

  it("requires the member plan role: a wave's plan reads the member accounts through it", () => {
    const memberRoles = { deployRoleName: "acme-deploy", preflightRoleName: "acme-read" };
    expect(problemsOf({ ...ORG_CONFIG, memberRoles })).toEqual([
      "memberRoles.planRoleName: is missing, allowed: a string",
    ]);
  });

  it("refuses empty waves and templates, and bad alert addresses", () => {
    const config = {
      ...ORG_CONFIG,
      management: { ...ORG_CONFIG.management, alertEmails: ["oncall"] },
      waves: [],
      templates: [],
    };
    expect(problemsOf(config)).toEqual([
      'management.alertEmails[0]: "oncall" is not an e-mail address, allowed: name@domain',
      'waves: is empty, allowed: at least one wave, e.g. ["prod"]',
      "templates: is empty, allowed: at least one template",
    ]);
  });

  it("reports a problem every member of a template has once, under the template's field", () => {
    const config = withTemplate("dev", { plan: { rules: [{ ...DAILY_7, schedule: "cron(0 25 ? * * *)" }] } });
    expect(problemsOf(config)).toEqual([
      "templates[dev].plan.rules[0].schedule: \"cron(0 25 ? * * *)\": hours '25' is not valid, allowed: 0-23 with , - * /",
    ]);
  });

  it("reports a problem of some members under the template and the member (account and region)", () => {
    const guard = { exemptRoleArns: ["arn:aws:iam::111111111111:role/break-glass"] };
    expect(problemsOf(withTemplate("dev", { vault: { deletionGuard: guard } }))).toEqual([
      'templates[dev] a111111111112-eu-west-1.vault.deletionGuard.exemptRoleArns[0]: "arn:aws:iam::111111111111:role/break-glass" is in account 111111111111, allowed: an IAM role of the environment\'s account 111111111112',
      'templates[dev] a111111111112-eu-central-1.vault.deletionGuard.exemptRoleArns[0]: "arn:aws:iam::111111111111:role/break-glass" is in account 111111111111, allowed: an IAM role of the environment\'s account 111111111112',
    ]);
  });

  it("reports under each member a problem every member has, but each a different one", () => {
    const exemptRoleArns = ["arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111112:role/b"];
    const inFirst =
      'vault.deletionGuard.exemptRoleArns[1]: "arn:aws:iam::111111111112:role/b" is in account 111111111112, allowed: an IAM role of the environment\'s account 111111111111';
    const inSecond =
      'vault.deletionGuard.exemptRoleArns[0]: "arn:aws:iam::111111111111:role/a" is in account 111111111111, allowed: an IAM role of the environment\'s account 111111111112';
    expect(problemsOf(withTemplate("dev", { vault: { deletionGuard: { exemptRoleArns } } }))).toEqual([
      `templates[dev] a111111111111-eu-west-1.${inFirst}`,
      `templates[dev] a111111111111-eu-central-1.${inFirst}`,
      `templates[dev] a111111111112-eu-west-1.${inSecond}`,
      `templates[dev] a111111111112-eu-central-1.${inSecond}`,
    ]);
  });

  it("judges the rules of a template without accounts yet (its policy is emitted all the same)", () => {
    const empty = {
      name: "later",
      ous: ["Root/Other"],
      regions: ["eu-west-1"],
      wave: "prod",
      plan: { rules: [{ ...DAILY_7, deleteAfterDays: 0 }] },
    };
    const config = { ...withTemplate("tools", { ous: undefined, accounts: ["444444444441"] }), templates: [] };
    const problems = problemsOf({ ...config, templates: [ORG_CONFIG.templates[0], empty] });
    expect(problems).toEqual([
      "templates[later].plan.rules[0].deleteAfterDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500",
    ]);
  });

  it("reports memberBackend's problems once, under memberBackend", () => {
    const config = { ...ORG_CONFIG, memberBackend: { type: "s3" as const, bucket: "Acme_State", region: "eu-west-1" } };
    expect(problemsOf(config)).toEqual([
      "memberBackend.bucket: \"Acme_State\" is not a bucket name, allowed: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address (or set VSS_S3_BUCKET)",
    ]);
  });

  it("reports each of memberBackend's problems once", () => {
    const memberBackend = { type: "s3" as const, bucket: "Acme_State", region: "eu-west-1", kmsKeyId: "my-key" };
    expect(problemsOf({ ...ORG_CONFIG, memberBackend })).toEqual([
      "memberBackend.bucket: \"Acme_State\" is not a bucket name, allowed: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address (or set VSS_S3_BUCKET)",
      'memberBackend.kmsKeyId: "my-key" is not a KMS key id, allowed: a KMS key id, multi-Region key id (mrk-...), alias/<name>, or the ARN of one (or set VSS_S3_KMS_KEY_ID)',
    ]);
  });

  it("refuses settings it does not know, in templates and around them", () => {
    const config = { ...withTemplate("dev", { vault: { nmae: "x" } }), managment: {} };
    expect(problemsOf(config)).toEqual([
      "templates[dev].vault.nmae: is not a setting here, allowed: name, kmsKeyArn, preventDestroy, createKey, keyAlias, lock, deletionGuard",
      "managment: is not a setting here, allowed: project, management, memberRoles, memberBackend, waves, templates",
    ]);
  });

  it("refuses a template's environment fields that the accounts file and regions supply", () => {
    expect(problemsOf(withTemplate("dev", { account: "111111111111", region: "eu-west-1" }))).toEqual([
      expect.stringMatching(/^templates\[dev\]\.account: is not a setting here, allowed: selectionTag, tags, /),
      expect.stringMatching(/^templates\[dev\]\.region: is not a setting here, allowed: selectionTag, tags, /),
    ]);
  });

  it("judges no further a template with a value of the wrong type, and names it", () => {
    expect(problemsOf(withTemplate("dev", { regions: "eu-west-1" }))).toEqual([
      'templates[dev].regions: "eu-west-1" is not a list, allowed: a list',
    ]);
  });
});

describe("loadOrganization: how far a wrong shape stops it", () => {
  it("judges everything else around a setting it does not know", () => {
    const config = { ...withTemplate("dev", { plan: { rules: [{ ...DAILY_7, deleteAfterDays: 0 }] } }), managment: {} };
    expect(problemsOf(config)).toEqual([
      "managment: is not a setting here, allowed: project, management, memberRoles, memberBackend, waves, templates",
      "templates[dev].plan.rules[0].deleteAfterDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500",
    ]);
  });

  it("stops at a value of the wrong type outside the templates", () => {
    expect(problemsOf({ ...ORG_CONFIG, waves: "dev", project: "Acme!" })).toEqual([
      'waves: "dev" is not a list, allowed: a list',
    ]);
  });

  it("judges the other templates beside one with a value of the wrong type", () => {
    const config = {
      ...withTemplate("dev", { regions: "eu-west-1" }),
      templates: [
        { ...ORG_CONFIG.templates[0], regions: "eu-west-1" },
        { ...ORG_CONFIG.templates[1], plan: { rules: [{ ...DAILY_7, deleteAfterDays: 0 }] } },
        ORG_CONFIG.templates[2],
      ],
    };
    expect(problemsOf(config)).toEqual([
      'templates[dev].regions: "eu-west-1" is not a list, allowed: a list',
      "templates[prod].plan.rules[0].deleteAfterDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500",
    ]);
  });

  it("judges the rules of an account-plan template whose accounts all get no stack", () => {
    const later = {
      name: "later",
      accounts: ["333333333332"], // CLOSED: skipped
      regions: ["eu-west-1"],
      wave: "prod",
      planSource: "account-plan",
      plan: { rules: [{ ...DAILY_7, deleteAfterDays: 0 }] },
    };
    const config = { ...ORG_CONFIG, templates: [ORG_CONFIG.templates[0], ORG_CONFIG.templates[1], later] };
    expect(problemsOf(config)).toEqual([
      "templates[later].plan.rules[0].deleteAfterDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500",
    ]);
  });
});

describe("loadOrganization: the accounts file", () => {
  it.each<[string, AccountsFile, string[]]>([
    [
      "an account ID that is not 12 digits, an OU path it does not list, a status AWS does not have",
      withAccounts({
        accounts: [
          ...ORG_ACCOUNTS.accounts,
          { id: "5555", name: "short", ouPath: "Root", status: "ACTIVE" },
          { id: "555555555555", name: "lost", ouPath: "Root/Lost", status: "GONE" },
        ],
      }),
      [
        'accountsFile.accounts[9].id: "5555" is not an AWS account ID, allowed: 12 digits',
        'accountsFile.accounts[10].ouPath: "Root/Lost" is not in organizationalUnits, allowed: the path of one of them',
        'accountsFile.accounts[10].status: "GONE" is not an account status, allowed: ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE, CLOSED',
      ],
    ],
    [
      "an account listed twice",
      withAccounts({ accounts: [...ORG_ACCOUNTS.accounts, ORG_ACCOUNTS.accounts[2]] }),
      ['accountsFile.accounts[9].id: "111111111111" is listed twice, allowed: each account once'],
    ],
    [
      "IDs that are not AWS Organizations' and paths that are not OU paths",
      withAccounts({
        organizationId: "org-1",
        managementAccountId: "1234",
        organizationalUnits: [
          { id: "root", path: "Root" },
          ...ORG_ACCOUNTS.organizationalUnits.slice(1),
          { id: "ou-t001-dev00001", path: "Dev" },
          { id: "ou-t001", path: "Root/Prod" },
        ],
      }),
      [
        'accountsFile.organizationId: "org-1" is not an organization ID, allowed: o- and 10-32 of a-z 0-9',
        'accountsFile.managementAccountId: "1234" is not an AWS account ID, allowed: 12 digits',
        'accountsFile.organizationalUnits[0].id: "root" is not a root ID, allowed: r- and 4-32 of a-z 0-9',
        'accountsFile.organizationalUnits[5].path: "Dev" is not an OU path, allowed: "Root" or "Root/<OU name>/..."',
        'accountsFile.organizationalUnits[6].path: "Root/Prod" is listed twice, allowed: each OU once',
        'accountsFile.organizationalUnits[6].id: "ou-t001" is not an OU ID, allowed: ou-<4-32 of a-z 0-9>-<8-32 of a-z 0-9>',
      ],
    ],
  ])("refuses %s", (_, accounts, expected) => {
    expect(problemsOf(ORG_CONFIG, accounts)).toEqual(expected);
  });

  it("stops at a file of the wrong shape, naming each wrong value and unknown key", () => {
    const accounts = withAccounts({
      accounts: [{ id: 111111111111, name: "dev-a", ouPath: "Root/Dev", status: "ACTIVE", email: "a@example.com" }],
    });
    expect(problemsOf(ORG_CONFIG, accounts)).toEqual([
      "accountsFile.accounts[0].id: 111111111111 is not a string, allowed: a string",
      "accountsFile.accounts[0].email: is not a setting here, allowed: id, name, ouPath, status",
    ]);
  });
});

describe("the example organization (config/organization.ts and config/accounts.json)", () => {
  it("loads without problems", () => {
    expect(organization).toBeDefined();
    expect(() => loadOrganization(organization!, accountsJson as AccountsFile, { now: NOW })).not.toThrow();
  });
});

const REGIONS =
  "af-south-1, ap-east-1, ap-east-2, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-7, ca-central-1, ca-west-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, eu-west-1, eu-west-2, eu-west-3, il-central-1, me-central-1, me-south-1, mx-central-1, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2";

describe("loadOrganization: a DR copy from a template of several regions", () => {
  it("takes it: only the home region's stack creates the DR vault and its key; the others copy to it", () => {
    const { members } = loadOrganization(
      withTemplate("dev", { disasterRecovery: { region: "us-west-2" } }),
      ORG_ACCOUNTS,
      {
        now: NOW,
      },
    );
    const dev = members.filter((m) => m.member.template === "dev");
    expect(dev.map((m) => [m.name, m.member.homeRegion, m.disasterRecovery?.vault.name])).toEqual([
      ["a111111111111-eu-west-1", "eu-west-1", "acme-dev-dr"],
      ["a111111111111-eu-central-1", "eu-west-1", "acme-dev-dr"],
      ["a111111111112-eu-west-1", "eu-west-1", "acme-dev-dr"],
      ["a111111111112-eu-central-1", "eu-west-1", "acme-dev-dr"],
    ]);
  });
});
