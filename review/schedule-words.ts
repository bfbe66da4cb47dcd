const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTHS = [
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
const MONTH_NAMES = MONTHS.map((m) => m.slice(0, 3).toUpperCase());

/**
 * An AWS Backup cron schedule in words, e.g. "every day at 05:00" or "on day 1 of every month at
 * 03:00"; falls back to the expression itself for forms it does not phrase.
 */
export function scheduleInWords(expression: string, timezone = "Etc/UTC"): string {
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1].trim().split(/\s+/);
  if (!fields || fields.length !== 6) return expression;
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  const zone = timezone === "Etc/UTC" || timezone === "UTC" ? "UTC" : timezone;
  const time =
    /^\d+$/.test(hours) && /^\d+$/.test(minutes)
      ? `at ${hours.padStart(2, "0")}:${minutes.padStart(2, "0")} ${zone}`
      : undefined;
  const hourly =
    /^\*$|^\d+\/1$/.test(hours) && /^\d+$/.test(minutes) ? `every hour at minute ${minutes} (${zone})` : undefined;
  if (!time && !hourly) return `${expression} (${zone})`;
  const months =
    month === "*"
      ? ""
      : ` in ${month
          .split(",")
          .map((m) => monthName(m))
          .join(", ")}`;
  const years = year === "*" ? "" : ` in ${year}`;
  let days: string;
  if (dayOfMonth === "?" && dayOfWeek === "*") days = "every day";
  else if (dayOfMonth === "*" && dayOfWeek === "?") days = "every day";
  else if (dayOfMonth === "?") days = `every ${dayOfWeek.split(",").map(weekdayName).join(", ")}`;
  else if (dayOfMonth === "L") days = "on the last day of every month";
  else days = `on day ${dayOfMonth} of every month`;
  if (hourly) return `${days}${months}${years}, ${hourly}`;
  return `${days}${months}${years} ${time}`;
}

function weekdayName(token: string): string {
  const range = token.split("-");
  if (range.length === 2) return `${weekdayName(range[0])} to ${weekdayName(range[1])}`;
  const index = /^\d$/.test(token) ? Number(token) - 1 : DAY_NAMES.indexOf(token.toUpperCase());
  return DAYS[index] ?? token;
}

function monthName(token: string): string {
  const index = /^\d+$/.test(token) ? Number(token) - 1 : MONTH_NAMES.indexOf(token.toUpperCase());
  return MONTHS[index] ?? token;
}
