// A mocked AWS account holding a fleet, for the preflight tests and benchmark: every API the
// preflight calls, with AWS's page sizes, so call counts are those a real fleet would cost.
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
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
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
import { mockClient } from "aws-sdk-client-mock";
import type { ResolvedEnvironment } from "../../config/resolve";
import { ALL_EC2_INSTANCES } from "../../modules";
import type { Clients } from "../aws";

export interface FleetInstance {
  readonly id: string;
  readonly state?: string;
  readonly platform?: "windows" | "Linux/UNIX";
  readonly instanceType?: string;
  /** Role held by the instance's profile (profile name = role name); undefined: no profile. */
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

export interface RoleSpec {
  /** What the simulation denies: an action ("ec2:CreateImage") on every resource, or on one kind ("ec2:CreateImage@snapshot"). */
  readonly denies?: readonly string[];
  /** Simulation fails (e.g. AccessDenied): preflight falls back to attached policies. */
  readonly simulationError?: string;
  readonly attached?: readonly string[];
  readonly inline?: readonly string[];
}

export interface AccountSpec {
  readonly account: string;
  readonly instances: readonly FleetInstance[];
  readonly roles?: Readonly<Record<string, RoleSpec>>;
  readonly vaultExists?: boolean;
  readonly planVss?: boolean;
  readonly selectionTagValue?: string;
  readonly ec2OptedIn?: boolean;
  /** Throttle the first N calls of these commands (by name). */
  readonly throttle?: Readonly<Record<string, number>>;
  /** Fail the first N calls of these commands (by name) with a 503, as a passing AWS outage does. */
  readonly unavailable?: Readonly<Record<string, number>>;
  /** Commands (by name) that fail with AccessDeniedException. */
  readonly denied?: readonly string[];
  /** When the association's latest run started. @default EXECUTION_TIME */
  readonly associationRunAt?: Date;
}

export const EXECUTION_TIME = new Date("2026-11-20T00:00:00Z");

/** Mocks every client class the preflight uses (all instances); call `restore()` when done. */
export function mockAccount(env: ResolvedEnvironment, spec: AccountSpec, now: Date) {
  const mocks = {
    sts: mockClient(STSClient),
    ec2: mockClient(EC2Client),
    iam: mockClient(IAMClient),
    ssm: mockClient(SSMClient),
    backup: mockClient(BackupClient),
  };
  const throttled: Record<string, number> = { ...spec.throttle };
  const unavailable: Record<string, number> = { ...spec.unavailable };
  const answer =
    <I, O>(name: string, handler: (input: I) => O) =>
    (input: I) => {
      if ((throttled[name] ?? 0) > 0) {
        throttled[name]--;
        throw Object.assign(new Error("Rate exceeded"), {
          name: "ThrottlingException",
          $metadata: { httpStatusCode: 400 },
        });
      }
      if ((unavailable[name] ?? 0) > 0) {
        unavailable[name]--;
        throw Object.assign(new Error("Service Unavailable"), {
          name: "ServiceUnavailable",
          $metadata: { httpStatusCode: 503 },
        });
      }
      if (spec.denied?.includes(name))
        throw Object.assign(new Error(`not authorized to perform ${name}`), { name: "AccessDeniedException" });
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
  const tagged = spec.instances;
  const runAt = spec.associationRunAt ?? EXECUTION_TIME;

  mocks.sts.on(GetCallerIdentityCommand).callsFake(
    answer("GetCallerIdentity", () => ({
      Account: spec.account,
      Arn: `arn:aws:sts::${spec.account}:assumed-role/preflight/me`,
    })),
  );

  mocks.ec2.on(DescribeInstancesCommand).callsFake(
    answer("DescribeInstances", (input: { NextToken?: string; MaxResults?: number }) => {
      const { items, next } = page(tagged, input.NextToken, Math.min(input.MaxResults ?? 1000, 1000));
      return {
        Reservations: [
          {
            Instances: items.map((i) => ({
              InstanceId: i.id,
              State: { Name: i.state ?? "running" },
              // EC2 answers "windows" in lower case, whatever the SDK type says.
              Platform: (i.platform ?? "windows") === "windows" ? ("windows" as const as "Windows") : undefined,
              PlatformDetails: (i.platform ?? "windows") === "windows" ? "Windows" : "Linux/UNIX",
              InstanceType: i.instanceType ?? "m6i.large",
              LaunchTime: new Date("2026-01-01T00:00:00Z"),
              IamInstanceProfile: i.role ? { Arn: profileArn(i.role) } : undefined,
              Tags: [
                { Key: env.selectionTag.key, Value: env.selectionTag.value },
                { Key: "Name", Value: `server-${i.id.slice(-4)}` },
              ],
            })),
          },
        ],
        NextToken: next,
      };
    }),
  );

  mocks.iam.on(GetInstanceProfileCommand).callsFake(
    answer("GetInstanceProfile", (input: { InstanceProfileName: string }) => ({
      InstanceProfile: {
        InstanceProfileName: input.InstanceProfileName,
        Roles: [{ RoleName: input.InstanceProfileName, Arn: roleArn(input.InstanceProfileName) }],
      },
    })),
  );
  mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake(
    answer(
      "SimulatePrincipalPolicy",
      (input: { PolicySourceArn: string; ActionNames: string[]; ResourceArns?: string[] }) => {
        const role = spec.roles?.[input.PolicySourceArn.split("/").pop()!] ?? {};
        if (role.simulationError) throw Object.assign(new Error(role.simulationError), { name: "AccessDenied" });
        // Like IAM: a decision per resource, and the overall decision the most restrictive of them.
        const kindOf = (arn: string) => /:(instance|image|snapshot|volume)\//.exec(arn)?.[1];
        const denied = (action: string, arn: string) =>
          role.denies?.some((d) => d === action || d === `${action}@${kindOf(arn)}`) ?? false;
        return {
          EvaluationResults: input.ActionNames.map((action) => {
            const specific = (input.ResourceArns ?? []).map((arn) => ({
              EvalResourceName: arn,
              EvalResourceDecision: denied(action, arn) ? "implicitDeny" : "allowed",
            }));
            return {
              EvalActionName: action,
              EvalDecision: specific.some((s) => s.EvalResourceDecision !== "allowed") ? "implicitDeny" : "allowed",
              ResourceSpecificResults: specific,
            };
          }),
        };
      },
    ),
  );
  mocks.iam.on(ListAttachedRolePoliciesCommand).callsFake(
    answer("ListAttachedRolePolicies", (input: { RoleName: string }) => ({
      AttachedPolicies: (spec.roles?.[input.RoleName]?.attached ?? []).map((arn) => ({
        PolicyArn: arn,
        PolicyName: arn.split("/").pop(),
      })),
    })),
  );
  mocks.iam.on(ListRolePoliciesCommand).callsFake(
    answer("ListRolePolicies", (input: { RoleName: string }) => ({
      PolicyNames: [...(spec.roles?.[input.RoleName]?.inline ?? [])],
    })),
  );

  const managed = tagged.filter((i) => i.ssm);
  mocks.ssm.on(DescribeInstanceInformationCommand).callsFake(
    answer("DescribeInstanceInformation", (input: { NextToken?: string; MaxResults?: number }) => {
      const { items, next } = page(managed, input.NextToken, Math.min(input.MaxResults ?? 50, 50));
      return {
        InstanceInformationList: items.map((i) => ({
          InstanceId: i.id,
          PingStatus: i.ssm!.ping,
          AgentVersion: i.ssm!.agent,
          PlatformName: i.ssm!.platformName ?? "Microsoft Windows Server 2022 Datacenter",
        })),
        NextToken: next,
      };
    }),
  );
  const associationId = "11111111-2222-3333-4444-555555555555";
  // State Manager runs on the tagged instances SSM manages.
  const targeted = tagged.filter((i) => i.ssm && !i.notInLatestRun);
  const statusOf = (i: FleetInstance) => i.association ?? "Success";
  mocks.ssm.on(ListAssociationsCommand).callsFake(
    answer("ListAssociations", (input: { AssociationFilterList?: { value: string }[] }) => ({
      Associations:
        input.AssociationFilterList?.[0]?.value === env.association.name
          ? [{ AssociationId: associationId, AssociationName: env.association.name }]
          : [],
    })),
  );
  mocks.ssm.on(DescribeAssociationExecutionsCommand).callsFake(
    answer("DescribeAssociationExecutions", () => {
      const counts = new Map<string, number>();
      for (const i of targeted) counts.set(statusOf(i), (counts.get(statusOf(i)) ?? 0) + 1);
      const resourceCountByStatus = `{${[...counts].map(([status, n]) => `${status}=${n}`).join(", ")}}`;
      return {
        AssociationExecutions: [
          {
            AssociationId: associationId,
            ExecutionId: "exec-2",
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
        ExecutionId: string;
        Filters?: { Key: string; Value: string }[];
        NextToken?: string;
        MaxResults?: number;
      }) => {
        const status = input.Filters?.find((f) => f.Key === "Status")?.Value;
        const matching =
          input.ExecutionId === "exec-2" ? targeted.filter((i) => !status || statusOf(i) === status) : [];
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
  mocks.backup.on(DescribeBackupVaultCommand).callsFake(
    answer("DescribeBackupVault", (input: { BackupVaultName: string }) => {
      if (spec.vaultExists === false)
        throw Object.assign(new Error(`Backup vault ${input.BackupVaultName} does not exist`), {
          name: "ResourceNotFoundException",
        });
      return { BackupVaultName: input.BackupVaultName };
    }),
  );
  // One plan and one selection per page, so that preflight must follow NextToken to find its own.
  const plans = [
    { BackupPlanId: "other", BackupPlanName: "someone-else" },
    { BackupPlanId: planId, BackupPlanName: env.plan.name },
  ];
  mocks.backup.on(ListBackupPlansCommand).callsFake(
    answer("ListBackupPlans", (input: { NextToken?: string }) => {
      const { items, next } = page(plans, input.NextToken, 1);
      return { BackupPlansList: items, NextToken: next };
    }),
  );
  mocks.backup.on(GetBackupPlanCommand).callsFake(
    answer("GetBackupPlan", () => ({
      BackupPlanId: planId,
      AdvancedBackupSettings:
        spec.planVss === false ? [] : [{ ResourceType: "EC2", BackupOptions: { WindowsVSS: "enabled" } }],
    })),
  );
  const selections = [
    { SelectionId: "sel-0", BackupPlanId: planId },
    { SelectionId: "sel-1", BackupPlanId: planId },
  ];
  mocks.backup.on(ListBackupSelectionsCommand).callsFake(
    answer("ListBackupSelections", (input: { NextToken?: string }) => {
      const { items, next } = page(selections, input.NextToken, 1);
      return { BackupSelectionsList: items, NextToken: next };
    }),
  );
  mocks.backup.on(GetBackupSelectionCommand).callsFake(
    answer("GetBackupSelection", (input: { SelectionId: string }) => ({
      BackupSelection:
        input.SelectionId === "sel-0"
          ? { SelectionName: "databases", IamRoleArn: roleArn("backup"), Resources: ["arn:aws:rds:*:*:db:*"] }
          : {
              SelectionName: env.selection.name,
              IamRoleArn: roleArn("backup"),
              Resources: [ALL_EC2_INSTANCES],
              Conditions: {
                StringEquals: [
                  {
                    ConditionKey: `aws:ResourceTag/${env.selectionTag.key}`,
                    ConditionValue: spec.selectionTagValue ?? env.selectionTag.value,
                  },
                ],
              },
            },
    })),
  );
  mocks.backup.on(DescribeRegionSettingsCommand).callsFake(
    answer("DescribeRegionSettings", () => ({
      ResourceTypeOptInPreference: { EC2: spec.ec2OptedIn ?? true, EBS: true },
    })),
  );
  const jobs: BackupJob[] = tagged.flatMap((i) =>
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
    answer("ListBackupJobs", (input: { NextToken?: string; MaxResults?: number; ByCreatedAfter?: Date }) => {
      const since = input.ByCreatedAfter?.getTime() ?? 0;
      const { items, next } = page(
        jobs.filter((j) => j.CreationDate!.getTime() >= since),
        input.NextToken,
        Math.min(input.MaxResults ?? 1000, 1000),
      );
      return { BackupJobs: items, NextToken: next };
    }),
  );

  const clients = (): Clients => ({
    sts: new STSClient({ region }),
    ec2: new EC2Client({ region }),
    iam: new IAMClient({ region }),
    ssm: new SSMClient({ region }),
    backup: new BackupClient({ region }),
  });
  return { clients, mocks, restore: () => Object.values(mocks).forEach((m) => m.restore()) };
}

/**
 * A large fleet: `count` instances spread over `roles` roles, one in fifty failing the package
 * install, each backed up daily for a week.
 */
export function generateFleet(
  count: number,
  roles: number,
  roleName = (i: number) => `role-${i % roles}`,
): FleetInstance[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `i-${String(i).padStart(17, "0")}`,
    role: roleName(i),
    ssm: { ping: "Online", agent: "3.3.1142.0" },
    association: i % 50 === 0 ? "Failed" : undefined,
    jobs: Array.from({ length: 7 }, (__, day) => ({ state: "COMPLETED", hoursAgo: 6 + day * 24 })),
  }));
}
