import { readFileSync } from "fs";
import { join } from "path";
import { changesFromPlan, changesFromSynth } from "../../review/changes";
import { postureOf, StackJson, weakeningsOf } from "../../review/posture";
import { renderReview, REVIEW_MARKER } from "../../review/report";
import { scheduleInWords } from "../../modules/schedule";
import { synthesized, withChange } from "./support";

const planFixture = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "review", "prod-plan.json"), "utf8"));
const today = new Date("2026-11-25T00:00:00Z");

describe("scheduleInWords", () => {
  it.each([
    ["cron(0 5 ? * * *)", "Etc/UTC", "every day at 05:00 UTC"],
    ["cron(0 2 ? * SUN *)", "Europe/Berlin", "every Sunday at 02:00 Europe/Berlin"],
    ["cron(30 1 ? * MON-FRI *)", "Etc/UTC", "every Monday to Friday at 01:30 UTC"],
    ["cron(0 3 1 * ? *)", "Etc/UTC", "on day 1 of every month at 03:00 UTC"],
    ["cron(0 3 L * ? *)", "Etc/UTC", "on the last day of every month at 03:00 UTC"],
    ["cron(0 4 1 JAN,JUL ? *)", "Etc/UTC", "on day 1 of every month in January, July at 04:00 UTC"],
    ["cron(15 * ? * * *)", "Etc/UTC", "every day, every hour at minute 15 (UTC)"],
  ])("%s in %s reads %j", (expression, timezone, words) => {
    expect(scheduleInWords(expression, timezone)).toBe(words);
  });
});

describe("postureOf (from the synthesized JSON)", () => {
  const prod = postureOf(synthesized("prod"));

  it("says what is protected, where, and that VSS is on", () => {
    expect(prod).toMatchObject({
      providers: [{ address: "aws", region: "eu-central-1", accounts: ["333333333333"] }],
      tag: { key: "Backup", value: "windows-vss" },
      windowsVss: true,
    });
    expect(prod.vault).toEqual({ name: "vss-backup-prod", preventDestroy: true, kmsKeyArn: undefined });
  });

  it("says where alerts on failed and crash-consistent backups go, and that the VSS fallback is caught", () => {
    expect(prod.alerts).toEqual({
      ruleName: "vss-backup-prod-backup-alerts",
      catchesVssFallback: true,
      failedRestoreTests: false,
      failedStates: ["FAILED", "ABORTED", "EXPIRED"],
      destination: "topic vss-backup-prod-backup-alerts",
      keyAlias: "alias/vss-backup-prod-backup-alerts",
      emails: [],
    });
  });

  it("names a vault key the stack creates by its alias", () => {
    const created = postureOf(synthesized("dev", withChange("dev", { vault: { createKey: true } })));
    expect(created.vault?.kmsKeyArn).toBe("alias/vss-backup-dev-vault (created by the stack)");
  });

  it("names an existing alert topic by its ARN, lists e-mail subscriptions, and sees alerts switched off", () => {
    const existing = postureOf(
      synthesized("dev", withChange("dev", { alerts: { existingTopicArn: "arn:aws:sns:eu-west-1:111111111111:ops" } })),
    );
    expect(existing.alerts).toMatchObject({
      destination: "arn:aws:sns:eu-west-1:111111111111:ops",
      keyAlias: undefined,
    });
    const mailed = postureOf(synthesized("dev", withChange("dev", { alerts: { emails: ["ops@example.com"] } })));
    expect(mailed.alerts?.emails).toEqual(["ops@example.com"]);
    expect(postureOf(synthesized("dev", withChange("dev", { alerts: false }))).alerts).toBeUndefined();
  });

  it("lists each rule's schedule in words and in its timezone, and its retention", () => {
    expect(prod.rules.map((r) => [r.name, r.scheduleInWords, r.deleteAfterDays, r.coldStorageAfterDays])).toEqual([
      ["daily", "every day at 01:00 Europe/Berlin", 35, undefined],
      ["weekly", "every Sunday at 02:00 Europe/Berlin", 90, undefined],
      ["monthly", "on day 1 of every month at 03:00 Europe/Berlin", 365, undefined],
    ]);
  });

  it("lists the IAM roles, who assumes them and their policies (managed and inline modes)", () => {
    expect(prod.roles).toContainEqual({
      name: "vss-backup-prod-vss-instance",
      assumedBy: ["ec2.amazonaws.com"],
      existing: false,
      managedPolicies: [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/AWSEC2VssSnapshotPolicy",
      ],
      inlinePolicies: [],
    });
    const staging = postureOf(synthesized("staging"));
    expect(staging.roles.find((r) => r.name === "vss-backup-staging-vss-instance")).toMatchObject({
      managedPolicies: [],
      inlinePolicies: ["SsmManagedInstanceCore", "VssSnapshotsForAwsBackup"],
    });
    expect(staging.roles.find((r) => r.name === "vss-backup-staging-backup-service")).toMatchObject({
      assumedBy: ["backup.amazonaws.com"],
      inlinePolicies: ["PassInstanceRoleForRestores"],
    });
  });

  it("marks an existing role the stack only attaches to", () => {
    const posture = postureOf(
      synthesized("dev", withChange("dev", { instanceRole: { existingRoleName: "fleet-role" } })),
    );
    expect(posture.roles.find((r) => r.name === "fleet-role")).toEqual({
      name: "fleet-role",
      assumedBy: [],
      existing: true,
      managedPolicies: ["arn:aws:iam::aws:policy/AWSEC2VssSnapshotPolicy"],
      inlinePolicies: [],
    });
  });
});

describe("changes", () => {
  it("reads replacements, updates, creations and destructions from a saved plan, skipping reads and no-ops", () => {
    expect(changesFromPlan(planFixture).map((c) => [c.action, c.type])).toEqual([
      ["replace", "aws_backup_selection"],
      ["replace", "aws_backup_vault"],
      ["update", "aws_backup_plan"],
      ["delete", "aws_iam_role_policy_attachment"],
      ["create", "aws_iam_role_policy"],
    ]);
  });

  it("predicts from two synthesized stacks that a new tag replaces the selection and a new key replaces the vault", () => {
    const base = synthesized("dev");
    const head = synthesized(
      "dev",
      withChange("dev", {
        selectionTag: { key: "Backup", value: "sql" },
        vault: { kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/abcd" },
      }),
    );
    const changes = changesFromSynth(base, head);
    expect(changes.filter((c) => c.action !== "update")).toEqual([
      {
        address: expect.stringMatching(/^aws_backup_selection\./),
        type: "aws_backup_selection",
        action: "replace",
        forcedBy: ["condition"],
      },
      {
        address: expect.stringMatching(/^aws_backup_vault\./),
        type: "aws_backup_vault",
        action: "replace",
        forcedBy: ["kms_key_arn"],
      },
    ]);
    // The association retargets in place: its targets do not force replacement.
    expect(changes.filter((c) => c.action === "update").map((c) => c.type)).toEqual(["aws_ssm_association"]);
  });

  it("sees a changed policy through the data source that renders it: the inline policy reading it is updated", () => {
    const base = synthesized("staging");
    const head = structuredClone(base) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
      data: Record<string, Record<string, { statement: { actions: string[] }[] }>>;
    };
    const vss = Object.values(head.resource.aws_iam_role_policy).find((p) => p.name === "VssSnapshotsForAwsBackup")!;
    const documentId = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(String(vss.policy))![1];
    head.data.aws_iam_policy_document[documentId].statement[0].actions.push("ec2:DescribeTags");
    expect(changesFromSynth(base, head as StackJson)).toEqual([
      { address: expect.stringMatching(/^aws_iam_role_policy\./), type: "aws_iam_role_policy", action: "update" },
    ]);
    expect(changesFromSynth(base, base)).toEqual([]);
  });

  it("reports a new region as a provider change, called out at the top of the review", () => {
    const base = synthesized("dev");
    const head = synthesized("dev", withChange("dev", { region: "eu-north-1" }));
    const changes = changesFromSynth(base, head);
    expect(changes).toEqual([
      { address: "provider.aws", type: "provider", action: "update", changedArguments: ["region"] },
    ]);
    const review = renderReview(
      [{ name: "dev", posture: postureOf(head), changes, changesFrom: "synthesized JSON" }],
      today,
    );
    expect(review).toContain(
      "> - **dev**: changes the region of `provider.aws`: every resource of that provider is created anew where it now points, and the old ones are left behind, not destroyed",
    );
  });

  it("reads each AWS provider of a stack, an aliased one too, and reports a change per provider", () => {
    const withCopies = (copiesRegion: string): StackJson => {
      const stack = synthesized("prod");
      const copies = { alias: "copies", region: copiesRegion, allowed_account_ids: ["333333333333"] };
      return { ...stack, provider: { aws: [...stack.provider!.aws, copies] } };
    };
    expect(postureOf(withCopies("eu-west-1")).providers).toEqual([
      { address: "aws", region: "eu-central-1", accounts: ["333333333333"] },
      { address: "aws.copies", region: "eu-west-1", accounts: ["333333333333"] },
    ]);
    const moved = changesFromSynth(withCopies("eu-west-1"), withCopies("eu-north-1"));
    expect(moved).toEqual([
      { address: "provider.aws.copies", type: "provider", action: "update", changedArguments: ["region"] },
    ]);
    const review = renderReview(
      [{ name: "prod", posture: postureOf(withCopies("eu-north-1")), changes: moved, changesFrom: "synthesized JSON" }],
      today,
    );
    expect(review).toContain(
      "Provider `aws`: account 333333333333, region eu-central-1.\nProvider `aws.copies`: account 333333333333, region eu-north-1.",
    );
    expect(review).toContain(
      "> - **prod**: changes the region of `provider.aws.copies`: every resource of that provider is created anew where it now points",
    );
    expect(changesFromSynth(synthesized("prod"), withCopies("eu-west-1"))).toEqual([
      { address: "provider.aws.copies", type: "provider", action: "create" },
    ]);
    expect(changesFromSynth(withCopies("eu-west-1"), synthesized("prod"))).toEqual([
      { address: "provider.aws.copies", type: "provider", action: "delete" },
    ]);
  });

  it("finds that removing the alerts weakens protection, and that an unchanged stack does not", () => {
    const base = postureOf(synthesized("dev"));
    expect(weakeningsOf(base, postureOf(synthesized("dev", withChange("dev", { alerts: false }))))).toEqual([
      "removes the alerts on failed and crash-consistent backups (rule `vss-backup-dev-backup-alerts` to topic vss-backup-dev-backup-alerts): no one is told when VSS falls back",
    ]);
    expect(weakeningsOf(base, postureOf(synthesized("dev")))).toEqual([]);
  });

  it("reads the copy to a second region: the DR vault, its provider's region, each rule's copy retention, its lock", () => {
    const withDr = postureOf(
      synthesized("prod", withChange("prod", { disasterRecovery: { region: "eu-west-1", keepDays: 120 } })),
    );
    expect(withDr.disasterRecovery).toEqual([
      {
        vaultName: "vss-backup-prod-dr",
        region: "eu-west-1",
        keepDays: { daily: 120, weekly: 120, monthly: 120 },
        lock: { mode: "governance", minRetentionDays: 120, maxRetentionDays: 120, changeableForDays: undefined },
      },
    ]);
    // The environment's own vault stays the one the rules write to, whatever the DR vault's id sorts as.
    expect(withDr.vault?.name).toBe("vss-backup-prod");
    expect(withDr.providers.map((p) => [p.address, p.region])).toEqual([
      ["aws", "eu-central-1"],
      ["aws.dr", "eu-west-1"],
    ]);
    expect(withDr.rules.map((r) => r.copies.map((c) => c.destinationVaultArn))).toEqual(
      [1, 2, 3].map(() => ["vault vss-backup-prod-dr (this stack)"]),
    );
    expect(postureOf(synthesized("prod")).disasterRecovery).toEqual([]);
  });

  const restoreTesting = {
    schedule: "cron(0 4 ? * SUN *)",
    subnetId: "subnet-0a1b2c3d4e5f60718",
    securityGroupIds: ["sg-0123456789abcdef0"],
    instanceType: "t3.large",
  };

  it("reads restore testing: when, which vault, where the test instance runs, and that failed tests are alerted", () => {
    const tested = postureOf(synthesized("prod", withChange("prod", { restoreTesting })));
    expect(tested.restoreTesting).toEqual({
      planName: "vss_backup_prod_restore_test",
      scheduleInWords: "every Sunday at 04:00 UTC",
      vaults: ["vault vss-backup-prod (this stack)"],
      selectionWindowDays: 30,
      subnetId: "subnet-0a1b2c3d4e5f60718",
      securityGroupIds: ["sg-0123456789abcdef0"],
      instanceType: "t3.large",
      validationWindowHours: 1,
    });
    // The backup job rule stays the main one, whatever the restore test rule's id sorts as.
    expect(tested.alerts).toMatchObject({ ruleName: "vss-backup-prod-backup-alerts", failedRestoreTests: true });
    expect(postureOf(synthesized("prod")).restoreTesting).toBeUndefined();
  });

  it("finds that removing restore testing weakens protection", () => {
    const base = postureOf(synthesized("prod", withChange("prod", { restoreTesting })));
    expect(weakeningsOf(base, postureOf(synthesized("prod")))).toEqual([
      "removes restore testing (plan `vss_backup_prod_restore_test`, every Sunday at 04:00 UTC): nothing shows any more that the backups restore",
    ]);
  });

  it("predicts that renaming the restore testing plan replaces it (its name forces replacement)", () => {
    const base = synthesized("prod", withChange("prod", { restoreTesting }));
    const head = synthesized("prod", withChange("prod", { restoreTesting: { ...restoreTesting, planName: "weekly" } }));
    expect(
      changesFromSynth(base, head)
        .filter((c) => c.type.startsWith("aws_backup_restore_testing"))
        .map((c) => [c.type, c.action, c.forcedBy]),
    ).toEqual([["aws_backup_restore_testing_plan", "replace", ["name"]]]);
  });

  it("reads the audit framework's controls with their parameters, and its report plan", () => {
    const audited = withChange("dev", {
      audit: { report: { bucketName: "dev-reports", formats: ["JSON"] } },
      vault: { lock: false },
    });
    expect(postureOf(synthesized("dev", audited)).audit).toEqual({
      frameworkName: "vss_backup_dev_vss",
      controls: [
        { name: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", parameters: {} },
        {
          name: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
          parameters: { requiredFrequencyUnit: "days", requiredFrequencyValue: "1", requiredRetentionDays: "7" },
        },
        { name: "BACKUP_RECOVERY_POINT_ENCRYPTED", parameters: {} },
      ],
      report: {
        name: "vss_backup_dev_vss_report",
        template: "CONTROL_COMPLIANCE_REPORT",
        bucketName: "dev-reports",
        formats: ["JSON"],
      },
    });
    expect(postureOf(synthesized("dev")).audit).toBeUndefined();
  });

  it("finds that removing the audit framework, or one of its controls, weakens protection", () => {
    const audited = postureOf(synthesized("dev", withChange("dev", { audit: {} })));
    expect(weakeningsOf(audited, postureOf(synthesized("dev")))).toEqual([
      "removes the audit framework `vss_backup_dev_vss`: no control reports a vault, lock or plan that drifts",
    ]);
    const lockless = postureOf(synthesized("dev", withChange("dev", { audit: {}, vault: { lock: false } })));
    expect(weakeningsOf(audited, lockless)).toEqual([
      "removes the governance vault lock (7-7 days)",
      "drops the audit control BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK from `vss_backup_dev_vss`",
    ]);
  });

  it("finds that removing the copy to a second region weakens protection", () => {
    const base = postureOf(synthesized("prod", withChange("prod", { disasterRecovery: { region: "eu-west-1" } })));
    expect(weakeningsOf(base, postureOf(synthesized("prod")))).toEqual([
      "removes the copy to vss-backup-prod-dr in eu-west-1: a region outage takes the only copy",
    ]);
  });

  it("reads the vault's lock and deletion guard", () => {
    const guarded = withChange("dev", {
      vault: {
        lock: { mode: "compliance", changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 30 },
        deletionGuard: { exemptRoleArns: ["arn:aws:iam::111111111111:role/break-glass"] },
      },
    });
    const posture = postureOf(synthesized("dev", guarded));
    expect(posture.lock).toEqual({
      mode: "compliance",
      minRetentionDays: 1,
      maxRetentionDays: 30,
      changeableForDays: 3,
    });
    expect(posture.deletionGuard).toEqual({ exemptRoleArns: ["arn:aws:iam::111111111111:role/break-glass"] });
    expect(postureOf(synthesized("dev")).lock).toEqual({
      mode: "governance",
      minRetentionDays: 7,
      maxRetentionDays: 7,
      changeableForDays: undefined,
    });
  });

  it.each<[string, Parameters<typeof withChange>[1], Parameters<typeof withChange>[1], string[]]>([
    ["a lock removed", {}, { vault: { lock: false } }, ["removes the governance vault lock (7-7 days)"]],
    [
      "a range narrowed (the lock replaced)",
      { vault: { lock: { minRetentionDays: 1, maxRetentionDays: 30 } } },
      { vault: { lock: { minRetentionDays: 1, maxRetentionDays: 10 } } },
      [
        "replaces the vault lock (governance, 1-30 days → governance, 1-10 days): every lock argument forces replacement, and a compliance lock past its cooling-off period cannot be replaced, so the apply fails",
        "narrows what the vault lock keeps: 1-30 days → 1-10 days",
      ],
    ],
    [
      "the Deny on deleting recovery points gone",
      { vault: { deletionGuard: { exemptRoleArns: ["arn:aws:iam::111111111111:role/break-glass"] } } },
      {},
      ["removes the vault policy's Deny on deleting recovery points: any administrator can delete them again"],
    ],
  ])("finds that %s weakens protection", (_, before, after, expected) => {
    const base = postureOf(synthesized("dev", withChange("dev", before)));
    expect(weakeningsOf(base, postureOf(synthesized("dev", withChange("dev", after))))).toEqual(expected);
  });

  it("finds that an alert rule which stops catching the VSS fallback weakens protection", () => {
    const base = postureOf(synthesized("dev"));
    const head = { ...base, alerts: { ...base.alerts!, catchesVssFallback: false } };
    expect(weakeningsOf(base, head)).toEqual([
      "the alert rule `vss-backup-dev-backup-alerts` no longer catches COMPLETED jobs with a status message: a VSS fallback to crash-consistent goes unreported",
    ]);
  });

  it("finds added and removed resources between two stacks", () => {
    const managed = synthesized("dev");
    const inline = synthesized("dev", withChange("dev", { instanceRole: { policyMode: "inline" } }));
    const changes = changesFromSynth(managed, inline);
    expect(changes.filter((c) => c.action === "create").map((c) => c.type)).toEqual([
      "aws_iam_role_policy",
      "aws_iam_role_policy",
    ]);
    expect(changes.filter((c) => c.action === "delete").map((c) => c.type)).toEqual([
      "aws_iam_role_policy_attachment",
      "aws_iam_role_policy_attachment",
    ]);
  });
});

describe("renderReview", () => {
  const markdown = renderReview(
    [
      { name: "dev", posture: postureOf(synthesized("dev")) },
      {
        name: "prod",
        posture: postureOf(synthesized("prod")),
        changes: changesFromPlan(planFixture),
        changesFrom: "plan",
      },
    ],
    today,
  );

  it("shows each environment's audit framework, its controls and report, or that there is none", () => {
    expect(markdown).toContain("- **Audit:** none: no framework reports drift of the plan, vault or lock");
    const audited = renderReview(
      [
        {
          name: "dev",
          posture: postureOf(
            synthesized("dev", withChange("dev", { audit: { report: { bucketName: "dev-reports" } } })),
          ),
        },
      ],
      today,
    );
    expect(audited).toContain(
      "- **Audit:** framework `vss_backup_dev_vss` (needs AWS Config recording): BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN, BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK (requiredFrequencyUnit=days, requiredFrequencyValue=1, requiredRetentionDays=7), BACKUP_RECOVERY_POINT_ENCRYPTED, BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK; CONTROL_COMPLIANCE_REPORT daily to s3://dev-reports (CSV)",
    );
  });

  it("starts with the marker the workflow updates its one comment by", () => {
    expect(markdown.startsWith(`${REVIEW_MARKER}\n# Windows VSS backup review`)).toBe(true);
  });

  it("calls out replaced and destroyed vaults and selections at the top, before any environment", () => {
    const top = markdown.slice(0, markdown.indexOf("## dev"));
    expect(top).toContain("> [!WARNING]");
    expect(top).toContain(
      "> - **prod**: replaces `aws_backup_selection.selection_9C14B5B8`: instances are not selected between destroy and create",
    );
    expect(top).toContain("> - **prod**: replaces `aws_backup_vault.vault_BBE00A92`");
    expect(top).not.toContain("aws_iam_role_policy_attachment");
  });

  it("summarises the plan and explains that a selection is replaced on any change", () => {
    expect(markdown).toContain("**Changes** (from the plan): 1 to add, 1 to change, 2 to replace, 1 to destroy.");
    expect(markdown).toContain("- `aws_backup_selection`: every argument (any change replaces it)");
    expect(markdown).toContain(
      "A backup selection is replaced on any change: between its destroy and create, no instance is selected",
    );
  });

  it("shows restore testing, or says plainly that there is none", () => {
    const tested = postureOf(
      synthesized(
        "prod",
        withChange("prod", {
          restoreTesting: {
            schedule: "cron(0 4 ? * SUN *)",
            timezone: "Europe/Berlin",
            subnetId: "subnet-0a1b2c3d4e5f60718",
            securityGroupIds: ["sg-0123456789abcdef0", "sg-0fedcba987654321f"],
            validationWindowHours: 6,
          },
        }),
      ),
    );
    const section = renderReview([{ name: "prod", posture: tested }], today);
    expect(section).toContain(
      "- **Restore testing:** plan `vss_backup_prod_restore_test` every Sunday at 04:00 Europe/Berlin: the latest recovery point of the last 30 days from vault vss-backup-prod (this stack), restored into subnet-0a1b2c3d4e5f60718 (sg-0123456789abcdef0, sg-0fedcba987654321f) as the backed-up instance type, kept 6 hours, then deleted by AWS",
    );
    expect(section).toContain("failed restore tests) to topic vss-backup-prod-backup-alerts");
    expect(markdown).toContain(
      "- **Restore testing:** none: nothing shows that the backups restore until they are needed",
    );
  });

  it("shows each rule's schedule in words, its timezone and retention", () => {
    expect(markdown).toContain(
      "| weekly | every Sunday at 02:00 Europe/Berlin | `cron(0 2 ? * SUN *)` Europe/Berlin | 90 days | none | none |",
    );
    expect(markdown).toContain("- **Protected:** EC2 instances tagged `Backup=windows-vss`");
    expect(markdown).toContain("_No base given: changes not computed._");
  });

  it("draws a Mermaid retention timeline per environment, cold storage marked critical", () => {
    expect(markdown).toContain("```mermaid\ngantt\n    title prod: how long a backup taken on 2026-11-25 is kept");
    expect(markdown).toContain("    section monthly\n    vault kept 365 d :2026-11-25, 365d");
    const cold = renderReview(
      [
        {
          name: "qa",
          posture: postureOf(
            synthesized(
              "dev",
              withChange("dev", {
                plan: {
                  rules: [
                    { name: "daily", schedule: "cron(0 5 ? * * *)", deleteAfterDays: 120, coldStorageAfterDays: 30 },
                  ],
                },
              }),
            ),
          ),
        },
      ],
      today,
    );
    expect(cold).toContain("    vault warm 30 d :2026-11-25, 30d\n    vault cold 90 d :crit, 2026-12-25, 90d");
  });
});
