import { GetCallerIdentityCommand, GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import type { ResolvedEnvironment } from "../config/resolve";
import { describeTag } from "../modules";
import { AwsCaller, isAccessDenied, Service } from "./aws";
import { InstanceReport, judgeInstances, worst } from "./checks";
import { checkBackupSide, CheckResult, findTaggedInstances, gatherFleet, JobsWindow, Status } from "./gather";

export interface PreflightReport {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly tag: string;
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

export interface PreflightOptions {
  readonly jobsWindow: JobsWindow;
  readonly progress?: (phase: string) => void;
}

export async function runPreflight(
  aws: AwsCaller,
  env: ResolvedEnvironment,
  options: PreflightOptions,
): Promise<PreflightReport> {
  const progress = options.progress ?? (() => undefined);
  let identity: GetCallerIdentityResponse;
  try {
    identity = await aws.send<GetCallerIdentityResponse>("sts", new GetCallerIdentityCommand({}));
  } catch (error) {
    throw new PreflightError(
      `no usable AWS credentials (${(error as Error).name}: ${(error as Error).message}); sign in for account ${env.account} (aws sso login, AWS_PROFILE, ...)`,
    );
  }
  if (identity.Account !== env.account) {
    throw new PreflightError(
      `these credentials are for account ${identity.Account}, but ${env.name} is account ${env.account}; use credentials for ${env.account}`,
    );
  }
  progress("backup vault, plan and selection");
  const backupSide = await checkBackupSide(aws, env);
  progress("tagged instances");
  const instances = await findTaggedInstances(aws, env, env.account).catch((error: Error) => {
    const fix = isAccessDenied(error) ? "allow ec2:DescribeInstances" : "run again later";
    throw new PreflightError(`cannot list the tagged instances (${error.name}: ${error.message}); ${fix}`);
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
    tag: describeTag(env.selectionTag),
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
