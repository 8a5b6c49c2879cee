/**
 * Stage 3a, finding the date column(s) from the sniffed profiles: a column of dates written as
 * text (by name first), else a named column of bare numbers that read as one kind of date
 * (years, yyyymmdd, Unix seconds or milliseconds), else Unix times in the first column. Beside
 * it, a separate time-of-day column (`date,time,...`) or year/month/day columns (`year,month,...`).
 */
import { CsvImportError } from "../errors";
import { type NumericDateKind, MS_PER_DAY, monthNumber, parseDateText } from "../dates";
import { type Dialect, spreadsheetRow } from "./dialect";
import { quoteCell } from "./messages";
import { isDateName, isStrongDateName, nameTokens, normalized } from "./names";

export interface DateColumns {
  /** The date column (the year column when dates are split over year/month/day columns). */
  date: number;
  header: string;
  /** How its bare numbers read as time, or null for dates written as text. */
  numericKind: NumericDateKind | null;
  /** A time-of-day column added to date-only dates, or -1. */
  time: number;
  /** Month and day-of-month columns beside a year column, or -1. */
  month: number;
  day: number;
}

/** The sentence's example of the date forms read. */
export const DATE_EXAMPLES = "2024-01-31, 01/31/2024, 31.01.2024 or Jan 31 2024";

/** Finds the date column. Throws NO_DATE_COLUMN, or BAD_DATE for a column named `date` that holds no dates. */
export function findDateColumns(d: Dialect): DateColumns {
  const { date, numericKind } = pickDateColumn(d);
  const time = numericKind === null ? findTimeColumn(d, date) : -1;
  const month = numericKind === "year" ? findPartColumn(d, date, ["month", "mon", "mm", "monthnumber"], 12, true) : -1;
  const day = month >= 0 ? findPartColumn(d, date, ["day", "dd", "dayofmonth"], 31, false) : -1;
  return { date, header: d.headers[date], numericKind, time, month, day };
}

/**
 * Text dates (80% of the sample, by name before content) beat named numeric dates, which beat
 * Unix times in an unnamed first column; ties go to the higher share of dates.
 */
function pickDateColumn(d: Dialect): { date: number; numericKind: NumericDateKind | null } {
  let best = -1;
  let bestKind: NumericDateKind | null = null;
  let bestPriority = 0;
  let bestRatio = 0;
  for (let c = 0; c < d.headers.length; c++) {
    const p = d.profiles[c];
    if (p.nonMissing === 0) continue;
    const named = isDateName(d.headers[c]);
    let priority = 0;
    let ratio = 0;
    let kind: NumericDateKind | null = null;
    if (p.textDates >= 0.8 * p.nonMissing) {
      ratio = p.textDates / p.nonMissing;
      priority = named ? 4 : 3;
    } else if (p.numeric === p.nonMissing && p.numericKinds.size === 1) {
      const [k, count] = [...p.numericKinds.entries()][0];
      if (count === p.nonMissing && (named || ((k === "unix-s" || k === "unix-ms") && c === 0))) {
        kind = k;
        priority = named ? 2 : 1;
        ratio = 1;
      }
    }
    if (priority > bestPriority || (priority === bestPriority && priority > 0 && ratio > bestRatio)) {
      bestPriority = priority;
      bestRatio = ratio;
      best = c;
      bestKind = kind;
    }
  }
  if (best < 0) throw noDateColumn(d);
  return { date: best, numericKind: bestKind };
}

function noDateColumn(d: Dialect): CsvImportError {
  const strong = d.headers.findIndex(isStrongDateName);
  if (strong >= 0 && d.profiles[strong].firstNonDate >= 0) {
    const r = d.profiles[strong].firstNonDate;
    const value = d.sample[r][strong] ?? "";
    const row = spreadsheetRow(d, d.sampleRecords[r]);
    return new CsvImportError(
      "BAD_DATE",
      `Row ${row}, column "${d.headers[strong]}": ${quoteCell(value)} is not a date (expected e.g. ${DATE_EXAMPLES}).`,
      { row, column: d.headers[strong], value },
    );
  }
  return new CsvImportError(
    "NO_DATE_COLUMN",
    `No date column found: none of the columns ${d.headers.map((h) => `"${h}"`).join(", ")} holds dates. Add a column such as "date" with values like 2024-01-31.`,
    { columns: d.headers },
  );
}

/** A `time`/`hour` column of times of day next to a date column whose sampled dates are all midnight. */
function findTimeColumn(d: Dialect, dateCol: number): number {
  for (let c = 0; c < d.headers.length; c++) {
    if (c === dateCol) continue;
    const p = d.profiles[c];
    const tokens = nameTokens(d.headers[c]);
    if ((tokens.includes("time") || tokens.includes("hour")) && p.nonMissing > 0 && p.timeOfDay === p.nonMissing) {
      const dates = d.sample.map((r) => parseDateText(r[dateCol] ?? ""));
      return dates.every((t) => Number.isNaN(t) || t % MS_PER_DAY === 0) ? c : -1;
    }
  }
  return -1;
}

/** A column named like a date part whose sampled cells (90%) are such parts. */
function findPartColumn(d: Dialect, dateCol: number, names: string[], max: number, allowMonthNames: boolean): number {
  return d.headers.findIndex((h, c) => {
    if (c === dateCol || !names.includes(normalized(h))) return false;
    let ok = 0;
    for (const r of d.sample) if (datePart(r[c] ?? "", max, allowMonthNames) > 0) ok++;
    return ok >= 0.9 * d.sample.length;
  });
}

/** An integer 1..max (or, if allowed, an English month name or abbreviation), else -1. */
export function datePart(cell: string, max: number, allowMonthNames: boolean): number {
  const s = cell.trim();
  if (/^\d{1,4}$/.test(s)) {
    const v = +s;
    return v >= 1 && v <= max ? v : -1;
  }
  if (allowMonthNames) {
    const m = monthNumber(s.replace(/\.$/, ""));
    if (m > 0) return m;
  }
  return -1;
}
