import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { join } from "path";
import { initAndValidate, terraform } from "../../scripts/terraform/tools";
import { expectClean, freshDir, terraformTier } from "./tier";

const tier = terraformTier("Terraform tier: a broken stack");
jest.setTimeout(5 * 60_000);

tier.describe("a stack broken on purpose, past our own validation", () => {
  // The raw provider classes skip the modules' checks: only Terraform can catch these.
  function synthesizeBrokenStack(): string {
    const outdir = freshDir("broken");
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "broken");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new IamRole(stack, "deprecated-argument", {
      name: "broken",
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    });
    new BackupVault(stack, "invalid-name", { name: "bad.vault.name" });
    app.synth();
    return join(outdir, "stacks", "broken");
  }

  it("fails the tier's check with Terraform's own diagnostics: the deprecated argument and the invalid vault name, with file and line", async () => {
    const output = await initAndValidate(synthesizeBrokenStack(), tier.env, { backend: false });
    expect(output.valid).toBe(false);
    expect(() => expectClean(output)).toThrow(
      /cdk\.tf\.json:\d+: warning: Argument is deprecated: .*managed_policy_arns/,
    );
    expect(() => expectClean(output)).toThrow(
      /cdk\.tf\.json:\d+: error: invalid value for name \(must consist of letters, numbers, and hyphens\.\)/,
    );
  });
});

tier.describe("a terraform command that hangs", () => {
  it("is stopped at its time limit and fails with a message saying so, rather than hanging the run", async () => {
    // `terraform console` waits for input on a stdin that never closes: a stand-in for a hung apply.
    const result = await terraform(["console"], freshDir("hung"), tier.env, 2_000);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/terraform console did not finish within 2 s and was stopped$/);
  });
});
