import { BackupRestoreTestingPlan } from "@cdktf/provider-aws/lib/backup-restore-testing-plan";
import { BackupRestoreTestingSelection } from "@cdktf/provider-aws/lib/backup-restore-testing-selection";
import {
  BackupServiceRole,
  restoreTestingName,
  SYNTHESIS_TIME_CONTEXT,
  VssBackupVault,
  VssRestoreTesting,
  VssRestoreTestingProps,
} from "../../modules";
import { NOW } from "../support/clock";
import { addressesOf, addressOf, SynthesizedStack, synthesize, theResource } from "../synth";

const SERVICE_ROLE = "arn:aws:iam::111111111111:role/fleet-backup-service";

type Settings = Omit<VssRestoreTestingProps, "vaults" | "serviceRole">;
const SETTINGS: Settings = {
  planName: "fleet_restore_test",
  selectionName: "fleet_windows_instances",
  schedule: "cron(0 3 ? * SUN *)",
  subnetId: "subnet-0a1b2c3d4e5f60718",
  securityGroupIds: ["sg-0123456789abcdef0", "sg-0fedcba987654321f"],
  tag: { key: "Backup", value: "windows-vss" },
};

function restoreTestingOf(settings: Partial<Settings> = {}) {
  const stack = synthesize((scope) => {
    scope.node.setContext(SYNTHESIS_TIME_CONTEXT, NOW.toISOString());
    const vault = new VssBackupVault(scope, "vault", { name: "fleet" });
    new VssRestoreTesting(scope, "restore-testing", {
      ...SETTINGS,
      ...settings,
      vaults: [vault],
      serviceRole: BackupServiceRole.fromRoleArn(SERVICE_ROLE),
    });
  });
  return {
    stack,
    plan: theResource(stack, BackupRestoreTestingPlan),
    selection: theResource(stack, BackupRestoreTestingSelection),
  };
}

describe("VssRestoreTesting: the plan", () => {
  let stack: SynthesizedStack;
  let plan: Record<string, unknown>;
  beforeEach(() => ({ stack, plan } = restoreTestingOf()));

  it("restores the latest snapshot of the last 30 days from the given vault, on schedule in UTC by default", () => {
    expect(plan).toMatchObject({
      name: "fleet_restore_test",
      schedule_expression: "cron(0 3 ? * SUN *)",
      schedule_expression_timezone: "Etc/UTC",
      start_window_hours: 24,
      recovery_point_selection: [
        {
          algorithm: "LATEST_WITHIN_WINDOW",
          recovery_point_types: ["SNAPSHOT"],
          selection_window_days: 30,
        },
      ],
    });
    const [points] = plan.recovery_point_selection as { include_vaults: string[] }[];
    expect(points.include_vaults.map(addressOf)).toEqual(addressesOf(stack, "aws_backup_vault"));
  });

  it("takes the time zone, start window and selection window given", () => {
    const { plan: given } = restoreTestingOf({
      timezone: "Europe/Berlin",
      startWindowHours: 4,
      selectionWindowDays: 7,
    });
    expect(given).toMatchObject({
      schedule_expression_timezone: "Europe/Berlin",
      start_window_hours: 4,
      recovery_point_selection: [{ selection_window_days: 7 }],
    });
  });
});

describe("VssRestoreTesting: the EC2 selection", () => {
  let stack: SynthesizedStack;
  let selection: Record<string, unknown>;
  beforeEach(() => ({ stack, selection } = restoreTestingOf()));

  it("selects EC2 instances by the tag condition only (no protected_resource_arns), as the given role", () => {
    expect(selection).toMatchObject({
      name: "fleet_windows_instances",
      protected_resource_type: "EC2",
      iam_role_arn: SERVICE_ROLE,
      protected_resource_conditions: [{ string_equals: [{ key: "aws:ResourceTag/Backup", value: "windows-vss" }] }],
      validation_window_hours: 1,
    });
    expect(selection).not.toHaveProperty("protected_resource_arns");
    expect(addressOf(selection.restore_testing_plan_name)).toBe(addressesOf(stack, BackupRestoreTestingPlan)[0]);
  });

  it("overrides the subnet, the groups (a JSON array string), the backed-up profile and IMDSv2; the type only when given", () => {
    expect(selection.restore_metadata_overrides).toEqual({
      subnetId: "subnet-0a1b2c3d4e5f60718",
      securityGroupIds: '["sg-0123456789abcdef0","sg-0fedcba987654321f"]',
      iamInstanceProfileName: "UseBackedUpValue",
      requireImdsV2: "true",
    });
    const { selection: typed } = restoreTestingOf({ instanceType: "m5.xlarge", validationWindowHours: 12 });
    expect(typed.restore_metadata_overrides).toMatchObject({ instanceType: "m5.xlarge" });
    expect(typed.validation_window_hours).toBe(12);
  });
});

describe("VssRestoreTesting: validation", () => {
  it.each<[string, Partial<Settings>, string]>([
    [
      "a plan name with a hyphen",
      { planName: "fleet-restore" },
      `planName: "fleet-restore" has '-', allowed: 1-50 of A-Z a-z 0-9 _`,
    ],
    [
      "a 51-character selection name",
      { selectionName: "s".repeat(51) },
      'selectionName: "' + "s".repeat(51) + '" has 51 characters, allowed: 1-50 of A-Z a-z 0-9 _',
    ],
    ["a schedule that is not cron", { schedule: "rate(7 days)" }, 'schedule: "rate(7 days)" is not a cron expression'],
    [
      "a schedule that never fires again",
      { schedule: "cron(0 3 1 1 ? 2020)" },
      'schedule: "cron(0 3 1 1 ? 2020)" never fires after',
    ],
    ["an unknown time zone", { timezone: "Mars/Olympus" }, 'timezone: "Mars/Olympus" is not a time zone'],
    [
      "a start window of 0 hours",
      { startWindowHours: 0 },
      "startWindowHours: 0 is not allowed, allowed: a whole number of hours from 1 to 168",
    ],
    [
      "a start window of 169 hours",
      { startWindowHours: 169 },
      "startWindowHours: 169 is not allowed, allowed: a whole number of hours from 1 to 168",
    ],
    [
      "a selection window of 366 days",
      { selectionWindowDays: 366 },
      "selectionWindowDays: 366 is not allowed, allowed: a whole number of days from 1 to 365",
    ],
    [
      "a validation window of 0 hours",
      { validationWindowHours: 0 },
      "validationWindowHours: 0 is not allowed, allowed: a whole number of hours from 1 to 168",
    ],
    [
      "a subnet name instead of an ID",
      { subnetId: "private-a" },
      'subnetId: "private-a" is not a subnet ID, allowed: subnet- and 8 or 17 of 0-9 a-f',
    ],
    ["no security group", { securityGroupIds: [] }, "securityGroupIds: has 0 groups, allowed: 1-5 security group IDs"],
    [
      "six security groups",
      { securityGroupIds: ["sg-01234567", "sg-11234567", "sg-21234567", "sg-31234567", "sg-41234567", "sg-51234567"] },
      "securityGroupIds: has 6 groups, allowed: 1-5",
    ],
    [
      "a group name instead of an ID",
      { securityGroupIds: ["default"] },
      'securityGroupIds[0]: "default" is not a security group ID, allowed: sg- and 8 or 17 of 0-9 a-f',
    ],
    [
      "a group listed twice",
      { securityGroupIds: ["sg-01234567", "sg-01234567"] },
      'securityGroupIds[1]: "sg-01234567" is listed twice',
    ],
    [
      "an instance type without a size",
      { instanceType: "t3" },
      'instanceType: "t3" is not an instance type, allowed: family.size',
    ],
    [
      "a tag key a restore testing condition cannot hold",
      { tag: { key: "team@backup", value: "x" } },
      'tag: key "team@backup" cannot be a restore testing condition ("aws:ResourceTag/team@backup"), allowed: a tag key of at most 112',
    ],
    ["an empty tag value", { tag: { key: "Backup", value: "" } }, 'tag.value: "" is empty'],
  ])("rejects %s", (_, settings, message) => {
    expect(() => restoreTestingOf(settings)).toThrow(message);
  });

  it("reports every problem at once", () => {
    expect(() => restoreTestingOf({ planName: "a-b", subnetId: "x", validationWindowHours: 200 })).toThrow(
      "(3 problems)",
    );
  });

  it("derives names AWS accepts from hyphenated ones", () => {
    expect(restoreTestingName("vss-backup-prod", "restore_test")).toBe("vss_backup_prod_restore_test");
  });
});
