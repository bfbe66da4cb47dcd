// What preflight reads from AWS, as data: the sources (preflight/sources/) collect these facts and
// preflight/checks.ts alone judges them.
import type { BackupJob, BackupSelection } from "@aws-sdk/client-backup";
import type { EvaluationResult } from "@aws-sdk/client-iam";
import type { TouchedResource } from "./requirements";

export type Status = "pass" | "warn" | "fail";
export interface CheckResult {
  readonly status: Status;
  readonly detail: string;
  /** One line that says how to fix it (absent on pass). */
  readonly fix?: string;
}

/** AWS answered a call with an error (a missing permission, a missing resource, throttling): the fact could not be read. */
export interface Unread {
  /** `Name: message`, as AWS answered. */
  readonly error: string;
  /** The error was a missing permission of the caller, which says nothing about the fleet. */
  readonly denied: boolean;
}

/** A vault's lock, as DescribeBackupVault reports it when `Locked`. */
export interface LockFacts {
  readonly minRetentionDays?: number;
  readonly maxRetentionDays?: number;
  /** When a compliance lock becomes (or became) immutable; absent in governance mode. */
  readonly lockDate?: Date;
}

/** A vault as DescribeBackupVault has it, with its lock when it is locked; a missing vault is an Unread (ResourceNotFoundException). */
export type VaultFacts = { readonly exists: true; readonly lock?: LockFacts } | Unread;

export interface BackupFacts {
  readonly vault: VaultFacts;
  /** The plan named in the environment: whether there is one, its id, and whether it takes VSS backups of EC2. */
  readonly plan:
    | { readonly found: false }
    | { readonly found: true; readonly id: string; readonly windowsVss: boolean }
    | Unread;
  /** Every selection of that plan (absent when the plan was not found or not read). */
  readonly selections?: readonly BackupSelection[] | Unread;
  readonly ec2OptedIn: { readonly optedIn: boolean } | Unread;
}

/** The environment's alert rule on the default event bus, as EventBridge has it in the environment's region. */
export interface AlertRuleFacts {
  readonly rule: { readonly found: false } | { readonly found: true; readonly state: string } | Unread;
  /** The ARNs the rule sends to (absent when the rule was not found or not read). */
  readonly targetArns?: readonly string[] | Unread;
}

/** One AWS Config configuration recorder: its name and what it records. */
export interface RecorderFacts {
  readonly name: string;
  readonly records:
    | { readonly allSupported: true }
    | { readonly allExcept: readonly string[] }
    | { readonly only: readonly string[] };
}

/** Whether a recorder records now, and how its last recording went (RecorderStatus: Pending, Success, Failure). */
export interface RecorderStatusFacts {
  readonly name: string;
  readonly recording: boolean;
  readonly lastStatus?: string;
  /** `lastErrorCode: lastErrorMessage`, when AWS Config reports one. */
  readonly lastError?: string;
}

/** AWS Config's recorders in the environment's region (the audit framework's controls evaluate through them). */
export interface ConfigRecorderFacts {
  readonly recorders: readonly RecorderFacts[] | Unread;
  /** Every recorder's status (absent when there is no recorder or the recorders were not read). */
  readonly statuses?: readonly RecorderStatusFacts[] | Unread;
}

/**
 * What keeps the backups safe and heard of after day one, beyond the main vault (whose lock comes
 * with BackupFacts.vault): each field is read only when the environment configures it, and absent
 * otherwise. A further check is one more optional field here, read by a source of its own in
 * run.ts's gatherProtection and judged in checks.ts's judgeProtection.
 */
export interface ProtectionFacts {
  /** The DR vault, read in the DR region. */
  readonly disasterRecoveryVault?: VaultFacts;
  /** The alert rules, in the order of expectedAlertRules. */
  readonly alertRules?: readonly AlertRuleFacts[];
  /** AWS Config's recorders, read when the environment has an audit framework. */
  readonly configRecorder?: ConfigRecorderFacts;
}

export interface InstanceFacts {
  readonly id: string;
  readonly name?: string;
  readonly arn: string;
  readonly state: string;
  /** "windows", or EC2's PlatformDetails of another platform. */
  readonly platform: string;
  readonly instanceType: string;
  readonly profileArn?: string;
}

export interface ProfileFacts {
  readonly roleName?: string;
  readonly roleArn?: string;
  readonly unread?: Unread;
}

/** What IAM says of one role: the simulation's results, or, when simulation is refused, the policies on the role. */
export interface RoleFacts {
  readonly roleName: string;
  readonly simulation?: {
    readonly evaluations: readonly EvaluationResult[];
    /** The ARN simulated for each kind of resource the actions touch. */
    readonly resourceArns: Readonly<Record<TouchedResource, string>>;
  };
  /** Why simulation was not used. */
  readonly simulationError?: string;
  readonly policies?: { readonly attachedArns: readonly string[]; readonly inlineNames: readonly string[] } | Unread;
}

export interface SsmFacts {
  readonly pingStatus?: string;
  readonly agentVersion?: string;
  readonly platformName?: string;
}

export interface AssociationFacts {
  readonly associationId?: string;
  readonly lastExecution?: { readonly time?: Date };
  /** Instances whose latest execution did not succeed, with SSM's status. */
  readonly unsuccessful: ReadonlyMap<string, string>;
  /**
   * Every target of the latest execution, listed only when it counted fewer targets than SSM manages
   * tagged instances (some were tagged, launched or registered since); undefined when it covered them all.
   */
  readonly targets?: ReadonlySet<string>;
  /** No association carries the environment's name. */
  readonly missing?: boolean;
  readonly unread?: Unread;
}

export interface InventoryFacts {
  /**
   * The inventoried AwsVssComponents version of each instance SSM found below the minimum, comparing
   * strings (candidates, to compare as versions); undefined when inventory was not read.
   */
  readonly candidateVersions?: ReadonlyMap<string, string>;
  readonly note: string;
}

/** The backup jobs looked at: those created in the last `days` days, since `since`. */
export interface JobsWindow {
  readonly since: Date;
  readonly days: number;
}

export interface FleetFacts {
  readonly instances: readonly InstanceFacts[];
  /** Instance profile ARN → the role it holds. */
  readonly profiles: ReadonlyMap<string, ProfileFacts>;
  /** Role name → what IAM says of it. */
  readonly roles: ReadonlyMap<string, RoleFacts>;
  readonly ssm: ReadonlyMap<string, SsmFacts> | Unread;
  readonly association: AssociationFacts;
  readonly inventory: InventoryFacts;
  readonly jobs: ReadonlyMap<string, readonly BackupJob[]> | Unread;
  readonly jobsWindow: JobsWindow;
}
