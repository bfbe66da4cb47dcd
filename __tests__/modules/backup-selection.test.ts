import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import {
  BackupServiceRole,
  VssBackupPlan,
  VssBackupSelectionOptions,
  VssBackupVault,
  VssInstanceRole,
} from "../../modules";
import {
  addressesOf,
  addressOf,
  referencedPolicyDocument,
  resources,
  SynthesizedStack,
  synthesize,
  theResource,
} from "../synth";

const options: VssBackupSelectionOptions = {
  name: "fleet.windows",
  serviceRole: BackupServiceRole.fromRoleArn("arn:aws:iam::123456789012:role/backup"),
  tag: { key: "Backup", value: "windows-vss" },
};

/** A plan with one selection, synthesized. */
function planWithSelection(change: Partial<VssBackupSelectionOptions> = {}) {
  return synthesize((scope) => {
    const vault = new VssBackupVault(scope, "vault", { name: "fleet" });
    const plan = new VssBackupPlan(scope, "plan", {
      name: "fleet",
      vault,
      rules: [{ name: "daily", schedule: "cron(0 5 ? * * *)", deleteAfterDays: 7 }],
    });
    plan.addSelection("selection", { ...options, ...change });
  });
}

function selection(change: Partial<VssBackupSelectionOptions> = {}) {
  return theResource(planWithSelection(change), BackupSelection.tfResourceType);
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

  it("belongs to the plan it was added to and uses the service role", () => {
    const stack = planWithSelection();
    const emitted = theResource(stack, BackupSelection.tfResourceType);
    expect(emitted).toMatchObject({ name: "fleet.windows", iam_role_arn: "arn:aws:iam::123456789012:role/backup" });
    expect(addressOf(emitted.plan_id)).toBe(addressesOf(stack, BackupPlan.tfResourceType)[0]);
  });

  it.each<[string, Partial<VssBackupSelectionOptions>, RegExp]>([
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

  it("names the construct by its path under the plan, then one line per problem", () => {
    expect(() => selection({ tag: { key: "", value: "x" } })).toThrow(
      'VssBackupSelection stack/plan/selection (1 problem):\n  tag.key: "" is empty',
    );
  });
});

describe("BackupServiceRole", () => {
  let stack: SynthesizedStack;
  beforeEach(() => {
    stack = synthesize((scope) => {
      const instanceRole = new VssInstanceRole(scope, "instance-role", { roleName: "fleet-vss" });
      new BackupServiceRole(scope, "service-role", { roleName: "fleet-backup", passableInstanceRoles: [instanceRole] });
    });
  });
  const roleNamed = (name: string) => {
    const [id] = Object.entries(stack.resource![IamRole.tfResourceType]).find(([, role]) => role.name === name)!;
    return `${IamRole.tfResourceType}.${id}`;
  };

  it("can be assumed by AWS Backup only", () => {
    const role = stack.resource![IamRole.tfResourceType][roleNamed("fleet-backup").split(".")[1]];
    expect(referencedPolicyDocument(stack, role.assume_role_policy).statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["backup.amazonaws.com"] }],
      },
    ]);
  });

  it("attaches AWS Backup's backup and restore service-role policies", () => {
    const onServiceRole = resources(stack, IamRolePolicyAttachment).filter(
      (a) => addressOf(a.role) === roleNamed("fleet-backup"),
    );
    expect(onServiceRole.map((a) => a.policy_arn)).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
  });

  it("may pass only the instance role, and only to EC2 (restores launch instances with it)", () => {
    const inline = resources(stack, IamRolePolicy).find((p) => p.name === "PassInstanceRoleForRestores")!;
    expect(addressOf(inline.role)).toBe(roleNamed("fleet-backup"));
    expect(referencedPolicyDocument(stack, inline.policy).statement).toEqual([
      {
        sid: "PassInstanceRoleToRestoredInstances",
        effect: "Allow",
        actions: ["iam:PassRole"],
        resources: [`\${${roleNamed("fleet-vss")}.arn}`],
        condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
      },
    ]);
  });

  it("rejects a role name with a slash", () => {
    expect(() =>
      synthesize((scope) => new BackupServiceRole(scope, "r", { roleName: "a/b", passableInstanceRoles: [] })),
    ).toThrow(/roleName: "a\/b" has '\/'/);
  });
});
