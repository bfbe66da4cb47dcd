import {
  DescribeRuleCommand,
  DescribeRuleResponse,
  ListTargetsByRuleCommand,
  ListTargetsByRuleResponse,
} from "@aws-sdk/client-eventbridge";
import { AwsCaller, CallOptions, isNotFound, unread } from "../aws";
import type { AlertRuleFacts } from "../facts";

/** The rule of this name on the default event bus of `where.region` (the environment's by default), and where it sends (only when it exists). */
export async function readAlertRule(aws: AwsCaller, name: string, where: CallOptions = {}): Promise<AlertRuleFacts> {
  let state: string;
  try {
    const rule = await aws.send<DescribeRuleResponse>("events", new DescribeRuleCommand({ Name: name }), where);
    state = rule.State ?? "unknown";
  } catch (error) {
    const read = unread(error); // throws when AWS could not be asked at all
    return isNotFound(error) ? { rule: { found: false } } : { rule: read };
  }
  const targetArns = await aws
    .pages<ListTargetsByRuleResponse>(
      "events",
      (NextToken) => new ListTargetsByRuleCommand({ Rule: name, NextToken, Limit: 100 }),
      "NextToken",
      where,
    )
    .then((pages) => pages.flatMap((p) => (p.Targets ?? []).map((t) => t.Arn ?? "")), unread);
  return { rule: { found: true, state }, targetArns };
}
