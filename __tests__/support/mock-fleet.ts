// A mocked AWS account holding a fleet, for the preflight tests and benchmark: every API the
// preflight calls, with AWS's page sizes (so call counts are those a real fleet would cost), and
// what the real API honours: filters, the ids asked for (a wrong one is ResourceNotFound), and IAM
// simulation that evaluates the role's statements against the context sent. A command it does not
// mock is rejected: nothing is accepted by default.
import {
  BackupClient,
  BackupJob,
  DescribeBackupVaultCommand,
  DescribeRegionSettingsCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
} from "@aws-sdk/client-backup";
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  RecordingGroup,
} from "@aws-sdk/client-config-service";
import { DescribeInstancesCommand, EC2Client, Filter } from "@aws-sdk/client-ec2";
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import {
  ContextEntry,
  GetInstanceProfileCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeInstanceInformationCommand,
  GetInventoryCommand,
  ListAssociationsCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { mockClient } from "aws-sdk-client-mock";
import type { ResolvedMember } from "../../config/organization-types";
import type { ResolvedEnvironment } from "../../config/resolve";
import {
  ALL_EC2_INSTANCES,
  EC2_VSS_SNAPSHOT_POLICY_STATEMENTS,
  ManagedPolicies,
  SSM_MANAGED_INSTANCE_STATEMENTS,
  VSS_FOR_AWS_BACKUP_STATEMENTS,
  VSS_INLINE_POLICY_NAMES,
} from "../../modules";
import type { Clients } from "../../preflight/aws";

export interface FleetInstance {
  readonly id: string;
  /** @default "running" */
  readonly state?: string;
  readonly platform?: "windows" | "Linux/UNIX";
  readonly instanceType?: string;
  /** @default the environment's selection tag and Name=server-<last 4 of the id> */
  readonly tags?: Readonly<Record<string, string>>;
  /** Instance profile of the instance (named after the role it holds); undefined: no profile. */
  readonly role?: string;
  /** Undefined: not managed by SSM. */
  readonly ssm?: { readonly ping: string; readonly agent: string; readonly platformName?: string };
  /** Status in the association's latest run. @default "Success" */
  readonly association?: string;
  /** Tagged, launched or registered after the association's latest run, which therefore did not reach it. */
  readonly notInLatestRun?: boolean;
  /** Inventoried AwsVssComponents version. @default "2.5.1" */
  readonly packageVersion?: string;
  readonly jobs?: readonly {
    readonly state: string;
    readonly message?: string;
    readonly category?: string;
    readonly hoursAgo: number;
  }[];
}

/** A role of the account: its policies, which IAM simulation evaluates. */
export interface RoleSpec {
  /** ARNs of attached AWS managed policies (the mock knows the statements of those modules/ documents). */
  readonly attached?: readonly string[];
  /** Inline policies by name. */
  readonly inline?: Readonly<Record<string, readonly DataAwsIamPolicyDocumentStatement[]>>;
  /** Simulation fails (e.g. AccessDenied): preflight falls back to the policies on the role. */
  readonly simulationError?: string;
}

/** A vault lock as DescribeBackupVault reports it: its range, and in compliance mode its lock date. */
export interface LockSpec {
  readonly minRetentionDays?: number;
  readonly maxRetentionDays?: number;
  readonly lockDate?: Date;
}

/** When a compliance lock the stack deployed became immutable (3 days after a deploy on 1 November). */
export const LOCK_DATE = new Date("2026-11-04T00:00:00Z");

export interface AccountSpec {
  readonly account: string;
  readonly instances: readonly FleetInstance[];
  readonly roles?: Readonly<Record<string, RoleSpec>>;
  readonly vaultExists?: boolean;
  /** The main vault's lock; null: not locked. @default the lock the stack deploys (none when switched off) */
  readonly vaultLock?: LockSpec | null;
  /** Whether the DR region holds the DR vault, when the environment has one. @default true */
  readonly drVaultExists?: boolean;
  /** The DR vault's lock; null: not locked. @default the lock the stack deploys there */
  readonly drVaultLock?: LockSpec | null;
  /**
   * The alert rule of the environment's region; false: none.
   * @default as the stack deploys it: ENABLED, sending to the environment's topic (none when alerts are off)
   */
  readonly alertRule?: false | { readonly state?: string; readonly targetArns?: readonly string[] };
  /** The failed restore tests' rule, when the environment tests restores; as alertRule. */
  readonly restoreTestAlertRule?: false | { readonly state?: string; readonly targetArns?: readonly string[] };
  /**
   * AWS Config's recorder in the environment's region (other regions have none); false: none.
   * @default "default", recording every supported resource type, its last recording a success
   */
  readonly configRecorder?:
    | false
    | {
        readonly name?: string;
        readonly recording?: boolean;
        /** @default "Success" */
        readonly lastStatus?: "Pending" | "Success" | "Failure";
        readonly lastError?: { readonly code: string; readonly message: string };
        /** @default { allSupported: true } */
        readonly recordingGroup?: RecordingGroup;
      };
  /** Whether the account holds the environment's plan (another account's plan is always there). */
  readonly planExists?: boolean;
  readonly planVss?: boolean;
  readonly selectionTagValue?: string;
  readonly ec2OptedIn?: boolean;
  /** Throttle the first N calls of these commands (by name). */
  readonly throttle?: Readonly<Record<string, number>>;
  /** Fail the first N calls of these commands (by name) with a 503, as an AWS outage does. */
  readonly unavailable?: Readonly<Record<string, number>>;
  /** Commands (by name) that fail with AccessDeniedException. */
  readonly denied?: readonly string[];
  /** When the association's latest run started. @default EXECUTION_TIME */
  readonly associationRunAt?: Date;
}

export const EXECUTION_TIME = new Date("2026-11-20T00:00:00Z");

/** The statements of the AWS managed policies (as modules documents them) the mock's IAM knows. */
export const MANAGED_POLICY_STATEMENTS: Readonly<Record<string, readonly DataAwsIamPolicyDocumentStatement[]>> = {
  [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE]: SSM_MANAGED_INSTANCE_STATEMENTS,
  [ManagedPolicies.EC2_VSS_SNAPSHOT]: EC2_VSS_SNAPSHOT_POLICY_STATEMENTS,
};

export const awsError = (name: string, message: string, httpStatusCode = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

/** The region a mocked call was sent to, from the client that sent it. */
export async function regionOf(getClient: () => { config: { region?: unknown } }): Promise<string> {
  const region = getClient().config.region;
  return typeof region === "function" ? String(await region()) : String(region);
}

/** `*` and `?` as IAM reads them in actions, resources and StringLike/ArnLike values. */
const globs = new Map<string, RegExp>();
// Each pattern compiled once: simulations of a hundred accounts' roles (the organization bench) ask the same ones.
const globMatches = (pattern: string, value: string) => {
  let glob = globs.get(pattern);
  if (!glob) {
    glob = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    );
    globs.set(pattern, glob);
  }
  return glob.test(value);
};

/**
 * IAM's decision for one action on one resource under `context`: allowed when an Allow statement
 * matches the action, the resource and every condition (a condition on a key absent from the
 * context fails, but ForAllValues, which holds for no values); a policy variable that the context
 * does not supply makes its statement not match.
 */
export function evaluate(
  statements: readonly DataAwsIamPolicyDocumentStatement[],
  action: string,
  resource: string,
  context: readonly ContextEntry[],
): "allowed" | "implicitDeny" | "explicitDeny" {
  const valuesOf = (key: string) => context.find((c) => c.ContextKeyName === key)?.ContextKeyValues;
  const substitute = (text: string) => {
    let unresolved = false;
    const resolved = text.replace(/\$?\$\{([^}]+)\}/g, (_, name: string) => {
      const value = valuesOf(name);
      if (!value || value.length !== 1) unresolved = true;
      return value?.[0] ?? "";
    });
    return unresolved ? undefined : resolved;
  };
  const conditionHolds = (condition: { test: string; variable: string; values: string[] }) => {
    const actual = valuesOf(condition.variable);
    const expected = condition.values.map(substitute);
    const operators: Record<string, (actual: string, expected: string) => boolean> = {
      StringEquals: (a, e) => a === e,
      StringLike: (a, e) => globMatches(e, a),
      ArnEquals: (a, e) => a === e,
      ArnLike: (a, e) => globMatches(e, a),
    };
    const [qualifier, operatorName] = condition.test.includes(":")
      ? condition.test.split(":")
      : [undefined, condition.test];
    const operator = operators[operatorName];
    if (!operator) throw new Error(`the mock's IAM does not know the condition operator ${condition.test}`);
    const matchesOne = (a: string) => expected.some((e) => e !== undefined && operator(a, e));
    if (qualifier === "ForAllValues") return (actual ?? []).every(matchesOne);
    if (qualifier === "ForAnyValue") return (actual ?? []).some(matchesOne);
    if (qualifier) throw new Error(`the mock's IAM does not know the qualifier ${qualifier}`);
    return actual !== undefined && actual.some(matchesOne);
  };
  const matching = statements.filter(
    (s) =>
      (s.actions ?? []).some((a) => globMatches(a, action)) &&
      (s.resources ?? []).some((r) => {
        const pattern = substitute(r);
        return pattern !== undefined && globMatches(pattern, resource);
      }) &&
      (Array.isArray(s.condition) ? s.condition : []).every(conditionHolds),
  );
  if (matching.some((s) => s.effect === "Deny")) return "explicitDeny";
  return matching.some((s) => (s.effect ?? "Allow") === "Allow") ? "allowed" : "implicitDeny";
}

/** The SDK's client class of each service preflight calls. */
export interface ClientClasses {
  readonly sts: typeof STSClient;
  readonly ec2: typeof EC2Client;
  readonly iam: typeof IAMClient;
  readonly ssm: typeof SSMClient;
  readonly backup: typeof BackupClient;
  readonly events: typeof EventBridgeClient;
  readonly config: typeof ConfigServiceClient;
}
export const SDK_CLIENT_CLASSES: ClientClasses = {
  sts: STSClient,
  ec2: EC2Client,
  iam: IAMClient,
  ssm: SSMClient,
  backup: BackupClient,
  events: EventBridgeClient,
  config: ConfigServiceClient,
};

/**
 * Client classes of one account of its own: subclasses of the SDK's, so that mocking them leaves every
 * other account's (and the SDK's own classes) alone.
 */
export function accountClientClasses(): ClientClasses {
  return {
    sts: class extends STSClient {},
    ec2: class extends EC2Client {},
    iam: class extends IAMClient {},
    ssm: class extends SSMClient {},
    backup: class extends BackupClient {},
    events: class extends EventBridgeClient {},
    config: class extends ConfigServiceClient {},
  };
}

/**
 * Mocks every client class the preflight uses (all instances): the SDK's, or one account's own
 * (`accountClientClasses`); call `restore()` when done.
 */
export function mockAccount(
  env: ResolvedEnvironment,
  spec: AccountSpec,
  now: Date,
  classes: ClientClasses = SDK_CLIENT_CLASSES,
) {
  const mocks = {
    sts: mockClient(classes.sts),
    ec2: mockClient(classes.ec2),
    iam: mockClient(classes.iam),
    ssm: mockClient(classes.ssm),
    backup: mockClient(classes.backup),
    events: mockClient(classes.events),
    config: mockClient(classes.config),
  };
  for (const [service, mock] of Object.entries(mocks))
    mock.rejects(
      new Error(`the mocked ${service} does not answer this command: mock it in __tests__/support/mock-fleet.ts`),
    );
  const throttled: Record<string, number> = { ...spec.throttle };
  const unavailable: Record<string, number> = { ...spec.unavailable };
  const answer =
    <I, O>(name: string, handler: (input: I) => O) =>
    (input: I) => {
      if ((throttled[name] ?? 0) > 0) {
        throttled[name]--;
        throw awsError("ThrottlingException", "Rate exceeded");
      }
      if ((unavailable[name] ?? 0) > 0) {
        unavailable[name]--;
        throw awsError("ServiceUnavailable", "Service Unavailable", 503);
      }
      if (spec.denied?.includes(name)) throw awsError("AccessDeniedException", `not authorized to perform ${name}`);
      return handler(input);
    };
  const page = <T>(items: readonly T[], token: string | undefined, size: number) => {
    const start = Number(token ?? 0);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { items: items.slice(start, start + size), next };
  };
  const region = env.region;
  const profileArn = (role: string) => `arn:aws:iam::${spec.account}:instance-profile/${role}`;
  const roleArn = (role: string) => `arn:aws:iam::${spec.account}:role/${role}`;
  const tagsOf = (i: FleetInstance) =>
    i.tags ?? { [env.selectionTag.key]: env.selectionTag.value, Name: `server-${i.id.slice(-4)}` };
  const stateOf = (i: FleetInstance) => i.state ?? "running";
  const carriesTag = (i: FleetInstance) => tagsOf(i)[env.selectionTag.key] === env.selectionTag.value;
  const runAt = spec.associationRunAt ?? EXECUTION_TIME;

  mocks.sts.on(GetCallerIdentityCommand).callsFake(
    answer("GetCallerIdentity", () => ({
      Account: spec.account,
      Arn: `arn:aws:sts::${spec.account}:assumed-role/preflight/me`,
    })),
  );

  // EC2's filters: a tag's values, a state; a filter EC2 does not know is refused, as EC2 does.
  const ec2Filter = (filter: Filter) => (i: FleetInstance) => {
    const name = filter.Name ?? "";
    const values = filter.Values ?? [];
    if (name.startsWith("tag:")) return values.includes(tagsOf(i)[name.slice("tag:".length)]);
    if (name === "instance-state-name") return values.includes(stateOf(i));
    throw awsError("InvalidParameterValue", `The filter '${name}' is invalid`);
  };
  mocks.ec2.on(DescribeInstancesCommand).callsFake(
    answer("DescribeInstances", (input: { Filters?: Filter[]; NextToken?: string; MaxResults?: number }) => {
      const selected = spec.instances.filter((i) => (input.Filters ?? []).every((f) => ec2Filter(f)(i)));
      const { items, next } = page(selected, input.NextToken, Math.min(input.MaxResults ?? 1000, 1000));
      return {
        Reservations: [
          {
            Instances: items.map((i) => ({
              InstanceId: i.id,
              State: { Name: stateOf(i) },
              // EC2 answers "windows" in lower case, whatever the SDK type says.
              Platform: (i.platform ?? "windows") === "windows" ? ("windows" as const as "Windows") : undefined,
              PlatformDetails: (i.platform ?? "windows") === "windows" ? "Windows" : "Linux/UNIX",
              InstanceType: i.instanceType ?? "m6i.large",
              IamInstanceProfile: i.role ? { Arn: profileArn(i.role) } : undefined,
              Tags: Object.entries(tagsOf(i)).map(([Key, Value]) => ({ Key, Value })),
            })),
          },
        ],
        NextToken: next,
      };
    }),
  );

  const roleNamed = (name: string) => {
    const role = spec.roles?.[name];
    if (!role) throw awsError("NoSuchEntityException", `The role with name ${name} cannot be found.`, 404);
    return role;
  };
  const statementsOf = (role: RoleSpec) => [
    ...(role.attached ?? []).flatMap((arn) => MANAGED_POLICY_STATEMENTS[arn] ?? []),
    ...Object.values(role.inline ?? {}).flat(),
  ];
  mocks.iam.on(GetInstanceProfileCommand).callsFake(
    answer("GetInstanceProfile", (input: { InstanceProfileName: string }) => {
      if (!spec.roles?.[input.InstanceProfileName])
        throw awsError("NoSuchEntityException", `Instance Profile ${input.InstanceProfileName} cannot be found.`, 404);
      return {
        InstanceProfile: {
          InstanceProfileName: input.InstanceProfileName,
          Roles: [{ RoleName: input.InstanceProfileName, Arn: roleArn(input.InstanceProfileName) }],
        },
      };
    }),
  );
  mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake(
    answer(
      "SimulatePrincipalPolicy",
      (input: {
        PolicySourceArn: string;
        ActionNames: string[];
        ResourceArns?: string[];
        ContextEntries?: ContextEntry[];
      }) => {
        const role = roleNamed(input.PolicySourceArn.split("/").pop()!);
        if (role.simulationError) throw awsError("AccessDenied", role.simulationError, 403);
        const statements = statementsOf(role);
        const context = input.ContextEntries ?? [];
        // Like IAM: a decision per resource, and the overall decision the most restrictive of them.
        return {
          EvaluationResults: input.ActionNames.map((action) => {
            const specific = (input.ResourceArns ?? ["*"]).map((arn) => ({
              EvalResourceName: arn,
              EvalResourceDecision: evaluate(statements, action, arn, context),
            }));
            const denial = specific.find((s) => s.EvalResourceDecision !== "allowed");
            return {
              EvalActionName: action,
              EvalDecision: denial?.EvalResourceDecision ?? "allowed",
              ResourceSpecificResults: specific,
            };
          }),
        };
      },
    ),
  );
  mocks.iam.on(ListAttachedRolePoliciesCommand).callsFake(
    answer("ListAttachedRolePolicies", (input: { RoleName: string }) => ({
      AttachedPolicies: (roleNamed(input.RoleName).attached ?? []).map((arn) => ({
        PolicyArn: arn,
        PolicyName: arn.split("/").pop(),
      })),
    })),
  );
  mocks.iam.on(ListRolePoliciesCommand).callsFake(
    answer("ListRolePolicies", (input: { RoleName: string }) => ({
      PolicyNames: Object.keys(roleNamed(input.RoleName).inline ?? {}),
    })),
  );

  // SSM knows the live instances whose agent registered; its filters are on their tags.
  const managed = spec.instances.filter((i) => i.ssm && stateOf(i) !== "terminated");
  mocks.ssm.on(DescribeInstanceInformationCommand).callsFake(
    answer(
      "DescribeInstanceInformation",
      (input: { Filters?: { Key: string; Values: string[] }[]; NextToken?: string; MaxResults?: number }) => {
        const selected = managed.filter((i) =>
          (input.Filters ?? []).every((f) => {
            if (!f.Key.startsWith("tag:")) throw awsError("InvalidFilterKey", `The filter key ${f.Key} is invalid`);
            return f.Values.includes(tagsOf(i)[f.Key.slice("tag:".length)]);
          }),
        );
        const { items, next } = page(selected, input.NextToken, Math.min(input.MaxResults ?? 50, 50));
        return {
          InstanceInformationList: items.map((i) => ({
            InstanceId: i.id,
            PingStatus: i.ssm!.ping,
            AgentVersion: i.ssm!.agent,
            PlatformName: i.ssm!.platformName ?? "Microsoft Windows Server 2022 Datacenter",
          })),
          NextToken: next,
        };
      },
    ),
  );
  const associationId = "11111111-2222-3333-4444-555555555555";
  const latestExecution = "exec-2";
  const knownAssociation = (id: string) => {
    if (id !== associationId) throw awsError("AssociationDoesNotExist", `association ${id} does not exist`);
  };
  // State Manager runs on the tagged instances SSM manages.
  const targeted = managed.filter((i) => carriesTag(i) && !i.notInLatestRun);
  const statusOf = (i: FleetInstance) => i.association ?? "Success";
  mocks.ssm.on(ListAssociationsCommand).callsFake(
    answer("ListAssociations", (input: { AssociationFilterList?: { key: string; value: string }[] }) => ({
      Associations: (input.AssociationFilterList ?? []).every(
        (f) => f.key === "AssociationName" && f.value === env.association.name,
      )
        ? [{ AssociationId: associationId, AssociationName: env.association.name }]
        : [],
    })),
  );
  mocks.ssm.on(DescribeAssociationExecutionsCommand).callsFake(
    answer("DescribeAssociationExecutions", (input: { AssociationId: string }) => {
      knownAssociation(input.AssociationId);
      const counts = new Map<string, number>();
      for (const i of targeted) counts.set(statusOf(i), (counts.get(statusOf(i)) ?? 0) + 1);
      const resourceCountByStatus = `{${[...counts].map(([status, n]) => `${status}=${n}`).join(", ")}}`;
      return {
        AssociationExecutions: [
          {
            AssociationId: associationId,
            ExecutionId: latestExecution,
            CreatedTime: runAt,
            Status: "Success",
            ResourceCountByStatus: resourceCountByStatus,
          },
          {
            AssociationId: associationId,
            ExecutionId: "exec-1",
            CreatedTime: new Date(runAt.getTime() - 14 * 86_400_000),
          },
        ],
      };
    }),
  );
  mocks.ssm.on(DescribeAssociationExecutionTargetsCommand).callsFake(
    answer(
      "DescribeAssociationExecutionTargets",
      (input: {
        AssociationId: string;
        ExecutionId: string;
        Filters?: { Key: string; Value: string }[];
        NextToken?: string;
        MaxResults?: number;
      }) => {
        knownAssociation(input.AssociationId);
        const status = input.Filters?.find((f) => f.Key === "Status")?.Value;
        const matching =
          input.ExecutionId === latestExecution ? targeted.filter((i) => !status || statusOf(i) === status) : [];
        const { items, next } = page(matching, input.NextToken, Math.min(input.MaxResults ?? 50, 50));
        return {
          AssociationExecutionTargets: items.map((i) => ({
            ResourceId: i.id,
            Status: statusOf(i),
            DetailedStatus: statusOf(i) === "Success" ? "Success" : "Failed to install package AwsVssComponents",
          })),
          NextToken: next,
        };
      },
    ),
  );
  const versionOf = (i: FleetInstance) => i.packageVersion ?? "2.5.1";
  mocks.ssm.on(GetInventoryCommand).callsFake(
    answer(
      "GetInventory",
      (input: {
        Filters?: { Key: string; Values: string[]; Type?: string }[];
        NextToken?: string;
        MaxResults?: number;
      }) => {
        const lessThan = input.Filters?.find((f) => f.Key === "AWS:Application.Version" && f.Type === "LessThan")
          ?.Values[0];
        // SSM compares inventory strings, not versions: so does the mock.
        const matching = managed.filter((i) => lessThan === undefined || versionOf(i) < lessThan);
        const { items, next } = page(matching, input.NextToken, Math.min(input.MaxResults ?? 50, 50));
        return {
          Entities: items.map((i) => ({
            Id: i.id,
            Data: {
              "AWS:Application": {
                TypeName: "AWS:Application",
                SchemaVersion: "1.1",
                Content: [{ Name: "AwsVssComponents", Version: versionOf(i) }],
              },
            },
          })),
          NextToken: next,
        };
      },
    ),
  );

  const planId = "plan-1234";
  const otherPlanId = "plan-other";
  // One plan and one selection per page, so that preflight must follow NextToken to find its own.
  const plans = [
    { BackupPlanId: otherPlanId, BackupPlanName: "someone-else" },
    ...(spec.planExists === false ? [] : [{ BackupPlanId: planId, BackupPlanName: env.plan.name }]),
  ];
  const knownPlan = (id: string) => {
    if (!plans.some((p) => p.BackupPlanId === id))
      throw awsError("ResourceNotFoundException", `Failed reading Backup plan with provided version`);
  };
  // Vaults are regional: the main vault is in the environment's region, the DR vault in the DR region.
  const deployedLock = (lock: ResolvedEnvironment["vault"]["lock"]): LockSpec | null =>
    lock
      ? {
          minRetentionDays: lock.minRetentionDays,
          maxRetentionDays: lock.maxRetentionDays,
          lockDate: lock.mode === "compliance" ? LOCK_DATE : undefined,
        }
      : null;
  const dr = env.disasterRecovery;
  const vaults = new Map<string, { name: string; lock: LockSpec | null }>();
  if (spec.vaultExists !== false)
    vaults.set(`${region}/${env.vault.name}`, {
      name: env.vault.name,
      lock: spec.vaultLock === undefined ? deployedLock(env.vault.lock) : spec.vaultLock,
    });
  if (dr && spec.drVaultExists !== false)
    vaults.set(`${dr.region}/${dr.vault.name}`, {
      name: dr.vault.name,
      lock: spec.drVaultLock === undefined ? deployedLock(dr.vault.lock) : spec.drVaultLock,
    });
  mocks.backup.on(DescribeBackupVaultCommand).callsFake(async (input: { BackupVaultName: string }, getClient) => {
    const where = await regionOf(getClient);
    return answer("DescribeBackupVault", () => {
      const vault = vaults.get(`${where}/${input.BackupVaultName}`);
      if (!vault) throw awsError("ResourceNotFoundException", `Backup vault ${input.BackupVaultName} does not exist`);
      return {
        BackupVaultName: vault.name,
        BackupVaultArn: `arn:aws:backup:${where}:${spec.account}:backup-vault:${vault.name}`,
        Locked: vault.lock !== null,
        MinRetentionDays: vault.lock?.minRetentionDays,
        MaxRetentionDays: vault.lock?.maxRetentionDays,
        LockDate: vault.lock?.lockDate,
      };
    })(input);
  });
  mocks.backup.on(ListBackupPlansCommand).callsFake(
    answer("ListBackupPlans", (input: { NextToken?: string }) => {
      const { items, next } = page(plans, input.NextToken, 1);
      return { BackupPlansList: items, NextToken: next };
    }),
  );
  const windowsVss = [{ ResourceType: "EC2", BackupOptions: { WindowsVSS: "enabled" } }];
  mocks.backup.on(GetBackupPlanCommand).callsFake(
    answer("GetBackupPlan", (input: { BackupPlanId: string }) => {
      knownPlan(input.BackupPlanId);
      // The other plan takes VSS backups: a preflight that read the wrong plan would pass a plan without.
      const vss = input.BackupPlanId === otherPlanId || spec.planVss !== false;
      return { BackupPlanId: input.BackupPlanId, AdvancedBackupSettings: vss ? windowsVss : [] };
    }),
  );
  const selectingEc2Tagged = (value: string) => ({
    SelectionName: env.selection.name,
    IamRoleArn: roleArn("backup"),
    Resources: [ALL_EC2_INSTANCES],
    Conditions: { StringEquals: [{ ConditionKey: `aws:ResourceTag/${env.selectionTag.key}`, ConditionValue: value }] },
  });
  const selections: Record<string, readonly { id: string; selection: object }[]> = {
    [planId]: [
      {
        id: "sel-0",
        selection: { SelectionName: "databases", IamRoleArn: roleArn("backup"), Resources: ["arn:aws:rds:*:*:db:*"] },
      },
      { id: "sel-1", selection: selectingEc2Tagged(spec.selectionTagValue ?? env.selectionTag.value) },
    ],
    // The other plan selects the tag: a preflight that read the wrong plan's selections would pass a plan without.
    [otherPlanId]: [{ id: "sel-other", selection: selectingEc2Tagged(env.selectionTag.value) }],
  };
  mocks.backup.on(ListBackupSelectionsCommand).callsFake(
    answer("ListBackupSelections", (input: { BackupPlanId: string; NextToken?: string }) => {
      knownPlan(input.BackupPlanId);
      const { items, next } = page(selections[input.BackupPlanId], input.NextToken, 1);
      return {
        BackupSelectionsList: items.map((s) => ({ SelectionId: s.id, BackupPlanId: input.BackupPlanId })),
        NextToken: next,
      };
    }),
  );
  mocks.backup.on(GetBackupSelectionCommand).callsFake(
    answer("GetBackupSelection", (input: { BackupPlanId: string; SelectionId: string }) => {
      knownPlan(input.BackupPlanId);
      const found = selections[input.BackupPlanId].find((s) => s.id === input.SelectionId);
      if (!found) throw awsError("ResourceNotFoundException", `selection ${input.SelectionId} not found`);
      return { BackupPlanId: input.BackupPlanId, SelectionId: found.id, BackupSelection: found.selection };
    }),
  );
  mocks.backup.on(DescribeRegionSettingsCommand).callsFake(
    answer("DescribeRegionSettings", () => ({
      ResourceTypeOptInPreference: { EC2: spec.ec2OptedIn ?? true, EBS: true },
    })),
  );
  const jobs: BackupJob[] = spec.instances.flatMap((i) =>
    (i.jobs ?? []).map((j, n) => ({
      BackupJobId: `${i.id}-${n}`,
      ResourceArn: `arn:aws:ec2:${region}:${spec.account}:instance/${i.id}`,
      ResourceType: "EC2",
      State: j.state as BackupJob["State"],
      StatusMessage: j.message,
      MessageCategory: j.category ?? (j.state === "COMPLETED" ? "SUCCESS" : undefined),
      CreationDate: new Date(now.getTime() - j.hoursAgo * 3_600_000),
    })),
  );
  mocks.backup.on(ListBackupJobsCommand).callsFake(
    answer(
      "ListBackupJobs",
      (input: { NextToken?: string; MaxResults?: number; ByCreatedAfter?: Date; ByResourceType?: string }) => {
        const since = input.ByCreatedAfter?.getTime() ?? 0;
        const { items, next } = page(
          jobs.filter(
            (j) =>
              j.CreationDate!.getTime() >= since && (!input.ByResourceType || j.ResourceType === input.ByResourceType),
          ),
          input.NextToken,
          Math.min(input.MaxResults ?? 1000, 1000),
        );
        return { BackupJobs: items, NextToken: next };
      },
    ),
  );

  // The alert rules are regional, on the default bus; targets are listed by rule name. A deployed stack
  // holds its backup jobs' rule and, with restore testing, the restore tests' rule beside it.
  const alerts = env.alerts;
  const deployedRule = (name: string, given: AccountSpec["alertRule"]) =>
    alerts && given !== false
      ? {
          name,
          state: given?.state ?? "ENABLED",
          targetArns:
            given?.targetArns ??
            ("member" in env
              ? [(env as ResolvedMember).member.centralBusArn]
              : "existingTopicArn" in alerts.topic
                ? [alerts.topic.existingTopicArn]
                : [`arn:aws:sns:${region}:${spec.account}:${alerts.topic.name}`]),
        }
      : undefined;
  const rules = alerts
    ? [
        deployedRule(alerts.ruleName, spec.alertRule),
        alerts.failedRestoreTests
          ? deployedRule(`${alerts.ruleName}-restore-tests`, spec.restoreTestAlertRule)
          : undefined,
      ]
    : [];
  const ruleNamed = (where: string, name: string, bus?: string) => {
    const rule = rules.find((r) => r?.name === name);
    if (!rule || where !== region || (bus !== undefined && bus !== "default"))
      throw awsError("ResourceNotFoundException", `Rule ${name} does not exist on EventBus ${bus ?? "default"}.`);
    return rule;
  };
  mocks.events.on(DescribeRuleCommand).callsFake(async (input: { Name: string; EventBusName?: string }, getClient) => {
    const where = await regionOf(getClient);
    return answer("DescribeRule", () => {
      const found = ruleNamed(where, input.Name, input.EventBusName);
      return {
        Name: found.name,
        Arn: `arn:aws:events:${where}:${spec.account}:rule/${found.name}`,
        State: found.state,
        EventBusName: "default",
      };
    })(input);
  });
  mocks.events
    .on(ListTargetsByRuleCommand)
    .callsFake(
      async (input: { Rule: string; EventBusName?: string; NextToken?: string; Limit?: number }, getClient) => {
        const where = await regionOf(getClient);
        return answer("ListTargetsByRule", () => {
          const found = ruleNamed(where, input.Rule, input.EventBusName);
          const { items, next } = page(found.targetArns, input.NextToken, Math.min(input.Limit ?? 100, 100));
          return { Targets: items.map((Arn, n) => ({ Id: `target-${n}`, Arn })), NextToken: next };
        })(input);
      },
    );

  // AWS Config's recorder is regional: the environment's region holds it, any other none.
  const recorder =
    spec.configRecorder === false
      ? undefined
      : {
          name: spec.configRecorder?.name ?? "default",
          recording: spec.configRecorder?.recording ?? true,
          lastStatus: spec.configRecorder?.lastStatus ?? "Success",
          lastError: spec.configRecorder?.lastError,
          recordingGroup: spec.configRecorder?.recordingGroup ?? {
            allSupported: true,
            includeGlobalResourceTypes: false,
          },
        };
  const recordersIn = (where: string) => (recorder && where === region ? [recorder] : []);
  mocks.config.on(DescribeConfigurationRecordersCommand).callsFake(async (_input: object, getClient) => {
    const where = await regionOf(getClient);
    return answer("DescribeConfigurationRecorders", () => ({
      ConfigurationRecorders: recordersIn(where).map((r) => ({
        name: r.name,
        roleARN: `arn:aws:iam::${spec.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
        recordingGroup: r.recordingGroup,
      })),
    }))(_input);
  });
  mocks.config.on(DescribeConfigurationRecorderStatusCommand).callsFake(async (_input: object, getClient) => {
    const where = await regionOf(getClient);
    return answer("DescribeConfigurationRecorderStatus", () => ({
      ConfigurationRecordersStatus: recordersIn(where).map((r) => ({
        name: r.name,
        recording: r.recording,
        lastStatus: r.lastStatus,
        lastErrorCode: r.lastError?.code,
        lastErrorMessage: r.lastError?.message,
      })),
    }))(_input);
  });

  /** Clients of a region (the environment's by default): the mocks answer what AWS holds there. */
  const clients = (where: string = region): Clients => ({
    sts: new classes.sts({ region: where }),
    ec2: new classes.ec2({ region: where }),
    iam: new classes.iam({ region: where }),
    ssm: new classes.ssm({ region: where }),
    backup: new classes.backup({ region: where }),
    events: new classes.events({ region: where }),
    config: new classes.config({ region: where }),
  });
  return { clients, mocks, restore: () => Object.values(mocks).forEach((m) => m.restore()) };
}

/**
 * `client` with its own send, the SDK's, past mockAccount's mock of its class: it reaches its
 * endpoint (moto_server, a closed port) while every other client of the class stays mocked.
 */
export function unmocked<C extends { send: unknown }>(client: C): C {
  // instance -> XClient.prototype (where the class mock stubs send) -> the SDK's Client.prototype.
  const sdkSend = Object.getPrototypeOf(Object.getPrototypeOf(client)).send as (...args: unknown[]) => unknown;
  return Object.assign(client, { send: sdkSend.bind(client) });
}

/** The roles a deployed stack gives the instances in `managed` mode: AWS's two managed policies attached. */
export const MANAGED_MODE_ROLE: RoleSpec = {
  attached: [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE, ManagedPolicies.EC2_VSS_SNAPSHOT],
};

/** The role a deployed stack gives the instances in `inline` mode: the project's two inline policies. */
export const INLINE_MODE_ROLE: RoleSpec = {
  inline: {
    [VSS_INLINE_POLICY_NAMES.ssmCore]: SSM_MANAGED_INSTANCE_STATEMENTS,
    [VSS_INLINE_POLICY_NAMES.vss]: VSS_FOR_AWS_BACKUP_STATEMENTS,
  },
};

/**
 * A large fleet: `count` instances spread over `roles` roles (named role-0...), one in fifty failing
 * the package install, each backed up daily for a week.
 */
export function generateFleet(count: number, roles: number): FleetInstance[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `i-${String(i).padStart(17, "0")}`,
    role: `role-${i % roles}`,
    ssm: { ping: "Online", agent: "3.3.1142.0" },
    association: i % 50 === 0 ? "Failed" : undefined,
    jobs: Array.from({ length: 7 }, (__, day) => ({ state: "COMPLETED", hoursAgo: 6 + day * 24 })),
  }));
}

/** The roles of `generateFleet(_, roles)`, each with AWS's managed policies attached. */
export function generatedRoles(roles: number): Record<string, RoleSpec> {
  return Object.fromEntries(Array.from({ length: roles }, (_, i) => [`role-${i}`, MANAGED_MODE_ROLE]));
}
