import type { ResolvedEnvironment } from "../config/resolve";
import {
  ALL_EC2_INSTANCES,
  AUDIT_RECORDED_RESOURCE_TYPES,
  AwsVssComponentsVersions,
  compareVersions,
  describeTag,
  instanceProfileNameOf,
  instanceRoleNameOf,
  policyModeOf,
  tagCondition,
  usesExistingRole,
} from "../modules";
import type {
  AlertRuleFacts,
  BackupFacts,
  CheckResult,
  ConfigRecorderFacts,
  FleetFacts,
  InstanceFacts,
  ProtectionFacts,
  RecorderFacts,
  RoleFacts,
  Status,
  Unread,
  VaultFacts,
} from "./facts";
import {
  expectedAlertRules,
  ExpectedAlertRule,
  ExpectedVault,
  expectedVaults,
  MIN_SSM_AGENT_VERSION,
  MIN_WINDOWS_SERVER,
  roleRequirements,
  RoleRequirements,
  UNSUPPORTED_INSTANCE_TYPES,
} from "./requirements";

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

/**
 * A fact AWS would not give: a missing permission of the caller is a warning naming it (nothing is
 * known about the resource), anything else is the resource's failure with `fix`.
 */
function unreadCheck(what: string, unread: Unread, permissions: string, fix: string): CheckResult {
  if (unread.denied) return warn(`${what} not checked: ${unread.error}`, `allow ${permissions}, then run again`);
  return fail(`${what}: ${unread.error}`, fix);
}

const deployFix = (env: ResolvedEnvironment) => `deploy the stack: npx cdktf deploy ${env.name}`;

/**
 * The backup side: vault and its lock (when one is configured), plan with VSS, a selection of the
 * tag, EC2 opted in. `now` tells a compliance lock still in its cooling-off period from an immutable one.
 */
export function judgeBackupSide(env: ResolvedEnvironment, facts: BackupFacts, now: Date): Record<string, CheckResult> {
  const results: Record<string, CheckResult> = {};
  const deploy = deployFix(env);
  const plan = env.plan.name;
  results.vault =
    "error" in facts.vault
      ? unreadCheck(`vault ${env.vault.name}`, facts.vault, "backup:DescribeBackupVault", deploy)
      : pass(`vault ${env.vault.name} exists`);
  const [vault] = expectedVaults(env);
  if (vault.lock) results.vaultLock = lockCheck(env, vault, vault.lock, facts.vault, now);
  if ("error" in facts.plan) {
    results.plan = unreadCheck(
      `plan ${plan}`,
      facts.plan,
      "backup:ListBackupPlans and backup:GetBackupPlan",
      "run again later",
    );
    results.selection = warn("selection not checked: the plan could not be read", "see the plan check");
  } else if (!facts.plan.found) results.plan = fail(`no backup plan named ${plan}`, deploy);
  else
    results.plan = facts.plan.windowsVss
      ? pass(`plan ${plan} takes Windows VSS backups of EC2`)
      : fail(`plan ${plan} lacks WindowsVSS=enabled for EC2: backups are crash-consistent`, deploy);
  if (facts.selections) results.selection = selection(env, facts.selections, deploy);
  results.optIn =
    "error" in facts.ec2OptedIn
      ? warn(
          `region settings: ${facts.ec2OptedIn.error}`,
          "allow backup:DescribeRegionSettings to check the EC2 opt-in",
        )
      : facts.ec2OptedIn.optedIn
        ? pass(`EC2 is opted in to AWS Backup in ${env.region}`)
        : fail(
            `EC2 is not opted in to AWS Backup in ${env.region}: tag selections silently skip it`,
            `aws backup update-region-settings --region ${env.region} --resource-type-opt-in-preference EC2=true`,
          );
  return results;
}

/**
 * What protects the backups after day one, for what the environment configures: the DR vault and
 * its lock in the DR region, the alert rule enabled and sending to the topic. A further check
 * (e.g. AWS Config's configuration recorder for `audit`) adds its rows here, from its field of ProtectionFacts.
 */
export function judgeProtection(
  env: ResolvedEnvironment,
  facts: ProtectionFacts,
  now: Date,
): Record<string, CheckResult> {
  const results: Record<string, CheckResult> = {};
  const dr = expectedVaults(env).find((v) => v.kind === "dr");
  if (dr && facts.disasterRecoveryVault) {
    const shown = `DR vault ${dr.name} in ${dr.region}`;
    results.drVault =
      "error" in facts.disasterRecoveryVault
        ? unreadCheck(shown, facts.disasterRecoveryVault, "backup:DescribeBackupVault", deployFix(env))
        : pass(`${shown} exists`);
    if (dr.lock) results.drVaultLock = lockCheck(env, dr, dr.lock, facts.disasterRecoveryVault, now);
  }
  expectedAlertRules(env).forEach((rule, n) => {
    const read = facts.alertRules?.[n];
    if (read) Object.assign(results, alertChecks(env, rule, read));
  });
  if (env.audit && facts.configRecorder) results.configRecorder = configRecorderCheck(env, facts.configRecorder);
  return results;
}

/** What a recorder records of `types`, from its recording group. */
const typesRecorded = (records: RecorderFacts["records"], types: readonly string[]) =>
  "allSupported" in records
    ? types
    : "allExcept" in records
      ? types.filter((t) => !records.allExcept.includes(t))
      : types.filter((t) => records.only.includes(t));

/**
 * AWS Config in the environment's region, which the audit framework's controls evaluate through: a
 * recorder, recording, whose last recording did not fail, and which records every resource type
 * the controls need (AUDIT_RECORDED_RESOURCE_TYPES, from the framework's module).
 */
function configRecorderCheck(env: ResolvedEnvironment, facts: ConfigRecorderFacts): CheckResult {
  const region = env.region;
  const framework = `audit framework ${env.audit!.frameworkName}`;
  const silent = `the ${framework}'s controls cannot evaluate`;
  const needed = AUDIT_RECORDED_RESOURCE_TYPES;
  if ("error" in facts.recorders)
    return unreadCheck(
      "AWS Config recorders",
      facts.recorders,
      "config:DescribeConfigurationRecorders",
      "run again later",
    );
  if (facts.recorders.length === 0)
    return fail(
      `no AWS Config configuration recorder in ${region}: ${silent}`,
      `set up AWS Config recording in ${region} (AWS Config console > Get started or Settings, recording all resource types or at least ${needed.join(", ")}; or aws configservice put-configuration-recorder, put-delivery-channel and start-configuration-recorder --region ${region})`,
    );
  const statuses = facts.statuses ?? [];
  if ("error" in statuses)
    return unreadCheck(
      "AWS Config recorder status",
      statuses,
      "config:DescribeConfigurationRecorderStatus",
      "run again later",
    );
  const statusOf = (name: string) => statuses.find((s) => s.name === name);
  const recording = facts.recorders.filter((r) => statusOf(r.name)?.recording);
  if (recording.length === 0) {
    const [stopped] = facts.recorders;
    const names = facts.recorders.map((r) => r.name).join(", ");
    return fail(
      `AWS Config recorder ${names} in ${region} is not recording: ${silent}`,
      `aws configservice start-configuration-recorder --configuration-recorder-name ${stopped.name} --region ${region}`,
    );
  }
  const recorded = new Set(recording.flatMap((r) => typesRecorded(r.records, needed)));
  const missing = needed.filter((t) => !recorded.has(t));
  const names = recording.map((r) => r.name).join(", ");
  if (missing.length > 0) {
    const [first] = recording;
    const fix =
      "only" in first.records
        ? `add ${missing.join(", ")} to the resource types recorder ${first.name} records (AWS Config console > Settings > Edit, or aws configservice put-configuration-recorder --region ${region}), or record all resource types`
        : `stop excluding ${missing.join(", ")} in recorder ${first.name} (AWS Config console > Settings > Edit, or aws configservice put-configuration-recorder --region ${region})`;
    return fail(`AWS Config recorder ${names} in ${region} does not record ${missing.join(", ")}: ${silent}`, fix);
  }
  const failed = recording.filter((r) => statusOf(r.name)?.lastStatus?.toUpperCase() === "FAILURE");
  if (failed.length > 0 && failed.length === recording.length) {
    const [first] = failed;
    const lastError = statusOf(first.name)?.lastError;
    return fail(
      `AWS Config recorder ${first.name} in ${region} is recording, but its last recording failed (lastStatus ${statusOf(first.name)?.lastStatus}${lastError ? `, ${lastError}` : ""}): ${silent}`,
      `fix the cause AWS Config reports (often the recorder's IAM role): aws configservice describe-configuration-recorder-status --region ${region}`,
    );
  }
  return pass(
    `AWS Config recorder ${names} is recording in ${region}, ${recording.some((r) => "allSupported" in r.records) ? "every supported resource type" : needed.join(", ")}`,
  );
}

const rangeOf = (min?: number, max?: number) =>
  min !== undefined && max !== undefined ? `${min}-${max} days` : `min ${min ?? "none"}, max ${max ?? "none"} days`;

/** How the report names each vault, the row of its vault check, the setting of its lock and what its range is derived from. */
const VAULT_KINDS = {
  main: { label: "vault", row: "vault", setting: "vault.lock", from: "the rules' retention" },
  dr: { label: "DR vault", row: "drVault", setting: "disasterRecovery.lock", from: "the copies' retention" },
} as const;

/**
 * A vault's lock against the one the stack configures: there, in the mode (compliance has a lock
 * date, governance none) and with the range. Terraform cannot see a lock's mode, so a lock in the
 * wrong mode is fixed with AWS's own command; a compliance lock past its lock date can never change.
 */
function lockCheck(
  env: ResolvedEnvironment,
  vault: ExpectedVault,
  expected: NonNullable<ExpectedVault["lock"]>,
  facts: VaultFacts,
  now: Date,
): CheckResult {
  const kind = VAULT_KINDS[vault.kind];
  const label = `${kind.label} ${vault.name}`;
  if ("error" in facts)
    return warn(`${label} lock not checked: the vault could not be read`, `see the ${kind.row} check`);
  const wanted = `a ${expected.mode} lock of ${rangeOf(expected.minRetentionDays, expected.maxRetentionDays)}${expected.derived ? ` (derived from ${kind.from})` : ""}`;
  const lock = facts.lock;
  if (!lock) return fail(`${label} has no vault lock; expected ${wanted}`, deployFix(env));
  const mode = lock.lockDate ? "compliance" : "governance";
  const immutable = lock.lockDate !== undefined && lock.lockDate.getTime() <= now.getTime();
  const lockDate = lock.lockDate?.toISOString();
  const found = `a ${mode} lock of ${rangeOf(lock.minRetentionDays, lock.maxRetentionDays)}${lockDate ? (immutable ? `, immutable since ${lockDate}` : `, changeable until ${lockDate}`) : ""}`;
  if (
    mode === expected.mode &&
    lock.minRetentionDays === expected.minRetentionDays &&
    lock.maxRetentionDays === expected.maxRetentionDays
  )
    return pass(`${label} has ${found}`);
  const where = `--backup-vault-name ${vault.name} --region ${vault.region}`;
  const fix = immutable
    ? `the lock can never change again: set ${kind.setting} of ${env.name} in config/environments.ts to what AWS holds (compliance, ${rangeOf(lock.minRetentionDays, lock.maxRetentionDays)})`
    : mode === "compliance" && expected.mode === "governance"
      ? `remove it before ${lockDate}, when it becomes immutable: aws backup delete-backup-vault-lock-configuration ${where}; then npx cdktf deploy ${env.name}`
      : `aws backup put-backup-vault-lock-configuration ${where} --min-retention-days ${expected.minRetentionDays} --max-retention-days ${expected.maxRetentionDays}${expected.mode === "compliance" ? ` --changeable-for-days ${expected.changeableForDays}` : ""}`;
  return fail(`${label} has ${found}; expected ${wanted}`, fix);
}

/** Each alert rule's rows, and who goes unwarned when it does not work. */
const ALERT_ROWS = {
  backups: { rule: "alertRule", target: "alertTarget", silent: "failed and crash-consistent backups alert no one" },
  restoreTests: {
    rule: "restoreTestAlertRule",
    target: "restoreTestAlertTarget",
    silent: "failed restore tests alert no one",
  },
} as const;

/** An alert rule: there and enabled in its region, and sending to the topic the stack creates or the existing one (a member stack's: to the central bus). */
function alertChecks(env: ResolvedEnvironment, expected: ExpectedAlertRule, facts: AlertRuleFacts) {
  const rule = `rule ${expected.name}`;
  const rows = ALERT_ROWS[expected.reports];
  const { silent } = rows;
  if ("error" in facts.rule)
    return {
      [rows.rule]: unreadCheck(`alert ${rule}`, facts.rule, "events:DescribeRule", "run again later"),
      [rows.target]: warn("alert target not checked: the rule could not be read", `see the ${rows.rule} check`),
    };
  if (!facts.rule.found)
    return { [rows.rule]: fail(`no EventBridge ${rule} in ${expected.region}: ${silent}`, deployFix(env)) };
  const { state } = facts.rule;
  const alertRule = state.startsWith("ENABLED")
    ? pass(`${rule} is ${state} in ${expected.region}`)
    : fail(
        `${rule} is ${state} in ${expected.region}: ${silent}`,
        `aws events enable-rule --name ${expected.name} --region ${expected.region}`,
      );
  const targets = facts.targetArns ?? [];
  const alertTarget =
    "error" in targets
      ? unreadCheck(`targets of ${rule}`, targets, "events:ListTargetsByRule", "run again later")
      : targets.includes(expected.targetArn)
        ? pass(`${rule} sends to ${expected.targetArn}`)
        : fail(
            `${rule} does not send to ${expected.targetArn} (its targets: ${targets.join(", ") || "none"}): ${silent}`,
            deployFix(env),
          );
  return { [rows.rule]: alertRule, [rows.target]: alertTarget };
}

function selection(
  env: ResolvedEnvironment,
  selections: NonNullable<BackupFacts["selections"]>,
  deploy: string,
): CheckResult {
  if ("error" in selections)
    return unreadCheck(
      "selections",
      selections,
      "backup:ListBackupSelections and backup:GetBackupSelection",
      "run again later",
    );
  const condition = tagCondition(env.selectionTag);
  const tag = env.selectionTag;
  const selects = selections.some((s) => {
    const byCondition = (s.Conditions?.StringEquals ?? []).some(
      (c) => c.ConditionKey === condition.key && c.ConditionValue === condition.value,
    );
    const byTag = (s.ListOfTags ?? []).some((c) => c.ConditionKey === tag.key && c.ConditionValue === tag.value);
    return (byCondition && (s.Resources ?? []).includes(ALL_EC2_INSTANCES)) || byTag;
  });
  return selects
    ? pass(`a selection of plan ${env.plan.name} selects ${describeTag(tag)}`)
    : fail(`no selection of plan ${env.plan.name} selects EC2 instances tagged ${describeTag(tag)}`, deploy);
}

/** Judges every instance from facts gathered once for the fleet. */
export function judgeInstances(env: ResolvedEnvironment, fleet: FleetFacts): InstanceReport[] {
  const requirements = roleRequirements(policyModeOf(env.instanceRole));
  const verdicts = new Map([...fleet.roles].map(([name, facts]) => [name, judgeRole(facts, requirements)]));
  return fleet.instances.map((instance) => {
    const checks: Record<InstanceCheck, CheckResult> = {
      running: running(instance),
      windows: windows(env, instance, fleet),
      type: instanceType(instance),
      role: role(env, instance, fleet, verdicts, requirements),
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

/** What a role lacks, and how that was found out. */
interface RoleVerdict {
  readonly how: string;
  /** Actions (simulation) or grants (attached policies) the role lacks. */
  readonly missing: readonly string[];
}

/**
 * A simulated role: EvalDecision is the most restrictive over all resources simulated, so a
 * resource-scoped action is judged on each resource it touches, the rest (which take "*") on that
 * overall decision. Without simulation: whether each grant is on the role, as managed or inline policy.
 */
function judgeRole(facts: RoleFacts, requirements: RoleRequirements): RoleVerdict {
  if (facts.simulation) {
    const { evaluations, resourceArns } = facts.simulation;
    const missing = requirements.actions.flatMap((action) => {
      const evaluation = evaluations.find((r) => r.EvalActionName === action);
      const touched = requirements.resourcesTouched[action];
      if (!touched) return evaluation?.EvalDecision === "allowed" ? [] : [action];
      const deniedOn = touched.filter((kind) => {
        const specific = evaluation?.ResourceSpecificResults?.find((r) => r.EvalResourceName === resourceArns[kind]);
        return (specific?.EvalResourceDecision ?? evaluation?.EvalDecision) !== "allowed";
      });
      return deniedOn.length === 0 ? [] : [`${action} on ${deniedOn.join(" and ")}`];
    });
    return { how: "by IAM policy simulation", missing };
  }
  const how = `by attached policies (simulation unavailable: ${facts.simulationError})`;
  const policies = facts.policies;
  if (!policies || "error" in policies)
    return { how, missing: [`could not read the role's policies: ${policies?.error ?? "not read"}`] };
  const missing = requirements.grants
    .filter(
      (g) => !policies.attachedArns.includes(g.managedPolicyArn) && !policies.inlineNames.includes(g.inlinePolicyName),
    )
    .map((g) => `${g.what} (${policyNameOf(g.managedPolicyArn)} or inline ${g.inlinePolicyName})`);
  return { how, missing };
}

const policyNameOf = (arn: string) => arn.split("/").pop()!;

function role(
  env: ResolvedEnvironment,
  instance: InstanceFacts,
  fleet: FleetFacts,
  verdicts: ReadonlyMap<string, RoleVerdict>,
  requirements: RoleRequirements,
): CheckResult {
  const roleName = instanceRoleNameOf(env.instanceRole);
  const profileName = instanceProfileNameOf(env.instanceRole);
  const attach =
    usesExistingRole(env.instanceRole) || !profileName
      ? `attach an instance profile holding role ${roleName}`
      : `aws ec2 associate-iam-instance-profile --instance-id ${instance.id} --iam-instance-profile Name=${profileName}`;
  if (!instance.profileArn) return fail("no instance profile", attach);
  const profile = fleet.profiles.get(instance.profileArn);
  const profileShown = instance.profileArn.split("/").pop();
  if (profile?.unread?.denied)
    return warn(
      `instance profile ${profileShown} not checked: ${profile.unread.error}`,
      "allow iam:GetInstanceProfile, then run again",
    );
  if (!profile?.roleName)
    return fail(`instance profile ${profileShown}: ${profile?.unread?.error ?? "holds no role"}`, attach);
  const verdict = verdicts.get(profile.roleName);
  if (!verdict) return warn(`role ${profile.roleName} was not checked`, "run again");
  if (verdict.missing.length === 0) return pass(`role ${profile.roleName} allows what VSS needs (${verdict.how})`);
  const grant =
    policyModeOf(env.instanceRole) === "managed"
      ? `attach ${requirements.grants.map((g) => policyNameOf(g.managedPolicyArn)).join(" and ")}`
      : `add the inline policies ${requirements.grants.map((g) => g.inlinePolicyName).join(" and ")}`;
  return fail(
    `role ${profile.roleName} lacks ${verdict.missing.join(", ")} (${verdict.how})`,
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
  if (association.unread?.denied) {
    const permissions =
      "ssm:ListAssociations, ssm:DescribeAssociationExecutions and ssm:DescribeAssociationExecutionTargets";
    return warn(
      `association ${env.association.name} not checked: ${association.unread.error}`,
      `allow ${permissions}, then run again`,
    );
  }
  if (association.unread) return fail(`association ${env.association.name}: ${association.unread.error}`, rerun);
  if (association.missing) return fail(`association ${env.association.name}: no association of that name`, rerun);
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
  const inventoried = fleet.inventory.candidateVersions?.get(instance.id);
  const outdated =
    inventoried && compareVersions(inventoried, AwsVssComponentsVersions.MINIMUM) < 0 ? inventoried : undefined;
  if (outdated)
    return fail(
      `AwsVssComponents ${outdated} is older than ${AwsVssComponentsVersions.MINIMUM}, which the instance role's VSS policy needs (the AwsVssConfig tag)`,
      rerun,
    );
  return pass(`installed by the latest run of ${env.association.name} (${fleet.inventory.note})`);
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
