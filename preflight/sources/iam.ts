import {
  GetInstanceProfileCommand,
  GetInstanceProfileResponse,
  ListAttachedRolePoliciesCommand,
  ListAttachedRolePoliciesResponse,
  ListRolePoliciesCommand,
  ListRolePoliciesResponse,
  SimulatePrincipalPolicyCommand,
  SimulatePolicyResponse,
} from "@aws-sdk/client-iam";
import { AwsCaller, AwsUnreachableError, mapLimit, unread } from "../aws";
import type { InstanceFacts, ProfileFacts, RoleFacts } from "../facts";
import { RoleRequirements, simulationContext, TouchedResource } from "../requirements";

/**
 * The role each instance profile holds, and per distinct role what IAM says of it: one simulation
 * with real ARNs and the context the policies' conditions read, or, when simulation is refused, the
 * policies on the role.
 */
export async function gatherRoles(
  aws: AwsCaller,
  region: string,
  instances: readonly InstanceFacts[],
  requirements: RoleRequirements,
): Promise<{ profiles: Map<string, ProfileFacts>; roles: Map<string, RoleFacts> }> {
  const profileArns = [...new Set(instances.map((i) => i.profileArn).filter((arn): arn is string => !!arn))];
  const profiles = new Map<string, ProfileFacts>();
  await mapLimit(profileArns, 5, async (arn) => {
    const read = await aws
      .send<GetInstanceProfileResponse>(
        "iam",
        new GetInstanceProfileCommand({ InstanceProfileName: arn.split("/").pop() }),
      )
      .catch(unread);
    if ("error" in read) profiles.set(arn, { unread: read });
    else {
      const role = read.InstanceProfile?.Roles?.[0];
      profiles.set(arn, { roleName: role?.RoleName, roleArn: role?.Arn });
    }
  });
  const byRole = new Map<string, { roleArn: string; sample: InstanceFacts }>();
  for (const instance of instances) {
    const profile = instance.profileArn ? profiles.get(instance.profileArn) : undefined;
    if (profile?.roleName && profile.roleArn && !byRole.has(profile.roleName))
      byRole.set(profile.roleName, { roleArn: profile.roleArn, sample: instance });
  }
  const roles = new Map<string, RoleFacts>();
  await mapLimit([...byRole], 5, async ([roleName, { roleArn, sample }]) =>
    roles.set(roleName, await readRole(aws, region, requirements, roleName, roleArn, sample)),
  );
  return { profiles, roles };
}

async function readRole(
  aws: AwsCaller,
  region: string,
  requirements: RoleRequirements,
  roleName: string,
  roleArn: string,
  sample: InstanceFacts,
): Promise<RoleFacts> {
  const account = sample.arn.split(":")[4];
  const resourceArns: Record<TouchedResource, string> = {
    instance: sample.arn,
    image: `arn:aws:ec2:${region}::image/ami-00000000preflight`,
    snapshot: `arn:aws:ec2:${region}::snapshot/snap-00000000preflight`,
    volume: `arn:aws:ec2:${region}:${account}:volume/vol-00000000preflight`,
  };
  // Outside the try: a context key preflight cannot simulate is its own bug, not the role's.
  const context = simulationContext(requirements.contextKeys, sample);
  let simulationError: string;
  try {
    const result = await aws.send<SimulatePolicyResponse>(
      "iam",
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: roleArn,
        ActionNames: [...requirements.actions],
        ResourceArns: Object.values(resourceArns),
        ContextEntries: context,
      }),
    );
    return { roleName, simulation: { evaluations: result.EvaluationResults ?? [], resourceArns } };
  } catch (error) {
    // IAM's policy simulator can fail on its own (moto does not implement it): the policies on the role still tell.
    simulationError =
      error instanceof AwsUnreachableError && error.kind === "server" ? error.message : unread(error).error;
  }
  const policies = await Promise.all([
    aws.send<ListAttachedRolePoliciesResponse>(
      "iam",
      new ListAttachedRolePoliciesCommand({ RoleName: roleName, MaxItems: 1000 }),
    ),
    aws.send<ListRolePoliciesResponse>("iam", new ListRolePoliciesCommand({ RoleName: roleName, MaxItems: 1000 })),
  ]).then(
    ([attached, inline]) => ({
      attachedArns: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn!),
      inlineNames: inline.PolicyNames ?? [],
    }),
    unread,
  );
  return { roleName, simulationError, policies };
}
