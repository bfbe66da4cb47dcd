import { writeFileSync } from "fs";
import { join } from "path";
import { AWS_REGIONS } from "../../modules";
import { terraform, terraformOk } from "../../scripts/terraform/tools";
import { freshDir, terraformTier } from "./tier";

const tier = terraformTier("Terraform tier: regions", ["terraform", "provider mirror"]);
jest.setTimeout(5 * 60_000);

/**
 * One aliased provider per region, each read by a data source that needs no AWS call, so the plan
 * configures every provider (and validates its region) offline.
 */
function configuration(regions: readonly string[]): string {
  return regions
    .map((region) => {
      const alias = region.replace(/-/g, "_");
      return `provider "aws" {
  alias                       = "${alias}"
  region                      = "${region}"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
data "aws_region" "${alias}" {
  provider = aws.${alias}
}
`;
    })
    .join("\n");
}

async function plan(name: string, regions: readonly string[]) {
  const dir = freshDir("regions", name);
  writeFileSync(join(dir, "main.tf"), configuration(regions));
  await terraformOk(["init", "-input=false", "-no-color"], dir, tier.env);
  return terraform(["plan", "-input=false", "-no-color"], dir, tier.env);
}

tier.describe("the regions the configuration accepts (modules/regions.ts)", () => {
  it(`are all accepted by hashicorp/aws 5.100.0 (${AWS_REGIONS.length} regions)`, async () => {
    const result = await plan("accepted", AWS_REGIONS);
    expect(result.stderr.match(/invalid AWS Region: \S+/g) ?? []).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("are not a pattern: a near miss, and regions newer than the provider, are refused by it too", async () => {
    const refused = ["eu-west-4", "ap-southeast-6", "me-west-1", "sa-west-1"];
    const result = await plan("refused", refused);
    expect(result.code).not.toBe(0);
    expect((result.stderr.match(/invalid AWS Region: \S+/g) ?? []).sort()).toEqual(
      refused.map((r) => `invalid AWS Region: ${r}`).sort(),
    );
  });
});
