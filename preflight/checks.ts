import type { ResolvedEnvironment } from "../config/resolve";
import type { CheckResult, FleetFacts, InstanceFacts, Status } from "./gather";
import {
  AwsVssComponentsVersions,
  compareVersions,
  instanceProfileNameOf,
  instanceRoleNameOf,
  usesExistingRole,
} from "../modules";
import { MIN_SSM_AGENT_VERSION, MIN_WINDOWS_SERVER, UNSUPPORTED_INSTANCE_TYPES } from "./requirements";

/** The per-instance checks, in the order the table shows them. */
export const INSTANCE_CHECKS = ["running", "windows", "type", "role", "ssm", "vss", "jobs"] as const;
export type InstanceCheck = (typeof INSTANCE_CHECKS)[number];

export interface InstanceReport {
  readonly id: string;
  readonly name?: string;
  readonly status: Status;
  readonly checks: Record<InstanceCheck, CheckResult>;
}

const pass = (detail: string): CheckResult => ({ status: "pass", detail });
const warn = (detail: string, fix: string): CheckResult => ({ status: "warn", detail, fix });
const fail = (detail: string, fix: string): CheckResult => ({ status: "fail", detail, fix });

export function worst(statuses: readonly Status[]): Status {
  return statuses.includes("fail") ? "fail" : statuses.includes("warn") ? "warn" : "pass";
}

/** Judges every instance from facts gathered once for the fleet. */
export function judgeInstances(env: ResolvedEnvironment, fleet: FleetFacts): InstanceReport[] {
  return fleet.instances.map((instance) => {
    const checks: Record<InstanceCheck, CheckResult> = {
      running: running(instance),
      windows: windows(env, instance, fleet),
      type: instanceType(instance),
      role: role(env, instance, fleet),
      ssm: ssm(instance, fleet),
      vss: vssComponents(env, instance, fleet),
      jobs: jobs(instance, fleet),
    };
    return { id: instance.id, name: instance.name, status: worst(Object.values(checks).map((c) => c.status)), checks };
  });
}

function running(instance: InstanceFacts): CheckResult {
  if (instance.state === "running") return pass("running");
  return fail(
    `${instance.state}: VSS needs a running instance with an online SSM Agent`,
    `start it before the backup window: aws ec2 start-instances --instance-ids ${instance.id}`,
  );
}

function windows(env: ResolvedEnvironment, instance: InstanceFacts, fleet: FleetFacts): CheckResult {
  const untag = `remove the tag: aws ec2 delete-tags --resources ${instance.id} --tags Key=${env.selectionTag.key}`;
  if (instance.platform !== "windows")
    return fail(`${instance.platform}: VSS is Windows-only and the package association fails on it`, untag);
  const platformName = "error" in fleet.ssm ? undefined : fleet.ssm.get(instance.id)?.platformName;
  const year = Number(/Windows Server (\d{4})/i.exec(platformName ?? "")?.[1]);
  if (year && year < MIN_WINDOWS_SERVER)
    return fail(
      `${platformName}: VSS needs Windows Server ${MIN_WINDOWS_SERVER} or later`,
      `upgrade Windows, or ${untag}`,
    );
  return pass(platformName ?? "Windows");
}

function instanceType(instance: InstanceFacts): CheckResult {
  if (!UNSUPPORTED_INSTANCE_TYPES.includes(instance.instanceType)) return pass(instance.instanceType);
  const family = instance.instanceType.split(".")[0];
  return fail(
    `${instance.instanceType} is too small for VSS backups (AWS excludes it)`,
    `resize to ${family}.small or larger`,
  );
}

function role(env: ResolvedEnvironment, instance: InstanceFacts, fleet: FleetFacts): CheckResult {
  const attach = usesExistingRole(env.instanceRole)
    ? `attach an instance profile holding role ${instanceRoleNameOf(env.instanceRole)}`
    : `aws ec2 associate-iam-instance-profile --instance-id ${instance.id} --iam-instance-profile Name=${instanceProfileNameOf(env.instanceRole) ?? instanceRoleNameOf(env.instanceRole)}`;
  if (!instance.profileArn) return fail("no instance profile", attach);
  const profile = fleet.profiles.get(instance.profileArn);
  if (profile?.denied)
    return warn(
      `instance profile ${instance.profileArn.split("/").pop()} not checked: ${profile.error}`,
      "allow iam:GetInstanceProfile, then run again",
    );
  if (!profile?.roleName)
    return fail(`instance profile ${instance.profileArn.split("/").pop()}: ${profile?.error ?? "unknown"}`, attach);
  const verdict = fleet.roles.get(profile.roleName);
  if (!verdict) return warn(`role ${profile.roleName} was not checked`, "run again");
  const how =
    verdict.method === "simulation"
      ? "by IAM policy simulation"
      : `by attached policies (simulation unavailable: ${verdict.simulationError})`;
  if (verdict.missing.length === 0) return pass(`role ${profile.roleName} allows what VSS needs (${how})`);
  const grant =
    (env.instanceRole.policyMode ?? "managed") === "managed"
      ? "attach AmazonSSMManagedInstanceCore and AWSEC2VssSnapshotPolicy"
      : "add the project's inline policies";
  return fail(
    `role ${profile.roleName} lacks ${verdict.missing.join(", ")} (${how})`,
    `${grant} to role ${profile.roleName}, or ${attach}`,
  );
}

function ssm(instance: InstanceFacts, fleet: FleetFacts): CheckResult {
  if ("error" in fleet.ssm)
    return warn(`not checked: ${fleet.ssm.error}`, "allow ssm:DescribeInstanceInformation, then run again");
  const info = fleet.ssm.get(instance.id);
  if (!info)
    return fail(
      "not managed by Systems Manager",
      "check the SSM Agent service, the instance profile and the network path to the ssm, ssmmessages and ec2messages endpoints",
    );
  if (info.pingStatus !== "Online")
    return fail(
      `SSM Agent ${info.pingStatus ?? "unknown"}`,
      "start the AmazonSSMAgent service; check the network path to the SSM endpoints",
    );
  if (!info.agentVersion || compareVersions(info.agentVersion, MIN_SSM_AGENT_VERSION) < 0) {
    return fail(
      `SSM Agent ${info.agentVersion ?? "unknown"} is older than ${MIN_SSM_AGENT_VERSION}`,
      `update it: aws ssm send-command --document-name AWS-UpdateSSMAgent --instance-ids ${instance.id}`,
    );
  }
  return pass(`Online, agent ${info.agentVersion}`);
}

function vssComponents(env: ResolvedEnvironment, instance: InstanceFacts, fleet: FleetFacts): CheckResult {
  const { association } = fleet;
  const rerun = association.associationId
    ? `aws ssm start-associations-once --association-ids ${association.associationId}`
    : `deploy the stack (association ${env.association.name}): npx cdktf deploy ${env.name}`;
  if (association.denied) {
    const permissions =
      "ssm:ListAssociations, ssm:DescribeAssociationExecutions and ssm:DescribeAssociationExecutionTargets";
    return warn(
      `association ${env.association.name} not checked: ${association.error}`,
      `allow ${permissions}, then run again`,
    );
  }
  if (association.error) return fail(`association ${env.association.name}: ${association.error}`, rerun);
  const unsuccessful = association.unsuccessful.get(instance.id);
  if (unsuccessful)
    return fail(
      `AwsVssComponents install ${unsuccessful} in the latest run of ${env.association.name}`,
      `fix the cause in the association's output, then ${rerun}`,
    );
  const executedAt = association.lastExecution?.time;
  if (!association.lastExecution) return warn(`association ${env.association.name} has not run yet`, rerun);
  if (association.targets && !association.targets.has(instance.id)) {
    return warn(
      `not reached by the latest run of ${env.association.name} (${executedAt?.toISOString() ?? "time unknown"}): tagged, launched or registered since; AwsVssComponents may be missing`,
      rerun,
    );
  }
  const outdated = fleet.outdatedPackages?.get(instance.id);
  if (outdated)
    return fail(
      `AwsVssComponents ${outdated} is older than ${AwsVssComponentsVersions.MINIMUM}, which the instance role's VSS policy needs (the AwsVssConfig tag)`,
      rerun,
    );
  return pass(`installed by the latest run of ${env.association.name} (${fleet.inventoryNote})`);
}

function jobs(instance: InstanceFacts, fleet: FleetFacts): CheckResult {
  const { since, days } = fleet.jobsWindow;
  if ("error" in fleet.jobs)
    return warn(`not checked: ${fleet.jobs.error}`, "allow backup:ListBackupJobs, then run again");
  const recent = [...(fleet.jobs.get(instance.id) ?? [])].sort(
    (a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0),
  );
  if (recent.length === 0) return pass(`no backup jobs since ${since.toISOString().slice(0, 10)}`);
  const failed = recent.filter((j) => j.State === "FAILED" || j.State === "ABORTED" || j.State === "EXPIRED");
  // "Completed with issues": completed, with a message category other than SUCCESS (VSS failed, crash-consistent fallback).
  const withIssues = recent.filter(
    (j) => j.State === "COMPLETED" && j.MessageCategory !== undefined && j.MessageCategory !== "SUCCESS",
  );
  const latest = recent[0];
  const latestFailed = failed.includes(latest);
  if (latestFailed)
    return fail(
      `latest backup ${latest.State}: ${latest.StatusMessage ?? "no message"}`,
      "fix the cause AWS reports; the other checks usually name it",
    );
  if (withIssues.includes(latest))
    return fail(
      `latest backup completed with issues (crash-consistent only): ${latest.StatusMessage ?? latest.MessageCategory}`,
      "fix the VSS cause AWS reports; the other checks usually name it",
    );
  if (failed.length + withIssues.length > 0) {
    const earlier = [...failed, ...withIssues][0];
    return warn(
      `latest backup succeeded; ${failed.length + withIssues.length} of ${recent.length} in ${days} days did not: ${earlier.StatusMessage ?? earlier.State}`,
      "watch the next backups",
    );
  }
  return pass(`${recent.length} backups in ${days} days, all application-consistent`);
}
