import { describeTag } from "../modules";
import { INSTANCE_CHECKS } from "./checks";
import type { Status } from "./facts";
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

/** A table for people: the backup side, one row per instance with a mark per check, the first fix, and a summary line. */
export function formatTable(report: PreflightReport): string {
  const shown = escapeUnprintable;
  const tag = shown(describeTag(report.tag));
  const lines = [
    `VSS preflight: ${shown(report.environment)} (account ${shown(report.account)}, ${shown(report.region)}), instances tagged ${tag}`,
    "",
  ];
  for (const [name, check] of Object.entries(report.backupSide))
    lines.push(
      `${MARK[check.status].padEnd(4)} ${name}: ${shown(check.detail)}${check.fix ? `\n     fix: ${shown(check.fix)}` : ""}`,
    );
  lines.push("");
  if (report.instances.length === 0) {
    lines.push(
      `FAIL no instance carries ${tag}: nothing is protected`,
      `     fix: tag the instances to back up: aws ec2 create-tags --resources <id> --tags Key=${shown(report.tag.key)},Value=${shown(report.tag.value)}`,
    );
  } else {
    const header = ["instance", "name", ...INSTANCE_CHECKS, "fix"];
    const rows = report.instances.map((i) => {
      const firstProblem =
        INSTANCE_CHECKS.map((c) => i.checks[c]).find((c) => c.status === "fail") ??
        INSTANCE_CHECKS.map((c) => i.checks[c]).find((c) => c.status === "warn");
      return [
        shown(i.id),
        shown(i.name ?? ""),
        ...INSTANCE_CHECKS.map((c) => MARK[i.checks[c].status]),
        firstProblem ? `${shown(firstProblem.detail)} -> ${shown(firstProblem.fix ?? "")}` : "",
      ];
    });
    const widths = header.slice(0, -1).map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)));
    const render = (cells: string[]) =>
      cells
        .map((cell, col) => (col < widths.length ? cell.padEnd(widths[col]) : cell))
        .join("  ")
        .trimEnd();
    lines.push(render(header), ...rows.map(render));
  }
  const s = report.summary;
  lines.push(
    "",
    `${s.status === "pass" ? "READY" : s.status === "warn" ? "READY WITH WARNINGS" : "NOT READY"}: ${s.instances} instances, ${s.ready} ready, ${s.warnings} with warnings, ${s.notReady} not ready`,
  );
  return lines.join("\n");
}

/** Characters JSON.stringify leaves raw that a terminal or a line-based reader would still act on. */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** The whole report as JSON for machines, every control character escaped (`\u001b`, `\u0085`). */
export function formatJson(report: PreflightReport): string {
  return JSON.stringify(report, null, 2).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
}
