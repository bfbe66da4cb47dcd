import {
  existingTopicArnProblem,
  KeyUsers,
  topicArnOf,
  VssAlertTopic,
  VssAlertTopicProps,
  VssBackupAlerts,
  VssBackupAlertRules,
  VssKmsKey,
} from "../../modules";
import { backupJobEvent, judgeEvents, restoreJobEvent } from "../support/event-engine";
import { iamPolicyOf, simulate } from "../support/iam";
import { addressOf, referencedPolicyDocument, resources, SynthesizedStack, synthesize, theResource } from "../synth";

const ACCOUNT = "111111111111";
const TOPIC_ARN = `arn:aws:sns:eu-west-1:${ACCOUNT}:fleet-alerts`;
const RULE_ARN = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/fleet-alerts`;

function synthesizedAlerts(
  topicProps: Partial<Omit<VssAlertTopicProps, "key">> = {},
  alertProps: Partial<VssBackupAlertRules> = {},
) {
  return synthesize((scope) => {
    const key = new VssKmsKey(scope, "key", {
      alias: "alias/fleet-alerts",
      description: "alerts",
      account: ACCOUNT,
      users: [KeyUsers.EVENTBRIDGE_TO_ENCRYPTED_TOPIC],
    });
    const topic = new VssAlertTopic(scope, "topic", { name: "fleet-alerts", key, ...topicProps });
    new VssBackupAlerts(scope, "alerts", {
      ruleName: "fleet-alerts",
      subject: "environment prod",
      topic,
      ...alertProps,
    });
  });
}

const FALLBACK = "Windows VSS Backup Job Error encountered, trying for regular backup";

describe("VssBackupAlerts: the event pattern, judged by moto's EventBridge pattern engine", () => {
  let rule: Record<string, unknown>;
  beforeEach(() => (rule = theResource(synthesizedAlerts(), "aws_cloudwatch_event_rule")));
  const matches = (...events: Record<string, unknown>[]) => judgeEvents(String(rule.event_pattern), events).matches;

  it("matches an EC2 backup job that FAILED, was ABORTED or EXPIRED", () => {
    expect(
      matches(
        backupJobEvent({ state: "FAILED", statusMessage: "Instance is not in state running" }),
        backupJobEvent({ state: "ABORTED" }),
        backupJobEvent({ state: "EXPIRED", statusMessage: "Backup job expired before completion." }),
      ),
    ).toEqual([true, true, true]);
  });

  it("matches an EC2 job that COMPLETED with a status message: the crash-consistent VSS fallback", () => {
    expect(matches(backupJobEvent({ state: "COMPLETED", statusMessage: FALLBACK }))).toEqual([true]);
  });

  it("does not match a clean COMPLETED job, a job still running, or another resource type's failure", () => {
    expect(
      matches(
        backupJobEvent({ state: "COMPLETED" }),
        backupJobEvent({ state: "RUNNING" }),
        backupJobEvent({ state: "FAILED", resourceType: "EBS", resourceArn: "arn:aws:ec2:eu-west-1:1:volume/vol-1" }),
      ),
    ).toEqual([false, false, false]);
  });

  it("does not match a copy job's or another source's event of the same shape", () => {
    const copy = { ...backupJobEvent({ state: "FAILED" }), "detail-type": "Copy Job State Change" };
    const other = { ...backupJobEvent({ state: "FAILED" }), source: "aws.ec2" };
    expect(matches(copy, other)).toEqual([false, false]);
  });

  it("is enabled, in the region of its provider (no region of its own)", () => {
    expect(rule).toMatchObject({ name: "fleet-alerts", state: "ENABLED" });
  });
});

describe("VssBackupAlerts: failed restore tests, judged by moto's EventBridge pattern engine", () => {
  let stack: SynthesizedStack;
  let rule: Record<string, unknown>;
  beforeEach(() => {
    stack = synthesizedAlerts({}, { failedRestoreTests: true });
    rule = resources(stack, "aws_cloudwatch_event_rule").find((r) => r.name === "fleet-alerts-restore-tests")!;
  });
  const matches = (...events: Record<string, unknown>[]) => judgeEvents(String(rule.event_pattern), events).matches;

  it("matches an EC2 restore test that FAILED or was ABORTED", () => {
    expect(matches(restoreJobEvent({}), restoreJobEvent({ status: "ABORTED" }))).toEqual([true, true]);
  });

  it("does not match a COMPLETED or RUNNING test, an operator's own failed restore, or another resource type", () => {
    const own = restoreJobEvent({});
    delete (own.detail as Record<string, unknown>).restoreTestingPlanArn;
    expect(
      matches(
        restoreJobEvent({ status: "COMPLETED", statusMessage: undefined }),
        restoreJobEvent({ status: "RUNNING" }),
        own,
        restoreJobEvent({ resourceType: "EBS" }),
      ),
    ).toEqual([false, false, false, false]);
  });

  it("does not match backup jobs: the first rule's business", () => {
    expect(matches(backupJobEvent({ state: "FAILED" }))).toEqual([false]);
  });

  it("says which environment, test, recovery point and plan, and what AWS said (moto's input transformer)", () => {
    const [ruleId] = Object.entries(stack.resource!.aws_cloudwatch_event_rule).find(([, r]) => r.name === rule.name)!;
    const target = resources(stack, "aws_cloudwatch_event_target").find(
      (t) => addressOf(t.rule) === `aws_cloudwatch_event_rule.${ruleId}`,
    )!;
    const transformer = target.input_transformer as { input_paths: Record<string, string>; input_template: string };
    const [rendered] = judgeEvents("{}", [restoreJobEvent({})], {
      inputPaths: transformer.input_paths,
      inputTemplate: transformer.input_template,
    }).rendered;
    expect(rendered).toBe(
      "AWS Backup, environment prod: the restore test 9C8B7A6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D of recovery point " +
        "arn:aws:ec2:eu-west-1::image/ami-0abc1234def567890 is FAILED (plan " +
        "arn:aws:backup:eu-west-1:111111111111:restore-testing-plan:vss_backup_dev_restore_test-1a2b3c, " +
        "2026-11-29T03:40:00Z): the backups of this instance may not restore. " +
        "AWS says: No subnets found for the default VPC vpc-0abc1234. Please specify a subnet.",
    );
  });

  it("lets both rules publish to the topic, and no other", () => {
    const policy = referencedPolicyDocument(stack, theResource(stack, "aws_sns_topic_policy").policy);
    const rules = Object.keys(stack.resource!.aws_cloudwatch_event_rule).map(
      (id) => `\${aws_cloudwatch_event_rule.${id}.arn}`,
    );
    const [statement] = policy.statement as { condition: { values: string[] }[] }[];
    expect([...statement.condition[0].values].sort()).toEqual(rules.sort());
  });

  it("is not there unless asked for", () => {
    expect(resources(synthesizedAlerts(), "aws_cloudwatch_event_rule").map((r) => r.name)).toEqual(["fleet-alerts"]);
  });

  it("rejects a rule name that leaves no room for the restore test rule's suffix", () => {
    expect(() => synthesizedAlerts({}, { ruleName: "r".repeat(51), failedRestoreTests: true })).toThrow(
      `ruleName: "${"r".repeat(51)}" leaves no room for the restore test rule "${"r".repeat(51)}-restore-tests", allowed: at most 50 characters`,
    );
  });
});

describe("VssBackupAlerts: the message", () => {
  let stack: SynthesizedStack;
  let target: Record<string, unknown>;
  let transformer: { input_paths: Record<string, string>; input_template: string };
  beforeEach(() => {
    stack = synthesizedAlerts();
    target = theResource(stack, "aws_cloudwatch_event_target");
    transformer = target.input_transformer as typeof transformer;
  });
  const render = (event: Record<string, unknown>) =>
    judgeEvents("{}", [event], { inputPaths: transformer.input_paths, inputTemplate: transformer.input_template })
      .rendered[0];

  it("says which environment, instance, job and what AWS said, as plain text (moto's input transformer)", () => {
    expect(render(backupJobEvent({ state: "COMPLETED", statusMessage: FALLBACK }))).toBe(
      "AWS Backup, environment prod: the VSS backup job 3B1E6D2A-5F4C-4E3B-9A8D-7C6B5A4F3E2D of " +
        "arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc1234def567890 is COMPLETED (vault vss-backup-dev, " +
        `2026-11-25T02:14:00Z). AWS says: ${FALLBACK}. A COMPLETED job with a message is a crash-consistent ` +
        "backup, not an application-consistent one.",
    );
  });

  it("goes to the topic, from the rule", () => {
    expect(addressOf(target.arn)).toBe(`aws_sns_topic.${Object.keys(stack.resource!.aws_sns_topic)[0]}`);
    expect(addressOf(target.rule)).toBe(
      `aws_cloudwatch_event_rule.${Object.keys(stack.resource!.aws_cloudwatch_event_rule)[0]}`,
    );
  });

  it.each<[string, Partial<VssBackupAlertRules>, string]>([
    ["a rule name with a space", { ruleName: "fleet alerts" }, 'ruleName: "fleet alerts" is not a rule name'],
    ["a 65-character rule name", { ruleName: "r".repeat(65) }, "is not a rule name, allowed: 1-64"],
    ["a subject with a quote", { subject: 'prod "eu"' }, 'subject: "prod \\"eu\\"" is not allowed'],
    ["a subject with a template character", { subject: "prod <x>" }, 'subject: "prod <x>" is not allowed'],
  ])("rejects %s", (_, props, message) => {
    expect(() => synthesizedAlerts({}, props)).toThrow(message);
  });
});

describe("VssAlertTopic", () => {
  it("encrypts with the customer managed key the stack creates (not alias/aws/sns)", () => {
    const stack = synthesizedAlerts();
    expect(addressOf(theResource(stack, "aws_sns_topic").kms_master_key_id)).toBe(
      `aws_kms_key.${Object.keys(stack.resource!.aws_kms_key)[0]}`,
    );
  });

  it("names the ARN AWS gives a topic of its name, one an existing-topic setting of that place accepts", () => {
    const place = { account: "111111111111", region: "eu-west-1" };
    expect(topicArnOf(place, "vss-backup-dev-backup-alerts")).toBe(
      "arn:aws:sns:eu-west-1:111111111111:vss-backup-dev-backup-alerts",
    );
    expect(existingTopicArnProblem(topicArnOf(place, "alerts"), place)).toBeUndefined();
  });

  it("subscribes each configured address by e-mail, and none by default", () => {
    const subscriptions = resources(
      synthesizedAlerts({ emails: ["ops@example.com", "oncall@example.com"] }),
      "aws_sns_topic_subscription",
    );
    expect(subscriptions.map((s) => [s.protocol, s.endpoint])).toEqual([
      ["email", "ops@example.com"],
      ["email", "oncall@example.com"],
    ]);
    expect(resources(synthesizedAlerts(), "aws_sns_topic_subscription")).toEqual([]);
  });

  describe("its policy, judged by the IAM policy simulator: only this rule publishes", () => {
    const stack = synthesizedAlerts();
    const topicPolicy = theResource(stack, "aws_sns_topic_policy");
    const topicAddress = addressOf(topicPolicy.arn);
    const ruleAddress = `aws_cloudwatch_event_rule.${Object.keys(stack.resource!.aws_cloudwatch_event_rule)[0]}`;
    const policy = iamPolicyOf(referencedPolicyDocument(stack, topicPolicy.policy), {
      [`${topicAddress}.arn`]: TOPIC_ARN,
      [`${ruleAddress}.arn`]: RULE_ARN,
    });
    const publish = (principal: string, sourceArn: string) =>
      simulate(policy, {
        principal,
        action: "sns:Publish",
        resource: TOPIC_ARN,
        account: ACCOUNT,
        context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT },
      });

    it("lets EventBridge publish on behalf of this rule", async () => {
      expect(await publish("events.amazonaws.com", RULE_ARN)).toBe("Allowed");
    });

    it("does not let EventBridge publish for another rule, nor AWS Backup or another account's role", async () => {
      expect(await publish("events.amazonaws.com", `${RULE_ARN}-other`)).toBe("ImplicitlyDenied");
      expect(await publish("backup.amazonaws.com", RULE_ARN)).toBe("ImplicitlyDenied");
      expect(await publish("arn:aws:iam::999999999999:role/Intruder", RULE_ARN)).toBe("ImplicitlyDenied");
    });

    it("is the topic's policy, naming the topic and the rule by reference", () => {
      expect(topicAddress).toBe(`aws_sns_topic.${Object.keys(stack.resource!.aws_sns_topic)[0]}`);
    });
  });

  it("an existing topic keeps its owner's policy: no policy, topic or key is created", () => {
    const stack = synthesize((scope) => {
      new VssBackupAlerts(scope, "alerts", {
        ruleName: "fleet-alerts",
        subject: "environment prod",
        topic: VssAlertTopic.fromTopicArn(TOPIC_ARN),
      });
    });
    expect(Object.keys(stack.resource ?? {}).sort()).toEqual([
      "aws_cloudwatch_event_rule",
      "aws_cloudwatch_event_target",
    ]);
    expect(theResource(stack, "aws_cloudwatch_event_target").arn).toBe(TOPIC_ARN);
  });

  it.each<[string, Partial<Omit<VssAlertTopicProps, "key">>, string]>([
    ["a topic name with a period", { name: "fleet.alerts" }, 'name: "fleet.alerts" is not a topic name'],
    ["an address without @", { emails: ["ops"] }, 'emails[0]: "ops" is not an e-mail address'],
    ["an address twice", { emails: ["a@example.com", "a@example.com"] }, 'emails[1]: "a@example.com" is listed twice'],
  ])("rejects %s", (_, props, message) => {
    expect(() => synthesizedAlerts(props)).toThrow(message);
  });
});
