import { INSTANCE_CHECKS } from "./checks";
import type { Status } from "./gather";
import type { PreflightReport } from "./run";

const MARK: Record<Status, string> = { pass: "ok", warn: "WARN", fail: "FAIL" };

/** A table for people: the backup side, one row per instance with a mark per check, the first fix, and a summary line. */
export function formatTable(report: PreflightReport): string {
  const lines = [
    `VSS preflight: ${report.environment} (account ${report.account}, ${report.region}), instances tagged ${report.tag}`,
    "",
  ];
  for (const [name, check] of Object.entries(report.backupSide))
    lines.push(
      `${MARK[check.status].padEnd(4)} ${name}: ${check.detail}${check.fix ? `\n     fix: ${check.fix}` : ""}`,
    );
  lines.push("");
  if (report.instances.length === 0) {
    lines.push(
      `FAIL no instance carries ${report.tag}: nothing is protected`,
      `     fix: tag the instances to back up: aws ec2 create-tags --resources <id> --tags Key=${report.tag.split("=")[0]},Value=${report.tag.split("=").slice(1).join("=")}`,
    );
  } else {
    const header = ["instance", "name", ...INSTANCE_CHECKS, "fix"];
    const rows = report.instances.map((i) => {
      const firstProblem =
        INSTANCE_CHECKS.map((c) => i.checks[c]).find((c) => c.status === "fail") ??
        INSTANCE_CHECKS.map((c) => i.checks[c]).find((c) => c.status === "warn");
      return [
        i.id,
        i.name ?? "",
        ...INSTANCE_CHECKS.map((c) => MARK[i.checks[c].status]),
        firstProblem ? `${firstProblem.detail} -> ${firstProblem.fix}` : "",
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

/** The whole report as JSON for machines. */
export function formatJson(report: PreflightReport): string {
  return JSON.stringify(report, null, 2);
}
