import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { IAlertTopic } from "./alert-topic";
import { CentralBusTarget, VssBackupAlerts } from "./backup-alerts";
import { policyDocument } from "./iam-policies";
import { IAM_ROLE_NAME, Problems, throwIfAny } from "./validation";

/*
 * The organization's alerts in one place: each member account's alert rules put the events they
 * match on a central bus of the management account (through a role: EventBridge requires one to
 * put events on another account's bus), and that bus's own rules, with the same patterns as a
 * single account's (backup-alerts.ts), send the messages to the central topic.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html
 */

/** CreateEventBus Name: 1-256 of A-Z a-z 0-9 . - _, not "default" (that is each account's own bus). */
const BUS_NAME = /^[A-Za-z0-9._-]{1,256}$/;
/** An organization ID, as AWS Organizations gives it. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const BUS_ARN = /^arn:aws:events:([a-z0-9-]+):(\d{12}):event-bus\/([A-Za-z0-9._-]{1,256})$/;

export interface VssCentralAlertBusProps {
  readonly busName: string;
  /** The organization whose principals may put events on the bus (aws:PrincipalOrgID); nobody else may. */
  readonly organizationId: string;
  /** The rules on the bus (the restore test rule is named after it). */
  readonly ruleName: string;
  /** What each message names, e.g. "organization o-a1b2c3d4e5". */
  readonly subject: string;
  /** The central topic the messages go to. */
  readonly topic: IAlertTopic;
}

export function vssCentralAlertBusProblems(
  props: Pick<VssCentralAlertBusProps, "busName" | "organizationId">,
): Problems {
  const problems = new Problems();
  if (!BUS_NAME.test(props.busName) || props.busName === "default")
    problems.add(
      "busName",
      `${JSON.stringify(props.busName)} is not an event bus name, allowed: 1-256 of A-Z a-z 0-9 . - _, not "default"`,
    );
  if (!ORGANIZATION_ID.test(props.organizationId))
    problems.add(
      "organizationId",
      `${JSON.stringify(props.organizationId)} is not an organization ID, allowed: o- and 10-32 of a-z 0-9`,
    );
  return problems;
}

/**
 * The central bus: only principals of the organization may put events on it; its rules match the
 * forwarded events with the single-account patterns (no account filter: only the organization's
 * accounts can put events here, and each of them is to be alerted on) and send the messages to the topic.
 */
export class VssCentralAlertBus extends Construct {
  readonly busArn: string;
  readonly busName: string;
  readonly alerts: VssBackupAlerts;

  constructor(scope: Construct, id: string, props: VssCentralAlertBusProps) {
    super(scope, id);
    throwIfAny(`VssCentralAlertBus ${this.node.path}`, vssCentralAlertBusProblems(props).all);
    const bus = new CloudwatchEventBus(this, "bus", { name: props.busName });
    const policy = policyDocument(this, "bus-policy-document", [
      {
        sid: "OnlyTheOrganizationPutsEvents",
        effect: "Allow",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["events:PutEvents"],
        resources: [bus.arn],
        condition: [{ test: "StringEquals", variable: "aws:PrincipalOrgID", values: [props.organizationId] }],
      },
    ]);
    new CloudwatchEventBusPolicy(this, "bus-policy", { eventBusName: bus.name, policy: policy.json });
    // Any member may have restore testing on: the bus alerts on failed restore tests too.
    this.alerts = new VssBackupAlerts(this, "alerts", {
      ruleName: props.ruleName,
      subject: props.subject,
      eventBusName: bus.name,
      failedRestoreTests: true,
      topic: props.topic,
    });
    this.busArn = bus.arn;
    this.busName = bus.name;
  }
}

/** The forwarding role's name in every member account: one per account (all its regions), after the bus. */
export function alertForwarderRoleName(busArn: string): string {
  return `${BUS_ARN.exec(busArn)?.[3] ?? busArn}-forwarder`;
}

/** The forwarding role's ARN (at path "/") in `account`: how the stacks of the other regions name it. */
export function alertForwarderRoleArn(account: string, busArn: string): string {
  return `arn:aws:iam::${account}:role/${alertForwarderRoleName(busArn)}`;
}

export interface VssAlertForwarderProps {
  /** The member account: only EventBridge acting for its rules may assume the role (aws:SourceAccount). */
  readonly account: string;
  /** The central bus, in the management account. */
  readonly busArn: string;
}

export function vssAlertForwarderProblems(props: VssAlertForwarderProps): Problems {
  const problems = new Problems();
  if (!/^\d{12}$/.test(props.account))
    problems.add("account", `${JSON.stringify(props.account)} is not an AWS account ID, allowed: 12 digits`);
  if (!BUS_ARN.test(props.busArn))
    problems.add(
      "busArn",
      `${JSON.stringify(props.busArn)} is not an event bus ARN, allowed: arn:aws:events:<region>:<account>:event-bus/<name>`,
    );
  else problems.checkName("busArn", alertForwarderRoleName(props.busArn), IAM_ROLE_NAME);
  return problems;
}

/** The role a member account's alert rules put events on the central bus with: events:PutEvents on that bus, nothing else. */
export class VssAlertForwarder extends Construct {
  readonly roleArn: string;
  /** What a member's VssBackupAlerts forwards to. */
  readonly target: CentralBusTarget;

  /** The forwarding role the account's home region stack created: the other regions' stacks name it. */
  static existing(props: VssAlertForwarderProps): CentralBusTarget {
    throwIfAny("VssAlertForwarder.existing", vssAlertForwarderProblems(props).all);
    return { busArn: props.busArn, roleArn: alertForwarderRoleArn(props.account, props.busArn) };
  }

  constructor(scope: Construct, id: string, props: VssAlertForwarderProps) {
    super(scope, id);
    throwIfAny(`VssAlertForwarder ${this.node.path}`, vssAlertForwarderProblems(props).all);
    const trust = policyDocument(this, "trust-policy", [
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.account] }],
      },
    ]);
    const role = new IamRole(this, "role", {
      name: alertForwarderRoleName(props.busArn),
      description: "EventBridge: puts the AWS Backup alert events of this account on the organization's central bus",
      assumeRolePolicy: trust.json,
    });
    const putEvents = policyDocument(this, "put-events-policy", [
      { sid: "PutEventsOnTheCentralBus", effect: "Allow", actions: ["events:PutEvents"], resources: [props.busArn] },
    ]);
    new IamRolePolicy(this, "put-events", { role: role.name, name: FORWARDER_POLICY_NAME, policy: putEvents.json });
    this.roleArn = role.arn;
    this.target = { busArn: props.busArn, roleArn: role.arn };
  }
}

/** The inline policy of the forwarding role. */
export const FORWARDER_POLICY_NAME = "PutEventsOnCentralBus";
