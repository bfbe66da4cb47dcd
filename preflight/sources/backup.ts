import {
  BackupJob,
  DescribeBackupVaultCommand,
  DescribeBackupVaultOutput,
  DescribeRegionSettingsCommand,
  DescribeRegionSettingsOutput,
  GetBackupPlanCommand,
  GetBackupPlanOutput,
  GetBackupSelectionCommand,
  GetBackupSelectionOutput,
  ListBackupJobsCommand,
  ListBackupJobsOutput,
  ListBackupPlansCommand,
  ListBackupPlansOutput,
  ListBackupSelectionsCommand,
  ListBackupSelectionsOutput,
} from "@aws-sdk/client-backup";
import { AwsCaller, CallOptions, mapLimit, unread } from "../aws";
import type { BackupFacts, Unread, VaultFacts } from "../facts";

/** The backup side as AWS has it: the vault and the plan of these names, the plan's selections, the region's opt-in. */
export async function gatherBackupSide(
  aws: AwsCaller,
  names: { readonly vault: string; readonly plan: string },
): Promise<BackupFacts> {
  const vault = await readVault(aws, names.vault);
  const plan = await readPlan(aws, names.plan);
  const selections = "found" in plan && plan.found ? await readSelections(aws, plan.id) : undefined;
  const ec2OptedIn = await aws
    .send<DescribeRegionSettingsOutput>("backup", new DescribeRegionSettingsCommand({}))
    .then((settings) => ({ optedIn: settings.ResourceTypeOptInPreference?.EC2 === true }), unread);
  return { vault, plan, selections, ec2OptedIn };
}

/** The vault of this name (in `where.region`, the environment's by default), and its lock when it is locked. */
export async function readVault(aws: AwsCaller, name: string, where: CallOptions = {}): Promise<VaultFacts> {
  try {
    const vault = await aws.send<DescribeBackupVaultOutput>(
      "backup",
      new DescribeBackupVaultCommand({ BackupVaultName: name }),
      where,
    );
    if (!vault.Locked) return { exists: true };
    return {
      exists: true,
      lock: {
        minRetentionDays: vault.MinRetentionDays,
        maxRetentionDays: vault.MaxRetentionDays,
        lockDate: vault.LockDate,
      },
    };
  } catch (error) {
    return unread(error);
  }
}

async function readPlan(aws: AwsCaller, name: string): Promise<BackupFacts["plan"]> {
  try {
    const pages = await aws.pages<ListBackupPlansOutput>(
      "backup",
      (NextToken) => new ListBackupPlansCommand({ NextToken }),
    );
    const id = pages.flatMap((p) => p.BackupPlansList ?? []).find((p) => p.BackupPlanName === name)?.BackupPlanId;
    if (!id) return { found: false };
    const plan = await aws.send<GetBackupPlanOutput>("backup", new GetBackupPlanCommand({ BackupPlanId: id }));
    const windowsVss = (plan.AdvancedBackupSettings ?? []).some(
      (s) => s.ResourceType === "EC2" && s.BackupOptions?.WindowsVSS === "enabled",
    );
    return { found: true, id, windowsVss };
  } catch (error) {
    return unread(error);
  }
}

async function readSelections(aws: AwsCaller, planId: string): Promise<NonNullable<BackupFacts["selections"]>> {
  try {
    const pages = await aws.pages<ListBackupSelectionsOutput>(
      "backup",
      (NextToken) => new ListBackupSelectionsCommand({ BackupPlanId: planId, NextToken }),
    );
    const selections = await mapLimit(
      pages.flatMap((p) => p.BackupSelectionsList ?? []),
      4,
      (s) =>
        aws.send<GetBackupSelectionOutput>(
          "backup",
          new GetBackupSelectionCommand({ BackupPlanId: planId, SelectionId: s.SelectionId }),
        ),
    );
    return selections.flatMap((s) => (s.BackupSelection ? [s.BackupSelection] : []));
  } catch (error) {
    return unread(error);
  }
}

/** Every EC2 backup job of the account since then, in any vault (on-demand ones included), by instance. */
export async function gatherJobs(aws: AwsCaller, since: Date): Promise<Map<string, BackupJob[]> | Unread> {
  const pages = await aws
    .pages<ListBackupJobsOutput>(
      "backup",
      (NextToken) =>
        new ListBackupJobsCommand({ ByResourceType: "EC2", ByCreatedAfter: since, MaxResults: 1000, NextToken }),
    )
    .catch(unread);
  if ("error" in pages) return pages;
  const byInstance = new Map<string, BackupJob[]>();
  for (const job of pages.flatMap((p) => p.BackupJobs ?? [])) {
    const id = job.ResourceArn?.split("/").pop();
    if (!id) continue;
    // Appended in place: a copy per job made an instance with hourly backups cost its jobs squared.
    const jobs = byInstance.get(id);
    if (jobs) jobs.push(job);
    else byInstance.set(id, [job]);
  }
  return byInstance;
}
