import type { EnvironmentConfig, ProjectConfig } from "../../config/types";
import { configurationWarnings, loadEnvironments } from "../../config/validate";
import { BackupRules, ValidationError } from "../../modules";
import { NOW } from "../support/clock";

// The tests' own configuration: config/environments.ts is the user's, and editing it must never break them.
const dev: EnvironmentConfig = {
  name: "dev",
  account: "111111111111",
  region: "eu-west-1",
  plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
};
const prod: EnvironmentConfig = {
  name: "prod",
  account: "333333333333",
  region: "eu-central-1",
  plan: { rules: [BackupRules.daily({ keepDays: 35, timezone: "Europe/Berlin" })] },
};
const project: ProjectConfig = { project: "vss-backup", environments: [dev, prod] };

function problemsOf(config: unknown, only?: string, variables = {}): string[] {
  try {
    loadEnvironments(config as ProjectConfig, { only, variables, now: NOW });
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

const withDev = (change: Record<string, unknown>): ProjectConfig => ({
  project: "vss-backup",
  environments: [{ ...dev, ...change } as EnvironmentConfig],
});

describe("loadEnvironments", () => {
  it("returns every environment by default, resolved", () => {
    expect(loadEnvironments(project, { now: NOW }).map((env) => [env.name, env.region])).toEqual([
      ["dev", "eu-west-1"],
      ["prod", "eu-central-1"],
    ]);
  });

  it("returns only the environments named in the selection, in configuration order", () => {
    expect(loadEnvironments(project, { only: " prod,dev ", now: NOW }).map((env) => env.name)).toEqual(["dev", "prod"]);
  });

  it("names an unknown environment and lists the known ones", () => {
    expect(problemsOf(project, "dev,qa")).toEqual([
      "qa: unknown environment (named in VSS_ENVIRONMENTS); known: dev, prod",
    ]);
  });

  it("fills every default from project and environment names", () => {
    const [env] = loadEnvironments(withDev({}), { now: NOW });
    expect(env).toEqual({
      name: "dev",
      account: "111111111111",
      region: "eu-west-1",
      selectionTag: { key: "Backup", value: "windows-vss" },
      instanceRole: { roleName: "vss-backup-dev-vss-instance" },
      vault: {
        name: "vss-backup-dev",
        lock: { mode: "governance", minRetentionDays: 7, maxRetentionDays: 7, derived: true },
      },
      plan: { name: "vss-backup-dev", rules: dev.plan.rules },
      selection: { name: "vss-backup-dev-windows-instances" },
      backupServiceRole: { roleName: "vss-backup-dev-backup-service" },
      association: { name: "vss-backup-dev-AwsVssComponents" },
      backend: { type: "local", path: "../../../terraform-state/dev.tfstate" },
      defaultTags: { Project: "vss-backup", Environment: "dev", ManagedBy: "cdktf" },
      alerts: {
        ruleName: "vss-backup-dev-backup-alerts",
        subject: "environment dev",
        failedRestoreTests: false,
        topic: { name: "vss-backup-dev-backup-alerts", keyAlias: "alias/vss-backup-dev-backup-alerts", emails: [] },
      },
    });
  });

  it("keeps an existing instance role as a variant of its own: no role name is made up for it", () => {
    const [env] = loadEnvironments(withDev({ instanceRole: { existingRoleName: "fleet" } }), { now: NOW });
    expect(env.instanceRole).toEqual({ existingRoleName: "fleet" });
  });

  it("throws a ValidationError whose message lists every problem, one line each", () => {
    expect(() => loadEnvironments(withDev({ account: "1", region: "europe" }), { now: NOW })).toThrow(
      'Invalid configuration (2 problems):\n  dev.account: "1" is not an AWS account ID, allowed: 12 digits\n  dev.region: "europe" is not a region hashicorp/aws 5.100.0 accepts, allowed: one of af-south-1, ',
    );
  });

  it("accepts every setting there is (the schema knows each documented key)", () => {
    const everything: EnvironmentConfig = {
      ...dev,
      selectionTag: { key: "Backup", value: "vss" },
      tags: { Owner: "platform" },
      instanceRole: {
        roleName: "r",
        instanceProfileName: "p",
        permissionsBoundaryArn: "arn:aws:iam::aws:policy/PowerUserAccess",
        policyMode: "inline",
      },
      vault: {
        name: "vv",
        kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        preventDestroy: false,
      },
      plan: {
        name: "p",
        rules: [
          {
            name: "daily",
            schedule: "cron(0 5 ? * * *)",
            timezone: "Europe/Berlin",
            startWindowMinutes: 60,
            completionWindowMinutes: 120,
            deleteAfterDays: 7,
            copies: [
              { destinationVaultArn: "arn:aws:backup:eu-central-1:444444444444:backup-vault:dr", deleteAfterDays: 7 },
            ],
            recoveryPointTags: { Source: "vss" },
          },
        ],
      },
      selection: { name: "s" },
      backupServiceRole: { roleName: "b", permissionsBoundaryArn: "arn:aws:iam::111111111111:policy/boundary" },
      backend: { type: "s3", bucket: "acme-state", region: "eu-west-1", keyPrefix: "win/", kmsKeyId: "alias/state" },
      association: {
        name: "assoc",
        installationType: "In-place update",
        version: "2.5.1",
        scheduleExpression: "rate(7 days)",
        maxConcurrency: "5",
        maxErrors: "0",
        complianceSeverity: "LOW",
        outputLocation: { s3BucketName: "acme-logs", s3KeyPrefix: "vss/", s3Region: "eu-west-1" },
      },
      alerts: { topicName: "t", keyAlias: "alias/t", emails: ["ops@example.com"], ruleName: "r" },
    };
    expect(problemsOf({ project: "vss-backup", environments: [everything] })).toEqual([]);
    const existing = { ...dev, alerts: { existingTopicArn: "arn:aws:sns:eu-west-1:111111111111:ops", ruleName: "r" } };
    expect(problemsOf({ project: "vss-backup", environments: [existing] })).toEqual([]);
    expect(problemsOf({ project: "vss-backup", environments: [{ ...dev, alerts: false }] })).toEqual([]);
  });

  it("stops at environments that are not a list, naming them", () => {
    expect(() => loadEnvironments({ project: "vss-backup", environments: "dev" } as never, { now: NOW })).toThrow(
      "Invalid configuration",
    );
    expect(problemsOf({ project: "vss-backup", environments: "dev" })).toEqual([
      'environments: "dev" is not a list, allowed: a list',
    ]);
  });

  it("judges the other environments beside one with a value of the wrong type", () => {
    const config = {
      project: "vss-backup",
      environments: [
        { ...dev, region: 1 },
        { ...prod, account: "3333" },
      ],
    };
    expect(problemsOf(config)).toEqual([
      "dev.region: 1 is not a string, allowed: a string",
      'prod.account: "3333" is not an AWS account ID, allowed: 12 digits',
    ]);
  });

  it("names a bad account once, not again under the key it creates", () => {
    const vault = { createKey: true };
    expect(problemsOf(withDev({ account: "1111", vault }))).toEqual([
      'dev.account: "1111" is not an AWS account ID, allowed: 12 digits',
    ]);
  });

  describe("refuses settings it does not know, anywhere (nothing is silently ignored)", () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      [
        "a misspelt vault name",
        { vault: { nmae: "x" } },
        [
          "dev.vault.nmae: is not a setting here, allowed: name, kmsKeyArn, preventDestroy, createKey, keyAlias, lock, deletionGuard",
        ],
      ],
      [
        "a misspelt KMS key",
        { vault: { kmsKeyArm: "arn" } },
        [
          "dev.vault.kmsKeyArm: is not a setting here, allowed: name, kmsKeyArn, preventDestroy, createKey, keyAlias, lock, deletionGuard",
        ],
      ],
      [
        "a misspelt rule field",
        { plan: { rules: [{ ...BackupRules.daily({ keepDays: 7 }), keepDays: 9 }] } },
        [
          "dev.plan.rules[0].keepDays: is not a setting here, allowed: deleteAfterDays, coldStorageAfterDays, name, schedule, timezone, startWindowMinutes, completionWindowMinutes, copies, recoveryPointTags",
        ],
      ],
      [
        "an unknown environment field",
        { retention: 7 },
        [
          expect.stringMatching(
            /^dev\.retention: is not a setting here, allowed: name, account, region, /,
          ) as unknown as string,
        ],
      ],
      [
        "an existing role with a new role's field",
        { instanceRole: { existingRoleName: "fleet", permissionsBoundaryArn: "arn:aws:iam::aws:policy/x" } },
        [
          "dev.instanceRole.permissionsBoundaryArn: is not a setting here, allowed: policyMode, existingRoleName, grantVssPermissions, instanceProfileName",
        ],
      ],
      [
        "a misspelt instance role field",
        { instanceRole: { rolName: "x" } },
        [
          "dev.instanceRole.rolName: is not a setting here, allowed: policyMode, roleName, instanceProfileName, permissionsBoundaryArn",
        ],
      ],
      [
        "an existing alert topic with a created topic's field",
        { alerts: { existingTopicArn: "arn:aws:sns:eu-west-1:111111111111:ops", emails: ["a@example.com"] } },
        ["dev.alerts.emails: is not a setting here, allowed: existingTopicArn, ruleName"],
      ],
      [
        "a misspelt alerts field",
        { alerts: { email: ["a@example.com"] } },
        ["dev.alerts.email: is not a setting here, allowed: topicName, keyAlias, emails, ruleName"],
      ],
      [
        "an S3 backend field misspelt",
        { backend: { type: "s3", bucket: "b-b-b", region: "eu-west-1", kmsKey: "x" } },
        ["dev.backend.kmsKey: is not a setting here, allowed: type, bucket, region, keyPrefix, kmsKeyId"],
      ],
    ])("%s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual(expected);
    });

    it("refuses a wrong type, naming what is allowed", () => {
      expect(
        problemsOf(
          withDev({
            vault: { preventDestroy: "no" },
            plan: { rules: [{ ...BackupRules.daily({ keepDays: 7 }), deleteAfterDays: 7.5 }] },
          }),
        ),
      ).toEqual([
        'dev.vault.preventDestroy: "no" is not true or false, allowed: true or false',
        "dev.plan.rules[0].deleteAfterDays: 7.5 is not a whole number, allowed: a whole number",
      ]);
    });

    it.each<[string, unknown, string[]]>([
      [
        "a setting block that is not one",
        { ...dev, vault: "fleet" },
        ['dev.vault: "fleet" is not an object of settings, allowed: an object of settings'],
      ],
      [
        "an instance role that is not an object",
        { ...dev, instanceRole: "fleet" },
        ['dev.instanceRole: "fleet" is not an object, allowed: an object of settings'],
      ],
      [
        "alerts switched on with true",
        { ...dev, alerts: true },
        ["dev.alerts: true is not an object, allowed: false or an object of settings"],
      ],
      [
        "alerts given as a list",
        { ...dev, alerts: ["ops@example.com"] },
        ['dev.alerts: ["ops@example.com"] is not an object, allowed: false or an object of settings'],
      ],
      [
        "a vault lock mode that is none",
        { ...dev, vault: { lock: { mode: "strict" } } },
        ['dev.vault.lock.mode: "strict" is not allowed, allowed: "governance" or "compliance"'],
      ],
      [
        "rules that are not a list",
        { ...dev, plan: { rules: "daily" } },
        ['dev.plan.rules: "daily" is not a list, allowed: a list'],
      ],
      [
        "tags that are not strings",
        { ...dev, tags: { Team: 7 } },
        ["dev.tags.Team: 7 is not a string, allowed: a string"],
      ],
      [
        "an unknown key of an environment without a name, named by its place",
        { account: "111111111111", region: "eu-west-1", plan: { rules: [] }, nmae: "dev" },
        [
          "environments[0].name: is missing, allowed: a string",
          expect.stringMatching(/^environments\[0\]\.nmae: is not a setting here/) as unknown as string,
        ],
      ],
      [
        "an unknown key of a rule's copy, with the rule's and the copy's places",
        {
          ...dev,
          plan: {
            rules: [
              {
                ...BackupRules.daily({ keepDays: 7 }),
                copies: [
                  {
                    destinationVaultArn: "arn:aws:backup:eu-west-1:111111111111:backup-vault:dr",
                    deleteAfterDays: 7,
                    keepDays: 7,
                  },
                ],
              },
            ],
          },
        },
        [
          "dev.plan.rules[0].copies[0].keepDays: is not a setting here, allowed: deleteAfterDays, coldStorageAfterDays, destinationVaultArn",
        ],
      ],
    ])("refuses %s", (_, environment, expected) => {
      expect(problemsOf({ project: "vss-backup", environments: [environment] })).toEqual(expected);
    });

    it("refuses a missing required field", () => {
      expect(
        problemsOf({
          project: "vss-backup",
          environments: [{ name: "dev", region: "eu-west-1", plan: { rules: [] } }],
        }),
      ).toEqual(["dev.account: is missing, allowed: a string"]);
    });

    it("still judges the values of an environment whose only shape problem is an unknown key", () => {
      expect(problemsOf(withDev({ typo: 1, account: "1" }))).toEqual([
        expect.stringMatching(/^dev\.typo: is not a setting here/),
        'dev.account: "1" is not an AWS account ID, allowed: 12 digits',
      ]);
    });

    it("still judges the other environments' values when one has a shape problem", () => {
      expect(
        problemsOf({
          project: "vss-backup",
          environments: [
            { ...dev, typo: 1 },
            { ...prod, account: "3" },
          ],
        }),
      ).toEqual([
        expect.stringMatching(/^dev\.typo: is not a setting here/),
        'prod.account: "3" is not an AWS account ID, allowed: 12 digits',
      ]);
    });
  });

  describe("names the environment, the field and what is allowed", () => {
    it.each<[string, Record<string, unknown>, string]>([
      [
        "a bad environment name",
        { name: "Dev_1" },
        'Dev_1.name: "Dev_1" is not allowed, allowed: 1-32 of a-z 0-9 - starting with a letter',
      ],
      [
        "an empty selection tag value",
        { selectionTag: { key: "Backup", value: "" } },
        'dev.selectionTag.value: "" is empty',
      ],
      ["an empty selection tag key", { selectionTag: { key: " ", value: "x" } }, 'dev.selectionTag.key: " " is empty'],
      [
        "a vault name with a period",
        { vault: { name: "stg.vault" } },
        "dev.vault.name: \"stg.vault\" has '.', allowed: 2-50 of A-Z a-z 0-9 - _",
      ],
      [
        "a KMS key that is not an ARN",
        { vault: { kmsKeyArn: "alias/backup" } },
        'dev.vault.kmsKeyArn: "alias/backup" is not an ARN',
      ],
      [
        "a bad cron",
        { plan: { rules: [{ name: "daily", schedule: "cron(0 5 * * *)", deleteAfterDays: 7 }] } },
        'dev.plan.rules[0].schedule: "cron(0 5 * * *)" has 5 fields',
      ],
      [
        "retention too short for cold storage",
        { plan: { rules: [{ ...BackupRules.daily({ keepDays: 90 }), coldStorageAfterDays: 30 }] } },
        "dev.plan.rules[0].coldStorageAfterDays: 30 leaves 60 days in cold storage; deleteAfterDays must be at least 120",
      ],
      [
        "a start window under 60",
        { plan: { rules: [{ ...BackupRules.daily({ keepDays: 7 }), startWindowMinutes: 59 }] } },
        "dev.plan.rules[0].startWindowMinutes: 59 is not allowed",
      ],
      [
        "a selection name over 50 characters",
        { selection: { name: "s".repeat(51) } },
        'dev.selection.name: "' + "s".repeat(51) + '" has 51 characters',
      ],
      [
        "max_concurrency 0",
        { association: { maxConcurrency: "0" } },
        'dev.association.maxConcurrency: "0" is not allowed',
      ],
      [
        "a service role that is not a role ARN",
        { backupServiceRole: { existingRoleArn: "arn:aws:iam::111111111111:user/backup" } },
        'dev.backupServiceRole.existingRoleArn: "arn:aws:iam::111111111111:user/backup" is not an IAM role ARN',
      ],
      [
        "an instance role name with a space",
        { instanceRole: { roleName: "my role" } },
        "dev.instanceRole.roleName: \"my role\" has ' '",
      ],
      [
        "a tag key that duplicates another but for case",
        { tags: { Owner: "a", owner: "b" } },
        'dev.tags["owner"]: duplicates "Owner" (IAM tag keys ignore case)',
      ],
      [
        "a tag the project sets itself",
        { tags: { environment: "x" } },
        'dev.tags["environment"]: is set by the project itself (Environment)',
      ],
      ["an empty tag key", { tags: { " ": "x" } }, 'dev.tags[" "]: " " is empty, allowed: 1-128 characters'],
      [
        "a tag key AWS reserves",
        { tags: { "aws:team": "x" } },
        'dev.tags["aws:team"]: "aws:team" starts with "aws:", which AWS reserves',
      ],
      [
        "a tag value with a character AWS refuses",
        { tags: { Team: "a&b" } },
        'dev.tags["Team"]: "a&b" is not a tag value, allowed: 0-256 characters',
      ],
      [
        "a tag value over 256 characters",
        { tags: { Team: "t".repeat(257) } },
        'dev.tags["Team"]: "' + "t".repeat(257) + '" is not a tag value',
      ],
      [
        "48 tags, which the project's own three push past 50",
        { tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`T${i}`, "x"])) },
        "dev.tags: 51 tags per resource (48 plus the project's own Project, Environment, ManagedBy), allowed: at most 50",
      ],
      [
        "a region outside the commercial partition",
        { region: "cn-north-1" },
        'dev.region: "cn-north-1" is outside the commercial partition, whose arn:aws: ARNs the stacks write; allowed: a commercial region such as eu-west-1',
      ],
      [
        "a GovCloud region",
        { region: "us-gov-west-1" },
        'dev.region: "us-gov-west-1" is outside the commercial partition',
      ],
      [
        "a string shaped like a region that is none",
        { region: "eu-west-9" },
        'dev.region: "eu-west-9" is not a region hashicorp/aws 5.100.0 accepts, allowed: one of af-south-1, ap-east-1',
      ],
      [
        "a region newer than the pinned provider",
        { region: "ap-southeast-6" },
        'dev.region: "ap-southeast-6" is not a region hashicorp/aws 5.100.0 accepts',
      ],
      [
        "a selection tag key with a comma",
        { selectionTag: { key: "Backup,Daily", value: "x" } },
        'dev.selectionTag.key: "Backup,Daily" is not a tag key, allowed: 1-128 characters of letters, digits, spaces and _ . : / = + - @',
      ],
      [
        "a selection tag value over 256 characters",
        { selectionTag: { key: "Backup", value: "v".repeat(257) } },
        'dev.selectionTag.value: "' + "v".repeat(257) + '" is not a tag value, allowed: 0-256 characters',
      ],
      [
        "a selection tag key AWS reserves",
        { selectionTag: { key: "aws:backup", value: "x" } },
        'dev.selectionTag.key: "aws:backup" starts with "aws:", which AWS reserves',
      ],
      [
        "a selection name with a slash",
        { selection: { name: "win/vss" } },
        "dev.selection.name: \"win/vss\" has '/', allowed: 1-50 of A-Z a-z 0-9 - _ .",
      ],
      [
        "a backup service role name with a space",
        { backupServiceRole: { roleName: "backup role" } },
        "dev.backupServiceRole.roleName: \"backup role\" has ' ', allowed: 1-64",
      ],
      [
        "an association name of 2 characters",
        { association: { name: "ab" } },
        'dev.association.name: "ab" has 2 characters, allowed: 3-128',
      ],
      [
        "a package version before 2.3.1",
        { association: { version: "2.2.1" } },
        'dev.association.version: "2.2.1" predates the AwsVssConfig tag',
      ],
      [
        "an association schedule that never fires",
        { association: { scheduleExpression: "cron(0 2 31 * ? 2025)" } },
        'dev.association.scheduleExpression: "cron(0 2 31 * ? 2025)" never fires after 2026-11-25',
      ],
      [
        "a plan schedule in a past year",
        { plan: { rules: [{ ...BackupRules.daily({ keepDays: 7 }), schedule: "cron(0 5 ? * * 2024)" }] } },
        'dev.plan.rules[0].schedule: "cron(0 5 ? * * 2024)" never fires after 2026-11-25 (in Etc/UTC)',
      ],
      [
        "an association output bucket like a..b",
        { association: { outputLocation: { s3BucketName: "a..b" } } },
        'dev.association.outputLocation.s3BucketName: "a..b" is not a bucket name',
      ],
      [
        "an association output region that is none",
        { association: { outputLocation: { s3BucketName: "logs", s3Region: "eu-west" } } },
        'dev.association.outputLocation.s3Region: "eu-west" is not a region hashicorp/aws 5.100.0 accepts',
      ],
    ])("%s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual([expect.stringContaining(expected)]);
    });
  });

  describe("vault keys", () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      [
        "a created key and an existing key at once",
        { vault: { createKey: true, kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/k" } },
        ["dev.vault.createKey: is true while kmsKeyArn names a key, allowed: one key per vault"],
      ],
      [
        "a key alias without createKey",
        { vault: { keyAlias: "alias/vault" } },
        ["dev.vault.keyAlias: is set without createKey: true, allowed: an alias for a key the stack creates"],
      ],
      [
        "a created key's alias under alias/aws/",
        { vault: { createKey: true, keyAlias: "alias/aws/backup" } },
        ['dev.vault.keyAlias: "alias/aws/backup" is under alias/aws/, which AWS reserves for its own keys'],
      ],
    ])("refuses %s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual(expected);
    });

    it("creates a key alias/<project>-<env>-vault when asked", () => {
      const [env] = loadEnvironments(withDev({ vault: { createKey: true } }), { now: NOW });
      expect(env.vault).toMatchObject({ name: "vss-backup-dev", createdKey: { alias: "alias/vss-backup-dev-vault" } });
    });

    it("warns that a vault's key applies to new vaults only, and protects no EC2 recovery point", () => {
      const envs = loadEnvironments(withDev({ vault: { createKey: true } }), { now: NOW });
      expect(configurationWarnings(envs)).toEqual([
        {
          path: "dev.vault",
          message:
            "a vault's key cannot change: this key applies to a new vault only (an existing vault would be replaced, which preventDestroy refuses); for EC2 it does not encrypt the recovery points, which keep their EBS volumes' encryption",
        },
      ]);
      expect(configurationWarnings(loadEnvironments(withDev({}), { now: NOW }))).toEqual([]);
    });
    it("warns the same of a vault's existing key", () => {
      const kmsKeyArn = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      const envs = loadEnvironments(withDev({ vault: { kmsKeyArn } }), { now: NOW });
      expect(configurationWarnings(envs).map((w) => w.path)).toEqual(["dev.vault"]);
    });

    it("names a bad environment name and each name made of it, but not the alert subject (the name's problem)", () => {
      expect(problemsOf(withDev({ name: "dev!" }))).toEqual([
        'dev!.name: "dev!" is not allowed, allowed: 1-32 of a-z 0-9 - starting with a letter',
        "dev!.instanceRole.roleName: \"vss-backup-dev!-vss-instance\" has '!', allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _",
        "dev!.vault.name: \"vss-backup-dev!\" has '!', allowed: 2-50 of A-Z a-z 0-9 - _",
        "dev!.plan.name: \"vss-backup-dev!\" has '!', allowed: 1-50 of A-Z a-z 0-9 - _ .",
        "dev!.selection.name: \"vss-backup-dev!-windows-instances\" has '!', allowed: 1-50 of A-Z a-z 0-9 - _ .",
        "dev!.association.name: \"vss-backup-dev!-AwsVssComponents\" has '!', allowed: 3-128 of A-Z a-z 0-9 - _ .",
        'dev!.alerts.ruleName: "vss-backup-dev!-backup-alerts" is not a rule name, allowed: 1-64 of A-Z a-z 0-9 . - _',
        'dev!.alerts.topicName: "vss-backup-dev!-backup-alerts" is not a topic name, allowed: 1-256 of A-Z a-z 0-9 - _',
        'dev!.alerts.keyAlias: "alias/vss-backup-dev!-backup-alerts" is not a key alias, allowed: alias/ and 1-250 of A-Z a-z 0-9 / _ -',
        "dev!.backupServiceRole.roleName: \"vss-backup-dev!-backup-service\" has '!', allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _",
      ]);
    });

    it("names each bad alert setting once", () => {
      expect(
        problemsOf(withDev({ alerts: { topicName: "bad name!", keyAlias: "alias/aws/x", emails: ["nope"] } })),
      ).toEqual([
        'dev.alerts.topicName: "bad name!" is not a topic name, allowed: 1-256 of A-Z a-z 0-9 - _',
        'dev.alerts.emails[0]: "nope" is not an e-mail address, allowed: name@domain',
        'dev.alerts.keyAlias: "alias/aws/x" is under alias/aws/, which AWS reserves for its own keys',
      ]);
    });

    it("names a governance lock's given minimum above the derived maximum where it is set", () => {
      expect(problemsOf(withDev({ vault: { lock: { minRetentionDays: 400 } } }))).toEqual([
        "dev.vault.lock.minRetentionDays: 400 is above maxRetentionDays 7, allowed: at most the maximum",
        "dev.vault.lock: plan.rules[0].deleteAfterDays keeps 7 days, outside the vault lock's range 400-7 days: AWS fails such jobs; allowed: a retention within the range",
      ]);
    });
  });

  describe("vault lock and deletion guard", () => {
    const rules = { plan: { rules: [BackupRules.daily({ keepDays: 7 }), BackupRules.monthly({ keepDays: 365 })] } };

    it("derives a governance lock's range from the rules' shortest and longest retention", () => {
      const [env] = loadEnvironments(withDev(rules), { now: NOW });
      expect(env.vault.lock).toEqual({ mode: "governance", minRetentionDays: 7, maxRetentionDays: 365, derived: true });
    });

    it("takes a compliance lock with its explicit range, and a lock switched off", () => {
      const compliance = { mode: "compliance", changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 };
      const [env] = loadEnvironments(withDev({ ...rules, vault: { lock: compliance } }), { now: NOW });
      expect(env.vault.lock).toEqual({ ...compliance, derived: false });
      const [off] = loadEnvironments(withDev({ vault: { lock: false } }), { now: NOW });
      expect(off.vault.lock).toBeUndefined();
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      [
        "a compliance lock without its range or cooling-off period",
        { vault: { lock: { mode: "compliance" } } },
        ["changeableForDays", "minRetentionDays", "maxRetentionDays"].map(
          (field) =>
            `dev.vault.lock.${field}: is missing, allowed: a whole number of days (compliance mode takes its range explicitly: a lock is replaced when its range moves, and a compliance lock can never be replaced)`,
        ),
      ],
      [
        "a compliance lock changeable for 2 days",
        { vault: { lock: { mode: "compliance", changeableForDays: 2, minRetentionDays: 1, maxRetentionDays: 30 } } },
        [
          "dev.vault.lock.changeableForDays: 2 is not allowed, allowed: a whole number of days from 3 (AWS's 72-hour cooling-off period)",
        ],
      ],
      [
        "changeableForDays in governance mode",
        { vault: { lock: { changeableForDays: 3 } } },
        [
          'dev.vault.lock.changeableForDays: is set in governance mode, allowed: only with mode "compliance" (changeableForDays makes the lock a compliance lock)',
        ],
      ],
      [
        "a minimum of 0 and a maximum over 36500",
        { vault: { lock: { minRetentionDays: 0, maxRetentionDays: 36501 } } },
        [
          "dev.vault.lock.minRetentionDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500",
          "dev.vault.lock.maxRetentionDays: 36501 is not allowed, allowed: a whole number of days from 1 to 36500",
        ],
      ],
      [
        "a minimum above the maximum",
        { vault: { lock: { minRetentionDays: 30, maxRetentionDays: 7 } } },
        [
          "dev.vault.lock.minRetentionDays: 30 is above maxRetentionDays 7, allowed: at most the maximum",
          "dev.vault.lock: plan.rules[0].deleteAfterDays keeps 7 days, outside the vault lock's range 30-7 days: AWS fails such jobs; allowed: a retention within the range",
        ],
      ],
      [
        "a rule keeping recovery points longer than the lock allows",
        { vault: { lock: { minRetentionDays: 1, maxRetentionDays: 5 } } },
        [
          "dev.vault.lock: plan.rules[0].deleteAfterDays keeps 7 days, outside the vault lock's range 1-5 days: AWS fails such jobs; allowed: a retention within the range",
        ],
      ],
      [
        "a deletion guard exempting nobody (Terraform could never update the policy again)",
        { vault: { deletionGuard: { exemptRoleArns: [] } } },
        [
          "dev.vault.deletionGuard.exemptRoleArns: 0 roles, allowed: 1-5 (at least the role that deploys the stack, or Terraform can never update the policy again)",
        ],
      ],
      [
        "a deletion guard exempting six roles, one of another account",
        {
          vault: {
            deletionGuard: {
              exemptRoleArns: [1, 2, 3, 4, 5]
                .map((i) => `arn:aws:iam::111111111111:role/r${i}`)
                .concat(["arn:aws:iam::999999999999:role/x"]),
            },
          },
        },
        [
          "dev.vault.deletionGuard.exemptRoleArns: 6 roles, allowed: 1-5 (at least the role that deploys the stack, or Terraform can never update the policy again)",
          'dev.vault.deletionGuard.exemptRoleArns[5]: "arn:aws:iam::999999999999:role/x" is in account 999999999999, allowed: an IAM role of the environment\'s account 111111111111',
        ],
      ],
    ])("refuses %s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual(expected);
    });
  });

  describe("disaster recovery", () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      [
        "the environment's own region",
        { disasterRecovery: { region: "eu-west-1" } },
        ['dev.disasterRecovery.region: "eu-west-1" is the environment\'s own region, allowed: a second region'],
      ],
      [
        "a region the provider does not know",
        { disasterRecovery: { region: "eu-west-9" } },
        [
          expect.stringMatching(
            /^dev\.disasterRecovery\.region: "eu-west-9" is not a region hashicorp\/aws 5\.100\.0 accepts/,
          ) as unknown as string,
        ],
      ],
      [
        "copies kept 0 days",
        { disasterRecovery: { region: "eu-north-1", keepDays: 0 } },
        ["dev.disasterRecovery.keepDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500"],
      ],
      [
        "a DR vault name with a period",
        { disasterRecovery: { region: "eu-north-1", vaultName: "dr.vault" } },
        ["dev.disasterRecovery.vaultName: \"dr.vault\" has '.', allowed: 2-50 of A-Z a-z 0-9 - _"],
      ],
      [
        "a DR lock whose range the copies do not fit",
        {
          disasterRecovery: { region: "eu-north-1", keepDays: 30, lock: { minRetentionDays: 1, maxRetentionDays: 14 } },
        },
        [
          "dev.disasterRecovery.lock: plan.rules[0] copy keeps 30 days, outside the vault lock's range 1-14 days: AWS fails such jobs; allowed: a retention within the range",
        ],
      ],
      [
        "a compliance DR lock without its range",
        { disasterRecovery: { region: "eu-north-1", lock: { mode: "compliance", changeableForDays: 3 } } },
        ["minRetentionDays", "maxRetentionDays"].map(
          (field) =>
            `dev.disasterRecovery.lock.${field}: is missing, allowed: a whole number of days (compliance mode takes its range explicitly: a lock is replaced when its range moves, and a compliance lock can never be replaced)`,
        ),
      ],
    ])("refuses %s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual(expected);
    });

    it("derives the DR vault's names and its lock from the copies' retention", () => {
      const [env] = loadEnvironments(withDev({ disasterRecovery: { region: "eu-north-1", keepDays: 30 } }), {
        now: NOW,
      });
      expect(env.disasterRecovery).toEqual({
        region: "eu-north-1",
        keepDays: 30,
        vault: {
          name: "vss-backup-dev-dr",
          keyAlias: "alias/vss-backup-dev-dr-vault",
          lock: { mode: "governance", minRetentionDays: 30, maxRetentionDays: 30, derived: true },
        },
      });
    });
    it("keeps the copies as long as the rules when keepDays is unset, and the vault's preventDestroy on the DR vault", () => {
      const change = { disasterRecovery: { region: "eu-north-1", lock: false }, vault: { preventDestroy: false } };
      const [env] = loadEnvironments(withDev(change), { now: NOW });
      expect(env.disasterRecovery).toStrictEqual({
        region: "eu-north-1",
        vault: { name: "vss-backup-dev-dr", preventDestroy: false, keyAlias: "alias/vss-backup-dev-dr-vault" },
      });
    });

    it("refuses a DR key alias under alias/aws/", () => {
      expect(problemsOf(withDev({ disasterRecovery: { region: "eu-north-1", keyAlias: "alias/aws/dr" } }))).toEqual([
        'dev.disasterRecovery.keyAlias: "alias/aws/dr" is under alias/aws/, which AWS reserves for its own keys',
      ]);
    });

    it("names a bad account once, not again under the DR key", () => {
      expect(problemsOf(withDev({ account: "1111", disasterRecovery: { region: "eu-north-1" } }))).toEqual([
        'dev.account: "1111" is not an AWS account ID, allowed: 12 digits',
      ]);
    });
  });

  describe("restore testing", () => {
    const restoreTesting = {
      schedule: "cron(0 3 ? * SUN *)",
      subnetId: "subnet-0a1b2c3d4e5f60718",
      securityGroupIds: ["sg-0123456789abcdef0"],
    };

    it("derives the plan and selection names from project and environment, hyphens as underscores", () => {
      const [env] = loadEnvironments(withDev({ restoreTesting }), { now: NOW });
      expect(env.restoreTesting).toEqual({
        ...restoreTesting,
        planName: "vss_backup_dev_restore_test",
        selectionName: "vss_backup_dev_windows_instances",
      });
      expect(env.alerts?.failedRestoreTests).toBe(true);
    });

    it("is off unless configured", () => {
      const [env] = loadEnvironments(withDev({}), { now: NOW });
      expect(env).not.toHaveProperty("restoreTesting");
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      [
        "a plan name with a hyphen",
        { planName: "dev-restore" },
        ["dev.restoreTesting.planName: \"dev-restore\" has '-', allowed: 1-50 of A-Z a-z 0-9 _"],
      ],
      [
        "a selection name with a period",
        { selectionName: "windows.instances" },
        ["dev.restoreTesting.selectionName: \"windows.instances\" has '.', allowed: 1-50 of A-Z a-z 0-9 _"],
      ],
      [
        "a schedule with five fields",
        { schedule: "cron(0 3 ? * SUN)" },
        [
          'dev.restoreTesting.schedule: "cron(0 3 ? * SUN)" has 5 fields, allowed: six fields, cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 5 ? * * *)',
        ],
      ],
      [
        "a validation window of a week and an hour",
        { validationWindowHours: 169 },
        [
          "dev.restoreTesting.validationWindowHours: 169 is not allowed, allowed: a whole number of hours from 1 to 168",
        ],
      ],
      [
        "a subnet ID with capitals",
        { subnetId: "subnet-0A1B2C3D" },
        [
          'dev.restoreTesting.subnetId: "subnet-0A1B2C3D" is not a subnet ID, allowed: subnet- and 8 or 17 of 0-9 a-f, e.g. subnet-0123456789abcdef0',
        ],
      ],
      [
        "a security group by name",
        { securityGroupIds: ["restore-test"] },
        [
          'dev.restoreTesting.securityGroupIds[0]: "restore-test" is not a security group ID, allowed: sg- and 8 or 17 of 0-9 a-f, e.g. sg-0123456789abcdef0',
        ],
      ],
      [
        "an instance type in capitals",
        { instanceType: "T3.LARGE" },
        [
          'dev.restoreTesting.instanceType: "T3.LARGE" is not an instance type, allowed: family.size of a-z 0-9 -, e.g. t3.large',
        ],
      ],
    ])("refuses %s", (_, change, expected) => {
      expect(problemsOf(withDev({ restoreTesting: { ...restoreTesting, ...change } }))).toEqual(expected);
    });

    it("refuses a derived plan name longer than 50 characters, naming the setting that fixes it", () => {
      const long = { name: "a-very-long-environment-name-32c", selection: { name: "windows" }, alerts: false };
      expect(problemsOf(withDev({ ...long, restoreTesting }))).toEqual([
        `a-very-long-environment-name-32c.restoreTesting.planName: "vss_backup_a_very_long_environment_name_32c_restore_test" has 56 characters, allowed: 1-50 of A-Z a-z 0-9 _`,
        `a-very-long-environment-name-32c.restoreTesting.selectionName: "vss_backup_a_very_long_environment_name_32c_windows_instances" has 61 characters, allowed: 1-50 of A-Z a-z 0-9 _`,
      ]);
    });

    it("refuses a selection tag whose key restore testing conditions cannot take, under restoreTesting", () => {
      expect(problemsOf(withDev({ selectionTag: { key: "team@backup", value: "vss" }, restoreTesting }))).toEqual([
        'dev.restoreTesting: selectionTag key "team@backup" cannot be a restore testing condition ("aws:ResourceTag/team@backup"), allowed: a tag key of at most 112 letters, digits, spaces and + - = . _ : /',
      ]);
    });

    it("refuses an unknown setting and a missing subnet", () => {
      expect(
        problemsOf(withDev({ restoreTesting: { schedule: "cron(0 3 ? * SUN *)", securityGroupIds: [], subnet: "x" } })),
      ).toEqual([
        "dev.restoreTesting.subnetId: is missing, allowed: a string",
        expect.stringMatching(
          /^dev\.restoreTesting\.subnet: is not a setting here, allowed: schedule, timezone, subnetId,/,
        ) as unknown as string,
      ]);
    });

    it("refuses two environments of one account and region sharing a plan name", () => {
      const config: ProjectConfig = {
        project: "vss-backup",
        environments: [
          { ...dev, restoreTesting: { ...restoreTesting, planName: "fleet_restore_test" } },
          {
            ...dev,
            name: "dev2",
            selectionTag: { key: "Backup", value: "dev2" },
            restoreTesting: { ...restoreTesting, planName: "fleet_restore_test" },
          },
        ],
      };
      expect(problemsOf(config)).toContain(
        'dev2.restoreTesting.planName: "fleet_restore_test" is also dev\'s restore testing plan in 111111111111/eu-west-1; allowed: a different one',
      );
    });
  });

  describe("alerts", () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      [
        "a rule name with a space",
        { alerts: { ruleName: "backup alerts" } },
        ['dev.alerts.ruleName: "backup alerts" is not a rule name, allowed: 1-64 of A-Z a-z 0-9 . - _'],
      ],
      [
        "a 65-character rule name",
        { alerts: { ruleName: "r".repeat(65) } },
        [`dev.alerts.ruleName: "${"r".repeat(65)}" is not a rule name, allowed: 1-64 of A-Z a-z 0-9 . - _`],
      ],
      [
        "a topic name with a period",
        { alerts: { topicName: "ops.alerts" } },
        ['dev.alerts.topicName: "ops.alerts" is not a topic name, allowed: 1-256 of A-Z a-z 0-9 - _'],
      ],
      [
        "a key alias without alias/",
        { alerts: { keyAlias: "backup-alerts" } },
        ['dev.alerts.keyAlias: "backup-alerts" is not a key alias, allowed: alias/ and 1-250 of A-Z a-z 0-9 / _ -'],
      ],
      [
        "a key alias under alias/aws/ (the AWS managed alias/aws/sns cannot let EventBridge publish)",
        { alerts: { keyAlias: "alias/aws/sns" } },
        ['dev.alerts.keyAlias: "alias/aws/sns" is under alias/aws/, which AWS reserves for its own keys'],
      ],
      [
        "an address without a domain, and one listed twice",
        { alerts: { emails: ["ops", "a@example.com", "A@example.com"] } },
        [
          'dev.alerts.emails[0]: "ops" is not an e-mail address, allowed: name@domain',
          'dev.alerts.emails[2]: "A@example.com" is listed twice, allowed: each address once',
        ],
      ],
      [
        "an existing topic in another region (targets must be in the rule's region)",
        { alerts: { existingTopicArn: "arn:aws:sns:us-east-1:111111111111:ops" } },
        [
          "dev.alerts.existingTopicArn: \"arn:aws:sns:us-east-1:111111111111:ops\" is in region us-east-1, allowed: the environment's region eu-west-1 (EventBridge targets must be in the rule's region)",
        ],
      ],
      [
        "an existing topic of another account",
        { alerts: { existingTopicArn: "arn:aws:sns:eu-west-1:999999999999:ops" } },
        [
          'dev.alerts.existingTopicArn: "arn:aws:sns:eu-west-1:999999999999:ops" is in account 999999999999, allowed: the environment\'s account 111111111111',
        ],
      ],
      [
        "a queue ARN instead of a topic",
        { alerts: { existingTopicArn: "arn:aws:sqs:eu-west-1:111111111111:ops" } },
        [
          'dev.alerts.existingTopicArn: "arn:aws:sqs:eu-west-1:111111111111:ops" is not an SNS topic ARN, allowed: arn:aws:sns:<region>:<account>:<topic>',
        ],
      ],
    ])("refuses %s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual(expected);
    });

    it("refuses a second environment's alert rule, topic and key alias in the same account and region", () => {
      const names = { ruleName: "alerts", topicName: "alerts", keyAlias: "alias/alerts" };
      const both = {
        project: "vss-backup",
        environments: [
          { ...dev, alerts: names },
          { ...dev, name: "qa", selectionTag: { key: "Backup", value: "qa" }, alerts: names },
        ],
      };
      expect(problemsOf(both).filter((p) => p.startsWith("qa.alerts"))).toEqual([
        'qa.alerts.ruleName: "alerts" is also dev\'s EventBridge rule in 111111111111/eu-west-1; allowed: a different one',
        'qa.alerts.topicName: "alerts" is also dev\'s SNS topic in 111111111111/eu-west-1; allowed: a different one',
        'qa.alerts.keyAlias: "alias/alerts" is also dev\'s key alias in 111111111111/eu-west-1; allowed: a different one',
      ]);
    });
  });

  describe("audit", () => {
    it("is off unless configured, and derives its names from project and environment (hyphens as underscores)", () => {
      expect(loadEnvironments(withDev({}), { now: NOW })[0].audit).toBeUndefined();
      const [env] = loadEnvironments(withDev({ audit: { report: { bucketName: "fleet-reports" } } }), { now: NOW });
      expect(env.audit).toEqual({
        frameworkName: "vss_backup_dev_vss",
        report: {
          name: "vss_backup_dev_vss_report",
          bucketName: "fleet-reports",
          template: "CONTROL_COMPLIANCE_REPORT",
        },
      });
    });

    it("accepts a requirement the daily rule meets", () => {
      expect(
        problemsOf(withDev({ audit: { requiredFrequency: { unit: "hours", value: 24 }, requiredRetentionDays: 7 } })),
      ).toEqual([]);
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      [
        "a framework name with a hyphen",
        { frameworkName: "dev-vss" },
        ["dev.audit.frameworkName: \"dev-vss\" has '-', allowed: 1-256 of A-Z a-z 0-9 _ starting with a letter"],
      ],
      [
        "a frequency unit AWS does not take",
        { requiredFrequency: { unit: "weeks", value: 1 } },
        ['dev.audit.requiredFrequency.unit: "weeks" is not allowed, allowed: "hours" or "days"'],
      ],
      [
        "more than 24 hours",
        { requiredFrequency: { unit: "hours", value: 48 } },
        ["dev.audit.requiredFrequency.value: 48 is not allowed, allowed: a whole number of hours from 1 to 24"],
      ],
      [
        "a frequency the daily rule does not meet",
        { requiredFrequency: { unit: "hours", value: 6 } },
        [
          "dev.audit.requiredFrequency: every 6 hours is met by no rule of the plan: the control would report it NON_COMPLIANT; allowed: a frequency a rule meets (daily: every 1 day, 7 days)",
        ],
      ],
      [
        "a retention longer than the rules keep",
        { requiredRetentionDays: 35 },
        [
          "dev.audit.requiredRetentionDays: 35 days is kept by no rule that backs up every 1 day: the control would report the plan NON_COMPLIANT; allowed: a retention such a rule keeps (daily: every 1 day, 7 days)",
        ],
      ],
      [
        "a retention of 0 days",
        { requiredRetentionDays: 0 },
        ["dev.audit.requiredRetentionDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500"],
      ],
      [
        "a report to a bucket name S3 refuses",
        { report: { bucketName: "Fleet_Reports" } },
        [
          "dev.audit.report.bucketName: \"Fleet_Reports\" is not a bucket name, allowed: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address",
        ],
      ],
      [
        "a report name with a hyphen, a format AWS does not write and another template",
        { report: { bucketName: "fleet-reports", name: "dev-report", formats: ["PDF"], template: "COPY_JOB_REPORT" } },
        [
          "dev.audit.report.name: \"dev-report\" has '-', allowed: 1-256 of A-Z a-z 0-9 _ starting with a letter",
          'dev.audit.report.formats[0]: "PDF" is not allowed, allowed: CSV, JSON',
          'dev.audit.report.template: "COPY_JOB_REPORT" is not allowed, allowed: CONTROL_COMPLIANCE_REPORT, BACKUP_JOB_REPORT',
        ],
      ],
      [
        "an unknown setting",
        { controls: [] },
        [
          "dev.audit.controls: is not a setting here, allowed: frameworkName, requiredFrequency, requiredRetentionDays, report",
        ],
      ],
    ])("refuses %s", (_, audit, expected) => {
      expect(problemsOf(withDev({ audit }))).toEqual(expected);
    });

    it("refuses a second environment's framework and report plan names in the same account and region", () => {
      const audit = { frameworkName: "fleet_vss", report: { bucketName: "fleet-reports", name: "fleet_report" } };
      const both = {
        project: "vss-backup",
        environments: [
          { ...dev, audit },
          { ...dev, name: "qa", selectionTag: { key: "Backup", value: "qa" }, audit },
        ],
      };
      expect(problemsOf(both).filter((p) => p.startsWith("qa.audit"))).toEqual([
        'qa.audit.frameworkName: "fleet_vss" is also dev\'s audit framework in 111111111111/eu-west-1; allowed: a different one',
        'qa.audit.report.name: "fleet_report" is also dev\'s report plan in 111111111111/eu-west-1; allowed: a different one',
      ]);
    });

    it("leaves a broken plan's problems to the plan: no audit line about rules it cannot judge", () => {
      const broken = withDev({
        plan: { rules: [{ name: "daily", schedule: "every day", deleteAfterDays: 7 }] },
        audit: { requiredRetentionDays: 35 },
      });
      expect(problemsOf(broken).filter((p) => p.startsWith("dev.audit"))).toEqual([]);
      expect(problemsOf(broken)).toHaveLength(1);
    });

    it("lets two environments in different accounts use the same framework name", () => {
      const audit = { frameworkName: "fleet_vss" };
      expect(
        problemsOf({
          project: "vss-backup",
          environments: [
            { ...dev, audit },
            { ...prod, audit },
          ],
        }),
      ).toEqual([]);
    });
  });

  describe("ARNs that must agree with the environment", () => {
    it.each<[string, Record<string, unknown>, string]>([
      [
        "a vault key in another region",
        { vault: { kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/k" } },
        'dev.vault.kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/k" is in region us-east-1, allowed: a KMS key in the environment\'s region eu-west-1',
      ],
      [
        "a vault key of another account",
        { vault: { kmsKeyArn: "arn:aws:kms:eu-west-1:999999999999:key/k" } },
        'dev.vault.kmsKeyArn: "arn:aws:kms:eu-west-1:999999999999:key/k" is in account 999999999999, allowed: a KMS key of the environment\'s account 111111111111',
      ],
      [
        "a vault key in another partition",
        { vault: { kmsKeyArn: "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/k" } },
        'dev.vault.kmsKeyArn: "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/k" is in partition aws-us-gov, allowed: arn:aws: (the partition the stacks write)',
      ],
      [
        "a service role of another account",
        { backupServiceRole: { existingRoleArn: "arn:aws:iam::999999999999:role/backup" } },
        'dev.backupServiceRole.existingRoleArn: "arn:aws:iam::999999999999:role/backup" is in account 999999999999, allowed: an IAM role of the environment\'s account 111111111111',
      ],
      [
        "a service role ARN with a region (IAM ARNs carry none)",
        { backupServiceRole: { existingRoleArn: "arn:aws:iam:eu-west-1:111111111111:role/backup" } },
        'dev.backupServiceRole.existingRoleArn: "arn:aws:iam:eu-west-1:111111111111:role/backup" names region eu-west-1, allowed: none (IAM role ARNs are global: arn:aws:iam::<account>:role/<name>)',
      ],
      [
        "a permissions boundary of another account",
        { instanceRole: { permissionsBoundaryArn: "arn:aws:iam::999999999999:policy/b" } },
        'dev.instanceRole.permissionsBoundaryArn: "arn:aws:iam::999999999999:policy/b" is in account 999999999999, allowed: an IAM policy of the environment\'s account 111111111111',
      ],
    ])("refuses %s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual([expected]);
    });

    it("accepts a copy to a vault of another account and region (that is what copies are for)", () => {
      const copies = [
        { destinationVaultArn: "arn:aws:backup:us-east-1:999999999999:backup-vault:dr", deleteAfterDays: 7 },
      ];
      expect(problemsOf(withDev({ plan: { rules: [{ ...BackupRules.daily({ keepDays: 7 }), copies }] } }))).toEqual([]);
    });
  });

  it.each<[string, ProjectConfig, string]>([
    [
      "a project name with upper case",
      { project: "VSS", environments: [dev] },
      'project: "VSS" is not allowed, allowed: 1-20 of a-z 0-9 - starting with a letter',
    ],
    [
      "no environments",
      { project: "vss-backup", environments: [] },
      "environments: is empty, allowed: at least one environment",
    ],
  ])("rejects %s", (_, config, expected) => {
    expect(problemsOf(config)).toEqual([expected]);
  });

  it("accepts cold storage on an EC2-only plan, with a warning naming the environment and the field", () => {
    const rules = [
      BackupRules.daily({ keepDays: 7 }),
      { ...BackupRules.monthly({ keepDays: 365 }), coldStorageAfterDays: 30 },
    ];
    const environments = loadEnvironments(withDev({ plan: { rules } }), { now: NOW });
    expect(configurationWarnings(environments)).toEqual([
      {
        path: "dev.plan.rules[1].coldStorageAfterDays",
        message:
          "AWS Backup ignores cold storage for EC2 backups, and this plan selects only EC2 instances; leave it out",
      },
    ]);
    expect(configurationWarnings(loadEnvironments(project, { now: NOW }))).toEqual([]);
  });

  it("reports problems of every environment at once", () => {
    const config: ProjectConfig = {
      project: "vss-backup",
      environments: [
        { ...dev, account: "x" },
        { ...dev, name: "prod", account: "222222222222", vault: { name: "a" } },
      ],
    };
    expect(problemsOf(config)).toEqual([
      expect.stringMatching(/^dev\.account: /),
      expect.stringMatching(/^prod\.vault\.name: "a" has 1 characters/),
    ]);
  });

  describe("across environments", () => {
    const qa = (change: Partial<EnvironmentConfig>): ProjectConfig => ({
      project: "vss-backup",
      environments: [dev, { ...dev, name: "qa", ...change }],
    });

    it("rejects two environments selecting the same tag in the same account and region", () => {
      expect(problemsOf(qa({}))).toContain(
        "qa.selectionTag: Backup=windows-vss is also selected by dev in 111111111111/eu-west-1: both would back up the same instances; allowed: a different one",
      );
    });

    it("rejects one IAM role name used twice in an account (IAM names are account-wide)", () => {
      expect(
        problemsOf(
          qa({
            region: "eu-central-1",
            instanceRole: { roleName: "vss-backup-dev-vss-instance", instanceProfileName: "qa-profile" },
          }),
        ),
      ).toEqual([
        'qa.instanceRole.roleName: "vss-backup-dev-vss-instance" is also a role of dev in account 111111111111 (IAM names are account-wide); allowed: a different one',
      ]);
    });

    it("rejects one instance profile name used twice in an account", () => {
      expect(
        problemsOf(
          qa({ region: "eu-central-1", instanceRole: { instanceProfileName: "vss-backup-dev-vss-instance" } }),
        ),
      ).toEqual([
        'qa.instanceRole.instanceProfileName: "vss-backup-dev-vss-instance" is also an instance profile of dev in account 111111111111 (IAM names are account-wide); allowed: a different one',
      ]);
    });

    it.each<[string, Partial<EnvironmentConfig>, string]>([
      [
        "vault",
        { vault: { name: "vss-backup-dev" } },
        'qa.vault.name: "vss-backup-dev" is also dev\'s vault in 111111111111/eu-west-1; allowed: a different one',
      ],
      [
        "backup plan",
        { plan: { name: "vss-backup-dev", rules: dev.plan.rules } },
        'qa.plan.name: "vss-backup-dev" is also dev\'s backup plan in 111111111111/eu-west-1; allowed: a different one',
      ],
      [
        "association",
        { association: { name: "vss-backup-dev-AwsVssComponents" } },
        'qa.association.name: "vss-backup-dev-AwsVssComponents" is also dev\'s association in 111111111111/eu-west-1; allowed: a different one',
      ],
    ])("rejects one %s name used twice in an account and region", (_, change, expected) => {
      expect(problemsOf(qa({ selectionTag: { key: "Backup", value: "qa" }, ...change }))).toEqual([expected]);
    });

    it("rejects a backup service role name another environment uses in the account", () => {
      expect(
        problemsOf(qa({ region: "eu-central-1", backupServiceRole: { roleName: "vss-backup-dev-backup-service" } })),
      ).toEqual([
        expect.stringMatching(
          /^qa\.backupServiceRole\.roleName: "vss-backup-dev-backup-service" is also a role of dev in account 111111111111/,
        ),
      ]);
    });

    it("rejects two environments with one name", () => {
      expect(problemsOf({ project: "vss-backup", environments: [dev, { ...dev, account: "222222222222" }] })).toEqual([
        "dev.name: another environment has the same name; allowed: a different one",
      ]);
    });

    it("rejects one created key alias used twice in an account and region", () => {
      const vault = { createKey: true, keyAlias: "alias/shared-vault" };
      const config = {
        project: "vss-backup",
        environments: [
          { ...dev, vault },
          { ...dev, name: "qa", selectionTag: { key: "Backup", value: "qa" }, vault },
        ],
      };
      expect(problemsOf(config)).toEqual([
        'qa.vault.keyAlias: "alias/shared-vault" is also dev\'s key alias in 111111111111/eu-west-1; allowed: a different one',
      ]);
    });

    it("lets environments of one account share an existing topic, instance role and backup service role", () => {
      const existing: Partial<EnvironmentConfig> = {
        alerts: { existingTopicArn: "arn:aws:sns:eu-west-1:111111111111:ops" },
        instanceRole: { existingRoleName: "fleet" },
        backupServiceRole: { existingRoleArn: "arn:aws:iam::111111111111:role/backup" },
      };
      const config = {
        project: "vss-backup",
        environments: [
          { ...dev, ...existing },
          { ...dev, name: "qa", selectionTag: { key: "Backup", value: "qa" }, ...existing },
        ],
      };
      expect(problemsOf(config)).toEqual([]);
    });

    it("allows the same tag in different accounts", () => {
      expect(
        problemsOf({ project: "vss-backup", environments: [dev, { ...dev, name: "prod", account: "333333333333" }] }),
      ).toEqual([]);
    });
  });

  describe("backends", () => {
    it("lets VSS_BACKEND and its variables switch every environment to Terraform Cloud", () => {
      const [env] = loadEnvironments(withDev({}), {
        variables: { VSS_BACKEND: "cloud", VSS_TFC_ORGANIZATION: "acme" },
        now: NOW,
      });
      expect(env.backend).toEqual({
        type: "cloud",
        organization: "acme",
        workspace: "vss-backup-dev",
        project: undefined,
        hostname: undefined,
      });
    });

    it("takes the configured backend unless a variable overrides a field", () => {
      const s3 = withDev({ backend: { type: "s3", bucket: "acme-state", region: "eu-west-1", keyPrefix: "win/" } });
      expect(loadEnvironments(s3, { now: NOW })[0].backend).toMatchObject({
        bucket: "acme-state",
        key: "win/dev/terraform.tfstate",
      });
      expect(loadEnvironments(s3, { variables: { VSS_S3_BUCKET: "ci-state" }, now: NOW })[0].backend).toMatchObject({
        bucket: "ci-state",
        key: "win/dev/terraform.tfstate",
      });
    });

    it.each<[Record<string, string>, string]>([
      [
        { VSS_BACKEND: "cloud" },
        'dev.backend.organization: "" is not an organization name, allowed: 3-40 of A-Z a-z 0-9 - _ (or set VSS_TFC_ORGANIZATION)',
      ],
      [
        { VSS_BACKEND: "s3", VSS_S3_REGION: "eu-west-1" },
        'dev.backend.bucket: "" is not a bucket name (or set VSS_S3_BUCKET)',
      ],
      [
        { VSS_BACKEND: "consul" },
        'dev.backend.type: "consul" is not a backend, allowed: "local", "cloud" or "s3" (or set VSS_BACKEND)',
      ],
      [
        { VSS_BACKEND: "cloud", VSS_TFC_ORGANIZATION: "acme", VSS_TFC_HOSTNAME: "https://tfe.example.com" },
        'dev.backend.hostname: "https://tfe.example.com" is not a host name, allowed: a host name such as app.terraform.io or tfe.example.com, without https:// or a path (or set VSS_TFC_HOSTNAME)',
      ],
      [
        { VSS_BACKEND: "s3", VSS_S3_BUCKET: "a..b", VSS_S3_REGION: "eu-west-1" },
        "dev.backend.bucket: \"a..b\" is not a bucket name, allowed: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address (or set VSS_S3_BUCKET)",
      ],
      [
        { VSS_BACKEND: "s3", VSS_S3_BUCKET: "acme-state", VSS_S3_REGION: "europe-1" },
        'dev.backend.region: "europe-1" is not a region hashicorp/aws 5.100.0 accepts, allowed: one of af-south-1',
      ],
      [
        { VSS_BACKEND: "s3", VSS_S3_BUCKET: "acme-state", VSS_S3_REGION: "eu-west-1", VSS_S3_KEY_PREFIX: "/states/" },
        'dev.backend.keyPrefix: "/states/" makes the state key "/states/dev/terraform.tfstate", which terraform init refuses; allowed: a prefix like "team/backups/", without a leading \'/\' or \'//\' (or set VSS_S3_KEY_PREFIX)',
      ],
      [
        { VSS_BACKEND: "s3", VSS_S3_BUCKET: "acme-state", VSS_S3_REGION: "eu-west-1", VSS_S3_KMS_KEY_ID: "my-key" },
        'dev.backend.kmsKeyId: "my-key" is not a KMS key id, allowed: a KMS key id, multi-Region key id (mrk-...), alias/<name>, or the ARN of one (or set VSS_S3_KMS_KEY_ID)',
      ],
    ])("refuses what terraform init would: %j", (variables, expected) => {
      expect(problemsOf(withDev({}), undefined, variables)).toEqual([expect.stringContaining(expected)]);
    });

    it.each([
      "1234abcd-12ab-34cd-56ef-1234567890ab",
      "mrk-1234abcd12ab34cd56ef1234567890ab",
      "alias/terraform-state",
      "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "arn:aws:kms:eu-west-1:111111111111:alias/terraform-state",
    ])("accepts the state key id %s", (kmsKeyId) => {
      expect(
        problemsOf(withDev({}), undefined, {
          VSS_BACKEND: "s3",
          VSS_S3_BUCKET: "acme-state",
          VSS_S3_REGION: "eu-west-1",
          VSS_S3_KMS_KEY_ID: kmsKeyId,
        }),
      ).toEqual([]);
    });

    it.each<[Record<string, string>, string[]]>([
      [
        { VSS_BACKEND: "cloud", VSS_TFC_ORGANIZATION: "acme", VSS_TFC_WORKSPACE_PREFIX: "team/" },
        [
          'dev.backend.workspacePrefix: makes workspace "team/dev", allowed: 1-90 of A-Z a-z 0-9 - _ (or set VSS_TFC_WORKSPACE_PREFIX)',
        ],
      ],
      [
        { VSS_BACKEND: "cloud", VSS_TFC_ORGANIZATION: "acme", VSS_TFC_PROJECT: "ab" },
        [
          'dev.backend.project: "ab" is not a project name, allowed: 3-40 of A-Z a-z 0-9 space - _ (or set VSS_TFC_PROJECT)',
        ],
      ],
      [
        { VSS_BACKEND: "s3" },
        [
          'dev.backend.bucket: "" is not a bucket name (or set VSS_S3_BUCKET)',
          'dev.backend.region: "" is not a region, allowed: a region such as eu-west-1 (or set VSS_S3_REGION)',
        ],
      ],
    ])("names every Terraform Cloud and S3 name terraform init would refuse: %j", (variables, expected) => {
      expect(problemsOf(withDev({}), undefined, variables)).toEqual(expected);
    });

    it("takes a Terraform Cloud workspace prefix, project with spaces and host name as they are", () => {
      const variables = {
        VSS_BACKEND: "cloud",
        VSS_TFC_ORGANIZATION: "acme",
        VSS_TFC_WORKSPACE_PREFIX: "windows_",
        VSS_TFC_PROJECT: "Windows Backups",
        VSS_TFC_HOSTNAME: "tfe.example.com:8443",
      };
      expect(loadEnvironments(withDev({}), { variables, now: NOW })[0].backend).toEqual({
        type: "cloud",
        organization: "acme",
        workspace: "windows_dev",
        project: "Windows Backups",
        hostname: "tfe.example.com:8443",
      });
    });

    it("treats an empty variable as unset: the configured field stays and no warning names it", () => {
      const s3 = withDev({ backend: { type: "s3", bucket: "acme-state", region: "eu-west-1", keyPrefix: "win/" } });
      const variables = { VSS_BACKEND: "", VSS_S3_BUCKET: "", VSS_S3_KEY_PREFIX: "", VSS_TFC_ORGANIZATION: "" };
      const environments = loadEnvironments(s3, { variables, now: NOW });
      expect(environments[0].backend).toEqual({
        type: "s3",
        bucket: "acme-state",
        region: "eu-west-1",
        key: "win/dev/terraform.tfstate",
        kmsKeyId: undefined,
      });
      expect(configurationWarnings(environments, variables)).toEqual([]);
    });

    it("warns about a variable of a backend that is not in use, naming it", () => {
      const variables = {
        VSS_BACKEND: "s3",
        VSS_S3_BUCKET: "acme-state",
        VSS_S3_REGION: "eu-west-1",
        VSS_TFC_ORGANIZATION: "acme",
      };
      const environments = loadEnvironments(withDev({}), { variables, now: NOW });
      expect(configurationWarnings(environments, variables)).toEqual([
        {
          path: "dev.backend",
          message: "VSS_TFC_ORGANIZATION is set, but this environment's state backend is s3: it is ignored",
        },
      ]);
    });
  });
});
