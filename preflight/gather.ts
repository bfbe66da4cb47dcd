import {
  BackupJob,
  DescribeBackupVaultCommand,
  DescribeRegionSettingsCommand,
  GetBackupPlanCommand,
  GetBackupPlanOutput,
  GetBackupSelectionCommand,
  GetBackupSelectionOutput,
  ListBackupJobsCommand,
  ListBackupJobsOutput,
  ListBackupPlansCommand,
  ListBackupPlansOutput,
  ListBackupSelectionsCommand,
  ListBackupSelectionsOutput,
} from "@aws-sdk/client-backup";
import { DescribeInstancesCommand, DescribeInstancesResult } from "@aws-sdk/client-ec2";
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
import {
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionsResult,
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionTargetsResult,
  DescribeInstanceInformationCommand,
  DescribeInstanceInformationResult,
  GetInventoryCommand,
  GetInventoryResult,
  InventoryFilter,
  ListAssociationsCommand,
  ListAssociationsResult,
} from "@aws-sdk/client-ssm";
import type { ResolvedEnvironment } from "../config/resolve";
import { ALL_EC2_INSTANCES, AwsVssComponentsVersions, compareVersions } from "../modules";
import { AwsCaller, isAccessDenied, mapLimit } from "./aws";
import { GRANTS, requiredActions, RESOURCES_TOUCHED, TouchedResource } from "./requirements";

export type Status = "pass" | "warn" | "fail";
export interface CheckResult {
  readonly status: Status;
  readonly detail: string;
  /** One line that says how to fix it (absent on pass). */
  readonly fix?: string;
}

export interface InstanceFacts {
  readonly id: string;
  readonly name?: string;
  readonly arn: string;
  readonly state: string;
  readonly platform: string;
  readonly instanceType: string;
  readonly profileArn?: string;
}
export interface RoleVerdict {
  readonly roleName: string;
  readonly method: "simulation" | "attached policies";
  /** Actions (simulation) or grants (attached policies) the role lacks. */
  readonly missing: readonly string[];
  /** Why simulation was not used. */
  readonly simulationError?: string;
}
export interface SsmFacts {
  readonly pingStatus?: string;
  readonly agentVersion?: string;
  readonly platformName?: string;
}
export interface AssociationFacts {
  readonly associationId?: string;
  readonly lastExecution?: { readonly time?: Date };
  /** Instances whose latest execution did not succeed, with SSM's status. */
  readonly unsuccessful: ReadonlyMap<string, string>;
  /**
   * Every target of the latest execution, listed only when it counted fewer targets than SSM manages
   * tagged instances (some were tagged, launched or registered since); undefined when it covered them all.
   */
  readonly targets?: ReadonlySet<string>;
  readonly error?: string;
  /** The error was a missing permission of the caller. */
  readonly denied?: boolean;
}
export interface FleetFacts {
  readonly instances: readonly InstanceFacts[];
  /** Instance profile ARN → the role it holds, or why it could not be read. */
  readonly profiles: ReadonlyMap<
    string,
    { readonly roleName?: string; readonly roleArn?: string; readonly error?: string; readonly denied?: boolean }
  >;
  readonly roles: ReadonlyMap<string, RoleVerdict>;
  readonly ssm: ReadonlyMap<string, SsmFacts> | { readonly error: string };
  readonly association: AssociationFacts;
  /** Instances whose inventoried AwsVssComponents is older than the managed policy needs; undefined when not checked. */
  readonly outdatedPackages?: ReadonlyMap<string, string>;
  readonly inventoryNote: string;
  readonly jobs: ReadonlyMap<string, readonly BackupJob[]> | { readonly error: string };
  readonly jobsWindow: JobsWindow;
}

/** The backup jobs looked at: those created in the last `days` days, since `since`. */
export interface JobsWindow {
  readonly since: Date;
  readonly days: number;
}

const message = (error: unknown) => `${(error as Error).name ?? "Error"}: ${(error as Error).message}`;

/**
 * A check that threw: a missing permission of the caller is a warning naming it (nothing is known
 * about the resource), anything else is the resource's failure with `fix`.
 */
function failedCheck(what: string, error: unknown, permissions: string, fix: string): CheckResult {
  if (isAccessDenied(error))
    return {
      status: "warn",
      detail: `${what} not checked: ${message(error)}`,
      fix: `allow ${permissions}, then run again`,
    };
  return { status: "fail", detail: `${what}: ${message(error)}`, fix };
}

/** The backup side: vault, plan with VSS, a selection of the tag, EC2 opted in. */
export async function checkBackupSide(aws: AwsCaller, env: ResolvedEnvironment): Promise<Record<string, CheckResult>> {
  const results: Record<string, CheckResult> = {};
  const deploy = `deploy the stack: npx cdktf deploy ${env.name}`;
  try {
    await aws.send("backup", new DescribeBackupVaultCommand({ BackupVaultName: env.vault.name }));
    results.vault = { status: "pass", detail: `vault ${env.vault.name} exists` };
  } catch (error) {
    results.vault = failedCheck(`vault ${env.vault.name}`, error, "backup:DescribeBackupVault", deploy);
  }

  let planId: string | undefined;
  try {
    const pages = await aws.pages<ListBackupPlansOutput>(
      "backup",
      (NextToken) => new ListBackupPlansCommand({ NextToken }),
    );
    planId = pages
      .flatMap((p) => p.BackupPlansList ?? [])
      .find((p) => p.BackupPlanName === env.plan.name)?.BackupPlanId;
    if (!planId) results.plan = { status: "fail", detail: `no backup plan named ${env.plan.name}`, fix: deploy };
    else {
      const plan = await aws.send<GetBackupPlanOutput>("backup", new GetBackupPlanCommand({ BackupPlanId: planId }));
      const vss = (plan.AdvancedBackupSettings ?? []).some(
        (s) => s.ResourceType === "EC2" && s.BackupOptions?.WindowsVSS === "enabled",
      );
      results.plan = vss
        ? { status: "pass", detail: `plan ${env.plan.name} takes Windows VSS backups of EC2` }
        : {
            status: "fail",
            detail: `plan ${env.plan.name} lacks WindowsVSS=enabled for EC2: backups are crash-consistent`,
            fix: deploy,
          };
    }
  } catch (error) {
    results.plan = failedCheck(
      `plan ${env.plan.name}`,
      error,
      "backup:ListBackupPlans and backup:GetBackupPlan",
      "run again later",
    );
    results.selection = {
      status: "warn",
      detail: "selection not checked: the plan could not be read",
      fix: "see the plan check",
    };
  }

  const tagKey = `aws:ResourceTag/${env.selectionTag.key}`;
  if (planId) {
    try {
      const pages = await aws.pages<ListBackupSelectionsOutput>(
        "backup",
        (NextToken) => new ListBackupSelectionsCommand({ BackupPlanId: planId, NextToken }),
      );
      const selections = await mapLimit(
        pages.flatMap((p) => p.BackupSelectionsList ?? []),
        4,
        (s) =>
          aws.send<GetBackupSelectionOutput>(
            "backup",
            new GetBackupSelectionCommand({ BackupPlanId: planId, SelectionId: s.SelectionId }),
          ),
      );
      const selects = selections.some(({ BackupSelection: s }) => {
        const byCondition = (s?.Conditions?.StringEquals ?? []).some(
          (c) => c.ConditionKey === tagKey && c.ConditionValue === env.selectionTag.value,
        );
        const byTag = (s?.ListOfTags ?? []).some(
          (c) => c.ConditionKey === env.selectionTag.key && c.ConditionValue === env.selectionTag.value,
        );
        return (byCondition && (s?.Resources ?? []).includes(ALL_EC2_INSTANCES)) || byTag;
      });
      results.selection = selects
        ? {
            status: "pass",
            detail: `a selection of plan ${env.plan.name} selects ${env.selectionTag.key}=${env.selectionTag.value}`,
          }
        : {
            status: "fail",
            detail: `no selection of plan ${env.plan.name} selects EC2 instances tagged ${env.selectionTag.key}=${env.selectionTag.value}`,
            fix: deploy,
          };
    } catch (error) {
      results.selection = failedCheck(
        "selections",
        error,
        "backup:ListBackupSelections and backup:GetBackupSelection",
        "run again later",
      );
    }
  }

  try {
    const settings = await aws.send<{ ResourceTypeOptInPreference?: Record<string, boolean> }>(
      "backup",
      new DescribeRegionSettingsCommand({}),
    );
    results.optIn =
      settings.ResourceTypeOptInPreference?.EC2 === true
        ? { status: "pass", detail: `EC2 is opted in to AWS Backup in ${env.region}` }
        : {
            status: "fail",
            detail: `EC2 is not opted in to AWS Backup in ${env.region}: tag selections silently skip it`,
            fix: `aws backup update-region-settings --region ${env.region} --resource-type-opt-in-preference EC2=true`,
          };
  } catch (error) {
    results.optIn = {
      status: "warn",
      detail: `region settings: ${message(error)}`,
      fix: "allow backup:DescribeRegionSettings to check the EC2 opt-in",
    };
  }
  return results;
}

/** Every instance carrying the tag (terminated ones excluded), from a paged DescribeInstances. */
export async function findTaggedInstances(
  aws: AwsCaller,
  env: ResolvedEnvironment,
  account: string,
): Promise<InstanceFacts[]> {
  const pages = await aws.pages<DescribeInstancesResult>(
    "ec2",
    (NextToken) =>
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${env.selectionTag.key}`, Values: [env.selectionTag.value] },
          { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped", "shutting-down"] },
        ],
        MaxResults: 1000,
        NextToken,
      }),
  );
  return pages.flatMap((page) =>
    (page.Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).map((i) => ({
        id: i.InstanceId!,
        name: i.Tags?.find((t) => t.Key === "Name")?.Value,
        arn: `arn:aws:ec2:${env.region}:${account}:instance/${i.InstanceId}`,
        state: i.State?.Name ?? "unknown",
        platform:
          /^windows/i.test(i.Platform ?? "") || /windows/i.test(i.PlatformDetails ?? "")
            ? "windows"
            : (i.PlatformDetails ?? "Linux/UNIX"),
        instanceType: i.InstanceType ?? "unknown",
        profileArn: i.IamInstanceProfile?.Arn,
      })),
    ),
  );
}

/** Everything per instance, each source read once for the whole fleet. */
export async function gatherFleet(
  aws: AwsCaller,
  env: ResolvedEnvironment,
  instances: readonly InstanceFacts[],
  options: { jobsWindow: JobsWindow; progress?: (phase: string) => void },
): Promise<FleetFacts> {
  const progress = options.progress ?? (() => undefined);
  progress("IAM roles");
  const { profiles, roles } = await gatherRoles(aws, env, instances);
  progress("SSM Agent status");
  const ssm = await gatherSsm(aws, env).catch((error) => ({ error: message(error) }));
  progress("AwsVssComponents association");
  const association = await gatherAssociation(aws, env.association.name, "error" in ssm ? instances.length : ssm.size);
  progress("SSM inventory");
  const { outdatedPackages, inventoryNote } = await gatherInventory(aws);
  progress("backup jobs");
  const jobs = await gatherJobs(aws, options.jobsWindow.since).catch((error) => ({ error: message(error) }));
  return {
    instances,
    profiles,
    roles,
    ssm,
    association,
    outdatedPackages,
    inventoryNote,
    jobs,
    jobsWindow: options.jobsWindow,
  };
}

async function gatherRoles(aws: AwsCaller, env: ResolvedEnvironment, instances: readonly InstanceFacts[]) {
  const profileArns = [...new Set(instances.map((i) => i.profileArn).filter((arn): arn is string => !!arn))];
  const profiles = new Map<string, { roleName?: string; roleArn?: string; error?: string; denied?: boolean }>();
  await mapLimit(profileArns, 5, async (arn) => {
    try {
      const read = await aws.send<GetInstanceProfileResponse>(
        "iam",
        new GetInstanceProfileCommand({ InstanceProfileName: arn.split("/").pop() }),
      );
      const role = read.InstanceProfile?.Roles?.[0];
      profiles.set(arn, role ? { roleName: role.RoleName, roleArn: role.Arn } : { error: "holds no role" });
    } catch (error) {
      profiles.set(arn, { error: message(error), denied: isAccessDenied(error) });
    }
  });
  const byRole = new Map<string, { roleArn: string; sample: InstanceFacts }>();
  for (const instance of instances) {
    const profile = instance.profileArn ? profiles.get(instance.profileArn) : undefined;
    if (profile?.roleName && profile.roleArn && !byRole.has(profile.roleName))
      byRole.set(profile.roleName, { roleArn: profile.roleArn, sample: instance });
  }
  const roles = new Map<string, RoleVerdict>();
  const mode = env.instanceRole.policyMode ?? "managed";
  await mapLimit([...byRole], 5, async ([roleName, { roleArn, sample }]) =>
    roles.set(roleName, await judgeRole(aws, env, mode, roleName, roleArn, sample)),
  );
  return { profiles, roles };
}

/** One simulation per distinct role, with real ARNs and the context the policies' conditions read; else compares attached policies. */
async function judgeRole(
  aws: AwsCaller,
  env: ResolvedEnvironment,
  mode: "managed" | "inline",
  roleName: string,
  roleArn: string,
  sample: InstanceFacts,
): Promise<RoleVerdict> {
  const actions = requiredActions(mode);
  try {
    const account = sample.arn.split(":")[4];
    const arns: Record<TouchedResource, string> = {
      instance: sample.arn,
      image: `arn:aws:ec2:${env.region}::image/ami-00000000preflight`,
      snapshot: `arn:aws:ec2:${env.region}::snapshot/snap-00000000preflight`,
      volume: `arn:aws:ec2:${env.region}:${account}:volume/vol-00000000preflight`,
    };
    const result = await aws.send<SimulatePolicyResponse>(
      "iam",
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: roleArn,
        ActionNames: actions,
        ResourceArns: Object.values(arns),
        ContextEntries: [
          { ContextKeyName: "ec2:SourceInstanceARN", ContextKeyType: "string", ContextKeyValues: [sample.arn] },
          { ContextKeyName: "ec2:InstanceId", ContextKeyType: "string", ContextKeyValues: [sample.id] },
          { ContextKeyName: "aws:RequestTag/AwsVssConfig", ContextKeyType: "string", ContextKeyValues: ["preflight"] },
          { ContextKeyName: "ec2:CreateAction", ContextKeyType: "string", ContextKeyValues: ["CreateImage"] },
        ],
      }),
    );
    // EvalDecision is the most restrictive over all resources simulated: a resource-scoped action is
    // judged on each resource it touches, the rest (which take "*") on that overall decision.
    const missing = actions.flatMap((action) => {
      const evaluation = (result.EvaluationResults ?? []).find((r) => r.EvalActionName === action);
      const touched = RESOURCES_TOUCHED[action];
      if (!touched) return evaluation?.EvalDecision === "allowed" ? [] : [action];
      const deniedOn = touched.filter((kind) => {
        const specific = evaluation?.ResourceSpecificResults?.find((s) => s.EvalResourceName === arns[kind]);
        return (specific?.EvalResourceDecision ?? evaluation?.EvalDecision) !== "allowed";
      });
      return deniedOn.length === 0 ? [] : [`${action} on ${deniedOn.join(" and ")}`];
    });
    return { roleName, method: "simulation", missing };
  } catch (simulationError) {
    try {
      const attached = await aws.send<ListAttachedRolePoliciesResponse>(
        "iam",
        new ListAttachedRolePoliciesCommand({ RoleName: roleName, MaxItems: 1000 }),
      );
      const inline = await aws.send<ListRolePoliciesResponse>(
        "iam",
        new ListRolePoliciesCommand({ RoleName: roleName, MaxItems: 1000 }),
      );
      const arns = new Set((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn));
      const names = new Set(inline.PolicyNames ?? []);
      const missing = GRANTS.filter((g) => !arns.has(g.managedPolicyArn) && !names.has(g.inlinePolicyName)).map(
        (g) => `${g.what} (${g.managedPolicyArn.split("/").pop()} or inline ${g.inlinePolicyName})`,
      );
      return { roleName, method: "attached policies", missing, simulationError: message(simulationError) };
    } catch (error) {
      return {
        roleName,
        method: "attached policies",
        missing: [`could not read the role's policies: ${message(error)}`],
        simulationError: message(simulationError),
      };
    }
  }
}

async function gatherSsm(aws: AwsCaller, env: ResolvedEnvironment): Promise<Map<string, SsmFacts>> {
  const pages = await aws.pages<DescribeInstanceInformationResult>(
    "ssm",
    (NextToken) =>
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: `tag:${env.selectionTag.key}`, Values: [env.selectionTag.value] }],
        MaxResults: 50,
        NextToken,
      }),
  );
  return new Map(
    pages
      .flatMap((p) => p.InstanceInformationList ?? [])
      .map((i) => [
        i.InstanceId!,
        { pingStatus: i.PingStatus, agentVersion: i.AgentVersion, platformName: i.PlatformName },
      ]),
  );
}

/**
 * The latest execution of the association and its unsuccessful targets. Only statuses other than
 * Success are listed (from the execution's ResourceCountByStatus), so the calls grow with failures,
 * not with the fleet; all targets are listed only when the execution counted fewer than `managed`,
 * the tagged instances SSM manages, to name those it did not reach.
 */
async function gatherAssociation(aws: AwsCaller, name: string, managed: number): Promise<AssociationFacts> {
  const unsuccessful = new Map<string, string>();
  try {
    const listed = await aws.send<ListAssociationsResult>(
      "ssm",
      new ListAssociationsCommand({ AssociationFilterList: [{ key: "AssociationName", value: name }] }),
    );
    const associationId = listed.Associations?.[0]?.AssociationId;
    if (!associationId) return { unsuccessful, error: `no association named ${name}` };
    const executions = await aws.send<DescribeAssociationExecutionsResult>(
      "ssm",
      new DescribeAssociationExecutionsCommand({ AssociationId: associationId, MaxResults: 50 }),
    );
    const latest = [...(executions.AssociationExecutions ?? [])].sort(
      (a, b) => (b.CreatedTime?.getTime() ?? 0) - (a.CreatedTime?.getTime() ?? 0),
    )[0];
    if (!latest?.ExecutionId) return { associationId, unsuccessful };
    const counts = [...(latest.ResourceCountByStatus ?? "").matchAll(/"?(\w+)"?\s*[=:]\s*(\d+)/g)].map(
      ([, status, n]) => ({ status, n: Number(n) }),
    );
    const listTargets = async (status?: string) => {
      const pages = await aws.pages<DescribeAssociationExecutionTargetsResult>(
        "ssm",
        (NextToken) =>
          new DescribeAssociationExecutionTargetsCommand({
            AssociationId: associationId,
            ExecutionId: latest.ExecutionId,
            Filters: status ? [{ Key: "Status", Value: status }] : undefined,
            MaxResults: 50,
            NextToken,
          }),
      );
      return pages.flatMap((p) => p.AssociationExecutionTargets ?? []);
    };
    let targets: Set<string> | undefined;
    const unsuccessfulTargets = [];
    if (counts.reduce((sum, c) => sum + c.n, 0) < managed) {
      const all = await listTargets();
      targets = new Set(all.map((t) => t.ResourceId!).filter(Boolean));
      unsuccessfulTargets.push(...all.filter((t) => t.Status !== "Success"));
    } else {
      for (const { status } of counts.filter((c) => c.status !== "Success" && c.n > 0))
        unsuccessfulTargets.push(...(await listTargets(status)));
    }
    for (const target of unsuccessfulTargets) {
      if (target.ResourceId)
        unsuccessful.set(target.ResourceId, [target.Status, target.DetailedStatus].filter(Boolean).join(": "));
    }
    return { associationId, lastExecution: { time: latest.CreatedTime }, unsuccessful, targets };
  } catch (error) {
    return { unsuccessful, error: message(error), denied: isAccessDenied(error) };
  }
}

/**
 * Where inventory is collected: instances whose AwsVssComponents is older than the instance role's
 * VSS policy needs (in either mode). Filtered on the server to candidates, confirmed here (SSM
 * compares strings, not versions).
 */
async function gatherInventory(
  aws: AwsCaller,
): Promise<{ outdatedPackages?: Map<string, string>; inventoryNote: string }> {
  const named: InventoryFilter = { Key: "AWS:Application.Name", Values: ["AwsVssComponents"], Type: "Equal" };
  try {
    const probe = await aws.send<GetInventoryResult>(
      "ssm",
      new GetInventoryCommand({ Filters: [named], MaxResults: 1 }),
    );
    if ((probe.Entities ?? []).length === 0)
      return { inventoryNote: "SSM inventory holds no AwsVssComponents: versions not checked" };
    const pages = await aws.pages<GetInventoryResult>(
      "ssm",
      (NextToken) =>
        new GetInventoryCommand({
          Filters: [
            named,
            { Key: "AWS:Application.Version", Values: [AwsVssComponentsVersions.MINIMUM], Type: "LessThan" },
          ],
          ResultAttributes: [{ TypeName: "AWS:Application" }],
          MaxResults: 50,
          NextToken,
        }),
    );
    const outdated = new Map<string, string>();
    for (const entity of pages.flatMap((p) => p.Entities ?? [])) {
      const version = entity.Data?.["AWS:Application"]?.Content?.find((c) => c.Name === "AwsVssComponents")?.Version;
      if (entity.Id && version && compareVersions(version, AwsVssComponentsVersions.MINIMUM) < 0)
        outdated.set(entity.Id, version);
    }
    return { outdatedPackages: outdated, inventoryNote: "versions checked in SSM inventory" };
  } catch (error) {
    return { inventoryNote: `inventory not read: ${message(error)}` };
  }
}

/** Every EC2 backup job of the account since then, in any vault (on-demand ones included), by instance. */
async function gatherJobs(aws: AwsCaller, since: Date): Promise<Map<string, BackupJob[]>> {
  const pages = await aws.pages<ListBackupJobsOutput>(
    "backup",
    (NextToken) =>
      new ListBackupJobsCommand({ ByResourceType: "EC2", ByCreatedAfter: since, MaxResults: 1000, NextToken }),
  );
  const byInstance = new Map<string, BackupJob[]>();
  for (const job of pages.flatMap((p) => p.BackupJobs ?? [])) {
    const id = job.ResourceArn?.split("/").pop();
    if (id) byInstance.set(id, [...(byInstance.get(id) ?? []), job]);
  }
  return byInstance;
}
