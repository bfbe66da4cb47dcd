import { DescribeInstancesCommand, DescribeInstancesResult } from "@aws-sdk/client-ec2";
import type { SelectionTag } from "../../modules";
import type { AwsCaller } from "../aws";
import type { InstanceFacts } from "../facts";

/** Every state but terminated: a stopped instance is still tagged for backup, and fails the running check. */
const LIVE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"];

/** Every instance carrying the tag (terminated ones excluded), from a paged DescribeInstances. */
export async function findTaggedInstances(
  aws: AwsCaller,
  tag: SelectionTag,
  where: { readonly region: string; readonly account: string },
): Promise<InstanceFacts[]> {
  const pages = await aws.pages<DescribeInstancesResult>(
    "ec2",
    (NextToken) =>
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${tag.key}`, Values: [tag.value] },
          { Name: "instance-state-name", Values: LIVE_STATES },
        ],
        MaxResults: 1000,
        NextToken,
      }),
  );
  return pages.flatMap((page) =>
    (page.Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).map((i) => ({
        id: i.InstanceId!,
        name: i.Tags?.find((t) => t.Key === "Name")?.Value,
        arn: `arn:aws:ec2:${where.region}:${where.account}:instance/${i.InstanceId}`,
        state: i.State?.Name ?? "unknown",
        platform:
          /^windows/i.test(i.Platform ?? "") || /windows/i.test(i.PlatformDetails ?? "")
            ? "windows"
            : (i.PlatformDetails ?? "Linux/UNIX"),
        instanceType: i.InstanceType ?? "unknown",
        profileArn: i.IamInstanceProfile?.Arn,
      })),
    ),
  );
}
