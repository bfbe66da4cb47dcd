import {
  associationScheduleProblem,
  backupScheduleProblem,
  longestIntervalMinutes,
  nextRun,
  parseCron,
  scheduleInWords,
  timezoneProblem,
} from "../../modules";
import { NOW } from "../support/clock";

const runAfter = (expression: string, timezone: string, after: string) => {
  const parsed = parseCron(expression);
  if ("problem" in parsed) throw new Error(parsed.problem);
  return nextRun(parsed.schedule, timezone, new Date(after))?.toISOString();
};

describe("backupScheduleProblem (AWS cron for AWS Backup)", () => {
  it.each([
    "cron(0 5 ? * * *)",
    "cron(0 12 * * ? *)",
    "cron(0 5/1 ? * * *)",
    "cron(30 1 ? * MON-FRI *)",
    "cron(0 3 L * ? *)",
    "cron(0 3 15W * ? *)",
    "cron(0 3 ? * 6#3 *)",
    "cron(0 3 ? * 6L *)",
    "cron(0 0 1 JAN,JUL ? 2027-2030)",
    "cron(0 5 29 2 ? *)",
  ])("accepts %s", (expression) => {
    expect(backupScheduleProblem(expression, NOW)).toBeUndefined();
  });

  it.each([
    ["0 5 ? * * *", /is not a cron expression/],
    ["cron(0 5 ? * * * *)", /has 7 fields/],
    ["cron(0 5 ? * ? *)", /exactly one of day-of-month and day-of-week must be '\?'/],
    ["cron(0 5 1 * 1 *)", /exactly one of day-of-month and day-of-week must be '\?'/],
    ["cron(* 5 ? * * *)", /minutes is '\*', but AWS Backup runs at most hourly/],
    ["cron(0,30 5 ? * * *)", /minutes is '0,30'/],
    ["cron(60 5 ? * * *)", /minutes '60' is not valid, allowed: 0-59/],
    ["cron(0 5 32 * ? *)", /day-of-month '32' is not valid/],
    ["cron(0 5 ? * MOON *)", /day-of-week 'MOON' is not valid, allowed: 1-7 or SUN-SAT/],
    ["cron(0 5 ? 13 * *)", /month '13' is not valid/],
    ["cron(0 5 ? * * 1969)", /year '1969' is not valid/],
    ["cron(0 5 L# * ? *)", /day-of-month 'L#' is not valid/],
    ["cron(0 5 ? 5-3 * *)", /month '5-3' is not valid/],
  ])("rejects %s", (expression, message) => {
    expect(backupScheduleProblem(expression, NOW)).toMatch(message);
  });

  it.each([
    ["a year in the past", "cron(0 5 ? * * 2025)"],
    ["31 February", "cron(0 5 31 2 ? *)"],
    ["30 February", "cron(0 5 30 FEB ? *)"],
    ["31 April", "cron(0 5 31 4 ? *)"],
    ["a time earlier today, in the last year it may run", "cron(0 5 25 11 ? 2026)"],
  ])("rejects a schedule that never fires: %s", (_, expression) => {
    expect(backupScheduleProblem(expression, NOW)).toBe(
      `${JSON.stringify(expression)} never fires after 2026-11-25 (in Etc/UTC), allowed: a schedule with a future date, e.g. cron(0 5 ? * * *)`,
    );
  });

  it("reads the year in the schedule's own time zone", () => {
    // 23:30 on 31 December 2026 in Auckland is already 2027 there; in UTC it is still 2026.
    expect(backupScheduleProblem("cron(30 23 31 12 ? 2026)", NOW, "Pacific/Auckland")).toBeUndefined();
  });
});

describe("nextRun", () => {
  it.each([
    ["every day at 05:00 UTC", "cron(0 5 ? * * *)", "Etc/UTC", "2026-11-25T12:00:00Z", "2026-11-26T05:00:00.000Z"],
    [
      "01:00 in Berlin in winter (UTC+1)",
      "cron(0 1 ? * * *)",
      "Europe/Berlin",
      "2026-11-25T12:00:00Z",
      "2026-11-26T00:00:00.000Z",
    ],
    [
      "01:00 in Berlin in summer (UTC+2)",
      "cron(0 1 ? * * *)",
      "Europe/Berlin",
      "2026-07-01T12:00:00Z",
      "2026-07-01T23:00:00.000Z",
    ],
    ["Sundays", "cron(0 2 ? * SUN *)", "Etc/UTC", "2026-11-25T12:00:00Z", "2026-11-29T02:00:00.000Z"],
    ["the last day of the month", "cron(0 3 L * ? *)", "Etc/UTC", "2026-11-25T12:00:00Z", "2026-11-30T03:00:00.000Z"],
    [
      "29 February, next in a leap year",
      "cron(0 5 29 2 ? *)",
      "Etc/UTC",
      "2026-11-25T12:00:00Z",
      "2028-02-29T05:00:00.000Z",
    ],
    ["the third Friday (6#3)", "cron(0 3 ? * 6#3 *)", "Etc/UTC", "2026-11-25T12:00:00Z", "2026-12-18T03:00:00.000Z"],
    ["the last Friday (6L)", "cron(0 3 ? * 6L *)", "Etc/UTC", "2026-11-25T12:00:00Z", "2026-11-27T03:00:00.000Z"],
    [
      "the weekday nearest the 15th (a Sunday: Monday 16th)",
      "cron(0 3 15W * ? *)",
      "Etc/UTC",
      "2026-11-01T00:00:00Z",
      "2026-11-16T03:00:00.000Z",
    ],
    ["every 6 hours from 01:00", "cron(0 1/6 ? * * *)", "Etc/UTC", "2026-11-25T12:00:00Z", "2026-11-25T13:00:00.000Z"],
  ])("%s", (_, expression, timezone, after, expected) => {
    expect(runAfter(expression, timezone, after)).toBe(expected);
  });

  it("skips a wall-clock time that a clock change leaves out (02:30 on 29 March 2026 in Berlin)", () => {
    expect(runAfter("cron(30 2 29 3 ? 2026)", "Europe/Berlin", "2026-03-01T00:00:00Z")).toBeUndefined();
  });
});

describe("scheduleInWords", () => {
  it.each([
    ["cron(0 5 ? * * *)", "Etc/UTC", "every day at 05:00 UTC"],
    ["cron(0 2 ? * SUN *)", "Europe/Berlin", "every Sunday at 02:00 Europe/Berlin"],
    ["cron(0 3 1 * ? *)", "Etc/UTC", "on day 1 of every month at 03:00 UTC"],
    ["cron(30 1 ? * MON-FRI *)", "Etc/UTC", "every Monday to Friday at 01:30 UTC"],
    ["cron(0 3 L * ? *)", "Etc/UTC", "on the last day of every month at 03:00 UTC"],
    ["cron(15 * ? * * *)", "Etc/UTC", "every day, every hour at minute 15 (UTC)"],
    ["cron(0 0 1 JAN,JUL ? *)", "Etc/UTC", "on day 1 of every month in January, July at 00:00 UTC"],
    ["cron(0 1,13 ? * * *)", "Etc/UTC", "cron(0 1,13 ? * * *) (UTC)"],
  ])("%s in %s reads %s", (expression, timezone, words) => {
    expect(scheduleInWords(expression, timezone)).toBe(words);
  });
});

describe("timezoneProblem", () => {
  it("accepts IANA names", () => {
    expect(timezoneProblem("Europe/Berlin")).toBeUndefined();
    expect(timezoneProblem("Etc/UTC")).toBeUndefined();
  });
  it("rejects anything else", () => {
    expect(timezoneProblem("CEST+2")).toMatch(/is not a time zone, allowed: an IANA name/);
  });
});

describe("associationScheduleProblem (SSM State Manager)", () => {
  it.each(["rate(14 days)", "rate(1 day)", "rate(30 minutes)", "rate(2 hours)", "cron(0 2 ? * SUN *)"])(
    "accepts %s",
    (expression) => {
      expect(associationScheduleProblem(expression, NOW)).toBeUndefined();
    },
  );
  it.each([
    ["rate(29 minutes)", /more often than every 30 minutes/],
    ["rate(1 days)", /needs 'day'/],
    ["rate(0 days)", /is not a schedule/],
    ["every day", /is not a schedule/],
    ["cron(0 2 ? * SUN)", /has 5 fields, allowed: six fields/],
    [
      "cron(0 2 ? 1 SUN *)",
      /month is '1', but State Manager does not support months in association schedules, allowed: \*/,
    ],
    ["cron(0 2 31 * ? 2025)", /never fires after 2026-11-25/],
  ])("rejects %s", (expression, message) => {
    expect(associationScheduleProblem(expression, NOW)).toMatch(message);
  });
});

describe("longestIntervalMinutes (how far apart a rule's backups can be)", () => {
  it.each<[string, string, number | undefined]>([
    ["hourly", "cron(0 * ? * * *)", 60],
    ["daily", "cron(0 5 ? * * *)", 1440],
    ["at 01:00 and 05:00: 20 hours overnight", "cron(0 1,5 ? * * *)", 1200],
    ["weekly", "cron(0 5 ? * SUN *)", 7 * 1440],
    ["monthly on the 1st: 31 days after a long month", "cron(0 5 1 * ? *)", 31 * 1440],
    ["on the last Friday: up to 5 weeks apart", "cron(0 5 ? * 6L *)", 35 * 1440],
    ["once, in a year already past", "cron(0 5 1 1 ? 2020)", undefined],
    ["not a cron expression", "rate(1 day)", undefined],
  ])("%s", (_, expression, minutes) => {
    expect(longestIntervalMinutes(expression, NOW)).toBe(minutes);
  });
});
