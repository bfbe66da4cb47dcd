import { GetCallerIdentityCommand, GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import type { ResolvedEnvironment } from "../config/resolve";
import { policyModeOf, SelectionTag } from "../modules";
import { AwsCaller, AwsUnreachableError, DeadlineExceededError, errorText, isAccessDenied, Service } from "./aws";
import { InstanceReport, judgeBackupSide, judgeInstances, judgeProtection, worst } from "./checks";
import type { CheckResult, FleetFacts, InstanceFacts, JobsWindow, ProtectionFacts, Status } from "./facts";
import { expectedAlertRules, expectedVaults, roleRequirements } from "./requirements";
import { gatherBackupSide, gatherJobs, readVault } from "./sources/backup";
import { findTaggedInstances } from "./sources/ec2";
import { readConfigRecorders } from "./sources/config";
import { readAlertRule } from "./sources/events";
import { gatherRoles } from "./sources/iam";
import { gatherAssociation, gatherInventory, gatherSsm } from "./sources/ssm";

export interface PreflightReport {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly tag: SelectionTag;
  readonly backupSide: Record<string, CheckResult>;
  readonly instances: readonly InstanceReport[];
  readonly summary: {
    readonly instances: number;
    readonly ready: number;
    readonly warnings: number;
    readonly notReady: number;
    readonly status: Status;
  };
  readonly apiCalls: Record<Service, number>;
}

/** An expected problem that ends the run with exit code 2 and this message, no stack trace. */
export class PreflightError extends Error {}

/** The run could not check (a PreflightError, AWS not answering, the deadline): exit code 2, never a verdict on the fleet. */
export function couldNotCheck(error: unknown): error is Error {
  return (
    error instanceof PreflightError || error instanceof AwsUnreachableError || error instanceof DeadlineExceededError
  );
}

export interface PreflightOptions {
  /** The time the run judges at (a compliance lock's date is before or after it). */
  readonly now: Date;
  readonly jobsWindow: JobsWindow;
  readonly progress?: (phase: string) => void;
  /**
   * Who the credentials are, when STS has already said so in the environment's region (the answer
   * of organization mode's AssumeRole): then no GetCallerIdentity. @default asked of STS
   */
  readonly identity?: GetCallerIdentityResponse;
}

export async function runPreflight(
  aws: AwsCaller,
  env: ResolvedEnvironment,
  options: PreflightOptions,
): Promise<PreflightReport> {
  const progress = options.progress ?? (() => undefined);
  let identity: GetCallerIdentityResponse;
  try {
    identity = options.identity ?? (await aws.send<GetCallerIdentityResponse>("sts", new GetCallerIdentityCommand({})));
  } catch (error) {
    if (error instanceof AwsUnreachableError || error instanceof DeadlineExceededError) throw error;
    throw new PreflightError(
      `no usable AWS credentials (${errorText(error)}); sign in for account ${env.account} (aws sso login, AWS_PROFILE, ...)`,
    );
  }
  if (identity.Account !== env.account) {
    throw new PreflightError(
      `these credentials are for account ${identity.Account}, but ${env.name} is account ${env.account}; use credentials for ${env.account}`,
    );
  }
  progress("backup vault, plan and selection");
  const backup = await gatherBackupSide(aws, { vault: env.vault.name, plan: env.plan.name });
  const protecting = [env.disasterRecovery && "DR vault", env.alerts && "alert rule"].filter(Boolean);
  if (protecting.length > 0) progress(protecting.join(" and "));
  if (env.audit) progress("AWS Config recording");
  const protection = await gatherProtection(aws, env);
  const backupSide = {
    ...judgeBackupSide(env, backup, options.now),
    ...judgeProtection(env, protection, options.now),
  };
  progress("tagged instances");
  const instances = await findTaggedInstances(aws, env.selectionTag, env).catch((error: unknown) => {
    if (error instanceof AwsUnreachableError || error instanceof DeadlineExceededError) throw error;
    const fix = isAccessDenied(error) ? "allow ec2:DescribeInstances" : "run again later";
    throw new PreflightError(`cannot list the tagged instances (${errorText(error)}); ${fix}`);
  });
  const fleet = await gatherFleet(aws, env, instances, { jobsWindow: options.jobsWindow, progress });
  const reports = judgeInstances(env, fleet);
  const count = (status: Status) => reports.filter((r) => r.status === status).length;
  const nothingProtected = reports.length === 0;
  const status = worst([
    ...Object.values(backupSide).map((c) => c.status),
    ...reports.map((r) => r.status),
    ...(nothingProtected ? (["fail"] as const) : []),
  ]);
  return {
    environment: env.name,
    account: env.account,
    region: env.region,
    tag: env.selectionTag,
    backupSide,
    instances: reports,
    summary: {
      instances: reports.length,
      ready: count("pass"),
      warnings: count("warn"),
      notReady: count("fail"),
      status,
    },
    apiCalls: { ...aws.calls },
  };
}

/**
 * What the environment configures to protect its backups, each read from its own source and
 * region, side by side. A further check (e.g. AWS Config's configuration recorders, when `audit` is
 * on) is one more entry here, with its field in ProtectionFacts and its rows in judgeProtection.
 */
async function gatherProtection(aws: AwsCaller, env: ResolvedEnvironment): Promise<ProtectionFacts> {
  const dr = expectedVaults(env).find((v) => v.kind === "dr");
  const rules = expectedAlertRules(env);
  const [disasterRecoveryVault, alertRules, configRecorder] = await Promise.all([
    dr ? readVault(aws, dr.name, { region: dr.region }) : undefined,
    rules.length > 0 ? Promise.all(rules.map((r) => readAlertRule(aws, r.name, { region: r.region }))) : undefined,
    // The audit framework's controls evaluate through AWS Config in the environment's region.
    env.audit ? readConfigRecorders(aws) : undefined,
  ]);
  return { disasterRecoveryVault, alertRules, configRecorder };
}

/** Everything per instance, each source read once for the whole fleet. */
async function gatherFleet(
  aws: AwsCaller,
  env: ResolvedEnvironment,
  instances: readonly InstanceFacts[],
  options: { jobsWindow: JobsWindow; progress: (phase: string) => void },
): Promise<FleetFacts> {
  const { progress } = options;
  progress("IAM roles");
  const requirements = roleRequirements(policyModeOf(env.instanceRole));
  const { profiles, roles } = await gatherRoles(aws, env.region, instances, requirements);
  progress("SSM Agent status");
  const ssm = await gatherSsm(aws, env.selectionTag);
  progress("AwsVssComponents association");
  const association = await gatherAssociation(aws, env.association.name, "error" in ssm ? instances.length : ssm.size);
  progress("SSM inventory");
  const inventory = await gatherInventory(aws);
  progress("backup jobs");
  const jobs = await gatherJobs(aws, options.jobsWindow.since);
  return { instances, profiles, roles, ssm, association, inventory, jobs, jobsWindow: options.jobsWindow };
}
