import {
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionsResult,
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionTargetsResult,
  DescribeInstanceInformationCommand,
  DescribeInstanceInformationResult,
  GetInventoryCommand,
  GetInventoryResult,
  InventoryFilter,
  ListAssociationsCommand,
  ListAssociationsResult,
} from "@aws-sdk/client-ssm";
import { AwsVssComponentsVersions, SelectionTag } from "../../modules";
import { AwsCaller, unread } from "../aws";
import type { AssociationFacts, InventoryFacts, SsmFacts, Unread } from "../facts";

/** The SSM Agent of every tagged instance SSM manages, by instance id. */
export async function gatherSsm(aws: AwsCaller, tag: SelectionTag): Promise<Map<string, SsmFacts> | Unread> {
  const pages = await aws
    .pages<DescribeInstanceInformationResult>(
      "ssm",
      (NextToken) =>
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: `tag:${tag.key}`, Values: [tag.value] }],
          MaxResults: 50,
          NextToken,
        }),
    )
    .catch(unread);
  if ("error" in pages) return pages;
  return new Map(
    pages
      .flatMap((p) => p.InstanceInformationList ?? [])
      .map((i) => [
        i.InstanceId!,
        { pingStatus: i.PingStatus, agentVersion: i.AgentVersion, platformName: i.PlatformName },
      ]),
  );
}

/**
 * The latest execution of the association and its unsuccessful targets. Only statuses other than
 * Success are listed (from the execution's ResourceCountByStatus), so the calls grow with failures,
 * not with the fleet; all targets are listed only when the execution counted fewer than `managed`,
 * the tagged instances SSM manages, to name those it did not reach.
 */
export async function gatherAssociation(aws: AwsCaller, name: string, managed: number): Promise<AssociationFacts> {
  const unsuccessful = new Map<string, string>();
  try {
    const listed = await aws.send<ListAssociationsResult>(
      "ssm",
      new ListAssociationsCommand({ AssociationFilterList: [{ key: "AssociationName", value: name }] }),
    );
    const associationId = listed.Associations?.[0]?.AssociationId;
    if (!associationId) return { unsuccessful, missing: true };
    const executions = await aws.send<DescribeAssociationExecutionsResult>(
      "ssm",
      new DescribeAssociationExecutionsCommand({ AssociationId: associationId, MaxResults: 50 }),
    );
    const latest = [...(executions.AssociationExecutions ?? [])].sort(
      (a, b) => (b.CreatedTime?.getTime() ?? 0) - (a.CreatedTime?.getTime() ?? 0),
    )[0];
    if (!latest?.ExecutionId) return { associationId, unsuccessful };
    const counts = [...(latest.ResourceCountByStatus ?? "").matchAll(/"?(\w+)"?\s*[=:]\s*(\d+)/g)].map(
      ([, status, n]) => ({ status, n: Number(n) }),
    );
    const listTargets = async (status?: string) => {
      const pages = await aws.pages<DescribeAssociationExecutionTargetsResult>(
        "ssm",
        (NextToken) =>
          new DescribeAssociationExecutionTargetsCommand({
            AssociationId: associationId,
            ExecutionId: latest.ExecutionId,
            Filters: status ? [{ Key: "Status", Value: status }] : undefined,
            MaxResults: 50,
            NextToken,
          }),
      );
      return pages.flatMap((p) => p.AssociationExecutionTargets ?? []);
    };
    let targets: Set<string> | undefined;
    const unsuccessfulTargets = [];
    if (counts.reduce((sum, c) => sum + c.n, 0) < managed) {
      const all = await listTargets();
      targets = new Set(all.map((t) => t.ResourceId!).filter(Boolean));
      unsuccessfulTargets.push(...all.filter((t) => t.Status !== "Success"));
    } else {
      for (const { status } of counts.filter((c) => c.status !== "Success" && c.n > 0))
        unsuccessfulTargets.push(...(await listTargets(status)));
    }
    for (const target of unsuccessfulTargets) {
      if (target.ResourceId)
        unsuccessful.set(target.ResourceId, [target.Status, target.DetailedStatus].filter(Boolean).join(": "));
    }
    return { associationId, lastExecution: { time: latest.CreatedTime }, unsuccessful, targets };
  } catch (error) {
    return { unsuccessful, unread: unread(error) };
  }
}

/**
 * Where inventory is collected: the AwsVssComponents version of the instances whose version SSM
 * finds lower than the minimum. SSM compares strings, not versions ("2.10.0" < "2.3.1"), so these
 * are only candidates, for the checks to compare as versions.
 */
export async function gatherInventory(aws: AwsCaller): Promise<InventoryFacts> {
  const named: InventoryFilter = { Key: "AWS:Application.Name", Values: ["AwsVssComponents"], Type: "Equal" };
  try {
    const probe = await aws.send<GetInventoryResult>(
      "ssm",
      new GetInventoryCommand({ Filters: [named], MaxResults: 1 }),
    );
    if ((probe.Entities ?? []).length === 0)
      return { note: "SSM inventory holds no AwsVssComponents: versions not checked" };
    const pages = await aws.pages<GetInventoryResult>(
      "ssm",
      (NextToken) =>
        new GetInventoryCommand({
          Filters: [
            named,
            { Key: "AWS:Application.Version", Values: [AwsVssComponentsVersions.MINIMUM], Type: "LessThan" },
          ],
          ResultAttributes: [{ TypeName: "AWS:Application" }],
          MaxResults: 50,
          NextToken,
        }),
    );
    const versions = new Map<string, string>();
    for (const entity of pages.flatMap((p) => p.Entities ?? [])) {
      const version = entity.Data?.["AWS:Application"]?.Content?.find((c) => c.Name === "AwsVssComponents")?.Version;
      if (entity.Id && version) versions.set(entity.Id, version);
    }
    return { candidateVersions: versions, note: "versions checked in SSM inventory" };
  } catch (error) {
    return { note: `inventory not read: ${unread(error).error}` };
  }
}
