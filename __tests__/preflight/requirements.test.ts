// What preflight expects of an instance role is what the VssInstanceRole construct grants, in both
// policy modes: read from the synthesized construct, never from preflight's own derivation.
import { VssInstanceRole, VssPolicyMode } from "../../modules";
import { roleRequirements, simulationContext } from "../../preflight/requirements";
import { MANAGED_POLICY_STATEMENTS } from "../support/mock-fleet";
import { referencedPolicyDocument, resources, synthesize } from "../synth";

interface EmittedStatement {
  readonly actions?: string[];
  readonly resources?: string[];
  readonly condition?: { readonly variable: string; readonly values: string[] }[];
}

/** What the synthesized construct grants: the policies' names and ARNs, and every statement in effect. */
function granted(mode: VssPolicyMode) {
  const stack = synthesize((scope) => new VssInstanceRole(scope, "role", { roleName: "fleet-vss", policyMode: mode }));
  const inline = resources(stack, "aws_iam_role_policy").map((p) => ({
    name: p.name as string,
    statements: referencedPolicyDocument(stack, p.policy).statement as EmittedStatement[],
  }));
  const attachedArns = resources(stack, "aws_iam_role_policy_attachment").map((a) => a.policy_arn as string);
  // The construct attaches AWS's managed policies by ARN only: their statements are as modules documents them.
  const statements = [
    ...attachedArns.flatMap((arn) => MANAGED_POLICY_STATEMENTS[arn] as EmittedStatement[]),
    ...inline.flatMap((p) => p.statements),
  ];
  return { inlineNames: inline.map((p) => p.name), attachedArns, statements };
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const actionsOf = (statements: readonly EmittedStatement[]) => sorted(statements.flatMap((s) => s.actions ?? []));
const contextKeysOf = (statements: readonly EmittedStatement[]) =>
  sorted(
    statements.flatMap((s) =>
      (s.condition ?? []).flatMap((c) => [
        c.variable,
        ...c.values.flatMap((v) => [...v.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])),
      ]),
    ),
  );
/** Per action, the kinds of EC2 resources its statements name; actions on "*" alone are left out. */
function resourceKindsOf(statements: readonly EmittedStatement[]): Record<string, string[]> {
  const kinds: Record<string, Set<string>> = {};
  for (const s of statements)
    for (const action of s.actions ?? [])
      for (const resource of s.resources ?? []) {
        const kind = /^arn:aws:ec2:\*:\*:(\w+)\//.exec(resource)?.[1];
        if (kind) (kinds[action] ??= new Set()).add(kind);
      }
  return Object.fromEntries(Object.entries(kinds).map(([action, set]) => [action, sorted(set)]));
}

describe.each<VssPolicyMode>(["managed", "inline"])("in the %s policy mode", (mode) => {
  const role = granted(mode);
  const requirements = roleRequirements(mode);

  it("preflight requires exactly the actions the construct grants", () => {
    expect(sorted(requirements.actions)).toEqual(actionsOf(role.statements));
  });

  it("preflight simulates exactly the context keys the granted statements read", () => {
    expect(sorted(requirements.contextKeys)).toEqual(contextKeysOf(role.statements));
    expect(() => simulationContext(requirements.contextKeys, { id: "i-1", arn: "arn" })).not.toThrow();
  });

  it("preflight judges each action on exactly the kinds of resources the granted statements name", () => {
    const required = Object.fromEntries(
      Object.entries(requirements.resourcesTouched).map(([action, kinds]) => [action, sorted(kinds)]),
    );
    expect(required).toEqual(resourceKindsOf(role.statements));
  });

  it("preflight looks for the policies the construct puts on the role", () => {
    if (mode === "managed") expect(requirements.grants.map((g) => g.managedPolicyArn)).toEqual(role.attachedArns);
    else expect(requirements.grants.map((g) => g.inlinePolicyName)).toEqual(role.inlineNames);
  });
});

describe("what the construct grants, spelled out", () => {
  it("inline: the AWS Backup path only, no snapshots of volumes", () => {
    const { statements, inlineNames } = granted("inline");
    expect(inlineNames).toEqual(["SsmManagedInstanceCore", "VssSnapshotsForAwsBackup"]);
    expect(resourceKindsOf(statements)).toEqual({
      "ec2:DescribeInstanceAttribute": ["instance"],
      "ec2:CreateImage": ["image", "instance", "snapshot"],
      "ec2:CreateTags": ["image"],
    });
    expect(contextKeysOf(statements)).toEqual([
      "aws:RequestTag/AwsVssConfig",
      "aws:TagKeys",
      "ec2:CreateAction",
      "ec2:InstanceId",
      "ec2:ResourceTag/AwsVssConfig",
      "ec2:SourceInstanceARN",
    ]);
  });

  it("managed: AWS's two managed policies, whose VSS half also snapshots volumes", () => {
    const { statements, attachedArns } = granted("managed");
    expect(attachedArns).toEqual([
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      "arn:aws:iam::aws:policy/AWSEC2VssSnapshotPolicy",
    ]);
    expect(resourceKindsOf(statements)).toEqual({
      "ec2:DescribeInstanceAttribute": ["instance"],
      "ec2:CreateSnapshots": ["instance", "snapshot", "volume"],
      "ec2:CreateImage": ["image", "instance", "snapshot"],
      "ec2:CreateTags": ["image", "snapshot"],
    });
  });
});
