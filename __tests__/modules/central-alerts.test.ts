import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  alertForwarderRoleArn,
  KeyUsers,
  VssAlertForwarder,
  VssAlertTopic,
  VssBackupAlerts,
  VssCentralAlertBus,
  VssCentralAlertBusProps,
  vssAlertForwarderProblems,
  VssKmsKey,
} from "../../modules";
import { backupJobEvent, judgeEvents, restoreJobEvent } from "../support/event-engine";
import { iamPolicyOf, simulate } from "../support/iam";
import {
  CENTRAL_BUS_ARN,
  MANAGEMENT_ACCOUNT,
  ORGANIZATION_ID,
  PROD_ACCOUNT,
} from "../support/organization-stack-fixtures";
import { addressOf, referencedPolicyDocument, resources, SynthesizedStack, synthesize, theResource } from "../synth";

const FORWARDER_ARN = `arn:aws:iam::${PROD_ACCOUNT}:role/vss-backup-alerts-forwarder`;

function centralStack(change: Partial<VssCentralAlertBusProps> = {}): SynthesizedStack {
  return synthesize((scope) => {
    const key = new VssKmsKey(scope, "key", {
      alias: "alias/org-alerts",
      description: "alerts",
      account: MANAGEMENT_ACCOUNT,
      users: [KeyUsers.EVENTBRIDGE_TO_ENCRYPTED_TOPIC],
    });
    const topic = new VssAlertTopic(scope, "topic", { name: "org-alerts", key });
    new VssCentralAlertBus(scope, "central", {
      busName: "vss-backup-alerts",
      ruleName: "org-alerts",
      organizationId: ORGANIZATION_ID,
      subject: `organization ${ORGANIZATION_ID}`,
      topic,
      ...change,
    });
  });
}

/** A member's alerts forwarding to the central bus through a forwarding role it creates. */
function memberStack(): SynthesizedStack {
  return synthesize((scope) => {
    const forwarder = new VssAlertForwarder(scope, "forwarder", { account: PROD_ACCOUNT, busArn: CENTRAL_BUS_ARN });
    new VssBackupAlerts(scope, "alerts", {
      ruleName: "member-alerts",
      subject: "environment prod",
      failedRestoreTests: true,
      forwardTo: forwarder.target,
    });
  });
}

const busAddress = (stack: SynthesizedStack) =>
  `aws_cloudwatch_event_bus.${Object.keys(stack.resource!.aws_cloudwatch_event_bus)[0]}`;

describe("VssCentralAlertBus: the bus policy, judged by the IAM policy simulator", () => {
  let busPolicy: object;
  let forwarderPolicy: object;
  beforeEach(() => {
    const stack = centralStack();
    const document = referencedPolicyDocument(stack, theResource(stack, CloudwatchEventBusPolicy).policy);
    busPolicy = iamPolicyOf(document, { [`${busAddress(stack)}.arn`]: CENTRAL_BUS_ARN });
    const member = memberStack();
    forwarderPolicy = iamPolicyOf(referencedPolicyDocument(member, theResource(member, IamRolePolicy).policy));
  });
  const putEvents = (principal: string, orgId: string, identityPolicy: object = forwarderPolicy) =>
    simulate(busPolicy, {
      principal,
      action: "events:PutEvents",
      resource: CENTRAL_BUS_ARN,
      account: MANAGEMENT_ACCOUNT,
      context: { "aws:PrincipalOrgID": orgId },
      identityPolicy,
    });

  it("lets a member account's forwarding role put events on the bus", async () => {
    await expect(putEvents(FORWARDER_ARN, ORGANIZATION_ID)).resolves.toBe("Allowed");
  });

  it("refuses the same role of an account outside the organization", async () => {
    await expect(putEvents("arn:aws:iam::999999999999:role/vss-backup-alerts-forwarder", "o-zzzzzzzzzz")).resolves.toBe(
      "ImplicitlyDenied",
    );
  });

  it("grants the organization nothing but events:PutEvents on this bus", async () => {
    const admin = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:*", Resource: "*" }] };
    const request = { principal: FORWARDER_ARN, account: MANAGEMENT_ACCOUNT, identityPolicy: admin };
    const context = { "aws:PrincipalOrgID": ORGANIZATION_ID };
    await expect(
      simulate(busPolicy, { ...request, action: "events:DescribeEventBus", resource: CENTRAL_BUS_ARN, context }),
    ).resolves.toBe("ImplicitlyDenied");
    await expect(
      simulate(busPolicy, {
        ...request,
        action: "events:PutEvents",
        resource: `arn:aws:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/default`,
        context,
      }),
    ).resolves.toBe("ImplicitlyDenied");
  });
});

describe("VssCentralAlertBus: the rules on the bus", () => {
  let stack: SynthesizedStack;
  beforeEach(() => (stack = centralStack()));

  it("creates the bus under its name, and puts both alert rules on it", () => {
    expect(theResource(stack, CloudwatchEventBus)).toEqual({ name: "vss-backup-alerts" });
    const bus = `\${${busAddress(stack)}.name}`;
    expect(
      resources(stack, CloudwatchEventRule)
        .map((r) => [r.name, r.event_bus_name])
        .sort(),
    ).toEqual([
      ["org-alerts", bus],
      ["org-alerts-restore-tests", bus],
    ]);
    expect(resources(stack, CloudwatchEventTarget).map((t) => t.event_bus_name)).toEqual([bus, bus]);
  });

  it("matches a member's forwarded events (their own account, same source) with the single-account patterns (moto's engine)", () => {
    const rule = (name: string) => resources(stack, CloudwatchEventRule).find((r) => r.name === name)!;
    const [jobRule, restoreRule] = [rule("org-alerts"), rule("org-alerts-restore-tests")];
    const fromMember = (event: Record<string, unknown>) => ({ ...event, account: PROD_ACCOUNT });
    expect(
      judgeEvents(String(jobRule.event_pattern), [
        fromMember(backupJobEvent({ state: "FAILED" })),
        fromMember(backupJobEvent({ state: "COMPLETED", statusMessage: "Windows VSS Backup Job Error encountered" })),
        fromMember(backupJobEvent({ state: "COMPLETED" })),
      ]).matches,
    ).toEqual([true, true, false]);
    expect(judgeEvents(String(restoreRule.event_pattern), [fromMember(restoreJobEvent({}))]).matches).toEqual([true]);
  });

  it("sends readable messages naming the organization to the central topic, which only these rules may publish to", () => {
    const [jobRuleId] = Object.entries(stack.resource!.aws_cloudwatch_event_rule).find(
      ([, r]) => r.name === "org-alerts",
    )!;
    const target = resources(stack, CloudwatchEventTarget).find(
      (t) => addressOf(t.rule) === `aws_cloudwatch_event_rule.${jobRuleId}`,
    )!;
    expect(addressOf(target.arn)).toBe(`aws_sns_topic.${Object.keys(stack.resource!.aws_sns_topic)[0]}`);
    const transformer = target.input_transformer as { input_paths: Record<string, string>; input_template: string };
    const [rendered] = judgeEvents("{}", [{ ...backupJobEvent({ state: "FAILED" }), account: PROD_ACCOUNT }], {
      inputPaths: transformer.input_paths,
      inputTemplate: transformer.input_template,
    }).rendered;
    expect(rendered).toMatch(/^AWS Backup, organization o-a1b2c3d4e5: the VSS backup job /);
    const topicPolicy = referencedPolicyDocument(stack, theResource(stack, "aws_sns_topic_policy").policy);
    const [statement] = topicPolicy.statement as { condition: { values: string[] }[] }[];
    const rules = Object.keys(stack.resource!.aws_cloudwatch_event_rule).map(
      (id) => `\${aws_cloudwatch_event_rule.${id}.arn}`,
    );
    expect([...statement.condition[0].values].sort()).toEqual(rules.sort());
  });

  it.each<[string, Partial<VssCentralAlertBusProps>, string]>([
    ["the default bus", { busName: "default" }, 'busName: "default" is not an event bus name'],
    ["a bus name with a slash", { busName: "org/alerts" }, 'busName: "org/alerts" is not an event bus name'],
    [
      "an organization ID without o-",
      { organizationId: "a1b2c3d4e5" },
      'organizationId: "a1b2c3d4e5" is not an organization ID, allowed: o- and 10-32 of a-z 0-9',
    ],
  ])("rejects %s", (_, change, message) => {
    expect(() => centralStack(change)).toThrow(message);
  });
});

describe("VssAlertForwarder and the member's forwarding rules", () => {
  let stack: SynthesizedStack;
  beforeEach(() => (stack = memberStack()));

  it("creates a role only EventBridge acting for this account may assume", () => {
    const role = theResource(stack, IamRole);
    expect(role.name).toBe("vss-backup-alerts-forwarder");
    expect(referencedPolicyDocument(stack, role.assume_role_policy).statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [PROD_ACCOUNT] }],
      },
    ]);
  });

  it("allows the role events:PutEvents on the central bus and nothing else (IAM policy simulator)", async () => {
    const policy = iamPolicyOf(referencedPolicyDocument(stack, theResource(stack, IamRolePolicy).policy));
    // A bus whose own policy admits the whole organization to everything: only the role's policy limits it.
    const openBus = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "events:*",
          Resource: "*",
          Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION_ID } },
        },
      ],
    };
    const asForwarder = (action: string, resource: string) =>
      simulate(openBus, {
        principal: FORWARDER_ARN,
        action,
        resource,
        account: MANAGEMENT_ACCOUNT,
        context: { "aws:PrincipalOrgID": ORGANIZATION_ID },
        identityPolicy: policy,
      });
    await expect(asForwarder("events:PutEvents", CENTRAL_BUS_ARN)).resolves.toBe("Allowed");
    await expect(
      asForwarder("events:PutEvents", `arn:aws:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/default`),
    ).resolves.toBe("ImplicitlyDenied");
    await expect(asForwarder("events:DescribeEventBus", CENTRAL_BUS_ARN)).resolves.toBe("ImplicitlyDenied");
  });

  it("forwards both rules' events as they are (no message template) to the bus, with the role", () => {
    const role = `\${aws_iam_role.${Object.keys(stack.resource!.aws_iam_role)[0]}.arn}`;
    expect(resources(stack, CloudwatchEventTarget).map((t) => ({ ...t, rule: undefined }))).toEqual([
      { rule: undefined, target_id: "central-bus", arn: CENTRAL_BUS_ARN, role_arn: role },
      { rule: undefined, target_id: "central-bus", arn: CENTRAL_BUS_ARN, role_arn: role },
    ]);
    expect(resources(stack, "aws_sns_topic_policy")).toEqual([]);
  });

  it("names the role the other regions' stacks use without creating it", () => {
    expect(VssAlertForwarder.existing({ account: PROD_ACCOUNT, busArn: CENTRAL_BUS_ARN })).toEqual({
      busArn: CENTRAL_BUS_ARN,
      roleArn: FORWARDER_ARN,
    });
    expect(alertForwarderRoleArn(PROD_ACCOUNT, CENTRAL_BUS_ARN)).toBe(FORWARDER_ARN);
  });

  it.each<[string, string, string, string]>([
    ["a short account ID", "4444", CENTRAL_BUS_ARN, 'account: "4444" is not an AWS account ID, allowed: 12 digits'],
    [
      "a topic ARN for a bus",
      PROD_ACCOUNT,
      `arn:aws:sns:eu-west-1:${MANAGEMENT_ACCOUNT}:alerts`,
      `busArn: "arn:aws:sns:eu-west-1:${MANAGEMENT_ACCOUNT}:alerts" is not an event bus ARN, allowed: arn:aws:events:<region>:<account>:event-bus/<name>`,
    ],
    [
      "a bus name too long for the role named after it",
      PROD_ACCOUNT,
      `arn:aws:events:eu-west-1:${MANAGEMENT_ACCOUNT}:event-bus/${"b".repeat(60)}`,
      `busArn: "${"b".repeat(60)}-forwarder" has 70 characters, allowed: 1-64 of A-Z a-z 0-9 + = , . @ - _`,
    ],
  ])("rejects %s", (_, account, busArn, message) => {
    expect(vssAlertForwarderProblems({ account, busArn }).all.map((p) => `${p.path}: ${p.message}`)).toEqual([message]);
  });
});
