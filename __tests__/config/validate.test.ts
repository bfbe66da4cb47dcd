import { NOW } from "../support/clock";
import { config } from "../../config/environments";
import type { EnvironmentConfig, ProjectConfig } from "../../config/types";
import { configurationWarnings, loadEnvironments } from "../../config/validate";
import { BackupRules, ValidationError } from "../../modules";

const dev: EnvironmentConfig = {
  name: "dev",
  account: "111111111111",
  region: "eu-west-1",
  plan: { rules: [BackupRules.daily({ keepDays: 7 })] },
};

function problemsOf(project: ProjectConfig, selection?: string, variables = {}): string[] {
  try {
    loadEnvironments(project, { only: selection, variables: variables, now: NOW });
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

const withDev = (change: Partial<EnvironmentConfig>): ProjectConfig => ({
  project: "vss-backup",
  environments: [{ ...dev, ...change }],
});

describe("loadEnvironments", () => {
  it("accepts the shipped configuration and returns every environment by default", () => {
    expect(loadEnvironments(config, { now: NOW }).map((env) => env.name)).toEqual(
      config.environments.map((env) => env.name),
    );
  });

  it("returns only the environments named in the selection, in configuration order", () => {
    expect(loadEnvironments(config, { only: " prod,dev ", now: NOW }).map((env) => env.name)).toEqual(["dev", "prod"]);
  });

  it("names an unknown environment and lists the known ones", () => {
    expect(problemsOf(config, "dev,qa")).toEqual([
      "qa: unknown environment (named in VSS_ENVIRONMENTS); known: dev, staging, prod",
    ]);
  });

  it("fills every default from project and environment names", () => {
    const [env] = loadEnvironments(withDev({}), { now: NOW });
    expect(env).toMatchObject({
      selectionTag: { key: "Backup", value: "windows-vss" },
      instanceRole: { roleName: "vss-backup-dev-vss-instance" },
      vault: { name: "vss-backup-dev" },
      plan: { name: "vss-backup-dev" },
      selection: { name: "vss-backup-dev-windows-instances" },
      backupServiceRole: { roleName: "vss-backup-dev-backup-service" },
      association: { name: "vss-backup-dev-AwsVssComponents" },
      backend: { type: "local", path: "../../../terraform-state/dev.tfstate" },
      defaultTags: { Project: "vss-backup", Environment: "dev", ManagedBy: "cdktf" },
    });
  });

  it("throws a ValidationError whose message lists every problem, one line each", () => {
    expect(() => loadEnvironments(withDev({ account: "1", region: "europe" }), { now: NOW })).toThrow(
      'Invalid configuration (2 problems):\n  dev.account: "1" is not an AWS account ID, allowed: 12 digits\n  dev.region: "europe" is not an AWS region, allowed: a region code such as eu-west-1',
    );
  });

  describe("names the environment, the field and what is allowed", () => {
    it.each<[string, Partial<EnvironmentConfig>, string]>([
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
        'dev.backupServiceRole.existingRoleArn: "arn:aws:iam::111111111111:user/backup" is not a iam role ARN',
      ],
      [
        "an instance role name with a space",
        { instanceRole: { roleName: "my role" } },
        "dev.instanceRole.roleName: \"my role\" has ' '",
      ],
      ["an empty tag value", { tags: { Owner: "" } }, 'dev.tags["Owner"]: empty tag value'],
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
      ["an empty tag key", { tags: { " ": "x" } }, 'dev.tags[" "]: empty tag key, allowed: 1-128 characters'],
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
        "a selection tag key with a comma",
        { selectionTag: { key: "Backup,Daily", value: "x" } },
        'dev.selectionTag.key: "Backup,Daily" is not a tag key, allowed: 1-128 characters of letters, digits, spaces and _ . : / = + - @',
      ],
      [
        "a selection tag value over 256 characters",
        { selectionTag: { key: "Backup", value: "v".repeat(257) } },
        'dev.selectionTag.value: "' + "v".repeat(257) + '" is not a tag value, allowed: 1-256 characters',
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
    ])("%s", (_, change, expected) => {
      expect(problemsOf(withDev(change))).toEqual([expect.stringContaining(expected)]);
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
  ])("rejects %s", (_, project, expected) => {
    expect(problemsOf(project)).toEqual([expected]);
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
    expect(configurationWarnings(loadEnvironments(config, { now: NOW }))).toEqual([]);
  });

  it("reports problems of every environment at once", () => {
    const project: ProjectConfig = {
      project: "vss-backup",
      environments: [
        { ...dev, account: "x" },
        { ...dev, name: "prod", account: "222222222222", vault: { name: "a" } },
      ],
    };
    expect(problemsOf(project)).toEqual([
      expect.stringMatching(/^dev\.account: /),
      expect.stringMatching(/^prod\.vault\.name: "a" has 1 characters/),
    ]);
  });

  describe("across environments", () => {
    it("rejects two environments selecting the same tag in the same account and region", () => {
      const project: ProjectConfig = { project: "vss-backup", environments: [dev, { ...dev, name: "qa" }] };
      expect(problemsOf(project)).toContain(
        "qa.selectionTag: Backup=windows-vss is also selected by dev in 111111111111/eu-west-1: both would back up the same instances; allowed: a different one",
      );
    });

    it("rejects one IAM role name used twice in an account (IAM names are account-wide)", () => {
      const project: ProjectConfig = {
        project: "vss-backup",
        environments: [
          dev,
          { ...dev, name: "qa", region: "eu-central-1", instanceRole: { roleName: "vss-backup-dev-vss-instance" } },
        ],
      };
      expect(problemsOf(project)).toEqual([
        expect.stringMatching(
          /^qa\.instanceRole\.roleName: "vss-backup-dev-vss-instance" is also a role of dev in account 111111111111/,
        ),
      ]);
    });

    it("rejects one vault name used twice in an account and region", () => {
      const project: ProjectConfig = {
        project: "vss-backup",
        environments: [
          dev,
          { ...dev, name: "qa", selectionTag: { key: "Backup", value: "qa" }, vault: { name: "vss-backup-dev" } },
        ],
      };
      expect(problemsOf(project)).toEqual([
        'qa.vault.name: "vss-backup-dev" is also dev\'s vault in 111111111111/eu-west-1; allowed: a different one',
      ]);
    });

    it("rejects a backup service role name another environment uses in the account", () => {
      const project: ProjectConfig = {
        project: "vss-backup",
        environments: [
          dev,
          {
            ...dev,
            name: "qa",
            region: "eu-central-1",
            backupServiceRole: { roleName: "vss-backup-dev-backup-service" },
          },
        ],
      };
      expect(problemsOf(project)).toEqual([
        expect.stringMatching(
          /^qa\.backupServiceRole\.roleName: "vss-backup-dev-backup-service" is also a role of dev in account 111111111111/,
        ),
      ]);
    });

    it("rejects two environments with one name", () => {
      const project: ProjectConfig = {
        project: "vss-backup",
        environments: [dev, { ...dev, account: "222222222222" }],
      };
      expect(problemsOf(project)).toEqual([
        "dev.name: another environment has the same name; allowed: a different one",
      ]);
    });

    it("allows the same tag in different accounts", () => {
      const project: ProjectConfig = {
        project: "vss-backup",
        environments: [dev, { ...dev, name: "prod", account: "333333333333" }],
      };
      expect(problemsOf(project)).toEqual([]);
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
      expect(
        loadEnvironments(s3, { only: undefined, variables: { VSS_S3_BUCKET: "ci-state" }, now: NOW })[0].backend,
      ).toMatchObject({
        bucket: "ci-state",
        key: "win/dev/terraform.tfstate",
      });
    });

    it.each([
      [
        { VSS_BACKEND: "cloud" },
        'dev.backend.organization: "" is not an organization name, allowed: 3-40 of A-Z a-z 0-9 - _ (or set VSS_TFC_ORGANIZATION)',
      ],
      [
        { VSS_BACKEND: "s3", VSS_S3_REGION: "eu-west-1" },
        'dev.backend.bucket: "" is not a bucket name, allowed: 3-63 of a-z 0-9 . - (or set VSS_S3_BUCKET)',
      ],
      [
        { VSS_BACKEND: "consul" },
        'dev.backend.type: "consul" is not a backend, allowed: "local", "cloud" or "s3" (or set VSS_BACKEND)',
      ],
    ])("says which variable completes an incomplete backend: %j", (variables, expected) => {
      expect(problemsOf(withDev({}), undefined, variables)).toEqual([expected]);
    });
  });
});
