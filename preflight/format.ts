import { describeTag, SelectionTag } from "../modules";
import { INSTANCE_CHECKS, InstanceReport } from "./checks";
import type { CheckResult, Status } from "./facts";
import type { AccountReport, OrganizationReport } from "./organization";
import type { PreflightReport } from "./run";

const MARK: Record<Status, string> = { pass: "ok", warn: "WARN", fail: "FAIL" };

/**
 * Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides: in a
 * value from AWS (a Name tag, a status message) they could end a line, move the cursor or recolour
 * the terminal, and so forge a row of the report.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `text` with every unprintable character written as an escape (`\n`, `\x1b`, `\u{2028}`): one value, one line. */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0)!;
    return (
      NAMED_ESCAPES[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`)
    );
  });
}

/** A check as a line: its mark, what is checked and what was found, and the fix on the next line. */
function checkLines(label: string, check: CheckResult): string {
  const shown = escapeUnprintable;
  return `${MARK[check.status].padEnd(4)} ${label}: ${shown(check.detail)}${check.fix ? `\n     fix: ${shown(check.fix)}` : ""}`;
}

/** A stack with no tagged instance protects nothing: a failure, with how to tag. */
function nothingTaggedLines(tag: SelectionTag, where = ""): string[] {
  const shown = escapeUnprintable;
  return [
    `FAIL ${where}no instance carries ${shown(describeTag(tag))}: nothing is protected`,
    `     fix: tag the instances to back up: aws ec2 create-tags --resources <id> --tags Key=${shown(tag.key)},Value=${shown(tag.value)}`,
  ];
}

/** An instance's cells: id, name, a mark per check, and its first failure's (else warning's) detail and fix. */
function instanceCells(i: InstanceReport): string[] {
  const shown = escapeUnprintable;
  const checks = INSTANCE_CHECKS.map((c) => i.checks[c]);
  const firstProblem = checks.find((c) => c.status === "fail") ?? checks.find((c) => c.status === "warn");
  return [
    shown(i.id),
    shown(i.name ?? ""),
    ...INSTANCE_CHECKS.map((c) => MARK[i.checks[c].status]),
    firstProblem ? `${shown(firstProblem.detail)} -> ${shown(firstProblem.fix ?? "")}` : "",
  ];
}

/** The header and rows as aligned columns; the last column (the fix) is not padded. */
function columns(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.slice(0, -1).map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, col) => (col < widths.length ? cell.padEnd(widths[col]) : cell))
      .join("  ")
      .trimEnd();
  return [render(header), ...rows.map(render)];
}

const INSTANCE_HEADER = ["instance", "name", ...INSTANCE_CHECKS, "fix"];

const VERDICT: Record<Status, string> = { pass: "READY", warn: "READY WITH WARNINGS", fail: "NOT READY" };

type InstanceCounts = Pick<PreflightReport["summary"], "instances" | "ready" | "warnings" | "notReady">;
const instanceCounts = (s: InstanceCounts) =>
  `${s.instances} instances, ${s.ready} ready, ${s.warnings} with warnings, ${s.notReady} not ready`;

/** A table for people: the backup side, one row per instance with a mark per check, the first fix, and a summary line. */
export function formatTable(report: PreflightReport): string {
  const shown = escapeUnprintable;
  const lines = [
    `VSS preflight: ${shown(report.environment)} (account ${shown(report.account)}, ${shown(report.region)}), instances tagged ${shown(describeTag(report.tag))}`,
    "",
  ];
  for (const [name, check] of Object.entries(report.backupSide)) lines.push(checkLines(name, check));
  lines.push("");
  if (report.instances.length === 0) lines.push(...nothingTaggedLines(report.tag));
  else lines.push(...columns(INSTANCE_HEADER, report.instances.map(instanceCells)));
  const s = report.summary;
  lines.push("", `${VERDICT[s.status]}: ${instanceCounts(s)}`);
  return lines.join("\n");
}

/**
 * The organization as one table: first what concerns a whole account or stack (an account that could
 * not be checked, a backup-side check that is not ok, a stack with nothing tagged), then one row per
 * instance with its account and region, then one summary for the organization.
 */
export function formatOrganizationTable(report: OrganizationReport): string {
  const shown = escapeUnprintable;
  const { scope, summary } = report;
  const filters = [scope.ou && `OU ${shown(scope.ou)}`, scope.wave && `wave ${shown(scope.wave)}`].filter(Boolean);
  const lines = [
    `VSS preflight across the organization${filters.length > 0 ? ` (${filters.join(", ")})` : ""}: ${summary.accounts} accounts`,
    "",
  ];
  const accountOf = (a: AccountReport) => `${shown(a.account)} (${shown(a.name)})`;
  const problems: string[] = [];
  for (const account of report.accounts) {
    for (const error of account.errors) problems.push(`UNREACHABLE ${accountOf(account)}: ${shown(error)}`);
    for (const stack of account.stacks) {
      const where = `${accountOf(account)} ${shown(stack.region)}`;
      for (const [name, check] of Object.entries(stack.backupSide))
        if (check.status !== "pass") problems.push(checkLines(`${where} ${name}`, check));
      if (stack.instances.length === 0) problems.push(...nothingTaggedLines(stack.tag, `${where}: `));
    }
  }
  if (problems.length > 0) lines.push(...problems, "");
  const rows = report.accounts.flatMap((a) =>
    a.stacks.flatMap((s) => s.instances.map((i) => [accountOf(a), shown(s.region), ...instanceCells(i)])),
  );
  if (rows.length > 0) lines.push(...columns(["account", "region", ...INSTANCE_HEADER], rows), "");
  lines.push(
    `${VERDICT[summary.status]}: ${summary.accounts} accounts, ${summary.checked} checked, ${summary.unreachable} unreachable; ${instanceCounts(summary)}`,
  );
  return lines.join("\n");
}

/** Characters JSON.stringify leaves raw that a terminal or a line-based reader would still act on. */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** The whole report as JSON for machines, every control character escaped (`\u001b`, `\u0085`). */
export function formatJson(report: PreflightReport | OrganizationReport): string {
  return JSON.stringify(report, null, 2).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
}
