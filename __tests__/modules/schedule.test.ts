import { associationScheduleProblem, backupScheduleProblem, timezoneProblem } from "../../modules";

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
  ])("accepts %s", (expression) => {
    expect(backupScheduleProblem(expression)).toBeUndefined();
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
  ])("rejects %s", (expression, message) => {
    expect(backupScheduleProblem(expression)).toMatch(message);
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
      expect(associationScheduleProblem(expression)).toBeUndefined();
    },
  );
  it.each([
    ["rate(29 minutes)", /more often than every 30 minutes/],
    ["rate(1 days)", /needs 'day'/],
    ["rate(0 days)", /is not a schedule/],
    ["every day", /is not a schedule/],
  ])("rejects %s", (expression, message) => {
    expect(associationScheduleProblem(expression)).toMatch(message);
  });
});
