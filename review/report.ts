import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { RESTORE_TESTING_DEFAULTS } from "../modules/restore-testing";
import { CRITICAL_TYPES, FORCE_NEW, PROVIDER_CHANGE, ResourceChange } from "./changes";
import { ManagementPosture, PolicyPlanFrom, PolicyPosture } from "./organization";
import { AlertsPosture, Posture, RetentionPosture, RulePosture, whereProviderPoints } from "./posture";

/** Hidden marker by which the pull-request workflow finds and updates its one comment. */
export const REVIEW_MARKER = "<!-- vss-backup-review -->";

export interface EnvironmentReview {
  readonly name: string;
  readonly posture: Posture;
  /** Undefined when no base was given. */
  readonly changes?: readonly ResourceChange[];
  /** Where the changes come from. */
  readonly changesFrom?: "plan" | "synthesized JSON";
  /** What the change takes away from the protection (weakeningsOf), when there is a base to compare. */
  readonly weakenings?: readonly string[];
  /** For an organization's management stack: its backup policies and central alerts (shown instead of a plan). */
  readonly management?: ManagementPosture;
  /** For a member stack under an organization's backup policy: where its plan comes from. */
  readonly planFrom?: PolicyPlanFrom;
  /** For a member stack whose plan source differs from the base's: what the switch does (planSourceChangeOf). */
  readonly planSourceChange?: string;
}

/** An environment of the base whose stack this change removes; its posture is read from the base. */
export interface RemovedEnvironment {
  readonly name: string;
  readonly posture: Posture;
  /** For an organization's management stack: its backup policies and central alerts. */
  readonly management?: ManagementPosture;
}

/**
 * The review as Markdown: attention items first (removed environments, provider changes, replaced or
 * destroyed backup resources), then each environment's posture, timeline and changes.
 */
export function renderReview(
  environments: readonly EnvironmentReview[],
  today: Date,
  removed: readonly RemovedEnvironment[] = [],
): string {
  const lines = [REVIEW_MARKER, "# Windows VSS backup review", ""];
  const attention = [
    ...removed.map(
      (env) =>
        `- **${env.name}**: removed: its stack is no longer synthesized, and nothing destroys its resources (${env.posture.providers.map(whereProviderPoints).join("; ")}): ${env.management ? `its backup policies ${env.management.policies.map((p) => `\`${p.policyName}\``).join(", ")} stay attached, its central alerts keep running,` : "its backup plan keeps running, its vault keeps its recovery points"} and no deploy manages them any more. To remove them, run \`npx cdktf destroy ${env.name}\` from the base branch before merging`,
    ),
    ...environments.flatMap(attentionItems),
  ];
  if (attention.length > 0)
    lines.push(
      "> [!WARNING]",
      "> **Removed environments, weakened protection, moved providers, replaced or destroyed backup resources**",
      ">",
      ...attention.map((l) => `> ${l}`),
      "",
    );
  for (const env of environments) lines.push(...environmentSection(env, today), "");
  return lines.join("\n");
}

/**
 * What the review warns about at its top for one environment, one Markdown list item ("- **<name>**: ...")
 * each: its plan source switched, weakened protection, a moved provider, a replaced or destroyed backup resource.
 */
export function attentionItems(env: EnvironmentReview): string[] {
  return [
    ...(env.planSourceChange ? [`- **${env.name}**: ${env.planSourceChange}`] : []),
    ...(env.weakenings ?? []).map((w) => `- **${env.name}**: weakens protection: ${w}`),
    ...(env.changes ?? [])
      .filter((c) => c.type === PROVIDER_CHANGE && c.action === "update")
      .map(
        (c) =>
          `- **${env.name}**: changes the ${c.changedArguments?.join(", ")} of \`${c.address}\`: every resource of that provider is created anew where it now points, and the old ones are left behind, not destroyed`,
      ),
    ...(env.changes ?? [])
      .filter((c) => CRITICAL_TYPES.includes(c.type) && (c.action === "replace" || c.action === "delete"))
      .map(
        (c) =>
          `- **${env.name}**: ${c.action === "replace" ? "replaces" : "destroys"} \`${c.address}\`${c.forcedBy ? ` (${c.forcedBy.join(", ")} changed)` : ""}${c.type === BackupSelection.tfResourceType ? ": instances are not selected between destroy and create" : ""}`,
      ),
  ];
}

function environmentSection(env: EnvironmentReview, today: Date): string[] {
  const p = env.posture;
  const lines = [
    `## ${env.name}`,
    "",
    ...p.providers.map((provider) => `Provider \`${provider.address}\`: ${whereProviderPoints(provider)}.`),
    "",
  ];
  if (env.management) return [...lines, ...managementSection(env.management), "", ...changesSection(env)];
  const policyPlan = env.planFrom ? policyPlanLines(env.planFrom) : undefined;
  lines.push(
    ...(policyPlan ?? [
      p.tag
        ? `- **Protected:** EC2 instances tagged \`${p.tag.key}=${p.tag.value}\``
        : "- **Protected:** nothing: no tag selection",
      windowsVssLine(p.windowsVss),
    ]),
    p.vault
      ? `- **Vault:** \`${p.vault.name}\`, ${p.vault.kmsKeyArn ? `key \`${p.vault.kmsKeyArn}\`` : "AWS managed key"}, ${p.vault.preventDestroy ? "protected from destroy" : "**not protected from destroy**"}`
      : "- **Vault:** none",
    p.lock
      ? `- **Vault lock:** ${p.lock.mode}${p.lock.mode === "compliance" ? ` (immutable ${p.lock.changeableForDays} days after it is set)` : ""}, recovery points kept ${p.lock.minRetentionDays ?? "any"}-${p.lock.maxRetentionDays ?? "any"} days`
      : "- **Vault lock:** **none**",
    p.deletionGuard
      ? `- **Deletion guard:** vault policy denies deleting recovery points to all but ${p.deletionGuard.exemptRoleArns.join(", ")}`
      : "- **Deletion guard:** none: any principal with IAM permissions can delete recovery points",
    ...p.disasterRecovery.map(
      (dr) =>
        `- **Disaster recovery:** every rule copies to \`${dr.vaultName}\` in ${dr.region ?? "(provider default)"} (${Object.entries(
          dr.keepDays,
        )
          .map(([rule, days]) => `${rule} ${days ?? "forever"} days`)
          .join(
            ", ",
          )}); ${dr.lock ? `${dr.lock.mode} lock ${dr.lock.minRetentionDays}-${dr.lock.maxRetentionDays} days` : "**no lock**"}`,
    ),
    ...(p.disasterRecovery.length > 0
      ? []
      : env.planFrom && !env.planFrom.management
        ? ["- **Disaster recovery:** as the organization's backup policy copies (not in this cdktf.out)"]
        : ["- **Disaster recovery:** none: no copy in another region"]),
    p.alerts
      ? `- **Alerts:** ${alertsText(p.alerts)}`
      : "- **Alerts:** **none**: failed and crash-consistent backups go unreported",
    ...restoreTestingLines(p),
    p.audit
      ? `- **Audit:** framework \`${p.audit.frameworkName}\` (needs AWS Config recording): ${p.audit.controls
          .map(
            (c) =>
              `${c.name}${
                Object.keys(c.parameters).length > 0
                  ? ` (${Object.entries(c.parameters)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(", ")})`
                  : ""
              }`,
          )
          .join(
            ", ",
          )}${p.audit.report ? `; ${p.audit.report.template} daily to s3://${p.audit.report.bucketName} (${p.audit.report.formats.join(", ")})` : ""}`
      : "- **Audit:** none: no framework reports drift of the plan, vault or lock",
    ...(policyPlan && p.rules.length === 0 ? [] : ["", ...rulesTable(p.rules)]),
    "",
    "| IAM role | assumed by | managed policies | inline policies |",
    "|---|---|---|---|",
    ...p.roles.map(
      (r) =>
        `| ${r.name}${r.existing ? " (existing)" : ""} | ${r.assumedBy.join(", ") || "(unchanged)"} | ${r.managedPolicies.map(shortPolicy).join(", ") || "none"} | ${r.inlinePolicies.join(", ") || "none"} |`,
    ),
    "",
    ...(policyPlan && p.rules.length === 0 ? [] : retentionTimeline(env.name, p, today)),
    "",
    ...changesSection(env),
  );
  return lines;
}

const windowsVssLine = (on: boolean) =>
  `- **Windows VSS:** ${on ? "on (application-consistent)" : "**off**: crash-consistent backups only"}`;

function alertsText(alerts: AlertsPosture): string {
  const matched = [
    ...alerts.failedStates,
    ...(alerts.catchesVssFallback ? ["COMPLETED with a status message (VSS fallback)"] : []),
    ...(alerts.failedRestoreTests ? ["failed restore tests"] : []),
  ];
  return `rule \`${alerts.ruleName}\` (${matched.join(", ")}) to ${alerts.destination}${alerts.keyAlias ? `, encrypted with \`${alerts.keyAlias}\`` : ""}; e-mail: ${alerts.emails.join(", ") || "none subscribed"}`;
}

function rulesTable(rules: readonly RulePosture[]): string[] {
  return [
    "| rule | when | schedule | kept | cold storage | copies |",
    "|---|---|---|---|---|---|",
    ...rules.map(
      (r) =>
        `| ${r.name} | ${r.scheduleInWords} | \`${r.schedule}\` ${r.timezone} | ${days(r.deleteAfterDays)} | ${r.coldStorageAfterDays ? `after ${r.coldStorageAfterDays} days` : "none"} | ${r.copies.map((c) => `${c.destinationVaultArn} (${days(c.deleteAfterDays)})`).join("<br>") || "none"} |`,
    ),
  ];
}

/** The management stack: each backup policy as the accounts it is attached to will run it, and the central alerts. */
function managementSection(management: ManagementPosture): string[] {
  const lines = [
    "The organization's management stack: each backup policy below runs its plan in every account of the OUs and accounts it is attached to; the member stacks create the vault and service role it names.",
  ];
  for (const policy of management.policies) lines.push("", ...policySection(policy));
  const central = management.centralAlerts;
  lines.push(
    "",
    "### Central alerts",
    "",
    central
      ? `- **Alerts:** bus \`${central.busName}\` (every member account forwards to it): ${central.alerts ? alertsText(central.alerts) : "**no rule**: forwarded alerts go nowhere"}`
      : "- **Alerts:** **none**: no central event bus receives the member accounts' alerts",
  );
  return lines;
}

function policySection(policy: PolicyPosture): string[] {
  const { selection } = policy;
  const tag = selection.tag ? `tagged \`${selection.tag.key}=${selection.tag.value}\`` : "**with no tag condition**";
  return [
    `### Backup policy \`${policy.policyName}\`${policy.template ? ` (template ${policy.template})` : ""}`,
    "",
    `- **Plan:** \`${policy.planName}\` in each account`,
    `- **Attached to:** ${policy.targets.join(", ")}`,
    `- **Regions:** ${policy.regions.join(", ")}`,
    windowsVssLine(policy.windowsVss),
    `- **Selection:** \`${selection.name}\`: ${selection.ec2InstancesOnly ? "EC2 instances" : `resources ${selection.resourceTypes.map((t) => `\`${t}\``).join(", ") || "(none)"}`} ${tag}`,
    `- **Vault:** ${policy.vaultNames.map((name) => `\`${name}\``).join(", ")} in each account and region`,
    `- **Service role:** ${policy.serviceRoleName ? `\`${policy.serviceRoleName}\`` : "**none**"} in each account`,
    "",
    ...rulesTable(policy.rules),
  ];
}

/** A member stack's plan, selection and Windows VSS, as the organization's backup policy sets them. */
function policyPlanLines(planFrom: PolicyPlanFrom): string[] {
  const { management, vaultName, region } = planFrom;
  if (!management)
    return [
      "- **Plan:** from the organization's backup policy; the management stack is not in this cdktf.out, so its selection, Windows VSS setting and rules are not shown here (synthesize it too to review them)",
      "- **Protected:** as the organization's backup policy selects (not in this cdktf.out)",
      "- **Windows VSS:** as the organization's backup policy sets it (not in this cdktf.out)",
    ];
  const stack = `stack ${management.stackName}`;
  const covering = management.policies.find((p) => region !== undefined && p.regions.includes(region));
  if (!covering) {
    const plan =
      management.policies.length === 0
        ? `**no backup policy of ${stack} writes to vault \`${vaultName}\`**`
        : `**the organization's backup policy ${management.policies.map((p) => `\`${p.policyName}\``).join(", ")} (${stack}) does not cover ${region}**`;
    return [
      `- **Plan:** ${plan}`,
      `- **Protected:** **nothing**: no backup policy backs up this account's instances in ${region}`,
      windowsVssLine(false),
    ];
  }
  const tag = covering.selection.tag;
  return [
    `- **Plan:** from the organization's backup policy \`${covering.policyName}\` (${stack})`,
    tag
      ? `- **Protected:** EC2 instances tagged \`${tag.key}=${tag.value}\` (the policy's selection)`
      : "- **Protected:** nothing: the policy's selection has no tag condition",
    `${windowsVssLine(covering.windowsVss)}, set by the policy`,
  ];
}

function restoreTestingLines(p: Posture): string[] {
  const t = p.restoreTesting;
  if (!t) return ["- **Restore testing:** none: nothing shows that the backups restore until they are needed"];
  return [
    `- **Restore testing:** plan \`${t.planName}\` ${t.scheduleInWords}: the latest recovery point of the last ${t.selectionWindowDays ?? RESTORE_TESTING_DEFAULTS.selectionWindowDays} days from ${t.vaults.join(", ")}, restored into ${t.subnetId ?? "**the default VPC**"} (${t.securityGroupIds.join(", ") || "default security group"}) as ${t.instanceType ?? "the backed-up instance type"}, kept ${t.validationWindowHours ?? "AWS's default"} hours, then deleted by AWS`,
  ];
}

const days = (n?: number) => (n === undefined ? "forever" : `${n} days`);
const shortPolicy = (arn: string) => arn.replace(/^arn:aws:iam::aws:policy\/(service-role\/)?/, "");

/** A Mermaid gantt chart (rendered by GitHub): for a backup taken today, each rule's bar until deletion, cold storage marked. */
export function retentionTimeline(name: string, posture: Posture, today: Date): string[] {
  const start = today.toISOString().slice(0, 10);
  const shift = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const bars = (label: string, retention: RetentionPosture): string[] => {
    const kept = retention.deleteAfterDays;
    if (kept === undefined) return [`    ${label} kept forever :${start}, 36500d`];
    const cold = retention.coldStorageAfterDays;
    if (cold === undefined) return [`    ${label} kept ${kept} d :${start}, ${kept}d`];
    return [
      `    ${label} warm ${cold} d :${start}, ${cold}d`,
      `    ${label} cold ${kept - cold} d :crit, ${shift(cold)}, ${kept - cold}d`,
    ];
  };
  return [
    "```mermaid",
    "gantt",
    `    title ${name}: how long a backup taken on ${start} is kept`,
    "    dateFormat YYYY-MM-DD",
    "    axisFormat %Y-%m-%d",
    ...posture.rules.flatMap((rule) => [
      `    section ${rule.name}`,
      ...bars("vault", rule),
      ...rule.copies.flatMap((copy, i) => bars(`copy ${i + 1}`, copy)),
    ]),
    "```",
  ];
}

function changesSection(env: EnvironmentReview): string[] {
  if (!env.changes) return ["_No base given: changes not computed._"];
  if (env.changes.length === 0) return [`**Changes** (from the ${env.changesFrom}): none.`];
  const order = { delete: 0, replace: 1, update: 2, create: 3 };
  const sorted = [...env.changes].sort(
    (a, b) => order[a.action] - order[b.action] || a.address.localeCompare(b.address),
  );
  const count = (action: string) => env.changes!.filter((c) => c.action === action).length;
  const lines = [
    `**Changes** (from the ${env.changesFrom}): ${count("create")} to add, ${count("update")} to change, ${count("replace")} to replace, ${count("delete")} to destroy.`,
    "",
    "| action | resource | forced by (provider: changed) |",
    "|---|---|---|",
    ...sorted.map(
      (c) => `| ${c.action} | \`${c.address}\` | ${(c.forcedBy ?? c.changedArguments)?.join(", ") ?? ""} |`,
    ),
  ];
  const replacedTypes = [...new Set(sorted.filter((c) => c.action === "replace").map((c) => c.type))];
  if (replacedTypes.length > 0) {
    lines.push("", "Arguments that force replacement, per resource type:", "");
    for (const type of replacedTypes) {
      const forceNew = FORCE_NEW[type];
      lines.push(
        `- \`${type}\`: ${forceNew === "every argument" ? "every argument (any change replaces it)" : (forceNew ?? []).join(", ") || "see the provider documentation"}`,
      );
    }
  }
  if (
    sorted.some((c) => c.type === BackupSelection.tfResourceType && (c.action === "replace" || c.action === "delete"))
  ) {
    lines.push(
      "",
      "A backup selection is replaced on any change: between its destroy and create, no instance is selected, so schedule the apply outside the backup window.",
    );
  }
  return lines;
}
