import { join } from "path";
import { initAndValidate, ValidateOutput } from "../../scripts/terraform/tools";
import { buildApp } from "../../stacks/app";
import { NOW } from "../support/clock";
import { MANAGEMENT, prodMember } from "../support/organization-stack-fixtures";
import { expectClean, freshDir, terraformTier } from "./tier";

const tier = terraformTier("Terraform tier: organization stacks", ["terraform", "provider mirror"]);
jest.setTimeout(10 * 60_000);

/**
 * The management stack and two member stacks of one account (its home region under the backup
 * policy, another region with a plan of its own), synthesized in both forms and validated by
 * Terraform with hashicorp/aws 5.100.0: the provider's schema judges the member providers' profile, the
 * organizations and event bus resources. Nothing is planned against AWS here.
 */
const MEMBERS = [prodMember("eu-west-1"), prodMember("us-east-1", "account-plan")];
const STACKS = [MANAGEMENT.name, ...MEMBERS.map((m) => m.name)];

tier.describe("organization stacks, validated by Terraform", () => {
  const runs = new Map<string, { json: Promise<ValidateOutput>; hcl: Promise<ValidateOutput> }>();
  beforeAll(() => {
    const jsonOut = freshDir("organization", "json");
    const hclOut = freshDir("organization", "hcl");
    buildApp(MEMBERS, { outdir: jsonOut }, NOW, MANAGEMENT).synth();
    buildApp(MEMBERS, { outdir: hclOut, hclOutput: true }, NOW, MANAGEMENT).synth();
    for (const name of STACKS) {
      // Started together (inits queue), awaited by each test; a rejection is awaited there, not unhandled.
      const json = initAndValidate(join(jsonOut, "stacks", name), tier.env, { backend: true });
      const hcl = initAndValidate(join(hclOut, "stacks", name), tier.env, { backend: false });
      json.catch(() => undefined);
      hcl.catch(() => undefined);
      runs.set(name, { json, hcl });
    }
  });

  it.each(STACKS)("%s passes terraform validate with no errors and no warnings (JSON form)", async (name) => {
    expectClean(await runs.get(name)!.json);
  });

  it.each(STACKS)("%s passes terraform validate with no errors and no warnings (HCL form)", async (name) => {
    expectClean(await runs.get(name)!.hcl);
  });
});
