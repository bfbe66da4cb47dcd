import {
  associationScheduleProblem,
  backupScheduleProblem,
  longestIntervalMinutes,
  nextRun,
  parseCron,
  scheduleInWords,
  timezoneProblem,
  zonedTime,
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

  it("judges a schedule it judged before anew at another time and in another time zone", () => {
    const lastRun = "cron(0 5 1 12 ? 2026)";
    expect(backupScheduleProblem(lastRun, NOW)).toBeUndefined();
    expect(backupScheduleProblem(lastRun, new Date("2026-12-02T00:00:00Z"))).toBe(
      `"cron(0 5 1 12 ? 2026)" never fires after 2026-12-02 (in Etc/UTC), allowed: a schedule with a future date, e.g. cron(0 5 ? * * *)`,
    );
    const newYear = "cron(30 23 31 12 ? 2026)";
    const justBefore = new Date("2026-12-31T12:00:00Z");
    expect(backupScheduleProblem(newYear, justBefore)).toBeUndefined();
    expect(backupScheduleProblem(newYear, justBefore, "Pacific/Auckland")).toBe(
      `"cron(30 23 31 12 ? 2026)" never fires after 2026-12-31 (in Pacific/Auckland), allowed: a schedule with a future date, e.g. cron(0 5 ? * * *)`,
    );
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

const FORMAT = "cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 5 ? * * *)";
const ALLOWED = {
  minutes: "allowed: 0-59 with , - * /",
  hours: "allowed: 0-23 with , - * /",
  "day-of-month": "allowed: 1-31 with , - * / ? L W",
  month: "allowed: 1-12 or JAN-DEC with , - * /",
  "day-of-week": "allowed: 1-7 or SUN-SAT with , - * / ? L #",
} as const;
const problemOf = (expression: string) => {
  const parsed = parseCron(expression);
  return "problem" in parsed ? parsed.problem : undefined;
};
const scheduleOf = (expression: string) => {
  const parsed = parseCron(expression);
  if ("problem" in parsed) throw new Error(parsed.problem);
  return parsed.schedule;
};

describe("parseCron at its edges", () => {
  it.each(["xcron(0 5 ? * * *)", "cron(0 5 ? * * *)x"])(
    "refuses %s: the cron(...) must be the whole text",
    (expression) => {
      expect(problemOf(expression)).toBe(`${JSON.stringify(expression)} is not a cron expression, allowed: ${FORMAT}`);
    },
  );

  it.each(["cron(0  5 ? *   * *)", "cron( 0 5 ? * * * )"])(
    "accepts %s: runs of blanks, blanks inside the brackets",
    (expression) => {
      expect(scheduleOf(expression).fields).toEqual(["0", "5", "?", "*", "*", "*"]);
    },
  );

  it.each<[string, keyof typeof ALLOWED, string]>([
    ["cron(0/0 5 ? * * *)", "minutes", "0/0"],
    ["cron(0/01 5 ? * * *)", "minutes", "0/01"],
    ["cron(0/1x 5 ? * * *)", "minutes", "0/1x"],
    ["cron(1/2/3 5 ? * * *)", "minutes", "1/2/3"],
    ["cron(0 1-2-3 ? * * *)", "hours", "1-2-3"],
    ["cron(0 5-1 ? * * *)", "hours", "5-1"],
    ["cron(0 x-5 ? * * *)", "hours", "x-5"],
    ["cron(0 1-x ? * * *)", "hours", "1-x"],
    ["cron(0x10 5 ? * * *)", "minutes", "0x10"],
    ["cron(1e1 5 ? * * *)", "minutes", "1e1"],
    ["cron(? 5 ? * * *)", "minutes", "?"],
    ["cron(0 5 ? ? * *)", "month", "?"],
    ["cron(0 5 1,32 * ? *)", "day-of-month", "1,32"],
    ["cron(0 5 32W * ? *)", "day-of-month", "32W"],
    ["cron(0 5 0015W * ? *)", "day-of-month", "0015W"],
    ["cron(0 5 1#2 * ? *)", "day-of-month", "1#2"],
    ["cron(0 5 5L * ? *)", "day-of-month", "5L"],
    ["cron(0 5 ? * 1W *)", "day-of-week", "1W"],
    ["cron(0 5 ? * 8#2 *)", "day-of-week", "8#2"],
    ["cron(0 5 ? * MON#6 *)", "day-of-week", "MON#6"],
    ["cron(0 5 ? * 1#23 *)", "day-of-week", "1#23"],
    ["cron(0 5 ? * -1#2 *)", "day-of-week", "-1#2"],
    ["cron(0 5 ? 13 * *)", "month", "13"],
  ])("refuses %s: %s '%s'", (expression, field, value) => {
    expect(problemOf(expression)).toBe(
      `${JSON.stringify(expression)}: ${field} '${value}' is not valid, ${ALLOWED[field]}`,
    );
  });

  it("sorts a list written out of order and drops repeats", () => {
    expect(scheduleOf("cron(30,10,20,0,10 5 ? * * *)").minutes).toEqual([0, 10, 20, 30]);
    expect(scheduleOf("cron(0 5,1 ? * * *)").hours).toEqual([1, 5]);
  });

  it("reads steps, ranges and names", () => {
    const schedule = scheduleOf("cron(0/20 1-3 ? JAN,MAR-APR MON-FRI 2027)");
    expect(schedule.minutes).toEqual([0, 20, 40]);
    expect(schedule.hours).toEqual([1, 2, 3]);
    expect(schedule.months).toEqual([1, 3, 4]);
    expect(schedule.daysOfMonth).toBeUndefined();
    expect(schedule.daysOfWeek).toEqual([2, 3, 4, 5, 6].map((weekday) => ({ weekday })));
    expect(schedule.years).toEqual([2027]);
  });

  it.each([
    ["cron(0 5 1-5 * ? *)", [1, 2, 3, 4, 5].map((day) => ({ day }))],
    ["cron(0 5 * * ? *)", undefined],
    ["cron(0 5 L,15W * ? *)", [{ last: true }, { nearestWeekday: 15 }]],
  ])("reads the day-of-month terms of %s", (expression, terms) => {
    if (terms) expect(scheduleOf(expression).daysOfMonth).toEqual(terms);
    else expect(scheduleOf(expression).daysOfMonth).toHaveLength(31);
  });

  it.each([
    ["cron(0 5 ? * L *)", [{ weekday: 7 }]],
    ["cron(0 5 ? * MON#2 *)", [{ weekday: 2, nth: 2 }]],
    ["cron(0 5 ? * FRIL *)", [{ lastWeekday: 6 }]],
    ["cron(0 5 ? * 6L,1 *)", [{ lastWeekday: 6 }, { weekday: 1 }]],
  ])("reads the day-of-week terms of %s", (expression, terms) => {
    expect(scheduleOf(expression).daysOfWeek).toEqual(terms);
  });
});

describe("nextRun at its edges", () => {
  it.each([
    ["15W, the 15th a Tuesday: that day", "cron(0 3 15W * ? *)", "2026-12-01T00:00:00Z", "2026-12-15T03:00:00.000Z"],
    [
      "15W, the 15th a Saturday: Friday 14th",
      "cron(0 3 15W 5 ? 2027)",
      "2026-11-25T12:00:00Z",
      "2027-05-14T03:00:00.000Z",
    ],
    ["1W, the 1st a Saturday: Monday 3rd", "cron(0 3 1W 5 ? 2027)", "2026-11-25T12:00:00Z", "2027-05-03T03:00:00.000Z"],
    ["1W, the 1st a Sunday: Monday 2nd", "cron(0 3 1W 8 ? 2027)", "2026-11-25T12:00:00Z", "2027-08-02T03:00:00.000Z"],
    [
      "31W, the 31st a Sunday: Friday 29th",
      "cron(0 3 31W 10 ? 2027)",
      "2026-11-25T12:00:00Z",
      "2027-10-29T03:00:00.000Z",
    ],
    [
      "30W in February, the 28th a Sunday: Friday 26th",
      "cron(0 3 30W 2 ? 2027)",
      "2026-11-25T12:00:00Z",
      "2027-02-26T03:00:00.000Z",
    ],
    [
      "6L when the month ends on a Friday: the 30th, not the 23rd",
      "cron(0 3 ? 4 6L 2027)",
      "2026-11-25T12:00:00Z",
      "2027-04-30T03:00:00.000Z",
    ],
    ["FRIL, the last Friday by name", "cron(0 3 ? * FRIL *)", "2026-11-25T12:00:00Z", "2026-11-27T03:00:00.000Z"],
    ["a lone L in day-of-week: Saturday", "cron(0 3 ? * L *)", "2026-11-25T12:00:00Z", "2026-11-28T03:00:00.000Z"],
    ["MON#2, the second Monday", "cron(0 3 ? * MON#2 *)", "2026-11-25T12:00:00Z", "2026-12-14T03:00:00.000Z"],
    ["the 1st of the next month", "cron(0 5 1 * ? *)", "2026-11-25T12:00:00Z", "2026-12-01T05:00:00.000Z"],
    ["the 1st of November, next year", "cron(0 5 1 11 ? *)", "2026-11-25T12:00:00Z", "2027-11-01T05:00:00.000Z"],
    ["not at the very instant given", "cron(0 5 ? * * *)", "2026-11-26T05:00:00Z", "2026-11-27T05:00:00.000Z"],
    [
      "New York's evening, the next UTC day already",
      "cron(0 22 ? * * *)",
      "2026-11-26T02:00:00Z",
      "2026-11-26T03:00:00.000Z",
    ],
  ])("%s", (_, expression, after, expected) => {
    const timezone = expression === "cron(0 22 ? * * *)" ? "America/New_York" : "Etc/UTC";
    expect(runAfter(expression, timezone, after)).toBe(expected);
  });
});

describe("zonedTime", () => {
  it.each<[string, string, [number, number, number, number, number], string | undefined]>([
    ["UTC", "Etc/UTC", [2026, 11, 25, 5, 0], "2026-11-25T05:00:00.000Z"],
    ["east of UTC in winter", "Europe/Berlin", [2026, 11, 25, 5, 0], "2026-11-25T04:00:00.000Z"],
    ["east of UTC across the date line", "Pacific/Auckland", [2026, 11, 26, 1, 0], "2026-11-25T12:00:00.000Z"],
    ["west of UTC in summer", "America/New_York", [2026, 7, 1, 12, 0], "2026-07-01T16:00:00.000Z"],
    ["west of UTC in winter", "America/New_York", [2026, 11, 25, 20, 30], "2026-11-26T01:30:00.000Z"],
    ["Berlin, before the spring change on its day", "Europe/Berlin", [2026, 3, 29, 1, 30], "2026-03-29T00:30:00.000Z"],
    ["Berlin, after the spring change on its day", "Europe/Berlin", [2026, 3, 29, 12, 0], "2026-03-29T10:00:00.000Z"],
    ["Berlin, skipped by the spring change", "Europe/Berlin", [2026, 3, 29, 2, 30], undefined],
    ["New York, skipped by the spring change", "America/New_York", [2027, 3, 14, 2, 30], undefined],
    [
      "Berlin, twice in the autumn: the later (CET)",
      "Europe/Berlin",
      [2026, 10, 25, 2, 30],
      "2026-10-25T01:30:00.000Z",
    ],
    [
      "New York, twice in the autumn: the earlier (EDT)",
      "America/New_York",
      [2026, 11, 1, 1, 30],
      "2026-11-01T05:30:00.000Z",
    ],
  ])("%s", (_, timezone, [year, month, day, hour, minute], expected) => {
    expect(zonedTime(timezone, year, month, day, hour, minute)?.toISOString()).toBe(expected);
  });
});

describe("scheduleInWords, every branch", () => {
  it.each([
    ["cron(0 12 ? * * *)", "UTC", "every day at 12:00 UTC"],
    ["cron(30 12 * * ? *)", "Etc/UTC", "every day at 12:30 UTC"],
    ["cron(0 5 1 1 ? 2027)", "Etc/UTC", "on day 1 of every month in January in 2027 at 05:00 UTC"],
    ["cron(0 5 ? * MON-FRI,SUN *)", "America/New_York", "every Monday to Friday, Sunday at 05:00 America/New_York"],
    ["cron(0 5 L * ? *)", "Europe/Berlin", "on the last day of every month at 05:00 Europe/Berlin"],
    ["cron(15 * ? * * *)", "Europe/Berlin", "every day, every hour at minute 15 (Europe/Berlin)"],
    ["cron(0 0/1 ? * * *)", "Etc/UTC", "every day, every hour at minute 0 (UTC)"],
    ["cron(0 12/1 ? * * *)", "Etc/UTC", "every day, every hour at minute 0 (UTC)"],
    ["cron(5 * ? * * 2027)", "Etc/UTC", "every day in 2027, every hour at minute 5 (UTC)"],
    ["cron(0 1-5 ? * * *)", "Etc/UTC", "cron(0 1-5 ? * * *) (UTC)"],
    ["cron(1-5 5 ? * * *)", "Etc/UTC", "cron(1-5 5 ? * * *) (UTC)"],
    ["cron(1-5 * ? * * *)", "Etc/UTC", "cron(1-5 * ? * * *) (UTC)"],
    ["cron(0 5,* ? * * *)", "Etc/UTC", "cron(0 5,* ? * * *) (UTC)"],
    ["cron(0 */2 ? * * *)", "Etc/UTC", "cron(0 */2 ? * * *) (UTC)"],
    ["cron(0 1-5/1 ? * * *)", "Etc/UTC", "cron(0 1-5/1 ? * * *) (UTC)"],
    ["cron(0 0/12 ? * * *)", "Etc/UTC", "cron(0 0/12 ? * * *) (UTC)"],
    ["cron(0 5 ? * * *", "Etc/UTC", "cron(0 5 ? * * *"],
    ["rate(1 day)", "Europe/Berlin", "rate(1 day)"],
  ])("%s in %s reads %s", (expression, timezone, words) => {
    expect(scheduleInWords(expression, timezone)).toBe(words);
  });

  it("reads UTC when no time zone is given", () => {
    expect(scheduleInWords("cron(0 5 ? * * *)")).toBe("every day at 05:00 UTC");
  });
});

describe("associationScheduleProblem, exact messages", () => {
  const allowed = "allowed: rate(N days), rate(N hours), rate(N minutes) with N minutes >= 30, or cron(...)";
  it.each(["every day", "xrate(1 day)", "rate(1 day)x", "rate(1 week)"])("%s is not a schedule", (expression) => {
    expect(associationScheduleProblem(expression, NOW)).toBe(
      `${JSON.stringify(expression)} is not a schedule, ${allowed}`,
    );
  });
  it.each([
    ["rate(1 days)", "day"],
    ["rate(2 day)", "days"],
    ["rate(1 hours)", "hour"],
    ["rate(3 hour)", "hours"],
    ["rate(45 minute)", "minutes"],
  ])("%s needs '%s'", (expression, unit) => {
    expect(associationScheduleProblem(expression, NOW)).toBe(
      `${JSON.stringify(expression)} needs '${unit}', ${allowed}`,
    );
  });
  it.each(["rate(1 minute)", "rate(29 minutes)"])("%s is too often", (expression) => {
    expect(associationScheduleProblem(expression, NOW)).toBe(
      `${JSON.stringify(expression)} is more often than every 30 minutes, ${allowed}`,
    );
  });
  it.each(["rate(1 hour)", "rate(30 minutes)", "rate(2 days)"])("accepts %s", (expression) => {
    expect(associationScheduleProblem(expression, NOW)).toBeUndefined();
  });
  it("passes on the cron parser's problem", () => {
    expect(associationScheduleProblem("cron(0 5-1 ? * * *)", NOW)).toBe(
      `"cron(0 5-1 ? * * *)": hours '5-1' is not valid, ${ALLOWED.hours}`,
    );
  });
});

describe("longestIntervalMinutes at its edges", () => {
  it("counts two runs in the same hour apart by their minutes", () => {
    expect(longestIntervalMinutes("cron(0,30 5 ? * * *)", NOW)).toBe(1410);
  });
  it("looks at exactly the given number of days", () => {
    expect(longestIntervalMinutes("cron(0 5 ? * * *)", NOW, 1)).toBeUndefined();
    expect(longestIntervalMinutes("cron(0 5 ? * * *)", NOW, 2)).toBe(1440);
  });
  it("looks forwards from the date given", () => {
    expect(longestIntervalMinutes("cron(0 5 ? * * 2027)", new Date("2027-01-01T12:00:00Z"), 3)).toBe(1440);
  });
});
