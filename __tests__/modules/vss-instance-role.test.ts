import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { ExistingInstanceRole, ManagedPolicies, NewInstanceRole, VssInstanceRole, VssPolicyMode } from "../../modules";
import {
  addressesOf,
  addressOf,
  dataSources,
  referencedPolicyDocument,
  resources,
  synthesize,
  SynthesizedStack,
  theResource,
} from "../synth";

type Mode = { policyMode?: VssPolicyMode };

function role(props: Partial<NewInstanceRole> & Mode = {}) {
  return synthesize((scope) => new VssInstanceRole(scope, "instance-role", { roleName: "fleet-vss", ...props }));
}

function existingRole(props: Partial<ExistingInstanceRole> & Mode = {}) {
  return synthesize(
    (scope) => new VssInstanceRole(scope, "instance-role", { existingRoleName: "fleet-vss", ...props }),
  );
}

describe("VssInstanceRole", () => {
  describe("by default (a new role, managed policies)", () => {
    let stack: SynthesizedStack;
    beforeEach(() => {
      stack = role();
    });

    it("creates a role only EC2 can assume", () => {
      const created = theResource(stack, IamRole);
      expect(created.name).toBe("fleet-vss");
      expect(created.description).toBe("Windows EC2 instances: SSM management and VSS snapshots for AWS Backup");
      expect(referencedPolicyDocument(stack, created.assume_role_policy).statement).toEqual([
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
        },
      ]);
    });

    it("attaches AmazonSSMManagedInstanceCore and AWSEC2VssSnapshotPolicy through policy attachments, not managed_policy_arns", () => {
      const attachments = resources(stack, IamRolePolicyAttachment);
      expect(attachments.map((a) => a.policy_arn)).toEqual([
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/AWSEC2VssSnapshotPolicy",
      ]);
      const [roleAddress] = addressesOf(stack, IamRole);
      expect(attachments.map((a) => addressOf(a.role))).toEqual([roleAddress, roleAddress]);
      expect(theResource(stack, IamRole)).not.toHaveProperty("managed_policy_arns");
      expect(resources(stack, IamRolePolicy)).toEqual([]);
    });

    it("creates an instance profile named after the role, holding it", () => {
      const profile = theResource(stack, IamInstanceProfile);
      expect(profile.name).toBe("fleet-vss");
      expect(addressOf(profile.role)).toBe(addressesOf(stack, IamRole)[0]);
    });
  });

  describe("inline policy mode", () => {
    let stack: SynthesizedStack;
    beforeEach(() => {
      stack = role({ policyMode: "inline" });
    });

    it("attaches no managed policy", () => {
      expect(resources(stack, IamRolePolicyAttachment)).toEqual([]);
    });

    it("puts the SSM core actions and the AWS Backup-scoped VSS permissions inline", () => {
      const policies = resources(stack, IamRolePolicy);
      expect(policies.map((p) => p.name)).toEqual(["SsmManagedInstanceCore", "VssSnapshotsForAwsBackup"]);
      const sids = (index: number) =>
        (referencedPolicyDocument(stack, policies[index].policy).statement as { sid: string }[]).map((s) => s.sid);
      expect(sids(0)).toEqual(["SsmAgentCore", "SessionMessages", "Ec2Messages"]);
      expect(sids(1)).toEqual([
        "DescribeInstanceInfo",
        "CreateImageWithTag",
        "CreateImageAccessInstance",
        "CreateTagsOnResourceCreation",
        "CreateTagsAfterResourceCreation",
        "DescribeImagesAndSnapshots",
      ]);
    });

    it("grants no wildcard action and no snapshot permission (AWS Backup takes VSS backups as AMIs)", () => {
      const statements = Object.values(dataSources(stack, DataAwsIamPolicyDocument)).flatMap(
        (d) => d.statement as { actions: string[]; resources?: string[] }[],
      );
      const actions = statements.flatMap((s) => s.actions);
      expect(actions.filter((a) => a.includes("*"))).toEqual([]);
      expect(actions).not.toContain("ec2:CreateSnapshots");
      expect(actions).not.toContain("ec2:DescribeSnapshots");
      expect(actions).toEqual(
        expect.arrayContaining([
          "ec2:CreateImage",
          "ec2:CreateTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceAttribute",
          "ssm:UpdateInstanceInformation",
        ]),
      );
    });

    it("scopes AWSEC2VssSnapshotPolicy down as the EC2 User Guide's AWS Backup use case says: AMIs only", () => {
      const vss = resources(stack, IamRolePolicy).find((p) => p.name === "VssSnapshotsForAwsBackup")!;
      const statements = referencedPolicyDocument(stack, vss.policy).statement as Record<string, unknown>[];
      const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));
      expect(bySid.CreateTagsOnResourceCreation).toMatchObject({
        resources: ["arn:aws:ec2:*:*:image/*"],
        condition: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateImage"] }],
      });
      expect(bySid.CreateTagsAfterResourceCreation).toMatchObject({ resources: ["arn:aws:ec2:*:*:image/*"] });
      expect(bySid.DescribeImagesAndSnapshots).toMatchObject({ actions: ["ec2:DescribeImages"], resources: ["*"] });
      expect(bySid.CreateImageWithTag).toMatchObject({
        resources: ["arn:aws:ec2:*:*:snapshot/*", "arn:aws:ec2:*:*:image/*"],
      });
    });

    it("limits instance actions to the calling instance with an escaped IAM variable", () => {
      const vss = referencedPolicyDocument(stack, resources(stack, IamRolePolicy)[1].policy);
      const describe = (vss.statement as { sid: string; condition: unknown }[]).find(
        (s) => s.sid === "DescribeInstanceInfo",
      );
      // Terraform turns $${ into ${, so IAM receives the variable ${ec2:InstanceId}.
      expect(describe?.condition).toEqual([
        { test: "ArnLike", variable: "ec2:SourceInstanceARN", values: ["arn:aws:ec2:*:*:instance/$${ec2:InstanceId}"] },
      ]);
    });
  });

  describe("an existing role", () => {
    it("looks the role up and attaches only AWSEC2VssSnapshotPolicy, so destroy never detaches the fleet's SSM permissions", () => {
      const stack = existingRole();
      expect(resources(stack, IamRole)).toEqual([]);
      expect(Object.values(dataSources(stack, DataAwsIamRole)).map((r) => r.name)).toEqual(["fleet-vss"]);
      const attachments = resources(stack, IamRolePolicyAttachment);
      expect(attachments.map((a) => a.policy_arn)).toEqual([ManagedPolicies.EC2_VSS_SNAPSHOT]);
      expect(attachments[0].role).toMatch(/^\$\{data\.aws_iam_role\.[^.]+\.name\}$/);
    });

    it("creates no instance profile unless asked", () => {
      expect(resources(existingRole(), IamInstanceProfile)).toEqual([]);
      const asked = existingRole({ instanceProfileName: "fleet-vss-profile" });
      expect(theResource(asked, IamInstanceProfile).name).toBe("fleet-vss-profile");
    });

    it("in inline mode adds only the VSS inline policy", () => {
      const stack = existingRole({ policyMode: "inline" });
      expect(resources(stack, IamRolePolicy).map((p) => p.name)).toEqual(["VssSnapshotsForAwsBackup"]);
      expect(resources(stack, IamRolePolicyAttachment)).toEqual([]);
    });

    it.each(["managed", "inline"] as const)(
      "that already has the VSS permissions is left untouched (%s mode, grantVssPermissions false)",
      (policyMode) => {
        const stack = existingRole({ grantVssPermissions: false, policyMode, instanceProfileName: "fleet-vss" });
        expect(resources(stack, IamRolePolicyAttachment)).toEqual([]);
        expect(resources(stack, IamRolePolicy)).toEqual([]);
        expect(theResource(stack, IamInstanceProfile).role).toMatch(/^\$\{data\.aws_iam_role\.[^.]+\.name\}$/);
      },
    );
  });

  describe("rejects, naming the field and what is allowed", () => {
    it.each<[string, Partial<NewInstanceRole> & Mode, RegExp]>([
      [
        "a role name with a space",
        { roleName: "fleet vss" },
        /roleName: "fleet vss" has ' ', allowed: 1-64 of A-Z a-z 0-9 \+ = , \. @ - _/,
      ],
      [
        "a role name over 64 characters",
        { roleName: "r".repeat(65) },
        /roleName: "r+" has 65 characters, allowed: 1-64/,
      ],
      [
        "an unknown policy mode",
        { policyMode: "custom" as never },
        /policyMode: "custom" is not a policy mode, allowed: "managed" or "inline"/,
      ],
      [
        "a permissions boundary that is not an ARN",
        { permissionsBoundaryArn: "boundary" },
        /permissionsBoundaryArn: "boundary" is not an ARN/,
      ],
      [
        "a permissions boundary in another partition",
        { permissionsBoundaryArn: "arn:aws-cn:iam::123456789012:policy/b" },
        /permissionsBoundaryArn: "arn:aws-cn:iam::123456789012:policy\/b" is in partition aws-cn, allowed: arn:aws: \(the partition the stacks write\)/,
      ],
      [
        "an instance profile name with a slash",
        { instanceProfileName: "fleet/vss" },
        /instanceProfileName: "fleet\/vss" has '\/', allowed: 1-128/,
      ],
      [
        "a permissions boundary of a service other than IAM",
        { permissionsBoundaryArn: "arn:aws:s3:::boundary" },
        /permissionsBoundaryArn: "arn:aws:s3:::boundary" is not an IAM policy ARN, allowed: an ARN like arn:aws:iam::<account>:policy\/<name>/,
      ],
    ])("%s", (_, props, message) => {
      expect(() => role(props)).toThrow(message);
    });

    it("names the construct by its path, then one line per problem", () => {
      expect(() => role({ roleName: "fleet vss" })).toThrow(
        `VssInstanceRole stack/instance-role (1 problem):\n  roleName: "fleet vss" has ' ', allowed`,
      );
    });

    it("an existing role's name over 64 characters, by its own field", () => {
      expect(() => existingRole({ existingRoleName: "r".repeat(65) })).toThrow(
        `VssInstanceRole stack/instance-role (1 problem):\n  existingRoleName: "${"r".repeat(65)}" has 65 characters, allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _`,
      );
    });

    it('accepts an AWS managed policy as permissions boundary (account "aws" in its ARN)', () => {
      const stack = role({ permissionsBoundaryArn: "arn:aws:iam::aws:policy/PowerUserAccess" });
      expect(theResource(stack, IamRole).permissions_boundary).toBe("arn:aws:iam::aws:policy/PowerUserAccess");
    });
  });
});
