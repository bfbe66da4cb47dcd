import { Testing } from "cdktf";
import { config } from "../../config/environments";
import { loadEnvironments } from "../../config/validate";
import type { Variables } from "../../config/backend";
import { VssBackupStack } from "../../stacks/vss-backup-stack";
import { addressesOf, addressOf, referencedPolicyDocument, resources, synthesizeStack, theResource } from "../synth";

function stackFor(name: string, variables: Variables = {}) {
  const [env] = loadEnvironments(config, name, variables);
  return { env, stack: synthesizeStack(new VssBackupStack(Testing.app(), env)) };
}

describe.each(config.environments.map((env) => env.name))("the %s stack", (name) => {
  const { env, stack } = stackFor(name);
  const configured = config.environments.find((e) => e.name === name)!;

  it("can only be applied to its own account and region, tagging everything with project and environment", () => {
    expect(stack.provider?.aws).toEqual([
      {
        region: configured.region,
        allowed_account_ids: [configured.account],
        default_tags: [{ tags: { Project: config.project, Environment: name, ManagedBy: "cdktf" } }],
      },
    ]);
  });

  it("keeps local state under terraform-state/ by a relative path", () => {
    expect(stack.terraform?.backend).toEqual({ local: { path: `../../../terraform-state/${name}.tfstate` } });
  });

  it("creates one of each piece of the VSS backup, and nothing else", () => {
    const counts = Object.fromEntries(Object.entries(stack.resource ?? {}).map(([type, byId]) => [type, Object.keys(byId).length]));
    const managed = (env.instanceRole.policyMode ?? "managed") === "managed";
    expect(counts).toEqual({
      aws_iam_role: 2, // instance role and backup service role
      // SSM core + VSS on the instance role (managed mode); backup + restores on the service role
      aws_iam_role_policy_attachment: managed ? 4 : 2,
      // iam:PassRole for restores; SSM core + VSS inline on the instance role (inline mode)
      aws_iam_role_policy: managed ? 1 : 3,
      aws_iam_instance_profile: 1,
      aws_ssm_association: 1,
      aws_backup_vault: 1,
      aws_backup_plan: 1,
      aws_backup_selection: 1,
    });
  });

  it("backs up and prepares exactly the same instances: the selection's tag is the association's target", () => {
    const selection = theResource(stack, "aws_backup_selection");
    const association = theResource(stack, "aws_ssm_association");
    const [condition] = selection.condition as { string_equals: { key: string; value: string }[] }[];
    const [target] = association.targets as { key: string; values: string[] }[];
    expect(condition.string_equals).toEqual([{ key: `aws:ResourceTag/${env.selectionTag.key}`, value: env.selectionTag.value }]);
    expect(target).toEqual({ key: `tag:${env.selectionTag.key}`, values: [env.selectionTag.value] });
    expect(selection.resources).toEqual(["arn:aws:ec2:*:*:instance/*"]);
  });

  it("runs the configured rules with Windows VSS into the stack's vault", () => {
    const plan = theResource(stack, "aws_backup_plan");
    const vaultAddress = addressesOf(stack, "aws_backup_vault")[0];
    expect(plan.advanced_backup_setting).toEqual([{ resource_type: "EC2", backup_options: { WindowsVSS: "enabled" } }]);
    const rules = plan.rule as { rule_name: string; schedule: string; target_vault_name: string; lifecycle: { delete_after: number } }[];
    expect(rules.map((r) => [r.rule_name, r.schedule, r.lifecycle.delete_after])).toEqual(configured.plan.rules.map((r) => [r.name, r.schedule, r.deleteAfterDays]));
    for (const rule of rules) expect(addressOf(rule.target_vault_name)).toBe(vaultAddress);
    expect(addressOf(theResource(stack, "aws_backup_selection").plan_id)).toBe(addressesOf(stack, "aws_backup_plan")[0]);
  });

  it("protects the vault from destroy", () => {
    expect(theResource(stack, "aws_backup_vault")).toMatchObject({ name: `${config.project}-${name}`, force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  it("lets AWS Backup assume its own role and pass only this stack's instance role", () => {
    const roleAddress = (roleName: string) => {
      const [id] = Object.entries(stack.resource!.aws_iam_role).find(([, role]) => role.name === roleName)!;
      return `aws_iam_role.${id}`;
    };
    const instanceRole = roleAddress(env.instanceRole.roleName);
    const serviceRole = roleAddress(`${config.project}-${name}-backup-service`);
    expect(addressOf(theResource(stack, "aws_backup_selection").iam_role_arn)).toBe(serviceRole);
    expect(addressOf(theResource(stack, "aws_iam_instance_profile").role)).toBe(instanceRole);
    const passRole = resources(stack, "aws_iam_role_policy").find((p) => p.name === "PassInstanceRoleForRestores")!;
    expect(referencedPolicyDocument(stack, passRole.policy).statement).toMatchObject([{ actions: ["iam:PassRole"], resources: [`\${${instanceRole}.arn}`] }]);
    expect(addressOf(passRole.role)).toBe(serviceRole);
  });

  it("outputs what operators need, including the tag an instance must carry", () => {
    expect(Object.keys(stack.output ?? {}).sort()).toEqual(
      ["association_id", "instance_profile_name", "instance_role_arn", "plan_id", "required_instance_tag", "selection_id", "vault_arn"].sort(),
    );
    expect(stack.output?.required_instance_tag.value).toBe(`${env.selectionTag.key}=${env.selectionTag.value}`);
    expect(addressOf(stack.output?.plan_id.value)).toBe(addressesOf(stack, "aws_backup_plan")[0]);
  });
});

describe("the example environments", () => {
  const retention = (name: string) => config.environments.find((e) => e.name === name)!.plan.rules.map((r) => r.deleteAfterDays);

  it("keep prod longest: daily 35 days plus weekly and monthly", () => {
    expect(retention("dev")).toEqual([7]);
    expect(retention("prod")[0]).toBe(35);
    expect(retention("prod").length).toBeGreaterThan(retention("staging").length);
    expect(Math.max(...retention("prod"))).toBeGreaterThan(Math.max(...retention("staging")));
  });
});

describe("state backends", () => {
  it("declares a Terraform Cloud workspace <prefix><environment> in the organization and project, with no token", () => {
    const { stack } = stackFor("prod", { VSS_BACKEND: "cloud", VSS_TFC_ORGANIZATION: "acme", VSS_TFC_PROJECT: "backups" });
    expect(stack.terraform?.cloud).toEqual({ organization: "acme", workspaces: { name: "vss-backup-prod", project: "backups" } });
    expect(stack.terraform?.backend).toBeUndefined();
    expect(JSON.stringify(stack)).not.toMatch(/token/i);
  });

  it("uses the configured workspace prefix and hostname", () => {
    const { stack } = stackFor("dev", { VSS_BACKEND: "cloud", VSS_TFC_ORGANIZATION: "acme", VSS_TFC_WORKSPACE_PREFIX: "win-", VSS_TFC_HOSTNAME: "tfe.example.com" });
    expect(stack.terraform?.cloud).toEqual({ organization: "acme", hostname: "tfe.example.com", workspaces: { name: "win-dev" } });
  });

  it("declares an encrypted S3 backend with one key per environment and S3-native locking, no DynamoDB", () => {
    const { stack } = stackFor("staging", { VSS_BACKEND: "s3", VSS_S3_BUCKET: "acme-state", VSS_S3_REGION: "eu-west-1" });
    expect(stack.terraform?.backend).toEqual({
      s3: { bucket: "acme-state", key: "vss-backup/staging/terraform.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  it("keeps the Terraform Cloud project in the HCL form too", () => {
    const [env] = loadEnvironments(config, "prod", { VSS_BACKEND: "cloud", VSS_TFC_ORGANIZATION: "acme", VSS_TFC_PROJECT: "backups" });
    const hcl = new VssBackupStack(Testing.app(), env).toHclTerraform().hcl;
    expect(hcl).toMatch(/cloud \{\s*organization = "acme"\s*workspaces \{\s*name\s*= "vss-backup-prod"\s*project = "backups"\s*\}/);
  });
});
