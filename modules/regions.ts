/**
 * The AWS regions the pinned provider (hashicorp/aws 5.100.0) accepts: `terraform plan` fails with
 * "invalid AWS Region" on any other. Not the AWS SDK's newest list: the provider's own endpoint data
 * predates ap-southeast-6, me-west-1 and sa-west-1, which the SDK knows. Commercial partition only:
 * every ARN the stacks write starts arn:aws:. The Terraform tier proves the provider accepts each.
 */
export const AWS_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

// Regions of the other partitions (China, GovCloud, ISO, the European Sovereign Cloud): real, but
// their ARNs are not arn:aws:.
const OTHER_PARTITION_REGION = /^(cn-|us-gov-|us-iso[a-z]*-|eu-iso[a-z]*-|eusc-)/;

/** Why `value` is not a region the stacks can use, or undefined when it is. */
export function regionProblem(value: string): string | undefined {
  if ((AWS_REGIONS as readonly string[]).includes(value)) return undefined;
  if (OTHER_PARTITION_REGION.test(value)) {
    return `${JSON.stringify(value)} is outside the commercial partition, whose arn:aws: ARNs the stacks write; allowed: a commercial region such as eu-west-1`;
  }
  return `${JSON.stringify(value)} is not a region hashicorp/aws 5.100.0 accepts, allowed: one of ${AWS_REGIONS.join(", ")}`;
}
