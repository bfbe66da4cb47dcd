// The daily fleet check's schedule, generated from configurations built here.
import { NOW } from "./support/clock";
import { parse } from "yaml";
import type { EnvironmentConfig, ProjectConfig } from "../config/types";
import { loadEnvironments } from "../config/validate";
import { BackupRuleSpec, BackupRules, CronSchedule, nextRun, parseCron } from "../modules";
import {
  backupStartsUtc,
  checkMinute,
  fleetCheckCron,
  fleetCheckWorkflow,
  utcOffsets,
} from "../scripts/fleet-check-schedule";
import { lintWorkflow, Workflow } from "./support/workflows";

const environment = (
  name: string,
  rules: BackupRuleSpec[],
  extra: Partial<EnvironmentConfig> = {},
): EnvironmentConfig => ({
  name,
  account: "123456789012",
  region: "eu-west-1",
  plan: { rules },
  selectionTag: { key: "Backup", value: name },
  ...extra,
});
const load = (...environments: EnvironmentConfig[]) =>
  loadEnvironments({ project: "acme", environments } satisfies ProjectConfig, { now: NOW });
const cronOf = (...rules: BackupRuleSpec[]) => fleetCheckCron(load(environment("one", rules))[0], NOW);
let rules = 0;
const rule = (schedule: string, timezone?: string): BackupRuleSpec => ({
  name: `rule-${++rules}`,
  schedule,
  timezone,
  deleteAfterDays: 7,
});

describe("the fleet check's schedule", () => {
  it("finds both offsets of a zone with daylight saving time, one without", () => {
    expect(utcOffsets("Europe/Berlin", NOW)).toEqual([60, 120]);
    expect(utcOffsets("America/New_York", NOW)).toEqual([-300, -240]);
    expect(utcOffsets("Australia/Sydney", NOW)).toEqual([600, 660]);
    expect(utcOffsets("Asia/Kolkata", NOW)).toEqual([330]);
    expect(utcOffsets("Etc/UTC", NOW)).toEqual([0]);
  });

  it("runs about an hour before a UTC backup, never in an hour's first minutes (GitHub starts late there)", () => {
    expect(cronOf(BackupRules.daily({ keepDays: 7 }))).toBe("53 3 * * *"); // backup 05:00
    expect(cronOf(rule("cron(30 5 ? * * *)"))).toBe("30 4 * * *");
    expect(cronOf(rule("cron(2 5 ? * * *)"))).toBe("53 3 * * *");
    expect(cronOf(rule("cron(5 5 ? * * *)"))).toBe("5 4 * * *");
    expect(cronOf(rule("cron(10 5 ? * * *)"))).toBe("10 4 * * *");
  });

  it("runs early enough for both offsets of a zone with daylight saving time", () => {
    // 05:00 Berlin is 03:00 UTC in summer, 04:00 UTC in winter: the check is an hour before the summer one.
    expect(
      backupStartsUtc(
        load(environment("one", [BackupRules.daily({ keepDays: 7, timezone: "Europe/Berlin" })]))[0],
        NOW,
      ),
    ).toEqual([180, 240]);
    expect(cronOf(BackupRules.daily({ keepDays: 7, timezone: "Europe/Berlin" }))).toBe("53 1 * * *");
    // 05:00 New York is 09:00 UTC in summer, 10:00 in winter.
    expect(cronOf(rule("cron(15 5 ? * * *)", "America/New_York"))).toBe("15 8 * * *");
  });

  it("takes the earliest window of the day across midnight UTC", () => {
    // 01:00 Berlin: 23:00 UTC (summer) or 00:00 UTC (winter); weekly 02:00 and monthly 03:00 later.
    const prod = [
      BackupRules.daily({ keepDays: 35, atHour: 1, timezone: "Europe/Berlin" }),
      BackupRules.weekly({ keepDays: 90, atHour: 2, timezone: "Europe/Berlin" }),
      BackupRules.monthly({ keepDays: 365, atHour: 3, timezone: "Europe/Berlin" }),
    ];
    expect(backupStartsUtc(load(environment("one", prod))[0], NOW)).toEqual([0, 60, 120, 1380]);
    expect(cronOf(...prod)).toBe("53 21 * * *");
    expect(cronOf(rule("cron(30 0 ? * * *)"))).toBe("30 23 * * *");
    expect(checkMinute([30, 1410])).toBe(22 * 60 + 30); // 23:30 starts the day's backups, not 00:30
  });

  it("runs before the earliest of several rules in different zones", () => {
    expect(cronOf(rule("cron(0 22 ? * * *)"), rule("cron(0 6 ? * * *)", "Asia/Tokyo"))).toBe("53 19 * * *");
  });

  it("is before every backup start, at least an hour ahead, checked against the schedules' own next runs", () => {
    const rules = [rule("cron(20 2 ? * * *)", "America/New_York"), rule("cron(0 4 ? * SUN *)", "Europe/London")];
    const cron = cronOf(...rules);
    const [minute, hour] = cron.split(" ").map(Number);
    // Over a year, each backup's start is at least 60 minutes after the check that precedes it that day.
    for (let day = 0; day < 366; day += 7) {
      const check = new Date(Date.UTC(2026, 10, 25 + day, hour, minute));
      const next = rules
        .map((r) => nextRun((parseCron(r.schedule) as { schedule: CronSchedule }).schedule, r.timezone!, check)!)
        .sort((a, b) => a.getTime() - b.getTime())[0];
      expect(next.getTime() - check.getTime()).toBeGreaterThanOrEqual(60 * 60_000);
    }
  });
});

describe("the generated fleet-check workflow", () => {
  const envs = load(
    environment("dev", [BackupRules.daily({ keepDays: 7 })]),
    environment("prod-eu", [BackupRules.daily({ keepDays: 7, atHour: 1, timezone: "Europe/Berlin" })], {
      region: "eu-central-1",
    }),
    environment("staging", [rule("cron(0 5 ? * * *)")]),
  );
  const source = fleetCheckWorkflow(envs, NOW);
  const generated = parse(source) as Workflow & {
    on: { schedule: { cron: string }[]; workflow_dispatch: { inputs: { environment: { options: string[] } } } };
  };

  it("is valid for actionlint", async () => {
    expect(await lintWorkflow(source)).toEqual([]);
  });

  it("schedules each distinct cron once, and can be started by hand for one environment or all", () => {
    expect(generated.on.schedule).toEqual([{ cron: "53 3 * * *" }, { cron: "53 21 * * *" }]);
    expect(generated.on.workflow_dispatch.inputs.environment.options).toEqual(["all", "dev", "prod-eu", "staging"]);
  });

  it("runs each environment's job on its own cron or by hand", () => {
    expect(Object.keys(generated.jobs)).toEqual(["preflight-dev", "preflight-prod-eu", "preflight-staging"]);
    expect(generated.jobs["preflight-prod-eu"].if).toBe(
      "${{ github.event.schedule == '53 21 * * *' || (github.event_name == 'workflow_dispatch' && (inputs.environment == 'all' || inputs.environment == 'prod-eu')) }}",
    );
  });

  it("runs the preflight with the environment's read-only role, reports, uploads the JSON and fails when not ready", () => {
    const steps = generated.jobs["preflight-prod-eu"].steps!;
    expect(generated.jobs["preflight-prod-eu"].permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with).toEqual({
      "role-to-assume": "${{ vars.AWS_PREFLIGHT_ROLE_ARN_PROD_EU }}",
      "role-session-name": "vss-backup-preflight-prod-eu",
      "aws-region": "eu-central-1",
    });
    const preflight = steps.find((s) => s.id === "preflight")!;
    expect(preflight.run).toContain(
      "npm run preflight --silent -- --env prod-eu --json > preflight-prod-eu.json || status=$?",
    );
    expect(steps.find((s) => s.uses === "./.github/actions/preflight-summary")?.with).toEqual({
      report: "preflight-prod-eu.json",
      "exit-code": "${{ steps.preflight.outputs.exit-code }}",
    });
    expect(steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.with).toMatchObject({
      path: "preflight-prod-eu.json",
    });
    expect(steps.at(-1)).toEqual({
      name: "Fail unless every instance is ready",
      env: { EXIT_CODE: "${{ steps.preflight.outputs.exit-code }}" },
      run: 'exit "$EXIT_CODE"',
    });
  });
});
