import { AwsProvider, AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type { ResolvedMember } from "../config/organization-types";
import type { ResolvedAlerts, ResolvedAudit, ResolvedDisasterRecovery, ResolvedEnvironment } from "../config/resolve";
import {
  BackupServiceRole,
  describeTag,
  KeyUsers,
  LockMode,
  LockRange,
  VssAlertTopic,
  VssBackupAlerts,
  VssBackupPlan,
  VssBackupVault,
  VssComponentsAssociation,
  VssInstanceRole,
  VssKmsKey,
  VssVaultDeletionGuard,
  VssVaultLock,
  VssRestoreTesting,
  VssAuditFramework,
  VssBackupReportPlan,
  VssBackupSelection,
  VssAlertForwarder,
  IBackupServiceRole,
  CentralBusTarget,
  instanceProfileNameOf,
  ValidationError,
} from "../modules";
import { declareBackend } from "./backend";
import { SelfContainedStack } from "./self-contained-stack";

/**
 * One environment's Windows VSS backups: the instance side (role, profile, package association)
 * and the backup side (vault, plan, selection, service role), tied together by one tag.
 *
 * A member stack of organization mode (`env.member`) deploys through providers that name the member's
 * AWS profile (the deploy chooses the role it assumes); with an organization backup policy it creates no plan of its own
 * (the policy's plan runs in the account); only its home region creates what the account has once,
 * the IAM roles (IAM is global) and the DR region's vault, which the other regions name by ARN; and
 * its alerts go to the organization's central bus.
 */
export class VssBackupStack extends SelfContainedStack {
  constructor(scope: Construct, env: ResolvedEnvironment | ResolvedMember) {
    super(scope, env.name);
    const member = "member" in env ? env.member : undefined;
    // What an account has once, whatever its regions: IAM roles (global) and the DR region's vault.
    const accountWide = !member || env.region === member.homeRegion;
    const ownPlan = !member || member.planSource === "account-plan";
    if (!ownPlan && env.audit)
      throw new ValidationError(`VssBackupStack ${env.name}`, [
        {
          path: "audit",
          message:
            'its plan control judges a plan of the stack, and planSource "organization-policy" creates none; allowed: no audit, or planSource "account-plan"',
        },
      ]);

    new AwsProvider(this, "aws", providerConfig(env, env.region));
    declareBackend(this, env.backend);

    const tag = env.selectionTag;
    const instanceRole = accountWide ? new VssInstanceRole(this, "instance-role", env.instanceRole) : undefined;
    const association = new VssComponentsAssociation(this, "vss-components", { ...env.association, tag });
    const { createdKey, lock, deletionGuard, ...vaultProps } = env.vault;
    const vaultKey =
      createdKey &&
      new VssKmsKey(this, "vault-key", {
        alias: createdKey.alias,
        description: `Encrypts the backups of vault ${env.vault.name} that AWS Backup fully manages`,
        account: env.account,
        users: [KeyUsers.awsBackupVault(env.account, env.region)],
        preventDestroy: env.vault.preventDestroy ?? true,
      });
    const vault = new VssBackupVault(this, "vault", { ...vaultProps, key: vaultKey || undefined });
    const vaultLock = lock ? lockVault(this, "vault-lock", vault, lock, env.vault.preventDestroy) : undefined;
    const guard = deletionGuard
      ? new VssVaultDeletionGuard(this, "vault-deletion-guard", { vault, ...deletionGuard })
      : undefined;
    const dr = env.disasterRecovery;
    const drVault = dr && (accountWide ? this.disasterRecoveryVault(env, dr) : homeDisasterRecoveryVault(env, dr));
    const plan = ownPlan
      ? new VssBackupPlan(this, "plan", {
          ...env.plan,
          vault,
          copyEveryRuleTo: drVault ? { vault: drVault, deleteAfterDays: env.disasterRecovery?.keepDays } : undefined,
        })
      : undefined;
    const serviceRole = this.backupServiceRole(env, instanceRole);
    const selection = plan?.addSelection("selection", { ...env.selection, serviceRole, tag });
    // Only the main vault: a restore test cannot use the DR region's vault (see VssRestoreTestingProps.vaults).
    const restoreTesting =
      env.restoreTesting &&
      new VssRestoreTesting(this, "restore-testing", { ...env.restoreTesting, vaults: [vault], serviceRole, tag });

    const output = (id: string, value: string, description: string) =>
      new TerraformOutput(this, id, { value, description });
    if (instanceRole)
      output("instance_role_arn", instanceRole.roleArn, "Role of the Windows instances (VSS and SSM permissions)");
    const instanceProfileName = instanceRole
      ? instanceRole.instanceProfileName
      : instanceProfileNameOf(env.instanceRole);
    if (instanceProfileName)
      output("instance_profile_name", instanceProfileName, "Attach this instance profile to every instance to back up");
    output("vault_arn", vault.vaultArn, "Vault holding the recovery points");
    if (drVault)
      output("dr_vault_arn", drVault.vaultArn, "Vault in the second region holding a copy of every recovery point");
    if (plan) output("plan_id", plan.planId, "Backup plan with Windows VSS enabled");
    if (selection) output("selection_id", selection.selectionId, "Selection of the tagged EC2 instances");
    if (member)
      output(
        "plan_source",
        member.planSource,
        "Where this account's backup plan comes from: the organization's backup policy, or the stack's own plan",
      );
    output(
      "association_id",
      association.associationId,
      "Association installing AwsVssComponents on the tagged instances",
    );
    if (restoreTesting)
      output("restore_testing_plan_arn", restoreTesting.planArn, "Restore testing plan of the tagged instances");
    if (env.alerts && member) {
      const alerts = this.forwardedAlerts(env.alerts, env.account, member.centralBusArn, accountWide);
      output("alert_bus_arn", alerts.targetArn, "The organization's central event bus the backup alerts go to");
    } else if (env.alerts) {
      const alerts = this.alerts(env.alerts, env.account);
      output("alert_topic_arn", alerts.targetArn, "SNS topic of failed and crash-consistent (VSS fallback) backups");
    }
    if (env.audit && plan && selection) {
      const audit = this.audit(env.audit, { plan, selection, lock: vaultLock, deletionGuard: guard }, env);
      output("audit_framework_arn", audit.frameworkArn, "AWS Backup Audit Manager framework of this environment");
    }
    output("required_instance_tag", describeTag(tag), "Tag an instance needs to be backed up with VSS");
  }

  /**
   * The role AWS Backup assumes: an existing one, the one this stack creates, or (in a member's
   * other regions) the one its home region created, by the name the organization's policy uses.
   */
  private backupServiceRole(env: ResolvedEnvironment, instanceRole?: VssInstanceRole): IBackupServiceRole {
    const spec = env.backupServiceRole;
    if ("existingRoleArn" in spec) return BackupServiceRole.fromRoleArn(spec.existingRoleArn);
    if (!instanceRole) return BackupServiceRole.fromRoleArn(`arn:aws:iam::${env.account}:role/${spec.roleName}`);
    return new BackupServiceRole(this, "backup-service-role", { ...spec, passableInstanceRoles: [instanceRole] });
  }

  /** A member's alert rules, putting their events on the central bus through the account's forwarding role. */
  private forwardedAlerts(
    alerts: ResolvedAlerts,
    account: string,
    busArn: string,
    createsIam: boolean,
  ): VssBackupAlerts {
    const forwardTo: CentralBusTarget = createsIam
      ? new VssAlertForwarder(this, "alert-forwarder", { account, busArn }).target
      : VssAlertForwarder.existing({ account, busArn });
    return new VssBackupAlerts(this, "alerts", {
      ruleName: alerts.ruleName,
      subject: alerts.subject,
      failedRestoreTests: alerts.failedRestoreTests,
      forwardTo,
    });
  }

  /** The DR vault in the second region, through an aliased provider of the same account, with its own key and lock. */
  private disasterRecoveryVault(env: ResolvedEnvironment, dr: ResolvedDisasterRecovery): VssBackupVault {
    const provider = new AwsProvider(this, "aws-dr", { alias: DR_PROVIDER_ALIAS, ...providerConfig(env, dr.region) });
    const preventDestroy = dr.vault.preventDestroy ?? true;
    const key = new VssKmsKey(this, "dr-vault-key", {
      alias: dr.vault.keyAlias,
      description: `Encrypts the backups of DR vault ${dr.vault.name} that AWS Backup fully manages`,
      account: env.account,
      users: [KeyUsers.awsBackupVault(env.account, dr.region)],
      preventDestroy,
      provider,
    });
    const vault = new VssBackupVault(this, "dr-vault", { name: dr.vault.name, key, preventDestroy, provider });
    if (dr.vault.lock) lockVault(this, "dr-vault-lock", vault, dr.vault.lock, dr.vault.preventDestroy);
    for (const resource of this.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource))
      if (resource.provider === provider) referenceProviderInHcl(resource);
    return vault;
  }

  /** The audit framework over what this stack built, and its report plan when one is configured. */
  private audit(
    audit: ResolvedAudit,
    built: {
      plan: VssBackupPlan;
      selection: VssBackupSelection;
      lock?: VssVaultLock;
      deletionGuard?: VssVaultDeletionGuard;
    },
    env: ResolvedEnvironment,
  ): VssAuditFramework {
    const framework = new VssAuditFramework(this, "audit", {
      ...built,
      name: audit.frameworkName,
      requiredFrequency: audit.requiredFrequency,
      requiredRetentionDays: audit.requiredRetentionDays,
      copyRegion: env.disasterRecovery?.region,
    });
    const report = audit.report;
    if (report)
      new VssBackupReportPlan(this, "audit-report", {
        name: report.name,
        bucketName: report.bucketName,
        keyPrefix: report.keyPrefix,
        formats: report.formats,
        content:
          report.template === "BACKUP_JOB_REPORT"
            ? { template: "BACKUP_JOB_REPORT" }
            : { template: "CONTROL_COMPLIANCE_REPORT", frameworks: [framework] },
      });
    return framework;
  }

  private alerts(alerts: ResolvedAlerts, account: string): VssBackupAlerts {
    const spec = alerts.topic;
    const topic =
      "existingTopicArn" in spec
        ? VssAlertTopic.fromTopicArn(spec.existingTopicArn)
        : new VssAlertTopic(this, "alert-topic", {
            name: spec.name,
            emails: spec.emails,
            key: new VssKmsKey(this, "alert-key", {
              alias: spec.keyAlias,
              description: `Encrypts the backup alerts of topic ${spec.name}`,
              account,
              users: [KeyUsers.EVENTBRIDGE_TO_ENCRYPTED_TOPIC],
              preventDestroy: false,
            }),
          });
    return new VssBackupAlerts(this, "alerts", {
      ruleName: alerts.ruleName,
      subject: alerts.subject,
      topic,
      failedRestoreTests: alerts.failedRestoreTests,
    });
  }
}

/**
 * An AWS provider of the environment's account in `region`. A member stack's names the member's AWS
 * profile and no role: a saved plan keeps its provider configuration, so a role written here would
 * be assumed by the plan as by the apply; the profile lets the wave's plan assume the member's
 * read-only plan role and its apply the deploy role (scripts/wave-deploy.ts writes the profiles).
 * `allowed_account_ids` still refuses a profile that reaches another account.
 */
function providerConfig(env: ResolvedEnvironment | ResolvedMember, region: string): AwsProviderConfig {
  return {
    region,
    allowedAccountIds: [env.account],
    defaultTags: [{ tags: { ...env.defaultTags } }],
    ...("member" in env ? { profile: env.member.profile } : {}),
  };
}

/** The DR vault a member's home region stack created: another region's stack copies to it by ARN. */
function homeDisasterRecoveryVault(env: ResolvedEnvironment, dr: ResolvedDisasterRecovery): { vaultArn: string } {
  return { vaultArn: `arn:aws:backup:${dr.region}:${env.account}:backup-vault:${dr.vault.name}` };
}

/** The alias of the second region's provider (`aws.dr`). */
export const DR_PROVIDER_ALIAS = "dr";

function lockVault(
  scope: Construct,
  id: string,
  vault: VssBackupVault,
  lock: LockRange & LockMode,
  preventDestroy: boolean | undefined,
): VssVaultLock {
  const range = { minRetentionDays: lock.minRetentionDays, maxRetentionDays: lock.maxRetentionDays };
  const mode: LockMode =
    lock.mode === "compliance"
      ? { mode: "compliance", changeableForDays: lock.changeableForDays }
      : { mode: "governance" };
  return new VssVaultLock(scope, id, { vault, ...range, ...mode, preventDestroy: preventDestroy ?? true });
}

/**
 * cdktf 0.21's HCL renderer writes the provider meta-argument quoted (`provider = "aws.dr"`), which
 * Terraform warns is a deprecated quoted reference; the JSON form is right as it is. This makes the
 * HCL form (`cdktf synth --hcl`, the exit route) write the bare reference `provider = aws.dr`.
 */
function referenceProviderInHcl(resource: TerraformResource): void {
  const toHcl = resource.toHclTerraform.bind(resource);
  resource.toHclTerraform = () => {
    const hcl = toHcl() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
    for (const byId of Object.values(hcl.resource ?? {}))
      for (const attributes of Object.values(byId))
        if (typeof attributes.provider === "string")
          attributes.provider = { value: attributes.provider, type: "reference" };
    return hcl;
  };
}
