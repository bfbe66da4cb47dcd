import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import {
  backupPolicyDocument,
  BackupPolicyPlan,
  backupPolicyPlanProblems,
  BackupRules,
  SYNTHESIS_TIME_CONTEXT,
  VssBackupPolicy,
  VssBackupPolicyProps,
  vssBackupPolicyProblems,
} from "../../modules";
import { NOW } from "../support/clock";
import {
  assign,
  PROD_OU,
  PROD_POLICY,
  PROD_POLICY_DOCUMENT,
  SANDBOX_POLICY,
  SANDBOX_POLICY_DOCUMENT,
} from "../support/organization-stack-fixtures";
import { resources, synthesize, SynthesizedStack } from "../synth";

function synthesizedPolicy(props: VssBackupPolicyProps): SynthesizedStack {
  return synthesize((scope) => {
    scope.node.setContext(SYNTHESIS_TIME_CONTEXT, NOW.toISOString());
    new VssBackupPolicy(scope, "policy", props);
  });
}

describe("backupPolicyDocument: AWS Organizations' backup policy syntax", () => {
  it("writes template prod-fleet's plan: both rules, its regions, the EC2-only tag selection, VSS on, the DR copy", () => {
    expect(backupPolicyDocument(PROD_POLICY)).toEqual(PROD_POLICY_DOCUMENT);
  });

  it("writes template sandbox's plan: one rule, one region, no copy", () => {
    expect(backupPolicyDocument(SANDBOX_POLICY)).toEqual(SANDBOX_POLICY_DOCUMENT);
  });

  it("carries a rule's own windows, cold storage, copies to a fixed account and recovery point tags (named in lower case)", () => {
    const plan: BackupPolicyPlan = {
      ...SANDBOX_POLICY,
      rules: [
        {
          name: "nightly",
          schedule: "cron(30 22 ? * * *)",
          startWindowMinutes: 120,
          completionWindowMinutes: 600,
          deleteAfterDays: 200,
          coldStorageAfterDays: 30,
          copies: [
            { destinationVaultArn: "arn:aws:backup:us-west-2:999988887777:backup-vault:vault", deleteAfterDays: 14 },
          ],
          recoveryPointTags: { CostCenter: "42" },
        },
      ],
    };
    const plans = backupPolicyDocument(plan).plans as Record<string, { rules: Record<string, unknown> }>;
    expect(plans["vss-backup-sandbox"].rules.nightly).toEqual({
      schedule_expression: assign("cron(30 22 ? * * *)"),
      start_backup_window_minutes: assign("120"),
      complete_backup_window_minutes: assign("600"),
      target_backup_vault_name: assign("vss-backup-sandbox"),
      lifecycle: { move_to_cold_storage_after_days: assign("30"), delete_after_days: assign("200") },
      copy_actions: {
        "arn:aws:backup:us-west-2:999988887777:backup-vault:vault": {
          target_backup_vault_arn: assign("arn:aws:backup:us-west-2:999988887777:backup-vault:vault"),
          lifecycle: { delete_after_days: assign("14") },
        },
      },
      recovery_point_tags: { costcenter: { tag_key: assign("CostCenter"), tag_value: assign("42") } },
    });
  });
});

describe("VssBackupPolicy", () => {
  let stack: SynthesizedStack;
  beforeEach(() => {
    stack = synthesizedPolicy({
      name: PROD_POLICY.policyName,
      plan: PROD_POLICY,
      targetIds: PROD_POLICY.targetIds,
    });
  });

  it("emits a BACKUP_POLICY whose content is the document as JSON", () => {
    const [policy] = resources(stack, OrganizationsPolicy);
    expect(policy).toMatchObject({
      name: "vss-backup-prod-fleet-vss",
      type: "BACKUP_POLICY",
      description: "Windows VSS backups of the EC2 instances tagged Backup=windows-vss",
    });
    expect(JSON.parse(String(policy.content))).toEqual(PROD_POLICY_DOCUMENT);
    expect(resources(stack, OrganizationsPolicy)).toHaveLength(1);
  });

  it("attaches the policy to each target: the OU and the single account", () => {
    const byTarget = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.target_id).localeCompare(String(b.target_id));
    const policyId = `\${aws_organizations_policy.${Object.keys(stack.resource!.aws_organizations_policy)[0]}.id}`;
    expect(resources(stack, OrganizationsPolicyAttachment).sort(byTarget)).toEqual([
      { policy_id: policyId, target_id: "777788889999" },
      { policy_id: policyId, target_id: PROD_OU },
    ]);
  });
});

describe("backup policy validation: one line per problem, naming the field, the value and what is allowed", () => {
  const problemsOf = (change: Partial<BackupPolicyPlan>) =>
    backupPolicyPlanProblems({ ...SANDBOX_POLICY, ...change }, NOW).all.map((p) => `${p.path}: ${p.message}`);

  it("accepts both templates", () => {
    expect(backupPolicyPlanProblems(PROD_POLICY, NOW).all).toEqual([]);
    expect(backupPolicyPlanProblems(SANDBOX_POLICY, NOW).all).toEqual([]);
  });

  it.each<[string, Partial<BackupPolicyPlan>, string]>([
    [
      "a rule in another time zone (the policy's schedule is UTC)",
      { rules: [BackupRules.daily({ keepDays: 7, timezone: "Europe/Berlin" })] },
      'rules[0].timezone: "Europe/Berlin" cannot be expressed in a backup policy (its schedule_expression is read in UTC), allowed: Etc/UTC or UTC, with the schedule\'s hours in UTC',
    ],
    [
      "a start window under 60 minutes",
      { rules: [{ ...BackupRules.daily({ keepDays: 7 }), startWindowMinutes: 30 }] },
      "rules[0].startWindowMinutes: 30 is not allowed, allowed: a whole number of minutes (AWS Backup needs at least 60) from 60 to 52560000",
    ],
    [
      "a rule name with a space",
      { rules: [BackupRules.daily({ keepDays: 7, name: "every day" })] },
      "rules[0].name: \"every day\" has ' ', allowed: 1-50 of A-Z a-z 0-9 - _ .",
    ],
    [
      "a plan name with a slash",
      { planName: "fleet/prod" },
      "planName: \"fleet/prod\" has '/', allowed: 1-50 of A-Z a-z 0-9 - _ .",
    ],
    [
      "a selection name of 51 characters",
      { selectionName: "s".repeat(51) },
      `selectionName: "${"s".repeat(51)}" has 51 characters, allowed: 1-50 of A-Z a-z 0-9 - _ .`,
    ],
    ["no region", { regions: [] }, "regions: is empty, allowed: at least one region"],
    [
      "an unknown region",
      { regions: ["eu-west-1", "eu-west-9"] },
      'regions[1]: "eu-west-9" is not a region hashicorp/aws 5.100.0 accepts',
    ],
    [
      "a region twice",
      { regions: ["eu-west-1", "eu-west-1"] },
      'regions[1]: "eu-west-1" is listed twice, allowed: each region once',
    ],
    [
      "a vault name with a dot",
      { vaultName: "fleet.prod" },
      "vaultName: \"fleet.prod\" has '.', allowed: 2-50 of A-Z a-z 0-9 - _",
    ],
    [
      "a service role name with a slash",
      { serviceRoleName: "service-role/backup" },
      "serviceRoleName: \"service-role/backup\" has '/', allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _",
    ],
    [
      "an empty tag value",
      { selectionTag: { key: "Backup", value: "" } },
      'selectionTag.value: "" is empty, allowed: 1-256 characters (an empty value selects every instance with the key)',
    ],
    [
      "a copy to an unknown region",
      { copy: { region: "mars-1", vaultName: "dr" } },
      'copy.region: "mars-1" is not a region hashicorp/aws 5.100.0 accepts',
    ],
    [
      "a copy vault name of one character",
      { copy: { region: "eu-central-1", vaultName: "d" } },
      'copy.vaultName: "d" has 1 characters',
    ],
    [
      "a copy kept 0 days",
      { copy: { region: "eu-central-1", vaultName: "dr", keepDays: 0 } },
      "copy.keepDays: 0 is not allowed, allowed: a whole number of days from 1 to 36500",
    ],
    [
      "recovery point tags that differ only in case",
      { rules: [{ ...BackupRules.daily({ keepDays: 7 }), recoveryPointTags: { Owner: "a", owner: "b" } }] },
      'rules[0].recoveryPointTags: "owner" and "Owner" are one tag in a backup policy (it names tags in lower case), allowed: keys that differ in more than case',
    ],
  ])("rejects %s", (_, change, message) => {
    expect(problemsOf(change).filter((line) => line.startsWith(message))).toHaveLength(1);
  });

  it("rejects a document over AWS Organizations' 10,000 characters, with its size", () => {
    const rules = Array.from({ length: 20 }, (_, i) =>
      BackupRules.daily({ keepDays: 7, name: `rule-${i}-${"x".repeat(40)}` }),
    );
    const problems = problemsOf({ rules, copy: { region: "eu-central-1", vaultName: "dr" } });
    expect(problems).toEqual([
      expect.stringMatching(
        /^policy: the document has 1\d{4} characters, allowed: at most 10000 \(AWS Organizations' limit for a backup policy\); use fewer rules or shorter names$/,
      ),
    ]);
  });

  it("accepts a document of 10,000 characters or fewer", () => {
    const rules = Array.from({ length: 4 }, (_, i) => BackupRules.daily({ keepDays: 7, name: `rule-${i}` }));
    expect(JSON.stringify(backupPolicyDocument({ ...SANDBOX_POLICY, rules })).length).toBeLessThan(10_000);
    expect(problemsOf({ rules })).toEqual([]);
  });

  it.each<[string, Partial<VssBackupPolicyProps>, string]>([
    [
      "no target",
      { targetIds: [] },
      "targetIds: is empty, allowed: at least one OU or account ID to attach the policy to",
    ],
    [
      "a target that is an OU's name, not its ID",
      { targetIds: ["Prod"] },
      'targetIds[0]: "Prod" is not an attachment target, allowed: an OU ID (ou-...), an account ID (12 digits) or the root ID (r-...)',
    ],
    [
      "a target twice",
      { targetIds: [PROD_OU, PROD_OU] },
      `targetIds[1]: "${PROD_OU}" is listed twice, allowed: each target once`,
    ],
    ["an empty policy name", { name: "" }, 'name: "" has 0 characters, allowed: 1-128'],
    ["a policy name of 129 characters", { name: "p".repeat(129) }, "has 129 characters, allowed: 1-128"],
  ])("rejects %s", (_, change, message) => {
    const props = { name: "vss", plan: SANDBOX_POLICY, targetIds: [PROD_OU], ...change };
    expect(vssBackupPolicyProblems(props, NOW).all.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringContaining(message),
    ]);
  });

  it("refuses to build a policy with a problem, every problem on its own line", () => {
    expect(() =>
      synthesizedPolicy({
        name: "vss",
        plan: { ...SANDBOX_POLICY, vaultName: "v", regions: [] },
        targetIds: [],
      }),
    ).toThrow(
      [
        "VssBackupPolicy stack/policy (3 problems):",
        "  targetIds: is empty, allowed: at least one OU or account ID to attach the policy to",
        "  plan.regions: is empty, allowed: at least one region",
        '  plan.vaultName: "v" has 1 characters, allowed: 2-50 of A-Z a-z 0-9 - _',
      ].join("\n"),
    );
  });
});
