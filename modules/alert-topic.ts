import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { policyDocument } from "./iam-policies";
import type { VssKmsKey } from "./kms-key";
import { Place, Problems, throwIfAny } from "./validation";

/** A topic alerts go to: one this construct creates, or an existing one (`VssAlertTopic.fromTopicArn`). */
export interface IAlertTopic {
  readonly topicArn: string;
  /**
   * Lets the EventBridge rules `ruleArns` publish, and nothing else (called once). An existing
   * topic's policy is its owner's: this does nothing, and the owner must allow events.amazonaws.com
   * (and, when the topic is encrypted, let EventBridge use its key).
   */
  allowPublishingByRules(ruleArns: readonly string[]): void;
}

export interface VssAlertTopicProps {
  /** 1-256 of A-Z a-z 0-9 - _. */
  readonly name: string;
  /**
   * The customer managed key that encrypts the messages; its policy must let EventBridge use it
   * (KeyUsers.EVENTBRIDGE_TO_ENCRYPTED_TOPIC). The AWS managed key alias/aws/sns cannot: its policy
   * grants EventBridge nothing.
   */
  readonly key: VssKmsKey;
  /** Addresses subscribed by e-mail; each must confirm the subscription AWS mails it. @default none */
  readonly emails?: readonly string[];
}

/** 1-256 of A-Z a-z 0-9 - _ (CreateTopic, standard topics). */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
// What SNS accepts as an e-mail endpoint is not documented as a pattern: one @, no spaces, a dotted domain.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function vssAlertTopicProblems(props: Omit<VssAlertTopicProps, "key">): Problems {
  const problems = new Problems();
  if (!TOPIC_NAME.test(props.name)) {
    problems.add("name", `${JSON.stringify(props.name)} is not a topic name, allowed: 1-256 of A-Z a-z 0-9 - _`);
  }
  const seen = new Set<string>();
  (props.emails ?? []).forEach((email, i) => {
    if (!EMAIL.test(email)) {
      problems.add(`emails[${i}]`, `${JSON.stringify(email)} is not an e-mail address, allowed: name@domain`);
    } else if (seen.has(email.toLowerCase())) {
      problems.add(`emails[${i}]`, `${JSON.stringify(email)} is listed twice, allowed: each address once`);
    }
    seen.add(email.toLowerCase());
  });
  return problems;
}

/** The ARN AWS gives a standard topic of this name, in this account and region (commercial partition). */
export function topicArnOf(place: Place, name: string): string {
  return `arn:aws:sns:${place.region}:${place.account}:${name}`;
}

/** An existing topic's ARN: an SNS topic of the environment's account and region (targets must be in the rule's region). */
export function existingTopicArnProblem(arn: string, place?: Place): string | undefined {
  const match = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/.exec(arn);
  if (!match) return `${JSON.stringify(arn)} is not an SNS topic ARN, allowed: arn:aws:sns:<region>:<account>:<topic>`;
  if (place && match[1] !== place.region) {
    return `${JSON.stringify(arn)} is in region ${match[1]}, allowed: the environment's region ${place.region} (EventBridge targets must be in the rule's region)`;
  }
  if (place && match[2] !== place.account) {
    return `${JSON.stringify(arn)} is in account ${match[2]}, allowed: the environment's account ${place.account}`;
  }
  return undefined;
}

/** The SNS topic alerts go to: encrypted with a customer managed key, published to by the alert rules only. */
export class VssAlertTopic extends Construct implements IAlertTopic {
  /** An existing topic, whose policy and key its owner keeps. */
  static fromTopicArn(topicArn: string): IAlertTopic {
    return { topicArn, allowPublishingByRules: () => undefined };
  }

  readonly topicArn: string;
  private readonly topic: SnsTopic;
  private published = false;

  constructor(scope: Construct, id: string, props: VssAlertTopicProps) {
    super(scope, id);
    throwIfAny(`VssAlertTopic ${this.node.path}`, vssAlertTopicProblems(props).all);
    this.topic = new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: props.key.keyArn });
    this.topicArn = this.topic.arn;
    (props.emails ?? []).forEach(
      (email, i) =>
        new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email }),
    );
  }

  allowPublishingByRules(ruleArns: readonly string[]): void {
    if (this.published) throw new Error(`VssAlertTopic ${this.node.path}: its publishing rules are already allowed`);
    this.published = true;
    const policy = policyDocument(this, "topic-policy-document", [
      {
        sid: "OnlyTheAlertRulesPublish",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [this.topic.arn],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [...ruleArns] }],
      },
    ]);
    new SnsTopicPolicy(this, "topic-policy", { arn: this.topic.arn, policy: policy.json });
  }
}
