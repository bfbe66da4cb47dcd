/**
 * Organization mode's configuration resolved against the accounts file: every template expanded over
 * the accounts of its OUs (and those below them) and its single accounts, times its regions, into
 * member environments that go through the same validation and resolution as hand-written ones
 * (config/validate.ts), plus the management stack's backup policies and central alerts.
 */
import { vssBackupPolicyProblems } from "../modules/backup-policy";
import {
  IAM_ROLE_NAME,
  nameProblem,
  Problem,
  Problems,
  regionProblem,
  ValidationError,
  vssAlertTopicProblems,
  vssBackupPlanProblems,
} from "../modules";
import { BackendConfig, backendProblems, effectiveBackend, resolveBackend, Variables } from "./backend";
import {
  ACCOUNTS_FILE_LABEL,
  accountsFileShapeProblems,
  organizationShapeProblems,
  templateLabel,
} from "./organization-schema";
import type {
  AccountsFile,
  MemberOf,
  OrganizationAccount,
  OrganizationConfig,
  OrganizationTemplate,
  PlanSource,
  ResolvedBackupPolicy,
  ResolvedManagement,
  ResolvedMember,
  ResolvedOrganization,
} from "./organization-types";
import { projectTags, resolveEnvironment, ResolvedEnvironment } from "./resolve";
import { UNKNOWN_SETTING } from "./schema";
import type { EnvironmentConfig } from "./types";
import { accountIdProblem, EnvironmentToJudge, judgeEnvironments, projectNameProblem } from "./validate";

export interface OrganizationLoadOptions {
  /** The time the configuration is judged at (whether schedules still fire). */
  readonly now: Date;
  /** The process environment: backend overrides (BACKEND_VARIABLES), for every stack. @default none */
  readonly variables?: Variables;
  /** Only the member stacks of this wave (one of `waves`). @default every wave */
  readonly wave?: string;
  /** Only the member stacks of accounts in this OU path or below it. @default every OU */
  readonly ou?: string;
  /**
   * Hand-written environments deployed next to the organization, already loaded: a member stack that
   * claims one of their names in the same account (an IAM role, a vault) is a problem. @default none
   */
  readonly alongside?: readonly ResolvedEnvironment[];
}

const TEMPLATE_NAME = /^[a-z][a-z0-9-]{0,15}$/;
const PLAN_SOURCES: readonly PlanSource[] = ["organization-policy", "account-plan"];
const DEFAULT_PLAN_SOURCE: PlanSource = "organization-policy";
const ACCOUNT_STATUSES: readonly OrganizationAccount["status"][] = [
  "ACTIVE",
  "SUSPENDED",
  "PENDING_ACTIVATION",
  "PENDING_CLOSURE",
  "CLOSED",
];
// AWS Organizations' ID patterns (CreateOrganizationalUnit, ListRoots, DescribeOrganization).
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_PATH = "Root";
const INVALID = "Invalid organization configuration";
const SKIP_REASONS: Record<Exclude<OrganizationAccount["status"], "ACTIVE">, string> = {
  SUSPENDED: "suspended (status SUSPENDED): no stack until it is ACTIVE again",
  PENDING_ACTIVATION: "not active yet (status PENDING_ACTIVATION): no stack until it is ACTIVE",
  PENDING_CLOSURE: "being closed (status PENDING_CLOSURE): no stack",
  CLOSED: "closed (status CLOSED): no stack",
};
const MANAGEMENT_ACCOUNT_SKIPPED =
  "the management account: it holds no member stacks (AWS advises keeping workloads out of it)";

/** The member stack's name (and Environment tag) of an account and region. */
export const memberNameOf = (accountId: string, region: string): string => `a${accountId}-${region}`;

/**
 * The named AWS profile every AWS provider of a member stack uses (`<project>-a<account id>-<region>`),
 * also the role session name of that profile, so CloudTrail tells stacks apart (at most 49 characters
 * of the 64 STS allows). Which role it assumes is the deploy's choice (scripts/wave-deploy.ts).
 */
export const memberProfileNameOf = (project: string, stackName: string): string => `${project}-${stackName}`;

/** The management stack's name. */
export const managementNameOf = (project: string): string => `${project}-management`;

/** The names of the organization's central alerts (bus, rule and topic share one). */
export const centralAlertsNameOf = (project: string): string => `${project}-backup-alerts`;

/** Whether an account in `ouPath` is in the OU at `path`: directly, or in an OU below it. */
export const isInOu = (ouPath: string, path: string): boolean => ouPath === path || ouPath.startsWith(`${path}/`);

/** What a template reaches an account through: one of its OUs or its single accounts. */
interface Coverage {
  readonly account: OrganizationAccount;
  /** The field that reaches it, e.g. `ous[0]` or `accounts[1]`. */
  readonly field: string;
  /** The same in words: `OU "Root/Dev"` or `its accounts`. */
  readonly via: string;
}

/**
 * Validates the configuration and the accounts file (their shapes first: an unknown key is an
 * error), then returns the management stack and the member stacks of `wave` and `ou` (all when
 * unset), resolved. Throws one ValidationError listing every problem.
 */
export function loadOrganization(
  config: OrganizationConfig,
  accounts: AccountsFile,
  options: OrganizationLoadOptions,
): ResolvedOrganization {
  const { now, variables = {}, alongside = [] } = options;
  const problems = new Problems();
  const configShape = organizationShapeProblems(config);
  const fileShape = accountsFileShapeProblems(accounts);
  for (const p of [...configShape, ...fileShape]) problems.add(p.path, p.message);
  // Templates with a value of the wrong type are not judged further; anything else wrong in shape stops here.
  const wrongTypes = configShape.filter((p) => !p.message.startsWith(UNKNOWN_SETTING));
  if (fileShape.length > 0 || wrongTypes.some((p) => !p.path.startsWith("templates["))) {
    throw new ValidationError(INVALID, problems.all);
  }
  const wellShaped = config.templates.filter((t, i) => !wrongTypes.some((p) => belongsTo(p, templateLabel(t, i))));

  const fileProblems = accountsFileProblems(accounts);
  problems.nest(ACCOUNTS_FILE_LABEL, fileProblems);
  organizationProblems(config, accounts, variables, problems);
  wellShaped.forEach((template) =>
    problems.nest(
      templateLabel(template, config.templates.indexOf(template)),
      templateProblems(config, template, accounts),
    ),
  );
  // Accounts with broken IDs or OU paths would make broken stacks: the file is fixed (or synced) first.
  if (fileProblems.all.length > 0) throw new ValidationError(INVALID, problems.all);
  const coverage = new Map(wellShaped.map((template) => [template, coverageOf(template, accounts)]));
  sharedAccountProblems(config, coverage, problems);
  managementAccountProblems(config, coverage, accounts.managementAccountId, problems);

  const expanded = expand(config, coverage, accounts.managementAccountId);
  const judged = judgeEnvironments(config.project, expanded.entries, variables, now, alongside);
  memberProblems(config, expanded.members, judged.problems, problems);
  for (const p of judged.crossProblems) {
    const { template, env } = expanded.members[p.index];
    problems.add(`${templateLabel(template, config.templates.indexOf(template))} ${env.name}.${p.path}`, p.message);
  }
  // A template without accounts (yet) has its rules judged on their own: its policy is emitted all the same.
  for (const template of wellShaped.filter((t) => !expanded.members.some((m) => m.template === t))) {
    const plan = resolveTemplate(config.project, template, variables).plan;
    problems.nest(
      `${templateLabel(template, config.templates.indexOf(template))}.plan`,
      vssBackupPlanProblems(plan, now),
    );
  }
  filterProblems(config, accounts, options, problems);
  if (problems.all.length > 0) throw new ValidationError(INVALID, problems.all);
  // The management stack's policies, judged as the construct judges them, under their templates' paths.
  const management = resolveManagement(config, accounts, wellShaped, variables);
  for (const { policyName, targetIds, template, ...plan } of management.policies) {
    const index = config.templates.findIndex((t) => t.name === template);
    const label = templateLabel(config.templates[index], index);
    const policyProblems = vssBackupPolicyProblems({ name: policyName, plan, targetIds }, now);
    problems.nest(label, policyProblems);
    if (config.templates[index].audit)
      problems.add(
        `${label}.audit`,
        'is not allowed under a backup policy (its plan check needs a plan the stack creates), allowed: planSource "account-plan", or no audit',
      );
  }
  if (problems.all.length > 0) throw new ValidationError(INVALID, problems.all);

  const members: ResolvedMember[] = expanded.members.map(({ template, account }, i) => ({
    ...judged.resolved[i],
    member: memberOf(config, template, account, judged.resolved[i].name),
  }));
  const wanted = (wave: string, ouPath: string) =>
    (options.wave === undefined || wave === options.wave) && (options.ou === undefined || isInOu(ouPath, options.ou));
  return {
    management,
    members: members.filter((m) => wanted(m.member.wave, m.member.ouPath)),
    skipped: expanded.skipped
      .filter((s) => wanted(s.template.wave, s.account.ouPath))
      .map(({ account, reason }) => ({ accountId: account.id, name: account.name, reason })),
  };
}

function belongsTo(problem: Problem, head: string): boolean {
  return problem.path === head || problem.path.startsWith(`${head}.`) || problem.path.startsWith(`${head}[`);
}

/** What the sync wrote, judged as AWS Organizations gives it: IDs, known OU paths, states. */
function accountsFileProblems(file: AccountsFile): Problems {
  const problems = new Problems();
  if (!ORGANIZATION_ID.test(file.organizationId))
    problems.add(
      "organizationId",
      `${JSON.stringify(file.organizationId)} is not an organization ID, allowed: o- and 10-32 of a-z 0-9`,
    );
  const management = accountIdProblem(file.managementAccountId);
  if (management) problems.add("managementAccountId", management);
  const paths = new Set<string>();
  file.organizationalUnits.forEach((ou, i) => {
    const isRoot = ou.path === ROOT_PATH;
    if (!isRoot && !ou.path.startsWith(`${ROOT_PATH}/`))
      problems.add(
        `organizationalUnits[${i}].path`,
        `${JSON.stringify(ou.path)} is not an OU path, allowed: "Root" or "Root/<OU name>/..."`,
      );
    if (paths.has(ou.path))
      problems.add(
        `organizationalUnits[${i}].path`,
        `${JSON.stringify(ou.path)} is listed twice, allowed: each OU once`,
      );
    paths.add(ou.path);
    if (!(isRoot ? ROOT_ID : OU_ID).test(ou.id)) {
      const allowed = isRoot ? "r- and 4-32 of a-z 0-9" : "ou-<4-32 of a-z 0-9>-<8-32 of a-z 0-9>";
      problems.add(
        `organizationalUnits[${i}].id`,
        `${JSON.stringify(ou.id)} is not ${isRoot ? "a root" : "an OU"} ID, allowed: ${allowed}`,
      );
    }
  });
  const ids = new Set<string>();
  file.accounts.forEach((account, i) => {
    const id = accountIdProblem(account.id);
    if (id) problems.add(`accounts[${i}].id`, id);
    else if (ids.has(account.id))
      problems.add(`accounts[${i}].id`, `${JSON.stringify(account.id)} is listed twice, allowed: each account once`);
    ids.add(account.id);
    if (!paths.has(account.ouPath))
      problems.add(
        `accounts[${i}].ouPath`,
        `${JSON.stringify(account.ouPath)} is not in organizationalUnits, allowed: the path of one of them`,
      );
    if (!ACCOUNT_STATUSES.includes(account.status))
      problems.add(
        `accounts[${i}].status`,
        `${JSON.stringify(account.status)} is not an account status, allowed: ${ACCOUNT_STATUSES.join(", ")}`,
      );
  });
  return problems;
}

/** The settings outside the templates: project, management stack, member roles and backend, waves. */
function organizationProblems(
  config: OrganizationConfig,
  accounts: AccountsFile,
  variables: Variables,
  problems: Problems,
): void {
  const project = projectNameProblem(config.project);
  if (project) problems.add("project", project);
  const { management } = config;
  const account = accountIdProblem(management.account);
  if (account) problems.add("management.account", account);
  else if (
    management.account !== accounts.managementAccountId &&
    !accounts.accounts.some((a) => a.id === management.account)
  )
    problems.add(
      "management.account",
      `${JSON.stringify(management.account)} is not an account of the organization in the accounts file, allowed: its management account (${accounts.managementAccountId}) or a delegated administrator`,
    );
  const region = regionProblem(management.region);
  if (region) problems.add("management.region", region);
  const backend = effectiveBackend(management.backend, variables);
  problems.nest("management.backend", backendProblems(backend, resolveBackend(config.project, "management", backend)));
  const topic = vssAlertTopicProblems({ name: centralAlertsNameOf(config.project), emails: management.alertEmails });
  // The topic's name derives from the project (judged there): its e-mails are management.alertEmails.
  for (const p of topic.all)
    if (p.path.startsWith("emails")) problems.add(`management.${p.path.replace("emails", "alertEmails")}`, p.message);
  for (const field of ["deployRoleName", "planRoleName", "preflightRoleName"] as const) {
    const problem = nameProblem(config.memberRoles[field], IAM_ROLE_NAME);
    if (problem) problems.add(`memberRoles.${field}`, problem);
  }
  // The read-only roles are what keeps a wave's plan job and the preflight away from write access.
  const deployRole = config.memberRoles.deployRoleName.toLowerCase(); // IAM role names ignore case
  for (const field of ["planRoleName", "preflightRoleName"] as const)
    if (config.memberRoles[field].toLowerCase() === deployRole)
      problems.add(
        `memberRoles.${field}`,
        `${JSON.stringify(config.memberRoles[field])} is the deploy role (memberRoles.deployRoleName), allowed: a read-only role of its own`,
      );
  if (config.waves.length === 0) problems.add("waves", 'is empty, allowed: at least one wave, e.g. ["prod"]');
  config.waves.forEach((wave, i) => {
    if (config.waves.indexOf(wave) !== i)
      problems.add(`waves[${i}]`, `${JSON.stringify(wave)} is listed twice, allowed: each wave once`);
  });
  if (config.templates.length === 0) problems.add("templates", "is empty, allowed: at least one template");
  config.templates.forEach((template, i) => {
    const first = config.templates.findIndex((t) => t.name === template.name);
    if (first !== i)
      problems.add(
        `${templateLabel(template, i)}.name`,
        `${JSON.stringify(template.name)} is also the name of templates[${first}], allowed: a name of its own (it is in the names of what the stacks create)`,
      );
  });
}

/** One template's own settings: name, wave, plan source, where it applies and its regions. */
function templateProblems(config: OrganizationConfig, template: OrganizationTemplate, file: AccountsFile): Problems {
  const problems = new Problems();
  if (typeof template.name !== "string" || !TEMPLATE_NAME.test(template.name))
    problems.add(
      "name",
      `${JSON.stringify(template.name)} is not allowed, allowed: 1-16 of a-z 0-9 - starting with a letter`,
    );
  if (!config.waves.includes(template.wave))
    problems.add("wave", `${JSON.stringify(template.wave)} is not a wave, allowed: one of ${config.waves.join(", ")}`);
  const planSource = template.planSource ?? DEFAULT_PLAN_SOURCE;
  if (!PLAN_SOURCES.includes(planSource))
    problems.add(
      "planSource",
      `${JSON.stringify(planSource)} is not a plan source, allowed: ${PLAN_SOURCES.map((s) => JSON.stringify(s)).join(" or ")}`,
    );
  else if (
    planSource === "organization-policy" &&
    template.backupServiceRole &&
    "existingRoleArn" in template.backupServiceRole
  )
    problems.add(
      "backupServiceRole.existingRoleArn",
      'is set, allowed: with planSource "organization-policy" a role the member stacks create (roleName): the policy names one role for every account',
    );
  const ous = template.ous ?? [];
  const singles = template.accounts ?? [];
  if (ous.length === 0 && singles.length === 0)
    problems.add("", "has no ous and no accounts, allowed: at least one OU path or account ID of the accounts file");
  const known = file.organizationalUnits.map((ou) => ou.path);
  ous.forEach((path, i) => {
    if (ous.indexOf(path) !== i)
      problems.add(`ous[${i}]`, `${JSON.stringify(path)} is listed twice, allowed: each OU once`);
    else if (!known.includes(path))
      problems.add(
        `ous[${i}]`,
        `${JSON.stringify(path)} is not an OU of the accounts file, allowed: one of ${known.join(", ")} (a new OU: run npm run accounts -- sync)`,
      );
  });
  singles.forEach((id, i) => {
    const notAnId = accountIdProblem(id);
    if (notAnId) problems.add(`accounts[${i}]`, notAnId);
    else if (singles.indexOf(id) !== i)
      problems.add(`accounts[${i}]`, `${JSON.stringify(id)} is listed twice, allowed: each account once`);
    else if (!file.accounts.some((a) => a.id === id))
      problems.add(
        `accounts[${i}]`,
        `${JSON.stringify(id)} is not an account of the accounts file, allowed: the ID of one of its ${file.accounts.length} accounts (a new account: run npm run accounts -- sync)`,
      );
  });
  if (template.regions.length === 0) problems.add("regions", "is empty, allowed: at least one region");
  template.regions.forEach((region, i) => {
    const problem = regionProblem(region);
    if (problem) problems.add(`regions[${i}]`, problem);
    else if (template.regions.indexOf(region) !== i)
      problems.add(`regions[${i}]`, `${JSON.stringify(region)} is listed twice, allowed: each region once`);
  });
  return problems;
}

/** The accounts a template reaches, by account ID, each once (through the first field that reaches it). */
function coverageOf(template: OrganizationTemplate, file: AccountsFile): Coverage[] {
  const found = new Map<string, Coverage>();
  (template.ous ?? []).forEach((path, i) => {
    for (const account of file.accounts.filter((a) => isInOu(a.ouPath, path)))
      if (!found.has(account.id))
        found.set(account.id, { account, field: `ous[${i}]`, via: `OU ${JSON.stringify(path)}` });
  });
  (template.accounts ?? []).forEach((id, i) => {
    const account = file.accounts.find((a) => a.id === id);
    if (account && !found.has(id)) found.set(id, { account, field: `accounts[${i}]`, via: "its accounts" });
  });
  return [...found.values()].sort((a, b) => a.account.id.localeCompare(b.account.id));
}

/** An account reached by two templates would get two stacks with the same name and two plans. */
function sharedAccountProblems(
  config: OrganizationConfig,
  coverage: ReadonlyMap<OrganizationTemplate, Coverage[]>,
  problems: Problems,
): void {
  const owner = new Map<string, { template: OrganizationTemplate; via: string }>();
  for (const [template, reached] of coverage) {
    const label = templateLabel(template, config.templates.indexOf(template));
    for (const { account, field, via } of reached) {
      const first = owner.get(account.id);
      if (!first) owner.set(account.id, { template, via });
      else
        problems.add(
          `${label}.${field}`,
          `account ${account.id} (${JSON.stringify(account.name)}) is also in ${templateLabel(first.template, config.templates.indexOf(first.template))} (through ${first.via}), allowed: one template per account`,
        );
    }
  }
}

/**
 * The management account gets no member stack. A backup policy would still reach it: unlike SCPs
 * (which do not affect the management account), a management policy attached to the root or an OU is
 * inherited by every account below it ("When you attach a management policy to the organization
 * root, all OUs and accounts in the organization inherit that policy", AWS Organizations User Guide,
 * "Understanding management policy inheritance",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html).
 * Its plan would then name a vault and a role that no stack creates there.
 */
function managementAccountProblems(
  config: OrganizationConfig,
  coverage: ReadonlyMap<OrganizationTemplate, Coverage[]>,
  managementAccountId: string,
  problems: Problems,
): void {
  for (const [template, reached] of coverage) {
    if ((template.planSource ?? DEFAULT_PLAN_SOURCE) !== "organization-policy") continue;
    const found = reached.find((c) => c.account.id === managementAccountId);
    if (!found) continue;
    const label = templateLabel(template, config.templates.indexOf(template));
    problems.add(
      `${label}.${found.field}`,
      `reaches the management account ${managementAccountId} (through ${found.via}): the backup policy would apply there too (a management policy reaches every account below where it is attached), but the management account gets no member stack to create the vault and role it names; allowed: OUs and accounts without the management account, or planSource "account-plan"`,
    );
  }
}

interface Member {
  readonly template: OrganizationTemplate;
  readonly account: OrganizationAccount;
  readonly region: string;
  readonly env: EnvironmentConfig;
}

interface Skipped {
  readonly template: OrganizationTemplate;
  readonly account: OrganizationAccount;
  readonly reason: string;
}

/** Every template's member environments (wave order, then account ID, then region order) and the accounts skipped. */
function expand(
  config: OrganizationConfig,
  coverage: ReadonlyMap<OrganizationTemplate, Coverage[]>,
  managementAccountId: string,
): { members: Member[]; skipped: Skipped[]; entries: EnvironmentToJudge[] } {
  const members: Member[] = [];
  const skipped: Skipped[] = [];
  for (const [template, reached] of coverage) {
    for (const { account } of reached) {
      if (account.status !== "ACTIVE") skipped.push({ template, account, reason: SKIP_REASONS[account.status] });
      else if (account.id === managementAccountId)
        skipped.push({ template, account, reason: MANAGEMENT_ACCOUNT_SKIPPED });
      else
        for (const region of regionsOf(template))
          members.push({
            template,
            account,
            region,
            env: memberEnvironment(template, account.id, region, config.memberBackend),
          });
    }
  }
  const waveOf = (template: OrganizationTemplate) => config.waves.indexOf(template.wave);
  const byPlace = (a: { template: OrganizationTemplate; account: OrganizationAccount }, b: typeof a) =>
    waveOf(a.template) - waveOf(b.template) || a.account.id.localeCompare(b.account.id);
  members.sort((a, b) => byPlace(a, b) || a.template.regions.indexOf(a.region) - b.template.regions.indexOf(b.region));
  skipped.sort(byPlace);
  const entries = members.map(({ template, region, env }) => ({
    env,
    nameBase: template.name,
    // IAM names are account-wide: only the home region's stack creates the roles, the others use them.
    createsAccountPieces: region === regionsOf(template)[0],
  }));
  return { members, skipped, entries };
}

/** The template's regions that get stacks: each valid one once (the others are reported under `regions`). */
const regionsOf = (template: OrganizationTemplate): string[] => [
  ...new Set(template.regions.filter((region) => regionProblem(region) === undefined)),
];

/** What a template adds to an environment's settings: where and when they apply. */
const TEMPLATE_FIELDS = ["name", "ous", "accounts", "regions", "wave", "planSource"] as const;

/** A template's settings for one account and region: an environment like a hand-written one. */
function memberEnvironment(
  template: OrganizationTemplate,
  account: string,
  region: string,
  backend: BackendConfig | undefined,
): EnvironmentConfig {
  const settings = Object.fromEntries(
    Object.entries(template).filter(([key]) => !(TEMPLATE_FIELDS as readonly string[]).includes(key)),
  ) as Omit<OrganizationTemplate, (typeof TEMPLATE_FIELDS)[number]>;
  return { ...settings, name: memberNameOf(account, region), account, region, ...(backend ? { backend } : {}) };
}

/** The template resolved on its own (in its first region), for the names and rules its policy carries. */
function resolveTemplate(project: string, template: OrganizationTemplate, variables: Variables): ResolvedEnvironment {
  const env = memberEnvironment(template, "", template.regions[0] ?? "", undefined);
  return resolveEnvironment(project, env, variables, template.name);
}

/**
 * The members' own problems, under their template: a problem every member of a template has (a rule's
 * schedule) once, under the template's field; one of some members (an ARN of one account) under
 * `templates[prod] a123456789012-eu-central-1`. The state backend is memberBackend's, reported there once.
 */
function memberProblems(
  config: OrganizationConfig,
  members: readonly Member[],
  found: readonly Problems[],
  problems: Problems,
): void {
  const backend = new Map<string, Problem>();
  const byTemplate = new Map<OrganizationTemplate, { member: Member; own: Problem[] }[]>();
  members.forEach((member, i) => {
    const own: Problem[] = [];
    for (const p of found[i].all)
      if (p.path === "backend" || p.path.startsWith("backend.")) backend.set(`${p.path}\n${p.message}`, p);
      else own.push(p);
    byTemplate.set(member.template, [...(byTemplate.get(member.template) ?? []), { member, own }]);
  });
  for (const [template, list] of byTemplate) {
    const label = templateLabel(template, config.templates.indexOf(template));
    const key = (p: Problem) => `${p.path}\n${p.message}`;
    const everywhere = new Set(
      list[0].own.map(key).filter((k) => list.every(({ own }) => own.some((p) => key(p) === k))),
    );
    for (const p of list[0].own.filter((p) => everywhere.has(key(p)))) problems.add(`${label}.${p.path}`, p.message);
    for (const { member, own } of list)
      for (const p of own.filter((p) => !everywhere.has(key(p))))
        problems.add(`${label} ${member.env.name}.${p.path}`, p.message);
  }
  for (const p of backend.values()) problems.add(`memberBackend${p.path.slice("backend".length)}`, p.message);
}

/** The wave and OU asked for must exist: a typo would otherwise deploy nothing, silently. */
function filterProblems(
  config: OrganizationConfig,
  file: AccountsFile,
  options: OrganizationLoadOptions,
  problems: Problems,
): void {
  if (options.wave !== undefined && !config.waves.includes(options.wave))
    problems.add("wave", `${JSON.stringify(options.wave)} is not a wave, allowed: one of ${config.waves.join(", ")}`);
  const known = file.organizationalUnits.map((ou) => ou.path);
  if (options.ou !== undefined && !known.includes(options.ou))
    problems.add(
      "ou",
      `${JSON.stringify(options.ou)} is not an OU of the accounts file, allowed: one of ${known.join(", ")}`,
    );
}

function memberOf(
  config: OrganizationConfig,
  template: OrganizationTemplate,
  account: OrganizationAccount,
  stackName: string,
): MemberOf {
  return {
    accountName: account.name,
    ouPath: account.ouPath,
    template: template.name,
    wave: template.wave,
    planSource: template.planSource ?? DEFAULT_PLAN_SOURCE,
    deployRoleArn: `arn:aws:iam::${account.id}:role/${config.memberRoles.deployRoleName}`,
    planRoleArn: `arn:aws:iam::${account.id}:role/${config.memberRoles.planRoleName}`,
    profile: memberProfileNameOf(config.project, stackName),
    homeRegion: regionsOf(template)[0],
    centralBusArn: `arn:aws:events:${config.management.region}:${config.management.account}:event-bus/${centralAlertsNameOf(config.project)}`,
  };
}

function resolveManagement(
  config: OrganizationConfig,
  file: AccountsFile,
  templates: readonly OrganizationTemplate[],
  variables: Variables,
): ResolvedManagement {
  const { project, management } = config;
  const name = managementNameOf(project);
  const alerts = centralAlertsNameOf(project);
  return {
    name,
    account: management.account,
    region: management.region,
    organizationId: file.organizationId,
    defaultTags: projectTags(project, name),
    backend: resolveBackend(project, "management", effectiveBackend(management.backend, variables)),
    policies: templates
      .filter((t) => (t.planSource ?? DEFAULT_PLAN_SOURCE) === "organization-policy")
      .map((t) => backupPolicyOf(project, t, file, variables)),
    centralAlerts: {
      busName: alerts,
      ruleName: alerts,
      topicName: alerts,
      keyAlias: `alias/${alerts}`,
      emails: management.alertEmails ?? [],
    },
  };
}

/** A template's backup policy: the names every member stack of the template creates, and where it is attached. */
function backupPolicyOf(
  project: string,
  template: OrganizationTemplate,
  file: AccountsFile,
  variables: Variables,
): ResolvedBackupPolicy {
  const resolved = resolveTemplate(project, template, variables);
  const serviceRole = resolved.backupServiceRole;
  const dr = resolved.disasterRecovery;
  return {
    template: template.name,
    policyName: `${project}-${template.name}-vss`,
    planName: resolved.plan.name,
    selectionName: resolved.selection.name,
    rules: resolved.plan.rules,
    regions: template.regions,
    selectionTag: resolved.selectionTag,
    vaultName: resolved.vault.name,
    // An existing role is refused for organization-policy templates (validation): the policy names the created one.
    serviceRoleName: "roleName" in serviceRole ? serviceRole.roleName : "",
    ...(dr
      ? {
          copy: {
            region: dr.region,
            vaultName: dr.vault.name,
            ...(dr.keepDays !== undefined ? { keepDays: dr.keepDays } : {}),
          },
        }
      : {}),
    targetIds: [
      ...(template.ous ?? []).map((path) => file.organizationalUnits.find((ou) => ou.path === path)!.id),
      ...(template.accounts ?? []),
    ],
  };
}
