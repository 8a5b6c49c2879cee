/**
 * A cron expression in plain English, for the schedule preview: "Every day at 06:00",
 * "Every Monday at 07:00", "Every 15 minutes", "On day 1 of every month at 00:00". Five fields
 * (minute hour day-of-month month day-of-week) or six (seconds first). Anything it cannot phrase
 * well comes back as null, and the page shows the next run times alone.
 */
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_NAMES: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };
const MONTH_NAMES: Record<string, number> = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };

const pad = (n: number) => String(n).padStart(2, "0");
const isNum = (s: string) => /^\d+$/.test(s);

function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** A day-of-week or month field as names ("Monday to Friday", "Monday and Thursday"), or null. */
function names(field: string, table: Record<string, number>, labels: string[], offset: number): string | null {
  const value = (s: string): number | null => {
    const up = s.toUpperCase();
    if (up in table) return table[up];
    if (!isNum(s)) return null;
    const n = Number(s);
    return offset === 0 && n === 7 ? 0 : n;
  };
  const parts: string[] = [];
  for (const piece of field.split(",")) {
    const range = piece.split("-");
    if (range.length === 2) {
      const a = value(range[0]);
      const b = value(range[1]);
      if (a === null || b === null || labels[a - offset] === undefined || labels[b - offset] === undefined) return null;
      parts.push(`${labels[a - offset]} to ${labels[b - offset]}`);
    } else {
      const a = value(piece);
      if (a === null || labels[a - offset] === undefined) return null;
      parts.push(labels[a - offset]);
    }
  }
  return list(parts);
}

export function describeCron(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 6) {
    if (fields[0] !== "0") return null;
    fields.shift();
  }
  if (fields.length !== 5) return null;
  const [min, hour, dom, month, dow] = fields;
  const everyDay = dom === "*" && month === "*" && (dow === "*" || dow === "?");

  // Sub-daily intervals.
  const stepMin = /^\*\/(\d+)$/.exec(min);
  if (stepMin && hour === "*" && everyDay) return Number(stepMin[1]) === 1 ? "Every minute" : `Every ${Number(stepMin[1])} minutes`;
  if (min === "*" && hour === "*" && everyDay) return "Every minute";
  const stepHour = /^\*\/(\d+)$/.exec(hour);
  if (isNum(min) && stepHour && everyDay) {
    const n = Number(stepHour[1]);
    return `Every ${n === 1 ? "hour" : `${n} hours`} at minute ${Number(min)}`;
  }
  if (isNum(min) && hour === "*" && everyDay) return Number(min) === 0 ? "Every hour, on the hour" : `Every hour at minute ${Number(min)}`;

  // At fixed times of day.
  if (!isNum(min)) return null;
  const hours = hour.split(",");
  if (!hours.every(isNum)) return null;
  const times = list(hours.map((h) => `${pad(Number(h))}:${pad(Number(min))}`));
  if (Number(min) > 59 || hours.some((h) => Number(h) > 23)) return null;

  let days: string;
  if (everyDay) days = "Every day";
  else if (dom === "*" && month === "*") {
    if (dow === "1-5") days = "Every weekday (Monday to Friday)";
    else {
      const d = names(dow, DAY_NAMES, DAYS, 0);
      if (!d) return null;
      days = `Every ${d}`;
    }
  } else if ((dow === "*" || dow === "?") && dom.split(",").every(isNum)) {
    const monthsText = month === "*" ? "every month" : names(month, MONTH_NAMES, MONTHS, 1);
    if (!monthsText) return null;
    days = `On day ${list(dom.split(","))} of ${monthsText}`;
  } else if (dom === "L" && month === "*" && (dow === "*" || dow === "?")) days = "On the last day of every month";
  else return null;
  return `${days} at ${times}`;
}
