import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { NOW } from "../support/clock";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../config/validate";
import type { Variables } from "../../config/backend";
import type { EnvironmentConfig, ProjectConfig } from "../../config/types";
import { TEST_PROJECT as config } from "../support/fixtures";
import { instanceRoleNameOf, ManagedPolicies } from "../../modules";
import { expectedResourceCounts } from "../expected-resources";
import { VssBackupStack } from "../../stacks/vss-backup-stack";
import {
  addressesOf,
  addressOf,
  dataSources,
  referencedPolicyDocument,
  resources,
  SynthesizedStack,
  synthesizeStack,
  theResource,
} from "../synth";

function stackFor(name: string, variables: Variables = {}, project: ProjectConfig = config) {
  const [env] = loadEnvironments(project, { only: name, variables: variables, now: NOW });
  return { env, stack: synthesizeStack(new VssBackupStack(Testing.app(), env)) };
}

/** The dev environment with `change` applied, synthesized. */
function devWith(change: Partial<EnvironmentConfig>) {
  const dev = config.environments.find((e) => e.name === "dev")!;
  return stackFor("dev", {}, { project: config.project, environments: [{ ...dev, ...change }] });
}

function roleAddress(stack: SynthesizedStack, roleName: string): string {
  const [id] = Object.entries(stack.resource!.aws_iam_role).find(([, role]) => role.name === roleName)!;
  return `aws_iam_role.${id}`;
}

/** What is granted to the role at `address`: attached managed policy ARNs and inline policy names. */
function grantsOf(stack: SynthesizedStack, address: string) {
  const onRole = (r: Record<string, unknown>) => addressOf(r.role) === address;
  return {
    managed: resources(stack, IamRolePolicyAttachment)
      .filter(onRole)
      .map((a) => a.policy_arn),
    inline: resources(stack, IamRolePolicy)
      .filter(onRole)
      .map((p) => p.name),
  };
}

const trustedService = (stack: SynthesizedStack, address: string) => {
  const role = stack.resource!.aws_iam_role[address.split(".")[1]];
  return referencedPolicyDocument(stack, role.assume_role_policy).statement;
};
const trusting = (service: string) => [
  { effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] },
];

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
    const counts = Object.fromEntries(
      Object.entries(stack.resource ?? {}).map(([type, byId]) => [type, Object.keys(byId).length]),
    );
    expect(counts).toEqual(expectedResourceCounts(env.instanceRole.policyMode));
  });

  it("backs up and prepares exactly the same instances: the selection's tag is the association's target", () => {
    const selection = theResource(stack, BackupSelection);
    const association = theResource(stack, SsmAssociation);
    const [condition] = selection.condition as { string_equals: { key: string; value: string }[] }[];
    const [target] = association.targets as { key: string; values: string[] }[];
    expect(condition.string_equals).toEqual([
      { key: `aws:ResourceTag/${env.selectionTag.key}`, value: env.selectionTag.value },
    ]);
    expect(target).toEqual({ key: `tag:${env.selectionTag.key}`, values: [env.selectionTag.value] });
    expect(selection.resources).toEqual(["arn:aws:ec2:*:*:instance/*"]);
  });

  it("runs the configured rules with Windows VSS into the stack's vault", () => {
    const plan = theResource(stack, BackupPlan);
    const vaultAddress = addressesOf(stack, BackupVault)[0];
    expect(plan.advanced_backup_setting).toEqual([{ resource_type: "EC2", backup_options: { WindowsVSS: "enabled" } }]);
    const rules = plan.rule as {
      rule_name: string;
      schedule: string;
      target_vault_name: string;
      lifecycle: { delete_after: number };
    }[];
    expect(rules.map((r) => [r.rule_name, r.schedule, r.lifecycle.delete_after])).toEqual(
      configured.plan.rules.map((r) => [r.name, r.schedule, r.deleteAfterDays]),
    );
    for (const rule of rules) expect(addressOf(rule.target_vault_name)).toBe(vaultAddress);
    expect(addressOf(theResource(stack, BackupSelection).plan_id)).toBe(addressesOf(stack, BackupPlan)[0]);
  });

  it("schedules every rule as configured: time zone, windows and retention", () => {
    const rules = theResource(stack, BackupPlan).rule as Record<string, unknown>[];
    expect(rules).toEqual(
      configured.plan.rules.map((r) =>
        expect.objectContaining({
          rule_name: r.name,
          schedule: r.schedule,
          schedule_expression_timezone: r.timezone ?? "Etc/UTC",
          start_window: r.startWindowMinutes ?? 60,
          completion_window: r.completionWindowMinutes ?? 480,
          lifecycle: { delete_after: r.deleteAfterDays },
        }),
      ),
    );
  });

  it("installs AwsVssComponents with the environment's association settings", () => {
    const association = theResource(stack, SsmAssociation);
    const settings = configured.association ?? {};
    expect(association).toMatchObject({
      name: "AWS-ConfigureAWSPackage",
      association_name: `${config.project}-${name}-AwsVssComponents`,
      parameters: { action: "Install", name: "AwsVssComponents", installationType: "Uninstall and reinstall" },
      schedule_expression: "rate(14 days)",
      max_concurrency: settings.maxConcurrency ?? "10%",
      max_errors: settings.maxErrors ?? "10%",
      compliance_severity: settings.complianceSeverity ?? "HIGH",
    });
  });

  it("trusts EC2 with the instance role and AWS Backup with the service role, granting each its documented policies", () => {
    const instanceRole = roleAddress(stack, instanceRoleNameOf(env.instanceRole));
    const serviceRole = roleAddress(stack, `${config.project}-${name}-backup-service`);
    expect(trustedService(stack, instanceRole)).toEqual(trusting("ec2.amazonaws.com"));
    expect(trustedService(stack, serviceRole)).toEqual(trusting("backup.amazonaws.com"));
    expect(grantsOf(stack, instanceRole)).toEqual(
      (configured.instanceRole?.policyMode ?? "managed") === "managed"
        ? { managed: [ManagedPolicies.SSM_MANAGED_INSTANCE_CORE, ManagedPolicies.EC2_VSS_SNAPSHOT], inline: [] }
        : { managed: [], inline: ["SsmManagedInstanceCore", "VssSnapshotsForAwsBackup"] },
    );
    expect(grantsOf(stack, serviceRole)).toEqual({
      managed: [ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_BACKUP, ManagedPolicies.BACKUP_SERVICE_ROLE_FOR_RESTORES],
      inline: ["PassInstanceRoleForRestores"],
    });
  });

  it("grants no wildcard action anywhere", () => {
    const actions = Object.values(dataSources(stack, DataAwsIamPolicyDocument)).flatMap((d) =>
      (d.statement as { actions: string[] }[]).flatMap((s) => s.actions),
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
  });

  it("protects the vault from destroy", () => {
    expect(theResource(stack, BackupVault)).toMatchObject({
      name: `${config.project}-${name}`,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("lets AWS Backup assume its own role and pass only this stack's instance role", () => {
    const instanceRole = roleAddress(stack, instanceRoleNameOf(env.instanceRole));
    const serviceRole = roleAddress(stack, `${config.project}-${name}-backup-service`);
    expect(addressOf(theResource(stack, BackupSelection).iam_role_arn)).toBe(serviceRole);
    expect(addressOf(theResource(stack, IamInstanceProfile).role)).toBe(instanceRole);
    const passRole = resources(stack, IamRolePolicy).find((p) => p.name === "PassInstanceRoleForRestores")!;
    expect(referencedPolicyDocument(stack, passRole.policy).statement).toMatchObject([
      { actions: ["iam:PassRole"], resources: [`\${${instanceRole}.arn}`] },
    ]);
    expect(addressOf(passRole.role)).toBe(serviceRole);
  });

  it("outputs what operators need, including the tag an instance must carry", () => {
    expect(Object.keys(stack.output ?? {}).sort()).toEqual(
      [
        "association_id",
        "instance_profile_name",
        "instance_role_arn",
        "plan_id",
        "required_instance_tag",
        "selection_id",
        "vault_arn",
      ].sort(),
    );
    expect(stack.output?.required_instance_tag.value).toBe(`${env.selectionTag.key}=${env.selectionTag.value}`);
    expect(addressOf(stack.output?.plan_id.value)).toBe(addressesOf(stack, BackupPlan)[0]);
  });
});

describe("a stack reusing what the account already has", () => {
  const existingServiceRole = "arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole";

  it("hands an existing AWS Backup service role to the selection and creates none", () => {
    const { stack } = devWith({ backupServiceRole: { existingRoleArn: existingServiceRole } });
    expect(theResource(stack, BackupSelection).iam_role_arn).toBe(existingServiceRole);
    expect(resources(stack, IamRole).map((r) => r.name)).toEqual(["vss-backup-dev-vss-instance"]);
    expect(resources(stack, IamRolePolicy).filter((p) => p.name === "PassInstanceRoleForRestores")).toEqual([]);
  });

  it("adds VSS to the fleet's existing instance role: no role, no profile output, PassRole on the looked-up ARN", () => {
    const { stack } = devWith({ instanceRole: { existingRoleName: "fleet-windows" } });
    const [lookup] = Object.keys(dataSources(stack, DataAwsIamRole));
    expect(resources(stack, IamRole).map((r) => r.name)).toEqual(["vss-backup-dev-backup-service"]);
    expect(
      resources(stack, IamRolePolicyAttachment)
        .filter((a) => String(a.role).startsWith("${data."))
        .map((a) => a.policy_arn),
    ).toEqual([ManagedPolicies.EC2_VSS_SNAPSHOT]);
    expect(resources(stack, IamInstanceProfile)).toEqual([]);
    expect(stack.output).not.toHaveProperty("instance_profile_name");
    expect(stack.output?.instance_role_arn.value).toBe(`\${data.aws_iam_role.${lookup}.arn}`);
    const passRole = resources(stack, IamRolePolicy).find((p) => p.name === "PassInstanceRoleForRestores")!;
    expect(referencedPolicyDocument(stack, passRole.policy).statement).toMatchObject([
      { actions: ["iam:PassRole"], resources: [`\${data.aws_iam_role.${lookup}.arn}`] },
    ]);
  });
});

describe("state backends", () => {
  it("declares a Terraform Cloud workspace <prefix><environment> in the organization and project, with no token", () => {
    const { stack } = stackFor("prod", {
      VSS_BACKEND: "cloud",
      VSS_TFC_ORGANIZATION: "acme",
      VSS_TFC_PROJECT: "backups",
    });
    expect(stack.terraform?.cloud).toEqual({
      organization: "acme",
      workspaces: { name: "vss-backup-prod", project: "backups" },
    });
    expect(stack.terraform?.backend).toBeUndefined();
    expect(JSON.stringify(stack)).not.toMatch(/token/i);
  });

  it("uses the configured workspace prefix and hostname", () => {
    const { stack } = stackFor("dev", {
      VSS_BACKEND: "cloud",
      VSS_TFC_ORGANIZATION: "acme",
      VSS_TFC_WORKSPACE_PREFIX: "win-",
      VSS_TFC_HOSTNAME: "tfe.example.com",
    });
    expect(stack.terraform?.cloud).toEqual({
      organization: "acme",
      hostname: "tfe.example.com",
      workspaces: { name: "win-dev" },
    });
  });

  it("declares an encrypted S3 backend with one key per environment and S3-native locking, no DynamoDB", () => {
    const { stack } = stackFor("staging", {
      VSS_BACKEND: "s3",
      VSS_S3_BUCKET: "acme-state",
      VSS_S3_REGION: "eu-west-1",
    });
    expect(stack.terraform?.backend).toEqual({
      s3: {
        bucket: "acme-state",
        key: "vss-backup/staging/terraform.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it("keeps the Terraform Cloud project in the HCL form too", () => {
    const [env] = loadEnvironments(config, {
      only: "prod",
      variables: {
        VSS_BACKEND: "cloud",
        VSS_TFC_ORGANIZATION: "acme",
        VSS_TFC_PROJECT: "backups",
      },
      now: NOW,
    });
    const hcl = new VssBackupStack(Testing.app(), env).toHclTerraform().hcl;
    expect(hcl).toMatch(
      /cloud \{\s*organization = "acme"\s*workspaces \{\s*name\s*= "vss-backup-prod"\s*project = "backups"\s*\}/,
    );
  });
});
