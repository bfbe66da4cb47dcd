/**
 * AWS Backup schedules are EventBridge cron expressions: `cron(Minutes Hours Day-of-month Month
 * Day-of-week Year)`. AWS checks them only when the plan is created; these checks fail at synth.
 */

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
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day-of-week", min: 1, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], extra: "?L#" },
  { name: "year", min: 1970, max: 2199 },
];

const FORMAT = "cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 5 ? * * *)";

/** Returns why `expression` is not a valid AWS Backup schedule, or undefined when it is. */
export function backupScheduleProblem(expression: string): string | undefined {
  const match = /^cron\((.*)\)$/.exec(expression);
  if (!match) return `${JSON.stringify(expression)} is not a cron expression, allowed: ${FORMAT}`;
  const fields = match[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    return `${JSON.stringify(expression)} has ${fields.length} fields, allowed: six fields, ${FORMAT}`;
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const problem = fieldProblem(fields[i], FIELDS[i]);
    if (problem) return `${JSON.stringify(expression)}: ${problem}`;
  }
  const [minutes, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return `${JSON.stringify(expression)}: exactly one of day-of-month and day-of-week must be '?', e.g. cron(0 5 ? * * *) or cron(0 5 1 * ? *)`;
  }
  if (!/^\d+$/.test(minutes)) {
    return `${JSON.stringify(expression)}: minutes is '${minutes}', but AWS Backup runs at most hourly, allowed: one minute value 0-59`;
  }
  return undefined;
}

function fieldProblem(value: string, spec: FieldSpec): string | undefined {
  const allowed = `allowed: ${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : ""} with , - * /${spec.extra ? ` ${[...spec.extra].join(" ")}` : ""}`;
  for (const part of value.split(",")) {
    if (!partIsValid(part, spec)) return `${spec.name} '${value}' is not valid, ${allowed}`;
  }
  return undefined;
}

function partIsValid(part: string, spec: FieldSpec): boolean {
  const extra = spec.extra ?? "";
  if (part === "*") return true;
  if (part === "?" || part === "L") return extra.includes(part);
  if (extra.includes("W") && /^\d{1,2}W$/.test(part)) return inRange(part.slice(0, -1), spec);
  if (extra.includes("L") && /^[1-7A-Z]{1,3}L$/.test(part)) return inRange(part.slice(0, -1), spec);
  if (extra.includes("#")) {
    const nth = /^(\w+)#([1-5])$/.exec(part);
    if (nth) return inRange(nth[1], spec);
  }
  const [range, step, ...rest] = part.split("/");
  if (rest.length > 0) return false;
  if (step !== undefined && !/^\d+$/.test(step)) return false;
  if (range === "*") return step !== undefined;
  const [from, to, ...more] = range.split("-");
  if (more.length > 0) return false;
  return inRange(from, spec) && (to === undefined || inRange(to, spec));
}

function inRange(token: string, spec: FieldSpec): boolean {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return true;
  if (!/^\d+$/.test(token)) return false;
  const value = Number(token);
  return value >= spec.min && value <= spec.max;
}

/** Returns why `timezone` is not an IANA time zone name, or undefined when it is. */
export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return undefined;
  } catch {
    return `${JSON.stringify(timezone)} is not a time zone, allowed: an IANA name such as Etc/UTC or Europe/Berlin`;
  }
}

/**
 * Systems Manager association schedules: `rate(N minutes|hours|days)` of at least 30 minutes, or a
 * cron expression (which SSM validates itself).
 */
export function associationScheduleProblem(expression: string): string | undefined {
  const allowed = "allowed: rate(N days), rate(N hours), rate(N minutes) with N minutes >= 30, or cron(...)";
  if (/^cron\(.+\)$/.test(expression)) return undefined;
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
