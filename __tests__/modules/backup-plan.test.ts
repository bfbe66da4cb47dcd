import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { AnnotationMetadataEntryType } from "cdktf";
import { Construct } from "constructs";
import { BackupRules, BackupRuleSpec, VssBackupPlan, VssBackupPlanProps, VssBackupVault } from "../../modules";
import { synthesize, theResource } from "../synth";

const daily: BackupRuleSpec = { name: "daily", schedule: "cron(0 5 ? * * *)", deleteAfterDays: 35 };
const vaultIn = (scope: Construct) => new VssBackupVault(scope, "vault", { name: "vault" });

function plan(props: Partial<VssBackupPlanProps> = {}) {
  const stack = synthesize(
    (scope) => new VssBackupPlan(scope, "plan", { name: "vss", vault: vaultIn(scope), rules: [daily], ...props }),
  );
  return theResource(stack, BackupPlan);
}

function constructing(props: Partial<VssBackupPlanProps>) {
  return () =>
    synthesize(
      (scope) => new VssBackupPlan(scope, "plan", { name: "vss", vault: vaultIn(scope), rules: [daily], ...props }),
    );
}

describe("VssBackupPlan", () => {
  it("enables Windows VSS for EC2 with the exact advanced_backup_setting", () => {
    expect(plan().advanced_backup_setting).toEqual([
      { resource_type: "EC2", backup_options: { WindowsVSS: "enabled" } },
    ]);
  });

  it("emits no advanced_backup_setting when windowsVss is false", () => {
    expect(plan({ windowsVss: false }).advanced_backup_setting).toBeUndefined();
  });

  it("writes every rule to the vault with explicit windows, timezone and retention", () => {
    expect(plan().rule).toEqual([
      {
        rule_name: "daily",
        target_vault_name: expect.stringMatching(/^\$\{aws_backup_vault\.[^.]+\.name\}$/),
        schedule: "cron(0 5 ? * * *)",
        schedule_expression_timezone: "Etc/UTC",
        start_window: 60,
        completion_window: 480,
        lifecycle: { delete_after: 35 },
      },
    ]);
  });

  it("emits copy actions, cold storage and recovery point tags when given", () => {
    const rule: BackupRuleSpec = {
      ...daily,
      deleteAfterDays: 200,
      coldStorageAfterDays: 30,
      timezone: "Europe/Berlin",
      startWindowMinutes: 120,
      completionWindowMinutes: 600,
      copies: [{ destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr", deleteAfterDays: 90 }],
      recoveryPointTags: { CostCentre: "1234" },
    };
    const [emitted] = plan({ rules: [rule] }).rule as Record<string, unknown>[];
    expect(emitted).toMatchObject({
      schedule_expression_timezone: "Europe/Berlin",
      start_window: 120,
      completion_window: 600,
      lifecycle: { delete_after: 200, cold_storage_after: 30 },
      copy_action: [
        {
          destination_vault_arn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr",
          lifecycle: { delete_after: 90 },
        },
      ],
      recovery_point_tags: { CostCentre: "1234" },
    });
  });

  it("warns, without failing, that cold storage is ignored for EC2 backups", () => {
    let construct: VssBackupPlan | undefined;
    synthesize((scope) => {
      construct = new VssBackupPlan(scope, "plan", {
        name: "vss",
        vault: vaultIn(scope),
        rules: [{ ...daily, deleteAfterDays: 200, coldStorageAfterDays: 30 }],
      });
    });
    const warnings = construct!.node.metadata
      .filter((m) => m.type === AnnotationMetadataEntryType.WARN)
      .map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^rules\[0\]\.coldStorageAfterDays: AWS Backup ignores cold storage for EC2 backups/),
    ]);
  });

  it("adds no warning when no rule uses cold storage", () => {
    let construct: VssBackupPlan | undefined;
    synthesize((scope) => {
      construct = new VssBackupPlan(scope, "plan", { name: "vss", vault: vaultIn(scope), rules: [daily] });
    });
    expect(construct!.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN)).toEqual([]);
  });

  it("warns about cold storage on a copy by the copy's path, and not about a copy without it", () => {
    let construct: VssBackupPlan | undefined;
    synthesize((scope) => {
      construct = new VssBackupPlan(scope, "plan", {
        name: "vss",
        vault: vaultIn(scope),
        rules: [
          {
            ...daily,
            copies: [
              { destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr", deleteAfterDays: 7 },
              {
                destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr",
                deleteAfterDays: 200,
                coldStorageAfterDays: 30,
              },
            ],
          },
        ],
      });
    });
    const warnings = construct!.node.metadata
      .filter((m) => m.type === AnnotationMetadataEntryType.WARN)
      .map((m) => String(m.data));
    expect(warnings).toEqual([
      "rules[0].copies[1].coldStorageAfterDays: AWS Backup ignores cold storage for EC2 backups, and this plan selects only EC2 instances; leave it out",
    ]);
  });

  describe("accepts the edges of what AWS allows", () => {
    it.each<[string, Partial<BackupRuleSpec>]>([
      ["a completion window of 100 years (52560000 minutes)", { completionWindowMinutes: 52_560_000 }],
      ["exactly 90 days in cold storage", { deleteAfterDays: 120, coldStorageAfterDays: 30 }],
      ["cold storage after 36410 days, kept 36500", { deleteAfterDays: 36_500, coldStorageAfterDays: 36_410 }],
    ])("%s", (_, change) => {
      expect(constructing({ rules: [{ ...daily, ...change }] })).not.toThrow();
    });
  });

  describe("BackupRules presets", () => {
    it.each([
      ["daily", BackupRules.daily({ keepDays: 7 }), "cron(0 5 ? * * *)"],
      ["weekly", BackupRules.weekly({ keepDays: 35, atHour: 2 }), "cron(0 2 ? * SUN *)"],
      ["monthly", BackupRules.monthly({ keepDays: 365, atHour: 3 }), "cron(0 3 1 * ? *)"],
    ])("%s schedules a valid AWS cron at the given hour", (name, rule, schedule) => {
      expect(rule).toMatchObject({ name, schedule });
      expect(() => constructing({ rules: [rule] })()).not.toThrow();
    });

    it("keeps the preset's retention and timezone", () => {
      expect(BackupRules.daily({ keepDays: 9, timezone: "Europe/Berlin", name: "nightly" })).toEqual({
        name: "nightly",
        schedule: "cron(0 5 ? * * *)",
        timezone: "Europe/Berlin",
        deleteAfterDays: 9,
        copies: undefined,
      });
    });
  });

  describe("rejects, naming the field and what is allowed", () => {
    it.each<[string, Partial<BackupRuleSpec>, RegExp]>([
      [
        "a name with a space",
        { name: "my rule" },
        /rules\[0\]\.name: "my rule" has ' ', allowed: 1-50 of A-Z a-z 0-9 - _ \./,
      ],
      [
        "a five-field cron",
        { schedule: "cron(0 5 * * ?)" },
        /rules\[0\]\.schedule: .* has 5 fields, allowed: six fields/,
      ],
      [
        "a rate expression",
        { schedule: "rate(1 day)" },
        /rules\[0\]\.schedule: "rate\(1 day\)" is not a cron expression/,
      ],
      [
        "'*' in both day fields",
        { schedule: "cron(0 5 * * * *)" },
        /exactly one of day-of-month and day-of-week must be '\?'/,
      ],
      [
        "more often than hourly",
        { schedule: "cron(0/15 * ? * * *)" },
        /rules\[0\]\.schedule: .*minutes is '0\/15', but AWS Backup runs at most hourly/,
      ],
      ["an hour out of range", { schedule: "cron(0 24 ? * * *)" }, /hours '24' is not valid, allowed: 0-23/],
      [
        "an unknown time zone",
        { timezone: "Mars/Olympus" },
        /rules\[0\]\.timezone: "Mars\/Olympus" is not a time zone/,
      ],
      [
        "a start window under 60",
        { startWindowMinutes: 30 },
        /rules\[0\]\.startWindowMinutes: 30 is not allowed, allowed: a whole number of minutes \(AWS Backup needs at least 60\) from 60/,
      ],
      [
        "a completion window not after the start window",
        { startWindowMinutes: 120, completionWindowMinutes: 120 },
        /rules\[0\]\.completionWindowMinutes: 120 is not allowed, allowed: a whole number of minutes greater than startWindowMinutes \(120\)/,
      ],
      [
        "zero retention",
        { deleteAfterDays: 0 },
        /rules\[0\]\.deleteAfterDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500/,
      ],
      [
        "retention too short for cold storage",
        { deleteAfterDays: 90, coldStorageAfterDays: 30 },
        /rules\[0\]\.coldStorageAfterDays: 30 leaves 60 days in cold storage; deleteAfterDays must be at least 120/,
      ],
      [
        "a copy target that is not a vault ARN",
        { copies: [{ destinationVaultArn: "dr-vault", deleteAfterDays: 7 }] },
        /rules\[0\]\.copies\[0\]\.destinationVaultArn: "dr-vault" is not an ARN/,
      ],
      [
        "a copy kept too short for its cold storage",
        {
          copies: [
            {
              destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr",
              deleteAfterDays: 100,
              coldStorageAfterDays: 20,
            },
          ],
        },
        /rules\[0\]\.copies\[0\]\.coldStorageAfterDays: 20 leaves 80 days/,
      ],
      [
        "a recovery point tag value with a character AWS refuses",
        { recoveryPointTags: { Owner: "a;b" } },
        /rules\[0\]\.recoveryPointTags\["Owner"\]: "a;b" is not a tag value, allowed: 0-256 characters of letters, digits, spaces and _ \. : \/ = \+ - @/,
      ],
      [
        "a recovery point tag key AWS reserves",
        { recoveryPointTags: { "aws:owner": "x" } },
        /rules\[0\]\.recoveryPointTags\["aws:owner"\]: "aws:owner" starts with "aws:", which AWS reserves; allowed: 1-128 characters/,
      ],
      [
        "a recovery point tag key over 128 characters",
        { recoveryPointTags: { ["k".repeat(129)]: "x" } },
        /rules\[0\]\.recoveryPointTags\["k{129}"\]: "k{129}" is not a tag key, allowed: 1-128 characters/,
      ],
      [
        "more than 50 recovery point tags",
        { recoveryPointTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "x"])) },
        /rules\[0\]\.recoveryPointTags: 51 tags per resource, allowed: at most 50/,
      ],
      [
        "a copy to a vault ARN of another partition",
        {
          copies: [
            { destinationVaultArn: "arn:aws-cn:backup:cn-north-1:123456789012:backup-vault:dr", deleteAfterDays: 7 },
          ],
        },
        /rules\[0\]\.copies\[0\]\.destinationVaultArn: "arn:aws-cn:backup:cn-north-1:123456789012:backup-vault:dr" is in partition aws-cn, allowed: arn:aws:/,
      ],
      [
        "a copy to a region the provider does not know",
        {
          copies: [
            { destinationVaultArn: "arn:aws:backup:eu-west-9:123456789012:backup-vault:dr", deleteAfterDays: 7 },
          ],
        },
        /rules\[0\]\.copies\[0\]\.destinationVaultArn: "arn:aws:backup:eu-west-9:123456789012:backup-vault:dr": region "eu-west-9" is not a region hashicorp\/aws 5\.100\.0 accepts/,
      ],
      [
        "a schedule that never fires (31 February)",
        { schedule: "cron(0 5 31 2 ? *)" },
        /rules\[0\]\.schedule: "cron\(0 5 31 2 \? \*\)" never fires after/,
      ],
      [
        "retention over 100 years",
        { deleteAfterDays: 36501 },
        /rules\[0\]\.deleteAfterDays: 36501 is not allowed, allowed: a whole number of days from 1 to 36500/,
      ],
      [
        "a rule name over 50 characters",
        { name: "r".repeat(51) },
        /rules\[0\]\.name: "r{51}" has 51 characters, allowed: 1-50/,
      ],
      [
        "a completion window over 100 years",
        { completionWindowMinutes: 52_560_001 },
        /\n {2}rules\[0\]\.completionWindowMinutes: 52560001 is not allowed, allowed: a whole number of minutes greater than startWindowMinutes \(60\) and at most 52560000$/,
      ],
      [
        "a completion window of a fraction of a minute",
        { completionWindowMinutes: 480.5 },
        /\n {2}rules\[0\]\.completionWindowMinutes: 480\.5 is not allowed, allowed: a whole number of minutes greater than startWindowMinutes \(60\) and at most 52560000$/,
      ],
      [
        "cold storage after 0 days",
        { deleteAfterDays: 200, coldStorageAfterDays: 0 },
        /\n {2}rules\[0\]\.coldStorageAfterDays: 0 is not allowed, allowed: a whole number of days from 1 to 36410$/,
      ],
      [
        "cold storage after 36411 days, past the 36500 days less the 90 in cold storage",
        { deleteAfterDays: 36_500, coldStorageAfterDays: 36_411 },
        /\n {2}rules\[0\]\.coldStorageAfterDays: 36411 is not allowed, allowed: a whole number of days from 1 to 36410\n {2}rules\[0\]\.coldStorageAfterDays: 36411 leaves 89 days in cold storage; deleteAfterDays must be at least 36501 /,
      ],
    ])("%s", (_, change, message) => {
      expect(constructing({ rules: [{ ...daily, ...change }] })).toThrow(message);
    });

    it("a copy to copyEveryRuleTo kept 0 days", () => {
      expect(() =>
        synthesize(
          (scope) =>
            new VssBackupPlan(scope, "plan", {
              name: "vss",
              vault: vaultIn(scope),
              rules: [daily],
              copyEveryRuleTo: { vault: new VssBackupVault(scope, "dr-vault", { name: "dr" }), deleteAfterDays: 0 },
            }),
        ),
      ).toThrow(
        "VssBackupPlan stack/plan (1 problem):\n  copyEveryRuleTo.deleteAfterDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500",
      );
    });

    it("a plan name with a slash", () => {
      expect(constructing({ name: "a/b" })).toThrow(/name: "a\/b" has '\/', allowed: 1-50 of A-Z a-z 0-9 - _ \./);
    });

    it("no rules", () => {
      expect(constructing({ rules: [] })).toThrow(/rules: is empty, allowed: at least one rule/);
    });

    it("two rules with one name", () => {
      expect(constructing({ rules: [daily, { ...daily, schedule: "cron(0 6 ? * * *)" }] })).toThrow(
        /rules\[1\]\.name: "daily" is used by an earlier rule/,
      );
    });

    it("every problem at once, one line each", () => {
      expect(constructing({ name: "", rules: [{ ...daily, startWindowMinutes: 10, deleteAfterDays: -1 }] })).toThrow(
        /VssBackupPlan .* \(3 problems\):\n {2}name: .*\n {2}rules\[0\]\.startWindowMinutes: .*\n {2}rules\[0\]\.deleteAfterDays: /,
      );
    });
  });
});
