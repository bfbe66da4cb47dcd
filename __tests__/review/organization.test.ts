import { cpSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { loadOrganization } from "../../config/organization-load";
import type { OrganizationConfig, OrganizationTemplate } from "../../config/organization-types";
import { BackupRules } from "../../modules";
import { main } from "../../review/cli";
import { buildApp } from "../../stacks/app";
import { NOW } from "../support/clock";
import { ORG_ACCOUNTS, ORG_CONFIG } from "../support/organization-fixtures";
import { freshDir } from "./support";

let dir: string;

beforeEach(() => {
  dir = freshDir("organization");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Synthesizes `config` over the tests' accounts file into `dir/<folder>`: the management stack (unless left out) and the member stacks named. */
function synthesizeOrganization(
  folder: string,
  config: OrganizationConfig,
  members: readonly string[],
  withManagement = true,
): void {
  const org = loadOrganization(config, ORG_ACCOUNTS, { now: NOW });
  buildApp(
    org.members.filter((member) => members.includes(member.name)),
    { outdir: join(dir, folder) },
    NOW,
    withManagement ? org.management : undefined,
  ).synth();
}

/** ORG_CONFIG with template `name` changed. */
function withTemplate(name: string, change: Partial<OrganizationTemplate>): OrganizationConfig {
  return { ...ORG_CONFIG, templates: ORG_CONFIG.templates.map((t) => (t.name === name ? { ...t, ...change } : t)) };
}

/** The review's Markdown lines for `dir/<out>` (against `--base <folder>` when given). */
async function reviewLines(out = "head", ...argv: string[]): Promise<string[]> {
  const stdout: string[] = [];
  const code = await main(["--out", out, ...argv, "--output", "review.md"], {
    stdout: (text) => stdout.push(text),
    stderr: () => undefined,
    now: NOW,
    cwd: dir,
  });
  expect(code).toBe(0);
  return stdout.join("\n").split("\n");
}

/** The lines of the section `## name`, up to the next one. */
function section(lines: readonly string[], name: string): string[] {
  const start = lines.indexOf(`## ${name}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  return lines.slice(start, end < 0 ? undefined : end);
}

const PROD_MEMBER = "a222222222221-us-east-1";
const TOOLS_MEMBER = "a333333333331-eu-west-1";
const ATTENTION =
  "> **Removed environments, weakened protection, moved providers, replaced or destroyed backup resources**";

describe("the management stack's section", () => {
  it("shows each backup policy as its document says, and the central alerts", async () => {
    synthesizeOrganization("head", ORG_CONFIG, []);
    const lines = section(await reviewLines(), "acme-management");
    const prod = lines.indexOf("### Backup policy `acme-prod-vss` (template prod)");
    expect(lines.slice(prod, prod + 15)).toEqual([
      "### Backup policy `acme-prod-vss` (template prod)",
      "",
      "- **Plan:** `acme-prod` in each account",
      "- **Attached to:** 444444444441, ou-t001-prod0001",
      "- **Regions:** us-east-1",
      "- **Windows VSS:** on (application-consistent)",
      "- **Selection:** `acme-prod-windows-instances`: EC2 instances tagged `Backup=windows-vss`",
      "- **Vault:** `acme-prod` in each account and region",
      "- **Service role:** `acme-prod-backup-service` in each account",
      "",
      "| rule | when | schedule | kept | cold storage | copies |",
      "|---|---|---|---|---|---|",
      "| daily | every day at 05:00 UTC | `cron(0 5 ? * * *)` Etc/UTC | 35 days | none | vault acme-prod-dr in us-west-2 (each account) (60 days) |",
      "| monthly | on day 1 of every month at 05:00 UTC | `cron(0 5 1 * ? *)` Etc/UTC | 365 days | none | vault acme-prod-dr in us-west-2 (each account) (60 days) |",
      "",
    ]);
    expect(lines).toContain("- **Attached to:** ou-t001-dev00001");
    expect(lines).toContain("- **Regions:** eu-west-1, eu-central-1");
    expect(lines).toContain(
      "- **Alerts:** bus `acme-backup-alerts` (every member account forwards to it): rule `acme-backup-alerts` (FAILED, ABORTED, EXPIRED, COMPLETED with a status message (VSS fallback), failed restore tests) to topic acme-backup-alerts, encrypted with `alias/acme-backup-alerts`; e-mail: oncall@example.com",
    );
    // Template tools makes its own plans: no policy of its own.
    expect(lines.filter((line) => line.startsWith("### Backup policy"))).toEqual([
      "### Backup policy `acme-dev-vss` (template dev)",
      "### Backup policy `acme-prod-vss` (template prod)",
    ]);
    expect(lines).not.toContain("- **Vault:** none");
  });

  it("shows a selection that is not restricted to EC2 instances, and Windows VSS switched off in the document", async () => {
    synthesizeOrganization("head", ORG_CONFIG, []);
    editPolicy("head", "acme-dev-vss", (plan) => {
      plan.advanced_backup_settings = { ec2: { windows_vss: { "@@assign": "disabled" } } };
      const selection = Object.values(plan.selections.resources)[0];
      selection.resource_types = { "@@assign": ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:instance/*"] };
    });
    const lines = section(await reviewLines(), "acme-management");
    const dev = lines.indexOf("### Backup policy `acme-dev-vss` (template dev)");
    expect(lines.slice(dev + 5, dev + 7)).toEqual([
      "- **Windows VSS:** **off**: crash-consistent backups only",
      "- **Selection:** `acme-dev-windows-instances`: resources `arn:aws:ec2:*:*:volume/*`, `arn:aws:ec2:*:*:instance/*` tagged `Backup=windows-vss`",
    ]);
  });

  it.each([
    [
      "without a rule on the central bus",
      ["aws_cloudwatch_event_rule"],
      "- **Alerts:** bus `acme-backup-alerts` (every member account forwards to it): **no rule**: forwarded alerts go nowhere",
    ],
    [
      "without the central bus",
      ["aws_cloudwatch_event_bus"],
      "- **Alerts:** **none**: no central event bus receives the member accounts' alerts",
    ],
  ])("%s: says so", async (_, removed, alerts) => {
    synthesizeOrganization("head", ORG_CONFIG, []);
    editManagement("head", (resources) => removed.forEach((type) => delete resources[type]));
    const lines = section(await reviewLines(), "acme-management");
    expect(lines[lines.indexOf("### Central alerts") + 2]).toBe(alerts);
  });
});

describe("a member stack's section", () => {
  it("under a policy whose selection has no tag condition nor role: says so in both sections", async () => {
    synthesizeOrganization("head", ORG_CONFIG, [PROD_MEMBER]);
    editPolicy("head", "acme-prod-vss", (plan) => {
      const selection = Object.values(plan.selections.resources)[0];
      delete selection.conditions;
      delete selection.iam_role_arn;
    });
    const lines = await reviewLines();
    expect(section(lines, PROD_MEMBER)[6]).toBe(
      "- **Protected:** nothing: the policy's selection has no tag condition",
    );
    const management = section(lines, "acme-management");
    const prod = management.indexOf("### Backup policy `acme-prod-vss` (template prod)");
    expect([management[prod + 6], management[prod + 8]]).toEqual([
      "- **Selection:** `acme-prod-windows-instances`: EC2 instances **with no tag condition**",
      "- **Service role:** **none** in each account",
    ]);
  });

  it("under a backup policy: the plan, selection, Windows VSS and copies are the policy's", async () => {
    synthesizeOrganization("head", ORG_CONFIG, [PROD_MEMBER]);
    const lines = section(await reviewLines(), PROD_MEMBER);
    expect(lines.slice(5, 8)).toEqual([
      "- **Plan:** from the organization's backup policy `acme-prod-vss` (stack acme-management)",
      "- **Protected:** EC2 instances tagged `Backup=windows-vss` (the policy's selection)",
      "- **Windows VSS:** on (application-consistent), set by the policy",
    ]);
    expect(lines).toContain(
      "- **Disaster recovery:** every rule copies to `acme-prod-dr` in us-west-2 (daily 60 days, monthly 60 days); governance lock 60-60 days",
    );
    expect(lines).toContain(
      "| monthly | on day 1 of every month at 05:00 UTC | `cron(0 5 1 * ? *)` Etc/UTC | 365 days | none | vault acme-prod-dr in us-west-2 (each account) (60 days) |",
    );
    expect(lines).not.toContain("- **Protected:** nothing: no tag selection");
    expect(lines).not.toContain("- **Windows VSS:** **off**: crash-consistent backups only");
  });

  it.each([
    [
      "a management stack whose policies do not write to its vault",
      withTemplate("prod", { planSource: "account-plan" }),
      "- **Plan:** **no backup policy of stack acme-management writes to vault `acme-prod`**",
    ],
    [
      "a policy that does not cover its region",
      withTemplate("prod", { regions: ["us-west-1"] }),
      "- **Plan:** **the organization's backup policy `acme-prod-vss` (stack acme-management) does not cover us-east-1**",
    ],
  ])("under %s: nothing backs it up, and the review says so", async (_, managementConfig, plan) => {
    synthesizeOrganization("head", ORG_CONFIG, [PROD_MEMBER], false);
    synthesizeOrganization("other", managementConfig, []);
    addStack("head", "other", "acme-management");
    const lines = section(await reviewLines(), PROD_MEMBER);
    expect(lines.slice(5, 8)).toEqual([
      plan,
      "- **Protected:** **nothing**: no backup policy backs up this account's instances in us-east-1",
      "- **Windows VSS:** **off**: crash-consistent backups only",
    ]);
  });

  it("under a backup policy, without the management stack in the cdktf.out: says so, and raises no false alarm", async () => {
    synthesizeOrganization("head", ORG_CONFIG, [PROD_MEMBER], false);
    const lines = section(await reviewLines(), PROD_MEMBER);
    expect(lines.slice(5, 8)).toEqual([
      "- **Plan:** from the organization's backup policy; the management stack is not in this cdktf.out, so its selection, Windows VSS setting and rules are not shown here (synthesize it too to review them)",
      "- **Protected:** as the organization's backup policy selects (not in this cdktf.out)",
      "- **Windows VSS:** as the organization's backup policy sets it (not in this cdktf.out)",
    ]);
    expect(lines).toContain(
      "- **Disaster recovery:** as the organization's backup policy copies (not in this cdktf.out)",
    );
    expect(lines).not.toContain("| rule | when | schedule | kept | cold storage | copies |");
    expect(lines).not.toContain("```mermaid");
  });

  it("with a plan of its own (account-plan): as a single account's", async () => {
    synthesizeOrganization("head", ORG_CONFIG, [TOOLS_MEMBER]);
    const lines = section(await reviewLines(), TOOLS_MEMBER);
    expect(lines.slice(4, 6)).toEqual([
      "- **Protected:** EC2 instances tagged `Backup=windows-vss`",
      "- **Windows VSS:** on (application-consistent)",
    ]);
    expect(lines).toContain(
      "| weekly | every Sunday at 05:00 UTC | `cron(0 5 ? * SUN *)` Etc/UTC | 28 days | none | none |",
    );
  });
});

describe("changes against a base", () => {
  it("call out every weakened policy: a region, a target, a rule, a retention, a copy", async () => {
    synthesizeOrganization("base", ORG_CONFIG, []);
    const weaker = withTemplate("prod", {
      accounts: [],
      plan: { rules: [BackupRules.daily({ keepDays: 14 })] },
      disasterRecovery: { region: "us-west-2", keepDays: 30 },
    });
    synthesizeOrganization(
      "head",
      { ...weaker, templates: weaker.templates.map((t) => (t.name === "dev" ? { ...t, regions: ["eu-west-1"] } : t)) },
      [],
    );
    const lines = await reviewLines("head", "--base", "base");
    const attention = lines.indexOf(ATTENTION);
    expect(lines.slice(attention + 2, attention + 8)).toEqual([
      "> - **acme-management**: weakens protection: the backup policy `acme-dev-vss` no longer covers eu-central-1: instances there are no longer backed up",
      "> - **acme-management**: weakens protection: detaches the backup policy `acme-prod-vss` from 444444444441: the plan `acme-prod` is removed from the accounts it reached through that target",
      "> - **acme-management**: weakens protection: the backup policy `acme-prod-vss` keeps rule daily's backups 14 days instead of 35 days",
      "> - **acme-management**: weakens protection: the backup policy `acme-prod-vss` keeps rule daily's copies in vault acme-prod-dr in us-west-2 (each account) 30 days instead of 60 days",
      "> - **acme-management**: weakens protection: the backup policy `acme-prod-vss` drops rule monthly (on day 1 of every month at 05:00 UTC, kept 365 days)",
      "",
    ]);
  });

  it("calls out a policy's copies removed", async () => {
    synthesizeOrganization("base", ORG_CONFIG, []);
    synthesizeOrganization("head", withTemplate("prod", { disasterRecovery: undefined }), []);
    const lines = await reviewLines("head", "--base", "base");
    const attention = lines.indexOf(ATTENTION);
    expect(lines.slice(attention + 2, attention + 5)).toEqual([
      "> - **acme-management**: weakens protection: the backup policy `acme-prod-vss` no longer copies rule daily's backups to vault acme-prod-dr in us-west-2 (each account)",
      "> - **acme-management**: weakens protection: the backup policy `acme-prod-vss` no longer copies rule monthly's backups to vault acme-prod-dr in us-west-2 (each account)",
      "",
    ]);
  });

  it("calls out the management stack missing from the head: its policies stay attached", async () => {
    synthesizeOrganization("base", ORG_CONFIG, [PROD_MEMBER]);
    synthesizeOrganization("head", ORG_CONFIG, [PROD_MEMBER], false);
    const lines = await reviewLines("head", "--base", "base");
    expect(lines[lines.indexOf(ATTENTION) + 2]).toBe(
      "> - **acme-management**: removed: its stack is no longer synthesized, and nothing destroys its resources (account 123456789012, region us-east-1): its backup policies `acme-dev-vss`, `acme-prod-vss` stay attached, its central alerts keep running, and no deploy manages them any more. To remove them, run `npx cdktf destroy acme-management` from the base branch before merging",
    );
  });

  it("calls out Windows VSS no longer enabled in a policy", async () => {
    synthesizeOrganization("base", ORG_CONFIG, []);
    synthesizeOrganization("head", ORG_CONFIG, []);
    editPolicy("head", "acme-prod-vss", (plan) => {
      plan.advanced_backup_settings = {};
    });
    const lines = await reviewLines("head", "--base", "base");
    expect(lines[lines.indexOf(ATTENTION) + 2]).toBe(
      "> - **acme-management**: weakens protection: the backup policy `acme-prod-vss` no longer enables Windows VSS: its backups are crash-consistent only",
    );
  });

  it("calls out a policy removed and its members switching to plans of their own, and the reverse", async () => {
    synthesizeOrganization("policy", ORG_CONFIG, [PROD_MEMBER]);
    synthesizeOrganization("own", withTemplate("prod", { planSource: "account-plan" }), [PROD_MEMBER]);
    const toOwn = await reviewLines("own", "--base", "policy");
    const attention = toOwn.indexOf(ATTENTION);
    expect(toOwn.slice(attention + 2, attention + 4)).toEqual([
      `> - **${PROD_MEMBER}**: switches its plan from the organization's backup policy to a backup plan and selection of its own`,
      "> - **acme-management**: weakens protection: removes the backup policy `acme-prod-vss` (attached to 444444444441, ou-t001-prod0001): AWS Backup deletes its plan `acme-prod` in every account it reached, and their instances are no longer backed up",
    ]);
    const toPolicy = await reviewLines("policy", "--base", "own");
    expect(toPolicy[toPolicy.indexOf(ATTENTION) + 2]).toBe(
      `> - **${PROD_MEMBER}**: switches its plan to the organization's backup policy: its own backup plan and selection are destroyed, and from then on only the policy backs up this account and region`,
    );
  });
});

/** Adds stack `name` of the synthesized app in `from` to the one in `to`, as if synthesized with it. */
function addStack(to: string, from: string, name: string): void {
  const manifest = (folder: string) => join(dir, folder, "manifest.json");
  const source = JSON.parse(readFileSync(manifest(from), "utf8"));
  const target = JSON.parse(readFileSync(manifest(to), "utf8"));
  target.stacks[name] = source.stacks[name];
  writeFileSync(manifest(to), JSON.stringify(target));
  cpSync(join(dir, from, "stacks", name), join(dir, to, "stacks", name), { recursive: true });
}

/** One plan of a backup policy document, as far as the tests edit it. */
interface PolicyPlanJson {
  advanced_backup_settings: unknown;
  selections: { resources: Record<string, Record<string, unknown>> };
}

/** Rewrites the synthesized management stack of `folder`. */
function editManagement(folder: string, edit: (resources: Record<string, Record<string, unknown>>) => void): void {
  const file = join(dir, folder, "stacks", "acme-management", "cdk.tf.json");
  const stack = JSON.parse(readFileSync(file, "utf8"));
  edit(stack.resource);
  writeFileSync(file, JSON.stringify(stack));
}

/** Rewrites the content of policy `name` in the synthesized management stack of `folder`. */
function editPolicy(folder: string, name: string, edit: (plan: PolicyPlanJson) => void): void {
  editManagement(folder, (resources) => {
    const policy = Object.values(
      resources.aws_organizations_policy as Record<string, { name: string; content: string }>,
    ).find((p) => p.name === name)!;
    const document = JSON.parse(policy.content);
    edit(Object.values(document.plans)[0] as PolicyPlanJson);
    policy.content = JSON.stringify(document);
  });
}
