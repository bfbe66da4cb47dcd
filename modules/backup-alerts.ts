import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";
import type { IAlertTopic } from "./alert-topic";
import { Problems, throwIfAny } from "./validation";

/**
 * What AWS Backup sends EventBridge when an EC2 backup did not give an application-consistent
 * recovery point: a job that FAILED, was ABORTED or EXPIRED, or one that COMPLETED with a status
 * message. The last is the VSS fallback: AWS Backup then took a crash-consistent backup and reports
 * it as COMPLETED ("Completed with issues" in the console); AWS documents watching COMPLETED jobs
 * that have a status message for it. A clean COMPLETED job carries no status message.
 */
export const VSS_FALLBACK_EVENT_PATTERN = {
  source: ["aws.backup"],
  "detail-type": ["Backup Job State Change"],
  detail: {
    resourceType: ["EC2"],
    $or: [{ state: ["FAILED", "ABORTED", "EXPIRED"] }, { state: ["COMPLETED"], statusMessage: [{ exists: true }] }],
  },
} as const;

/** The event fields each message quotes, by placeholder. */
export const ALERT_INPUT_PATHS = {
  job: "$.detail.backupJobId",
  state: "$.detail.state",
  resource: "$.detail.resourceArn",
  message: "$.detail.statusMessage",
  vault: "$.detail.backupVaultName",
  time: "$.time",
} as const;

/** Words naming what is backed up, put into every message: no quotes, angle brackets or template characters. */
const SUBJECT = /^[A-Za-z0-9 ._-]{1,100}$/;
/** EventBridge rule names: 1-64 of A-Z a-z 0-9 . - _. */
const RULE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The message template: plain text (a JSON string), not the raw event. */
export function alertTemplate(subject: string): string {
  return JSON.stringify(
    `AWS Backup, ${subject}: the VSS backup job <job> of <resource> is <state>` +
      ` (vault <vault>, <time>). AWS says: <message>. A COMPLETED job with a message is a crash-consistent` +
      ` backup, not an application-consistent one.`,
  );
}

export interface VssBackupAlertsProps {
  /** 1-64 of A-Z a-z 0-9 . - _. */
  readonly ruleName: string;
  /** What each message says is backed up, e.g. "environment prod" (1-100 of A-Z a-z 0-9 space . _ -). */
  readonly subject: string;
  /** Where alerts go: a topic in the rule's region. */
  readonly topic: IAlertTopic;
}

export function vssBackupAlertsProblems(props: Omit<VssBackupAlertsProps, "topic">): Problems {
  const problems = new Problems();
  if (!RULE_NAME.test(props.ruleName)) {
    problems.add(
      "ruleName",
      `${JSON.stringify(props.ruleName)} is not a rule name, allowed: 1-64 of A-Z a-z 0-9 . - _`,
    );
  }
  if (!SUBJECT.test(props.subject)) {
    problems.add(
      "subject",
      `${JSON.stringify(props.subject)} is not allowed, allowed: 1-100 of A-Z a-z 0-9 space . _ -`,
    );
  }
  return problems;
}

/**
 * An EventBridge rule that turns every EC2 backup without an application-consistent result into a
 * readable message on the topic, which only this rule may publish to.
 */
export class VssBackupAlerts extends Construct {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: VssBackupAlertsProps) {
    super(scope, id);
    throwIfAny(`VssBackupAlerts ${this.node.path}`, vssBackupAlertsProblems(props).all);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: `AWS Backup EC2 jobs that failed or fell back to crash-consistent (${props.subject})`,
      eventPattern: JSON.stringify(VSS_FALLBACK_EVENT_PATTERN),
      state: "ENABLED",
    });
    new CloudwatchEventTarget(this, "target", {
      rule: rule.name,
      targetId: "alert-topic",
      arn: props.topic.topicArn,
      inputTransformer: { inputPaths: { ...ALERT_INPUT_PATHS }, inputTemplate: alertTemplate(props.subject) },
    });
    props.topic.allowPublishingByRule(rule.arn);
    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.topicArn = props.topic.topicArn;
  }
}
