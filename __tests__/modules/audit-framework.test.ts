import {
  BackupRules,
  BackupRuleSpec,
  BackupServiceRole,
  derivedAuditRequirement,
  RequiredFrequency,
  VssAuditFramework,
  VssAuditFrameworkProps,
  vssAuditFrameworkProblems,
  VssBackupPlan,
  VssBackupVault,
  VssVaultDeletionGuard,
  VssVaultLock,
} from "../../modules";
import { NOW } from "../support/clock";
import { addressOf, addressesOf, synthesize, theResource } from "../synth";

const ACCOUNT = "111111111111";
const SERVICE_ROLE = `arn:aws:iam::${ACCOUNT}:role/backup-service`;
const PROD_RULES = [
  BackupRules.daily({ keepDays: 35, atHour: 1, timezone: "Europe/Berlin" }),
  BackupRules.weekly({ keepDays: 90, atHour: 2, timezone: "Europe/Berlin" }),
  BackupRules.monthly({ keepDays: 365, atHour: 3, timezone: "Europe/Berlin" }),
];

type Extras = Partial<Pick<VssAuditFrameworkProps, "requiredFrequency" | "requiredRetentionDays" | "copyRegion">> & {
  readonly guarded?: boolean;
  readonly locked?: boolean;
  readonly rules?: readonly BackupRuleSpec[];
};

function frameworkOf(extras: Extras = {}) {
  const { guarded, locked, rules = PROD_RULES, ...props } = extras;
  const stack = synthesize((scope) => {
    const vault = new VssBackupVault(scope, "vault", { name: "fleet" });
    const plan = new VssBackupPlan(scope, "plan", { name: "fleet", vault, rules });
    const selection = plan.addSelection("selection", {
      name: "fleet-instances",
      serviceRole: BackupServiceRole.fromRoleArn(SERVICE_ROLE),
      tag: { key: "Backup", value: "windows-vss" },
    });
    const deletionGuard = guarded
      ? new VssVaultDeletionGuard(scope, "guard", {
          vault,
          exemptRoleArns: [`arn:aws:iam::${ACCOUNT}:role/break-glass`],
        })
      : undefined;
    const lock = locked
      ? new VssVaultLock(scope, "lock", { vault, mode: "governance", minRetentionDays: 7, maxRetentionDays: 365 })
      : undefined;
    new VssAuditFramework(scope, "audit", { name: "fleet_prod_vss", plan, selection, deletionGuard, lock, ...props });
  });
  const framework = theResource(stack, "aws_backup_framework");
  type Control = {
    name: string;
    input_parameter?: { name: string; value: string }[];
    scope?: Record<string, unknown>;
  };
  const controls = framework.control as Control[];
  const control = (name: string) => controls.find((c) => c.name === name);
  return { stack, framework, names: controls.map((c) => c.name), control };
}

const TAGGED = { tags: { Backup: "windows-vss" } };

describe("VssAuditFramework: the controls", () => {
  it("always judges the tagged resources' plan, the plan's frequency and retention, and encryption", () => {
    const { framework, names } = frameworkOf();
    expect(framework.name).toBe("fleet_prod_vss");
    expect(framework.description).toBe("Windows VSS backups of the EC2 instances tagged Backup=windows-vss");
    expect(names).toEqual([
      "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
      "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
      "BACKUP_RECOVERY_POINT_ENCRYPTED",
    ]);
  });

  it("scopes the resource control to the selection's tag and the encryption control to EC2", () => {
    const { control } = frameworkOf();
    expect(control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN")?.scope).toEqual(TAGGED);
    expect(control("BACKUP_RECOVERY_POINT_ENCRYPTED")?.scope).toEqual({ compliance_resource_types: ["EC2"] });
  });

  it("scopes the frequency control to this plan, by its ID", () => {
    const { stack, control } = frameworkOf();
    const scope = control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")?.scope as Record<string, string[]>;
    expect(scope.compliance_resource_types).toEqual(["AWS::Backup::BackupPlan"]);
    expect(addressOf(scope.compliance_resource_ids[0])).toBe(addressesOf(stack, "aws_backup_plan")[0]);
  });

  it("requires by default what every rule meets: the monthly rule's 31 days and the daily rule's 35 days", () => {
    const { control } = frameworkOf();
    expect(control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")?.input_parameter).toEqual([
      { name: "requiredFrequencyUnit", value: "days" },
      { name: "requiredFrequencyValue", value: "31" },
      { name: "requiredRetentionDays", value: "35" },
    ]);
  });

  it("requires the configured frequency and retention when a rule meets them", () => {
    const { control } = frameworkOf({ requiredFrequency: { unit: "hours", value: 24 }, requiredRetentionDays: 35 });
    expect(control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")?.input_parameter).toEqual([
      { name: "requiredFrequencyUnit", value: "hours" },
      { name: "requiredFrequencyValue", value: "24" },
      { name: "requiredRetentionDays", value: "35" },
    ]);
  });

  it("judges the guarded vault's manual deletion, by name, with no principalArnList (a framework takes no exceptions)", () => {
    const { stack, control } = frameworkOf({ guarded: true });
    const manual = control("BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED");
    expect(manual?.input_parameter ?? []).toEqual([]);
    const scope = manual?.scope as Record<string, string[]>;
    expect(scope.compliance_resource_types).toEqual(["AWS::Backup::BackupVault"]);
    expect(addressOf(scope.compliance_resource_ids[0])).toBe(addressesOf(stack, "aws_backup_vault")[0]);
  });

  it("adds the vault-lock control with a lock and the cross-region control, naming the region, with a copy", () => {
    const { control, names } = frameworkOf({ locked: true, copyRegion: "eu-west-1" });
    expect(control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK")?.scope).toEqual(TAGGED);
    expect(control("BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION")).toEqual({
      name: "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
      input_parameter: [{ name: "crossRegionList", value: "eu-west-1" }],
      scope: TAGGED,
    });
    expect(names).not.toContain("BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED");
  });

  it("leaves out the deletion, lock and cross-region controls without a guard, a lock or a copy", () => {
    const { names } = frameworkOf();
    expect(names).not.toContain("BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED");
    expect(names).not.toContain("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK");
    expect(names).not.toContain("BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION");
  });

  it("refuses to synthesize a requirement no rule meets", () => {
    expect(() => frameworkOf({ requiredRetentionDays: 400 })).toThrow(
      "VssAuditFramework stack/audit (1 problem):\n  requiredRetentionDays: 400 days is kept by no rule that backs up every 31 days",
    );
  });
});

describe("derivedAuditRequirement", () => {
  it.each<[string, BackupRuleSpec[], RequiredFrequency, number]>([
    ["a daily rule", [BackupRules.daily({ keepDays: 7 })], { unit: "days", value: 1 }, 7],
    [
      "daily and weekly rules",
      [BackupRules.daily({ keepDays: 14 }), BackupRules.weekly({ keepDays: 35 })],
      { unit: "days", value: 7 },
      14,
    ],
    [
      "a rule every 12 hours",
      [{ name: "twice", schedule: "cron(0 5,17 ? * * *)", deleteAfterDays: 3 }],
      { unit: "hours", value: 12 },
      3,
    ],
    [
      "a rule at 01:00 and 05:00 (20 hours apart at most)",
      [{ name: "night", schedule: "cron(0 1,5 ? * * *)", deleteAfterDays: 3 }],
      { unit: "hours", value: 20 },
      3,
    ],
    [
      "a quarterly rule beside a weekly one (a quarter is beyond 31 days: the weekly rule's frequency)",
      [
        BackupRules.weekly({ keepDays: 35 }),
        { name: "quarterly", schedule: "cron(0 5 1 1,4,7,10 ? *)", deleteAfterDays: 730 },
      ],
      { unit: "days", value: 7 },
      35,
    ],
    [
      "weekly before daily (the least frequent rule wherever it stands)",
      [BackupRules.weekly({ keepDays: 35 }), BackupRules.daily({ keepDays: 14 })],
      { unit: "days", value: 7 },
      14,
    ],
    [
      "twice a day on weekdays (60 hours from Friday 17:00 to Monday 05:00: whole days above a day, 3)",
      [{ name: "weekdays", schedule: "cron(0 5,17 ? * MON-FRI *)", deleteAfterDays: 7 }],
      { unit: "days", value: 3 },
      7,
    ],
  ])("%s", (_, rules, frequency, retentionDays) => {
    expect(derivedAuditRequirement(rules, NOW)).toEqual({ frequency, retentionDays });
  });

  it("is undefined when no rule runs at least every 31 days", () => {
    const quarterly = { name: "quarterly", schedule: "cron(0 5 1 1,4,7,10 ? *)", deleteAfterDays: 730 };
    expect(derivedAuditRequirement([quarterly], NOW)).toBeUndefined();
  });
});

describe("vssAuditFrameworkProblems: one line per problem", () => {
  const problems = (props: Partial<Parameters<typeof vssAuditFrameworkProblems>[0]>, rules = PROD_RULES) =>
    vssAuditFrameworkProblems({ name: "fleet_prod_vss", ...props }, rules, NOW).all;

  it("accepts the derived requirement and one the daily rule meets", () => {
    expect(problems({})).toEqual([]);
    expect(problems({ requiredFrequency: { unit: "days", value: 1 }, requiredRetentionDays: 35 })).toEqual([]);
  });

  it.each<[string, Partial<Parameters<typeof vssAuditFrameworkProblems>[0]>, string, string]>([
    [
      "a hyphen in the name",
      { name: "fleet-prod" },
      "name",
      `"fleet-prod" has '-', allowed: 1-256 of A-Z a-z 0-9 _ starting with a letter`,
    ],
    [
      "a digit first",
      { name: "1fleet" },
      "name",
      `"1fleet" has '1', allowed: 1-256 of A-Z a-z 0-9 _ starting with a letter`,
    ],
    [
      "an empty name",
      { name: "" },
      "name",
      `"" has 0 characters, allowed: 1-256 of A-Z a-z 0-9 _ starting with a letter`,
    ],
    [
      "a unit AWS does not take",
      { requiredFrequency: { unit: "weeks" as "days", value: 1 } },
      "requiredFrequency.unit",
      `"weeks" is not allowed, allowed: "hours" or "days"`,
    ],
    [
      "25 hours",
      { requiredFrequency: { unit: "hours", value: 25 } },
      "requiredFrequency.value",
      "25 is not allowed, allowed: a whole number of hours from 1 to 24",
    ],
    [
      "32 days",
      { requiredFrequency: { unit: "days", value: 32 } },
      "requiredFrequency.value",
      "32 is not allowed, allowed: a whole number of days from 1 to 31",
    ],
    [
      "a retention of 0 days",
      { requiredRetentionDays: 0 },
      "requiredRetentionDays",
      "0 is not allowed, allowed: a whole number of days from 1 to 36500",
    ],
    [
      "a frequency no rule meets",
      { requiredFrequency: { unit: "hours", value: 12 } },
      "requiredFrequency",
      "every 12 hours is met by no rule of the plan: the control would report it NON_COMPLIANT; allowed: a frequency a rule meets (daily: every 1 day, 35 days; weekly: every 7 days, 90 days; monthly: every 31 days, 365 days)",
    ],
    [
      "a retention the daily rule does not keep, at a daily frequency",
      { requiredFrequency: { unit: "days", value: 1 }, requiredRetentionDays: 90 },
      "requiredRetentionDays",
      "90 days is kept by no rule that backs up every 1 day: the control would report the plan NON_COMPLIANT; allowed: a retention such a rule keeps (daily: every 1 day, 35 days; weekly: every 7 days, 90 days; monthly: every 31 days, 365 days)",
    ],
    ["a region the provider does not know", { copyRegion: "eu-west-9" }, "copyRegion", "eu-west-9"],
  ])("%s", (_, props, path, message) => {
    const found = problems(props);
    expect(found).toHaveLength(1);
    expect(found[0].path).toBe(path);
    expect(found[0].message).toContain(message);
  });

  it("accepts a retention that one of several rules meeting the frequency keeps (the weekly rule, not the daily)", () => {
    expect(problems({ requiredFrequency: { unit: "days", value: 7 }, requiredRetentionDays: 90 })).toEqual([]);
  });

  it("judges a given frequency against rules that run too seldom for the control, naming each rule's frequency", () => {
    const quarterly = { name: "quarterly", schedule: "cron(0 5 1 1,4,7,10 ? *)", deleteAfterDays: 730 };
    const once = { name: "once", schedule: "cron(0 5 1 1 ? 2027)", deleteAfterDays: 7 };
    expect(problems({ requiredFrequency: { unit: "days", value: 31 } }, [quarterly, once])).toEqual([
      {
        path: "requiredFrequency",
        message:
          "every 31 days is met by no rule of the plan: the control would report it NON_COMPLIANT; allowed: a frequency a rule meets (quarterly: every 92 days, 730 days; once: runs fewer than twice in two years, 7 days)",
      },
    ]);
  });

  it("takes the limits themselves: every 24 hours, every 31 days, a retention of 1 day", () => {
    expect(problems({ requiredFrequency: { unit: "hours", value: 24 } })).toEqual([]);
    expect(problems({ requiredFrequency: { unit: "days", value: 31 } })).toEqual([]);
    expect(problems({ requiredRetentionDays: 1 })).toEqual([]);
  });

  it.each<[string, Partial<Parameters<typeof vssAuditFrameworkProblems>[0]>, string]>([
    ["0 hours", { requiredFrequency: { unit: "hours", value: 0 } }, "0 is not allowed"],
    ["1.5 days", { requiredFrequency: { unit: "days", value: 1.5 } }, "1.5 is not allowed"],
    ["a retention of 1.5 days", { requiredRetentionDays: 1.5 }, "1.5 is not allowed"],
    ["a retention of 36501 days", { requiredRetentionDays: 36_501 }, "36501 is not allowed"],
  ])("rejects %s as out of range, and judges nothing further", (_, props, message) => {
    const [found, ...more] = problems(props);
    expect(found.message).toMatch(new RegExp(`^${message.replace(".", "\\.")}, allowed: a whole number of`));
    expect(more).toEqual([]);
  });

  it("judges the longest retention AWS takes against the rules, not as out of range", () => {
    expect(problems({ requiredRetentionDays: 36_500 })).toEqual([
      {
        path: "requiredRetentionDays",
        message: expect.stringMatching(/^36500 days is kept by no rule that backs up every 31 days/),
      },
    ]);
  });

  it("names the missing frequency when no rule runs at least every 31 days", () => {
    const quarterly = { name: "quarterly", schedule: "cron(0 5 1 1,4,7,10 ? *)", deleteAfterDays: 730 };
    expect(problems({}, [quarterly])).toEqual([
      {
        path: "requiredFrequency",
        message:
          "no rule of the plan backs up at least every 31 days, the longest frequency the control takes; allowed: a plan with such a rule",
      },
    ]);
  });
});
