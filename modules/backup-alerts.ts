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

/**
 * What AWS Backup sends EventBridge when a restore test of an EC2 instance did not restore: a
 * "Restore Job State Change" (whose field is `status`, not `state`) that FAILED or was ABORTED and
 * carries `restoreTestingPlanArn`, which AWS includes only for the jobs of a restore testing plan (an
 * operator's own restores are not alerted). AWS documents no event for a validation result
 * (PutRestoreValidationResult), so a failed validation is not alerted.
 */
export const FAILED_RESTORE_TEST_EVENT_PATTERN = {
  source: ["aws.backup"],
  "detail-type": ["Restore Job State Change"],
  detail: { resourceType: ["EC2"], status: ["FAILED", "ABORTED"], restoreTestingPlanArn: [{ exists: true }] },
} as const;

/** The restore event fields each restore test message quotes, by placeholder. */
export const RESTORE_TEST_INPUT_PATHS = {
  job: "$.detail.restoreJobId",
  status: "$.detail.status",
  recoveryPoint: "$.resources[0]",
  plan: "$.detail.restoreTestingPlanArn",
  message: "$.detail.statusMessage",
  time: "$.time",
} as const;

/** The restore test rule is named after the alert rule, with this suffix. */
export const RESTORE_TEST_RULE_SUFFIX = "-restore-tests";

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

/** The message of a failed restore test: plain text (a JSON string), not the raw event. */
export function restoreTestAlertTemplate(subject: string): string {
  return JSON.stringify(
    `AWS Backup, ${subject}: the restore test <job> of recovery point <recoveryPoint> is <status>` +
      ` (plan <plan>, <time>): the backups of this instance may not restore. AWS says: <message>`,
  );
}

/**
 * The organization's central event bus, in another account: each matched event is put on it as it
 * is (no message template), so that the bus's own rule matches it with the same pattern.
 */
export interface CentralBusTarget {
  /** arn:aws:events:<region>:<account>:event-bus/<name> */
  readonly busArn: string;
  /** The role EventBridge assumes to put the events there: EventBridge requires one for another account's bus. */
  readonly roleArn: string;
}

export interface VssBackupAlertRules {
  /** 1-64 of A-Z a-z 0-9 . - _. */
  readonly ruleName: string;
  /** What each message says is backed up, e.g. "environment prod" (1-100 of A-Z a-z 0-9 space . _ -). */
  readonly subject: string;
  /**
   * Also alert on EC2 restore tests that FAILED or were ABORTED, through a second rule
   * `<ruleName>-restore-tests` with its own message. @default false
   */
  readonly failedRestoreTests?: boolean;
  /** The event bus the rules are on. @default the account's default bus (where AWS Backup's events arrive) */
  readonly eventBusName?: string;
}

/** Where the alerts go: a topic in the rule's region (as messages), or the organization's central bus (as events). */
export type AlertDestination =
  | { readonly topic: IAlertTopic; readonly forwardTo?: never }
  | { readonly forwardTo: CentralBusTarget; readonly topic?: never };

export type VssBackupAlertsProps = VssBackupAlertRules & AlertDestination;

export function vssBackupAlertsProblems(props: Omit<VssBackupAlertRules, "eventBusName">): Problems {
  const problems = new Problems();
  if (!RULE_NAME.test(props.ruleName)) {
    problems.add(
      "ruleName",
      `${JSON.stringify(props.ruleName)} is not a rule name, allowed: 1-64 of A-Z a-z 0-9 . - _`,
    );
  } else if (props.failedRestoreTests && !RULE_NAME.test(`${props.ruleName}${RESTORE_TEST_RULE_SUFFIX}`)) {
    problems.add(
      "ruleName",
      `${JSON.stringify(props.ruleName)} leaves no room for the restore test rule "${props.ruleName}${RESTORE_TEST_RULE_SUFFIX}", allowed: at most ${64 - RESTORE_TEST_RULE_SUFFIX.length} characters`,
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
 * readable message on the topic, and with `failedRestoreTests` a second one for failed restore
 * tests; only these rules may publish to the topic. With `forwardTo`, the rules put the events they
 * match on the organization's central bus instead, whose own alerts turn them into messages.
 */
export class VssBackupAlerts extends Construct {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** The topic's or the central bus's ARN. */
  readonly targetArn: string;

  constructor(scope: Construct, id: string, props: VssBackupAlertsProps) {
    super(scope, id);
    throwIfAny(`VssBackupAlerts ${this.node.path}`, vssBackupAlertsProblems(props).all);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: `AWS Backup EC2 jobs that failed or fell back to crash-consistent (${props.subject})`,
      eventBusName: props.eventBusName,
      eventPattern: JSON.stringify(VSS_FALLBACK_EVENT_PATTERN),
      state: "ENABLED",
    });
    this.send("target", rule, props, {
      inputPaths: { ...ALERT_INPUT_PATHS },
      inputTemplate: alertTemplate(props.subject),
    });
    const rules = [rule.arn];
    if (props.failedRestoreTests) {
      const restoreRule = new CloudwatchEventRule(this, "restore-test-rule", {
        name: `${props.ruleName}${RESTORE_TEST_RULE_SUFFIX}`,
        description: `AWS Backup EC2 restore tests that failed (${props.subject})`,
        eventBusName: props.eventBusName,
        eventPattern: JSON.stringify(FAILED_RESTORE_TEST_EVENT_PATTERN),
        state: "ENABLED",
      });
      this.send("restore-test-target", restoreRule, props, {
        inputPaths: { ...RESTORE_TEST_INPUT_PATHS },
        inputTemplate: restoreTestAlertTemplate(props.subject),
      });
      rules.push(restoreRule.arn);
    }
    props.topic?.allowPublishingByRules(rules);
    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.targetArn = props.topic ? props.topic.topicArn : props.forwardTo.busArn;
  }

  /** The rule's target: the topic with the message `transformer` makes, or the central bus with the event as it is. */
  private send(
    id: string,
    rule: CloudwatchEventRule,
    props: VssBackupAlertsProps,
    transformer: { inputPaths: Record<string, string>; inputTemplate: string },
  ): void {
    const common = { rule: rule.name, eventBusName: props.eventBusName };
    if (props.topic)
      new CloudwatchEventTarget(this, id, {
        ...common,
        targetId: "alert-topic",
        arn: props.topic.topicArn,
        inputTransformer: transformer,
      });
    else
      new CloudwatchEventTarget(this, id, {
        ...common,
        targetId: "central-bus",
        arn: props.forwardTo.busArn,
        roleArn: props.forwardTo.roleArn,
      });
  }
}
