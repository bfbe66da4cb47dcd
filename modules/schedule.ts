/**
 * Schedules. AWS Backup rules (and State Manager associations) take EventBridge cron expressions:
 * `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, read in a time zone. AWS checks them
 * only when the plan is created, and never whether they fire at all: a year in the past or 31
 * February is accepted and never runs. This file parses them once, for the validation, for the
 * review's words and for anything that must know when a backup runs.
 */

export const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
export const MONTH_NAMES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
] as const;
const DAY_WORDS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_WORDS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The latest year EventBridge cron accepts. */
export const LAST_CRON_YEAR = 2199;
/** Time zone of a schedule that names none (AWS Backup's and the provider's default). */
export const DEFAULT_TIMEZONE = "Etc/UTC";

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Characters allowed besides digits, names and `, - * /`. */
  readonly extra?: string;
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, extra: "?LW" },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "day-of-week", min: 1, max: 7, names: DAY_NAMES, extra: "?L#" },
  { name: "year", min: 1970, max: LAST_CRON_YEAR },
];

const FORMAT = "cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 5 ? * * *)";

/** One day-of-month term: a day number, the last day (`L`), or the weekday nearest a day (`15W`). */
type DayOfMonthTerm = { readonly day: number } | { readonly last: true } | { readonly nearestWeekday: number };
/** One day-of-week term: a weekday (1 = Sunday), the last such weekday of the month (`6L`), or the nth (`3#2`). */
type DayOfWeekTerm =
  | { readonly weekday: number }
  | { readonly lastWeekday: number }
  | { readonly weekday: number; readonly nth: number };

/** A parsed cron expression: the values each field allows. */
export interface CronSchedule {
  readonly expression: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Undefined when the field is `?`. */
  readonly daysOfMonth?: readonly DayOfMonthTerm[];
  readonly months: readonly number[];
  /** Undefined when the field is `?`. */
  readonly daysOfWeek?: readonly DayOfWeekTerm[];
  readonly years: readonly number[];
  /** The fields as written. */
  readonly fields: readonly string[];
}

export type ParsedCron = { readonly schedule: CronSchedule } | { readonly problem: string };

/** Parses an EventBridge cron expression; the problem says what is wrong and what is allowed. */
export function parseCron(expression: string): ParsedCron {
  const match = /^cron\((.*)\)$/.exec(expression);
  if (!match) return { problem: `${JSON.stringify(expression)} is not a cron expression, allowed: ${FORMAT}` };
  const fields = match[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    return { problem: `${JSON.stringify(expression)} has ${fields.length} fields, allowed: six fields, ${FORMAT}` };
  }
  const values: number[][] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const spec = FIELDS[i];
    if (spec.extra?.includes("?") && fields[i] === "?") {
      values.push([]);
      continue;
    }
    const parsed = i === 2 || i === 4 ? [] : expand(fields[i], spec);
    if (parsed === undefined || ((i === 2 || i === 4) && !specialFieldIsValid(fields[i], spec))) {
      return { problem: `${JSON.stringify(expression)}: ${spec.name} '${fields[i]}' is not valid, ${allowedIn(spec)}` };
    }
    values.push(parsed);
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return {
      problem: `${JSON.stringify(expression)}: exactly one of day-of-month and day-of-week must be '?', e.g. cron(0 5 ? * * *) or cron(0 5 1 * ? *)`,
    };
  }
  return {
    schedule: {
      expression,
      minutes: values[0],
      hours: values[1],
      daysOfMonth: dayOfMonth === "?" ? undefined : dayOfMonthTerms(dayOfMonth),
      months: values[3],
      daysOfWeek: dayOfWeek === "?" ? undefined : dayOfWeekTerms(dayOfWeek),
      years: values[5],
      fields,
    },
  };
}

function allowedIn(spec: FieldSpec): string {
  const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : "";
  return `allowed: ${spec.min}-${spec.max}${names} with , - * /${spec.extra ? ` ${[...spec.extra].join(" ")}` : ""}`;
}

/** Every value a plain field (`*`, `a`, `a-b`, `a/n`, `a-b/n`, `*\/n`, lists of them) allows; undefined when invalid. */
function expand(value: string, spec: FieldSpec): number[] | undefined {
  const result = new Set<number>();
  for (const part of value.split(",")) {
    const [range, step, ...rest] = part.split("/");
    if (rest.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (range === "*") [from, to] = [spec.min, spec.max];
    else {
      const [a, b, ...more] = range.split("-");
      if (more.length > 0) return undefined;
      from = token(a, spec);
      to = b === undefined ? (step === undefined ? from : spec.max) : token(b, spec);
    }
    if (from === undefined || to === undefined || from > to) return undefined;
    for (let v = from; v <= to; v += step === undefined ? 1 : Number(step)) result.add(v);
  }
  return [...result].sort((a, b) => a - b);
}

/** A number or name within the field's range, as a number (names count from 1). */
function token(value: string, spec: FieldSpec): number | undefined {
  const named = spec.names?.indexOf(value.toUpperCase() as never) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= spec.min && n <= spec.max ? n : undefined;
}

function specialFieldIsValid(value: string, spec: FieldSpec): boolean {
  return value.split(",").every((part) => {
    if (part === "L") return true;
    if (spec.extra?.includes("W") && /^\d{1,2}W$/.test(part)) return token(part.slice(0, -1), spec) !== undefined;
    if (spec.extra?.includes("#")) {
      const nth = /^(\w+)#([1-5])$/.exec(part);
      if (nth) return token(nth[1], spec) !== undefined;
      if (/^\w+L$/.test(part)) return token(part.slice(0, -1), spec) !== undefined;
    }
    return expand(part, spec) !== undefined;
  });
}

function dayOfMonthTerms(value: string): DayOfMonthTerm[] {
  return value.split(",").flatMap((part): DayOfMonthTerm[] => {
    if (part === "L") return [{ last: true }];
    if (part.endsWith("W")) return [{ nearestWeekday: Number(part.slice(0, -1)) }];
    return expand(part, FIELDS[2])!.map((day) => ({ day }));
  });
}

function dayOfWeekTerms(value: string): DayOfWeekTerm[] {
  const spec = FIELDS[4];
  return value.split(",").flatMap((part): DayOfWeekTerm[] => {
    if (part === "L") return [{ weekday: 7 }]; // AWS reads a lone L in day-of-week as Saturday
    const nth = /^(\w+)#([1-5])$/.exec(part);
    if (nth) return [{ weekday: token(nth[1], spec)!, nth: Number(nth[2]) }];
    if (/^\w+L$/.test(part)) return [{ lastWeekday: token(part.slice(0, -1), spec)! }];
    return expand(part, spec)!.map((weekday) => ({ weekday }));
  });
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday, as cron counts. */
const weekdayOf = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function dayMatches(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const weekday = weekdayOf(year, month, day);
  if (schedule.daysOfMonth) {
    return schedule.daysOfMonth.some((term) => {
      if ("day" in term) return term.day === day;
      if ("last" in term) return day === last;
      const target = Math.min(term.nearestWeekday, last);
      const targetWeekday = weekdayOf(year, month, target);
      let nearest = target;
      if (targetWeekday === 7) nearest = target === 1 ? 3 : target - 1;
      if (targetWeekday === 1) nearest = target === last ? target - 2 : target + 1;
      return day === nearest;
    });
  }
  return (schedule.daysOfWeek ?? []).some((term) => {
    if ("lastWeekday" in term) return weekday === term.lastWeekday && day + 7 > last;
    if ("nth" in term) return weekday === term.weekday && Math.ceil(day / 7) === term.nth;
    return weekday === term.weekday;
  });
}

// Building a formatter costs far more than using one: one per time zone, kept.
const wallClocks = new Map<string, Intl.DateTimeFormat>();
function wallClockIn(timezone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timezone);
  if (!format) {
    const options = { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" } as const;
    format = new Intl.DateTimeFormat("en-US", { ...options, timeZone: timezone, hourCycle: "h23" });
    wallClocks.set(timezone, format);
  }
  return format;
}

/** Minutes east of UTC of `timezone` at the instant `utcMs`. */
function offsetMinutes(timezone: string, utcMs: number): number {
  const parts = wallClockIn(timezone).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((asUtc - Math.floor(utcMs / 60_000) * 60_000) / 60_000);
}

/** The instant a wall-clock time in `timezone` names; undefined for a time a clock change skips. */
export function zonedTime(
  timezone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): Date | undefined {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  for (const guess of [
    wall - offsetMinutes(timezone, wall) * 60_000,
    wall - offsetMinutes(timezone, wall - 86_400_000) * 60_000,
  ]) {
    if (guess + offsetMinutes(timezone, guess) * 60_000 === wall) return new Date(guess);
  }
  return undefined;
}

/** The local calendar date of an instant in `timezone`. */
function localDate(timezone: string, at: Date): { year: number; month: number; day: number } {
  const local = new Date(at.getTime() + offsetMinutes(timezone, at.getTime()) * 60_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/**
 * The first time the schedule fires after `after`, read in `timezone`; undefined when it never
 * fires again (a year in the past, 31 February, ...).
 */
export function nextRun(schedule: CronSchedule, timezone: string, after: Date): Date | undefined {
  const start = localDate(timezone, after);
  for (const year of schedule.years.filter((y) => y >= start.year)) {
    for (const month of schedule.months.filter((m) => year > start.year || m >= start.month)) {
      const firstDay = year === start.year && month === start.month ? start.day : 1;
      for (let day = firstDay; day <= daysInMonth(year, month); day++) {
        if (!dayMatches(schedule, year, month, day)) continue;
        for (const hour of schedule.hours) {
          for (const minute of schedule.minutes) {
            const at = zonedTime(timezone, year, month, day, hour, minute);
            if (at && at.getTime() > after.getTime()) return at;
          }
        }
      }
    }
  }
  return undefined;
}

/** Returns why `timezone` is not an IANA time zone name, or undefined when it is. */
export function timezoneProblem(timezone: string): string | undefined {
  try {
    wallClockIn(timezone);
    return undefined;
  } catch {
    return `${JSON.stringify(timezone)} is not a time zone, allowed: an IANA name such as Etc/UTC or Europe/Berlin`;
  }
}

/** A problem when the schedule never fires after `now`. */
function neverFiresProblem(schedule: CronSchedule, timezone: string, now: Date): string | undefined {
  if (timezoneProblem(timezone) || nextRun(schedule, timezone, now)) return undefined;
  return `${JSON.stringify(schedule.expression)} never fires after ${now.toISOString().slice(0, 10)} (in ${timezone}), allowed: a schedule with a future date, e.g. cron(0 5 ? * * *)`;
}

/**
 * Why `expression` is not a valid AWS Backup schedule that still fires after `now` (read in
 * `timezone`), or undefined when it is. AWS Backup runs at most hourly: one minute value.
 */
export function backupScheduleProblem(expression: string, now: Date, timezone = DEFAULT_TIMEZONE): string | undefined {
  // An organization's member stacks share their template's rules: each schedule is judged once per time zone and time.
  const key = `${expression}|${timezone}|${now.getTime()}`;
  if (!scheduleProblems.has(key)) scheduleProblems.set(key, computeBackupScheduleProblem(expression, now, timezone));
  return scheduleProblems.get(key);
}

const scheduleProblems = new Map<string, string | undefined>();

function computeBackupScheduleProblem(expression: string, now: Date, timezone: string): string | undefined {
  const parsed = parseCron(expression);
  if ("problem" in parsed) return parsed.problem;
  const minutes = parsed.schedule.fields[0];
  if (!/^\d+$/.test(minutes)) {
    return `${JSON.stringify(expression)}: minutes is '${minutes}', but AWS Backup runs at most hourly, allowed: one minute value 0-59`;
  }
  return neverFiresProblem(parsed.schedule, timezone, now);
}

/**
 * Systems Manager association schedules: `rate(N minutes|hours|days)` of at least 30 minutes, or a
 * cron expression read as the plan's are (in UTC), whose month State Manager does not support.
 */
export function associationScheduleProblem(expression: string, now: Date): string | undefined {
  const allowed = "allowed: rate(N days), rate(N hours), rate(N minutes) with N minutes >= 30, or cron(...)";
  if (expression.startsWith("cron(")) {
    const parsed = parseCron(expression);
    if ("problem" in parsed) return parsed.problem;
    if (parsed.schedule.fields[3] !== "*") {
      return `${JSON.stringify(expression)}: month is '${parsed.schedule.fields[3]}', but State Manager does not support months in association schedules, allowed: *`;
    }
    return neverFiresProblem(parsed.schedule, DEFAULT_TIMEZONE, now);
  }
  const rate = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!rate) return `${JSON.stringify(expression)} is not a schedule, ${allowed}`;
  const minutes = Number(rate[1]) * (rate[2].startsWith("minute") ? 1 : rate[2].startsWith("hour") ? 60 : 1440);
  if (minutes < 30) return `${JSON.stringify(expression)} is more often than every 30 minutes, ${allowed}`;
  const singular = rate[1] === "1";
  if (singular !== !rate[2].endsWith("s")) {
    return `${JSON.stringify(expression)} needs '${singular ? rate[2].replace(/s$/, "") : `${rate[2]}s`}', ${allowed}`;
  }
  return undefined;
}

/**
 * A cron schedule in words, e.g. "every day at 05:00 UTC" or "on day 1 of every month at 03:00
 * Europe/Berlin"; the expression itself for forms it does not phrase.
 */
export function scheduleInWords(expression: string, timezone = DEFAULT_TIMEZONE): string {
  const zone = timezone === DEFAULT_TIMEZONE || timezone === "UTC" ? "UTC" : timezone;
  const parsed = parseCron(expression);
  if ("problem" in parsed) return expression;
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parsed.schedule.fields;
  const time =
    /^\d+$/.test(hours) && /^\d+$/.test(minutes) ? `at ${clock(Number(hours), Number(minutes))} ${zone}` : undefined;
  const hourly =
    /^\*$|^\d+\/1$/.test(hours) && /^\d+$/.test(minutes) ? `every hour at minute ${minutes} (${zone})` : undefined;
  if (!time && !hourly) return `${expression} (${zone})`;
  const months = month === "*" ? "" : ` in ${parsed.schedule.months.map((m) => MONTH_WORDS[m - 1]).join(", ")}`;
  const years = year === "*" ? "" : ` in ${year}`;
  let days: string;
  if (dayOfMonth === "*" || dayOfWeek === "*") days = "every day";
  else if (dayOfMonth === "?") days = `every ${dayOfWeek.split(",").map(weekdayWords).join(", ")}`;
  else if (dayOfMonth === "L") days = "on the last day of every month";
  else days = `on day ${dayOfMonth} of every month`;
  return hourly ? `${days}${months}${years}, ${hourly}` : `${days}${months}${years} ${time}`;
}

const clock = (hour: number, minute: number) => `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;

function weekdayWords(part: string): string {
  const name = (t: string) => DAY_WORDS[(token(t, FIELDS[4]) ?? 0) - 1] ?? t;
  const range = part.split("-");
  return range.length === 2 ? `${name(range[0])} to ${name(range[1])}` : name(part);
}

/**
 * The longest time between two runs of a cron schedule, in minutes of its own wall clock (a clock
 * change does not count: a daily schedule runs every 1440 minutes), over `days` days from `from`'s
 * date; undefined when it runs fewer than twice in them or is not a cron expression.
 */
export function longestIntervalMinutes(expression: string, from: Date, days = 2 * 366): number | undefined {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  // Validation, the construct and review each ask about the same rules: computed once per rule and day.
  const key = `${expression}|${start}|${days}`;
  if (!intervals.has(key)) intervals.set(key, computeLongestInterval(expression, start, days));
  return intervals.get(key);
}

const intervals = new Map<string, number | undefined>();

function computeLongestInterval(expression: string, start: number, days: number): number | undefined {
  const parsed = parseCron(expression);
  if ("problem" in parsed) return undefined;
  const schedule = parsed.schedule;
  const times = schedule.hours.flatMap((hour) => schedule.minutes.map((minute) => hour * 60 + minute));
  const years = new Set(schedule.years);
  const months = new Set(schedule.months);
  let previous: number | undefined;
  let longest = 0;
  for (let d = 0; d < days; d++) {
    const date = new Date(start + d * 86_400_000);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!years.has(year) || !months.has(month) || !dayMatches(schedule, year, month, day)) continue;
    for (const time of times) {
      const at = d * 1440 + time;
      if (previous !== undefined) longest = Math.max(longest, at - previous);
      previous = at;
    }
  }
  return longest > 0 ? longest : undefined;
}
