/**
 * Validation shared by the constructs (which throw) and the environment configuration (which
 * collects every problem of every environment before anything is built). One rule, one function.
 */

import type { Construct } from "constructs";

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
  return problems.map((p) => ({ path: p.path ? `${prefix}.${p.path}` : prefix, message: p.message }));
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

  checkArn(path: string, value: string, service: string, resourcePrefix: string): void {
    const problem = arnProblem(value, service, resourcePrefix);
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

// Commercial partition only: every ARN this project writes starts arn:aws:. The account is 12 digits,
// "aws" for AWS managed policies, or empty for global resources.
const ARN = /^arn:aws:([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/;

export function arnProblem(value: string, service: string, resourcePrefix: string): string | undefined {
  const match = ARN.exec(value);
  const expected = `allowed: an ARN like arn:aws:${service}:<region>:<account>:${resourcePrefix}<name>`;
  if (!match) return `${JSON.stringify(value)} is not an ARN, ${expected}`;
  if (match[1] !== service || !match[4].startsWith(resourcePrefix)) {
    return `${JSON.stringify(value)} is not a ${service} ${resourcePrefix.replace(/[/:]$/, "")} ARN, ${expected}`;
  }
  return undefined;
}
