/**
 * Validation shared by the constructs (which throw) and the environment configuration (which
 * collects every problem of every environment before anything is built). One rule, one function.
 */

import type { Construct } from "constructs";
import { regionProblem } from "./regions";

/**
 * Context key of the time synthesis judges against (an ISO date): whether a schedule still fires
 * depends on it. The app sets it from its clock; a test sets its own.
 */
export const SYNTHESIS_TIME_CONTEXT = "vss-backup:synthesisTime";

/** The time this synthesis runs at, as the app (or a test) set it; the wall clock where none is set. */
export function synthesisTime(scope: Construct): Date {
  const time = scope.node.tryGetContext(SYNTHESIS_TIME_CONTEXT) as string | undefined;
  return time === undefined ? new Date() : new Date(time);
}

/** One thing wrong with an input: where (a dotted field path) and what is allowed. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Thrown for invalid input; the message lists every problem, one per line. */
export class ValidationError extends Error {
  constructor(
    readonly subject: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(subject, problems));
    this.name = "ValidationError";
  }
}

export function formatProblems(subject: string, problems: readonly Problem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return [`${subject} (${count}):`, ...problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n");
}

/** Prefixes every problem's path, so a module's problems read as a configuration's fields. */
export function under(prefix: string, problems: readonly Problem[]): Problem[] {
  const join = (path: string) =>
    path === "" ? prefix : path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
  return problems.map((p) => ({ path: join(p.path), message: p.message }));
}

export function throwIfAny(subject: string, problems: readonly Problem[]): void {
  if (problems.length > 0) throw new ValidationError(subject, problems);
}

/** Collects problems; each `check*` adds at most one problem per field. */
export class Problems {
  private readonly list: Problem[] = [];

  get all(): readonly Problem[] {
    return this.list;
  }

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /** Adds another list's problems with their paths under `prefix` (a field of this input). */
  nest(prefix: string, other: Problems): void {
    this.list.push(...under(prefix, other.all));
  }

  /** A name AWS restricts to `min`-`max` characters of a set (`charsLabel` says which, for people). */
  checkName(path: string, value: string, spec: NameSpec): void {
    const problem = nameProblem(value, spec);
    if (problem) this.add(path, problem);
  }

  /** A whole number within [min, max]; `unit` appears in the message ("days", "minutes"). */
  checkInteger(path: string, value: number, min: number, max: number, unit: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(path, `${value} is not allowed, allowed: a whole number of ${unit} from ${min} to ${max}`);
    }
  }

  checkArn(path: string, value: string, spec: ArnSpec, place?: Place): void {
    const problem = arnProblem(value, spec, place);
    if (problem) this.add(path, problem);
  }
}

export interface NameSpec {
  readonly min: number;
  readonly max: number;
  readonly pattern: RegExp;
  /** The allowed characters in words, e.g. "A-Z a-z 0-9 - _". */
  readonly charsLabel: string;
}

/** AWS Backup vault names (CreateBackupVault): 2-50 of A-Z a-z 0-9 - _. */
export const VAULT_NAME: NameSpec = { min: 2, max: 50, pattern: /^[A-Za-z0-9_-]+$/, charsLabel: "A-Z a-z 0-9 - _" };
/** Backup plan, rule and selection names: 1-50 of A-Z a-z 0-9 - _ . */
export const BACKUP_NAME: NameSpec = { min: 1, max: 50, pattern: /^[A-Za-z0-9_.-]+$/, charsLabel: "A-Z a-z 0-9 - _ ." };
/** IAM role names: 1-64 of A-Z a-z 0-9 + = , . @ - _. */
export const IAM_ROLE_NAME: NameSpec = {
  min: 1,
  max: 64,
  pattern: /^[\w+=,.@-]+$/,
  charsLabel: "A-Z a-z 0-9 + = , . @ - _",
};
/** IAM instance profile names: 1-128 of A-Z a-z 0-9 + = , . @ - _. */
export const INSTANCE_PROFILE_NAME: NameSpec = {
  min: 1,
  max: 128,
  pattern: /^[\w+=,.@-]+$/,
  charsLabel: "A-Z a-z 0-9 + = , . @ - _",
};
/** SSM association names: 3-128 of A-Z a-z 0-9 - _ . */
export const ASSOCIATION_NAME: NameSpec = {
  min: 3,
  max: 128,
  pattern: /^[A-Za-z0-9_.-]+$/,
  charsLabel: "A-Z a-z 0-9 - _ .",
};

export function nameProblem(value: string, spec: NameSpec): string | undefined {
  const allowed = `allowed: ${spec.min}-${spec.max} of ${spec.charsLabel}`;
  if (typeof value !== "string" || value.length < spec.min || value.length > spec.max) {
    return `${JSON.stringify(value)} has ${typeof value === "string" ? value.length : 0} characters, ${allowed}`;
  }
  if (!spec.pattern.test(value)) {
    const bad = [...new Set([...value].filter((c) => !spec.pattern.test(c)))];
    return `${JSON.stringify(value)} has ${bad.map((c) => `'${c}'`).join(", ")}, ${allowed}`;
  }
  return undefined;
}

/**
 * Why `name` is not an S3 bucket name (S3's naming rules: 3-63 of a-z 0-9 . -, starting and ending
 * with a letter or digit, no "..", not an IP address, none of the reserved prefixes and suffixes).
 */
export function s3BucketNameProblem(name: string): string | undefined {
  const allowed =
    "allowed: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address";
  const reserved = /^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    return `${JSON.stringify(name)} is not a bucket name, ${allowed}`;
  }
  if (reserved.test(name)) return `${JSON.stringify(name)} uses a prefix or suffix S3 reserves, ${allowed}`;
  return undefined;
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/** Where an environment lives: what an ARN must agree with. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

/** What an ARN must be, and how it must agree with the environment's place. */
export interface ArnSpec {
  readonly service: string;
  /** The resource part's start, e.g. "key/", "role/", "backup-vault:". */
  readonly resourcePrefix: string;
  /** What the ARN names, for people: "KMS key", "IAM role". */
  readonly what: string;
  /** "same": the environment's region; "none": a global (IAM) ARN has none; "any": a region of the partition. */
  readonly region: "same" | "none" | "any";
  /** "same": the environment's account; "same or aws": also AWS's own (managed policies); "any". */
  readonly account: "same" | "same or aws" | "any";
}

const ARN = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/;

/**
 * Why `value` is not the ARN `spec` asks for, or undefined. With `place`, also where it disagrees
 * with the environment: the partition is always aws (the stacks write arn:aws:).
 */
export function arnProblem(value: string, spec: ArnSpec, place?: Place): string | undefined {
  const shown = JSON.stringify(value);
  const a = /^[aeiou]/i.test(spec.what) ? `an ${spec.what}` : `a ${spec.what}`;
  const example = `arn:aws:${spec.service}:${spec.region === "none" ? "" : "<region>"}:<account>:${spec.resourcePrefix}<name>`;
  const match = ARN.exec(value);
  if (!match) return `${shown} is not an ARN, allowed: ${a} ARN like ${example}`;
  const [, partition, service, region, account, resource] = match;
  if (service !== spec.service || !resource.startsWith(spec.resourcePrefix)) {
    return `${shown} is not ${a} ARN, allowed: an ARN like ${example}`;
  }
  if (partition !== "aws")
    return `${shown} is in partition ${partition}, allowed: arn:aws: (the partition the stacks write)`;
  if (spec.region === "none" && region !== "")
    return `${shown} names region ${region}, allowed: none (${spec.what} ARNs are global: ${example})`;
  if (spec.region !== "none") {
    const problem = regionProblem(region);
    if (problem) return `${shown}: region ${problem}`;
    if (spec.region === "same" && place && region !== place.region) {
      return `${shown} is in region ${region}, allowed: ${a} in the environment's region ${place.region}`;
    }
  }
  if (account === "" || (account === "aws" && spec.account !== "same or aws")) {
    return `${shown} names no account of its own, allowed: a 12-digit account`;
  }
  if (spec.account !== "any" && place && account !== "aws" && account !== place.account) {
    return `${shown} is in account ${account}, allowed: ${a} of the environment's account ${place.account}`;
  }
  return undefined;
}

/** ARN rules of the ARNs the modules take. */
export const ARNS = {
  kmsKey: { service: "kms", resourcePrefix: "key/", what: "KMS key", region: "same", account: "same" },
  iamRole: { service: "iam", resourcePrefix: "role/", what: "IAM role", region: "none", account: "same" },
  iamPolicy: { service: "iam", resourcePrefix: "policy/", what: "IAM policy", region: "none", account: "same or aws" },
  backupVault: {
    service: "backup",
    resourcePrefix: "backup-vault:",
    what: "backup vault",
    region: "any",
    account: "any",
  },
} as const satisfies Record<string, ArnSpec>;
