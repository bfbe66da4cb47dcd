import { NOW } from "../support/clock";
import { join } from "path";
import { TEST_PROJECT as config } from "../support/fixtures";
import type { Variables } from "../../config/backend";
import { loadEnvironments } from "../../config/validate";
import { startMoto } from "../../scripts/terraform/moto";
import { initAndValidate, terraformOk } from "../../scripts/terraform/tools";
import { buildApp } from "../../stacks/app";
import { expectClean, freshDir, terraformTier } from "./tier";

const tier = terraformTier("Terraform tier: state backends");
jest.setTimeout(10 * 60_000);

const names = config.environments.map((env) => env.name);

/** Synthesizes every environment with the backend the variables select, as CI would. */
function synthesizeWith(backend: string, variables: Variables): string {
  const outdir = freshDir(`backend-${backend}`);
  buildApp(loadEnvironments(config, { only: undefined, variables: variables, now: NOW }), { outdir }).synth();
  return join(outdir, "stacks");
}

tier.describe("every stack with each state backend", () => {
  it("validates with a Terraform Cloud workspace per environment (init -backend=false: the cloud needs a token)", async () => {
    const stacks = synthesizeWith("cloud", {
      VSS_BACKEND: "cloud",
      VSS_TFC_ORGANIZATION: "acme",
      VSS_TFC_PROJECT: "backups",
    });
    for (const name of names) expectClean(await initAndValidate(join(stacks, name), tier.env, { backend: false }));
  });

  it("initializes the S3 backend with use_lockfile against S3 (moto), validates, and plans under the lock", async () => {
    const stacks = synthesizeWith("s3", {
      VSS_BACKEND: "s3",
      VSS_S3_BUCKET: "acme-terraform-state",
      VSS_S3_REGION: "eu-west-1",
    });
    for (const env of loadEnvironments(config, { now: NOW })) {
      const moto = await startMoto(env.account);
      try {
        const created = await fetch(`${moto.endpoint}/acme-terraform-state`, {
          method: "PUT",
          body: "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
        });
        expect(created.status).toBe(200);
        const awsEnv = { ...tier.env, ...moto.env };
        const dir = join(stacks, env.name);
        // Path-style addressing only because the endpoint is 127.0.0.1; the stack itself is unchanged.
        await terraformOk(["init", "-input=false", "-no-color", "-backend-config=use_path_style=true"], dir, awsEnv);
        expectClean(JSON.parse(await terraformOk(["validate", "-json", "-no-color"], dir, awsEnv)));
        await terraformOk(["plan", "-input=false", "-no-color", "-lock=true"], dir, awsEnv);
      } finally {
        await moto.stop();
      }
    }
  });
});
