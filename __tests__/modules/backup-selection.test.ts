import { BackupServiceRole, VssBackupSelection, VssBackupSelectionProps } from "../../modules";
import { addressOf, referencedPolicyDocument, resources, synthesize, theResource } from "../synth";

const props: VssBackupSelectionProps = {
  name: "fleet.windows",
  planId: "plan-1234",
  serviceRoleArn: "arn:aws:iam::123456789012:role/backup",
  tag: { key: "Backup", value: "windows-vss" },
};

function selection(change: Partial<VssBackupSelectionProps> = {}) {
  return theResource(
    synthesize((scope) => new VssBackupSelection(scope, "selection", { ...props, ...change })),
    "aws_backup_selection",
  );
}

describe("VssBackupSelection", () => {
  it("selects only EC2 instances carrying the tag: resources AND one condition block", () => {
    const emitted = selection();
    expect(emitted.resources).toEqual(["arn:aws:ec2:*:*:instance/*"]);
    expect(emitted.condition).toEqual([{ string_equals: [{ key: "aws:ResourceTag/Backup", value: "windows-vss" }] }]);
  });

  it("never uses selection_tag, which AWS ORs with resources (it would also pick tagged EBS volumes)", () => {
    expect(selection()).not.toHaveProperty("selection_tag");
  });

  it("belongs to the plan and uses the service role", () => {
    expect(selection()).toMatchObject({
      name: "fleet.windows",
      plan_id: "plan-1234",
      iam_role_arn: "arn:aws:iam::123456789012:role/backup",
    });
  });

  it.each<[string, Partial<VssBackupSelectionProps>, RegExp]>([
    [
      "a name over 50 characters",
      { name: "s".repeat(51) },
      /name: "s+" has 51 characters, allowed: 1-50 of A-Z a-z 0-9 - _ \./,
    ],
    ["an empty tag key", { tag: { key: "", value: "x" } }, /tag\.key: "" is empty/],
    ["a blank tag value", { tag: { key: "Backup", value: "  " } }, /tag\.value: " {2}" is empty/],
  ])("rejects %s", (_, change, message) => {
    expect(() => selection(change)).toThrow(message);
  });
});

describe("BackupServiceRole", () => {
  const instanceRoleArn = "arn:aws:iam::123456789012:role/fleet-vss";
  const stack = synthesize(
    (scope) =>
      new BackupServiceRole(scope, "service-role", {
        roleName: "fleet-backup",
        passableInstanceRoleArns: [instanceRoleArn],
      }),
  );

  it("can be assumed by AWS Backup only", () => {
    const role = theResource(stack, "aws_iam_role");
    expect(role.name).toBe("fleet-backup");
    expect(referencedPolicyDocument(stack, role.assume_role_policy).statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["backup.amazonaws.com"] }],
      },
    ]);
  });

  it("attaches AWS Backup's backup and restore service-role policies", () => {
    expect(resources(stack, "aws_iam_role_policy_attachment").map((a) => a.policy_arn)).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
  });

  it("may pass only the instance role, and only to EC2 (restores launch instances with it)", () => {
    const inline = theResource(stack, "aws_iam_role_policy");
    expect(addressOf(inline.role)).toMatch(/^aws_iam_role\./);
    expect(referencedPolicyDocument(stack, inline.policy).statement).toEqual([
      {
        sid: "PassInstanceRoleToRestoredInstances",
        effect: "Allow",
        actions: ["iam:PassRole"],
        resources: [instanceRoleArn],
        condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
      },
    ]);
  });

  it("rejects a role name with a slash", () => {
    expect(() =>
      synthesize((scope) => new BackupServiceRole(scope, "r", { roleName: "a/b", passableInstanceRoleArns: [] })),
    ).toThrow(/roleName: "a\/b" has '\/'/);
  });
});
