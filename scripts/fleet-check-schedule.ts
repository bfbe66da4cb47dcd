/**
 * The daily fleet check (.github/workflows/fleet-check.yml), generated from the configuration: per
 * environment, `npm run preflight -- --env <env> --json` about an hour before the environment's
 * earliest backup window. GitHub reads schedules as UTC cron, and a backup rule may be read in a time
 * zone with daylight saving time: the check runs early enough for every offset the zone takes in a
 * year. GitHub starts scheduled runs late at busy times, the top of the hour above all: the check
 * never runs in the first minutes of an hour.
 * `npm run generate:workflows` writes the file; a unit test fails when the committed one is stale.
 */
import type { ResolvedEnvironment } from "../config/resolve";
import { DEFAULT_TIMEZONE, parseCron, zonedTime } from "../modules/schedule";

export const WORKFLOW_PATH = ".github/workflows/fleet-check.yml";
/** How long before the earliest backup window the check runs, at least. */
export const LEAD_MINUTES = 60;
/** GitHub's scheduled runs start late most often in the first minutes of an hour: the check avoids them. */
export const BUSY_MINUTES = 5;
const DAY = 1440;

/** The offsets (minutes east of UTC) `timezone` takes in the year after `now`: one, or two with daylight saving time. */
export function utcOffsets(timezone: string, now: Date): number[] {
  const key = `${timezone} ${now.toISOString().slice(0, 10)}`;
  const known = offsetsSeen.get(key);
  if (known) return known;
  const offsets = new Set<number>();
  for (let day = 0; day <= 366; day++) {
    const date = new Date(now.getTime() + day * 86_400_000);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    const noon = zonedTime(timezone, y, m, d, 12, 0);
    if (noon) offsets.add(Math.round((Date.UTC(y, m - 1, d, 12, 0) - noon.getTime()) / 60_000));
  }
  const sorted = [...offsets].sort((a, b) => a - b);
  offsetsSeen.set(key, sorted);
  return sorted;
}
const offsetsSeen = new Map<string, number[]>();

/**
 * The UTC minutes of the day at which a backup rule of the environment may start, for every offset
 * of each rule's time zone, sorted.
 */
export function backupStartsUtc(env: ResolvedEnvironment, now: Date): number[] {
  const starts = new Set<number>();
  for (const rule of env.plan.rules) {
    const parsed = parseCron(rule.schedule);
    if ("problem" in parsed) throw new Error(`${env.name}: ${parsed.problem}`);
    for (const offset of utcOffsets(rule.timezone ?? DEFAULT_TIMEZONE, now))
      for (const hour of parsed.schedule.hours)
        for (const minute of parsed.schedule.minutes) starts.add((((hour * 60 + minute - offset) % DAY) + DAY) % DAY);
  }
  return [...starts].sort((a, b) => a - b);
}

/**
 * The UTC minute of the day for the check: LEAD_MINUTES before the start that follows the longest
 * stretch without backups (the day's first window, across midnight too), moved to minute 53 of the
 * hour before when it would fall in the first BUSY_MINUTES of an hour.
 */
export function checkMinute(starts: readonly number[]): number {
  if (starts.length === 0) throw new Error("no backup window");
  let first = 0;
  let longestGap = -1;
  starts.forEach((start, i) => {
    const previous = starts[(i + starts.length - 1) % starts.length];
    const gap = (start - previous + DAY) % DAY || DAY;
    if (gap > longestGap) [first, longestGap] = [i, gap];
  });
  let minute = (starts[first] - LEAD_MINUTES + DAY) % DAY;
  if (minute % 60 < BUSY_MINUTES) minute = (minute - (minute % 60) - 7 + DAY) % DAY;
  return minute;
}

/** The UTC cron (GitHub's five fields) of the environment's daily check. */
export function fleetCheckCron(env: ResolvedEnvironment, now: Date): string {
  const minute = checkMinute(backupStartsUtc(env, now));
  return `${minute % 60} ${Math.floor(minute / 60)} * * *`;
}

const clock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** The repository variable holding the environment's read-only preflight role. */
export const preflightRoleVariable = (env: string) => `AWS_PREFLIGHT_ROLE_ARN_${env.toUpperCase().replace(/-/g, "_")}`;

// Pinned as in the other workflows (checked against each action's repository).
const CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
const SETUP_NODE = "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0";
const AWS_CREDENTIALS = "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3";
const UPLOAD_ARTIFACT = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0";

/** The whole workflow file, formatted as Prettier leaves it. */
export function fleetCheckWorkflow(envs: readonly ResolvedEnvironment[], now: Date): string {
  const checks = envs.map((env) => {
    const starts = backupStartsUtc(env, now);
    return { env, starts, cron: fleetCheckCron(env, now) };
  });
  const crons = [...new Set(checks.map((c) => c.cron))];
  const lines = [
    "# GENERATED by `npm run generate:workflows` from config/environments.ts: do not edit; a test fails when it is stale.",
    "# The daily fleet check: per environment, the preflight (are the tagged instances ready for a VSS",
    "# backup?) about an hour before its earliest backup window, in UTC, early enough for both",
    "# daylight-saving offsets. It writes the report to the run summary, uploads the JSON, and fails",
    "# (so GitHub notifies) when an instance is not ready. Start it by hand with workflow_dispatch.",
    "# GitHub disables schedules after 60 days without activity in the repository: re-enable it then.",
    ...checks.map(
      ({ env, starts, cron }) =>
        `#   ${env.name}: backups may start at ${starts.map(clock).join(", ")} UTC; check at ${cron} (UTC cron)`,
    ),
    "name: fleet check",
    "",
    "on:",
    "  schedule:",
    ...crons.map((cron) => `    - cron: "${cron}"`),
    "  workflow_dispatch:",
    "    inputs:",
    "      environment:",
    "        description: Environment to check",
    "        type: choice",
    "        default: all",
    "        options:",
    "          - all",
    ...envs.map((env) => `          - ${env.name}`),
    "",
    "permissions:",
    "  contents: read",
    "",
    "env:",
    '  NODE_VERSION: "24"',
    "",
    "jobs:",
  ];
  for (const { env, cron } of checks) {
    const report = `preflight-${env.name}.json`;
    lines.push(
      `  preflight-${env.name}:`,
      `    name: preflight ${env.name}`,
      `    if: \${{ github.event.schedule == '${cron}' || (github.event_name == 'workflow_dispatch' && (inputs.environment == 'all' || inputs.environment == '${env.name}')) }}`,
      "    runs-on: ubuntu-24.04",
      "    timeout-minutes: 20",
      "    permissions:",
      "      contents: read",
      "      id-token: write",
      "    steps:",
      `      - uses: ${CHECKOUT}`,
      "        with:",
      "          persist-credentials: false",
      `      - uses: ${SETUP_NODE}`,
      "        with:",
      "          node-version: ${{ env.NODE_VERSION }}",
      "          cache: npm",
      "      - run: npm ci",
      "      # A read-only role: the preflight's permissions as the README lists them.",
      `      - uses: ${AWS_CREDENTIALS}`,
      "        with:",
      `          role-to-assume: \${{ vars.${preflightRoleVariable(env.name)} }}`,
      `          role-session-name: vss-backup-preflight-${env.name}`,
      `          aws-region: ${env.region}`,
      `      - name: Preflight ${env.name}`,
      "        id: preflight",
      "        run: |",
      "          status=0",
      `          npm run preflight --silent -- --env ${env.name} --json > ${report} || status=$?`,
      '          echo "exit-code=$status" >> "$GITHUB_OUTPUT"',
      "      - uses: ./.github/actions/preflight-summary",
      "        with:",
      `          report: ${report}`,
      "          exit-code: ${{ steps.preflight.outputs.exit-code }}",
      `      - uses: ${UPLOAD_ARTIFACT}`,
      "        with:",
      `          name: preflight-${env.name}`,
      `          path: ${report}`,
      "          if-no-files-found: error",
      "          retention-days: 30",
      "      - name: Fail unless every instance is ready",
      "        env:",
      "          EXIT_CODE: ${{ steps.preflight.outputs.exit-code }}",
      '        run: exit "$EXIT_CODE"',
      "",
    );
  }
  return lines.join("\n").replace(/\n+$/, "\n");
}
