/**
 * The time grid of a series: frequency inference, gaps, and stepping forward (to date forecasts).
 *
 * Fixed-step frequencies (minute, hourly, daily, weekly) carry `stepMs`, which may be a multiple of
 * the unit (15-minute data is "minute" with stepMs 900000). Calendar frequencies (business days,
 * monthly, quarterly, yearly) have stepMs null: their steps are not a constant number of ms.
 * "irregular" carries the median spacing as stepMs (null when there are fewer than 2 points), so a
 * forecast of an irregular series can still be dated approximately.
 */
import type { Frequency } from "./frequency";
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, civilFromDays, daysInMonth, daysFromCivil, weekdayOf } from "./dates";

export interface Gap {
  /** Last timestamp with a value before the hole. */
  afterTs: number;
  /** First timestamp with a value after the hole. */
  beforeTs: number;
  /** Grid steps between them with no value (absent rows and missing values alike). */
  missingSteps: number;
}

const MS_PER_WEEK = 7 * MS_PER_DAY;
/** Share of spacings that must sit on the inferred grid (multiples of the step) for it to count. */
const REGULAR_SHARE = 0.8;

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}
function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Index of a day among business days (Mon-Fri); Saturday and Sunday map to the next Monday's index. */
export function businessIndex(days: number): number {
  const mon0 = mod(days + 3, 7); // Monday = 0 ... Sunday = 6
  const week = (days - mon0 + 3) / 7;
  return week * 5 + Math.min(mon0, 5);
}
/** The day (days since epoch) of a business-day index. */
export function dayOfBusinessIndex(idx: number): number {
  const week = floorDiv(idx, 5);
  return week * 7 - 3 + (idx - week * 5);
}

function monthIndex(ts: number): number {
  const [y, m] = civilFromDays(floorDiv(ts, MS_PER_DAY));
  return y * 12 + (m - 1);
}

const CALENDAR_MONTHS: Partial<Record<Frequency, number>> = { monthly: 1, quarterly: 3, yearly: 12 };

/** Most frequent value of a sorted array (ties: the smallest) and its count. */
function modeOfSorted(a: Float64Array): [number, number] {
  let best = a[0];
  let bestCount = 0;
  let i = 0;
  while (i < a.length) {
    let j = i + 1;
    while (j < a.length && a[j] === a[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = a[i];
    }
    i = j;
  }
  return [best, bestCount];
}

/**
 * Infers the frequency of strictly ascending timestamps, robust to a few gaps: the step is the
 * most common spacing, and at least 80% of spacings must be whole multiples of it. Business days:
 * a daily step with no Saturdays or Sundays (at most 1%) and at least one Friday-to-Monday step.
 * Calendar months: one point per month, quarter or year on a consistent day (same day of month,
 * or month ends), or spacing near 30, 91 or 365 days.
 */
export function inferFrequency(timestamps: Float64Array): { frequency: Frequency; stepMs: number | null } {
  const n = timestamps.length;
  if (n < 2) return { frequency: "irregular", stepMs: null };
  const diffs = new Float64Array(n - 1);
  let allEqual = true;
  for (let i = 1; i < n; i++) {
    diffs[i - 1] = timestamps[i] - timestamps[i - 1];
    if (diffs[i - 1] !== diffs[0]) allEqual = false;
  }
  let step: number;
  let median: number;
  if (allEqual) {
    step = diffs[0];
    median = diffs[0];
  } else {
    const sorted = diffs.slice().sort();
    median = sorted[(sorted.length - 1) >> 1];
    step = modeOfSorted(sorted)[0];
  }
  if (!(step > 0)) return { frequency: "irregular", stepMs: null };

  const tod0 = mod(timestamps[0], MS_PER_DAY);
  let sameTimeOfDay = true;
  for (let i = 1; i < n && sameTimeOfDay; i++) if (mod(timestamps[i], MS_PER_DAY) !== tod0) sameTimeOfDay = false;

  if (sameTimeOfDay && median >= 27 * MS_PER_DAY) {
    const cal = inferCalendarMonths(timestamps, median);
    if (cal) return { frequency: cal, stepMs: null };
  }

  let onGrid = 0;
  for (let i = 0; i < diffs.length; i++) {
    const k = diffs[i] / step;
    if (Math.abs(k - Math.round(k)) < 1e-9) onGrid++;
  }
  if (onGrid < REGULAR_SHARE * diffs.length) return { frequency: "irregular", stepMs: median };

  if (step % MS_PER_DAY === 0) {
    if (step === MS_PER_DAY && sameTimeOfDay && isBusinessDays(timestamps)) return { frequency: "business", stepMs: null };
    if (step % MS_PER_WEEK === 0) return { frequency: "weekly", stepMs: step };
    return { frequency: "daily", stepMs: step };
  }
  if (step % MS_PER_HOUR === 0) return { frequency: "hourly", stepMs: step };
  if (step % MS_PER_MINUTE === 0) return { frequency: "minute", stepMs: step };
  return { frequency: "irregular", stepMs: median };
}

function isBusinessDays(ts: Float64Array): boolean {
  let weekend = 0;
  let fridayToMonday = false;
  for (let i = 0; i < ts.length; i++) {
    const wd = weekdayOf(ts[i]);
    if (wd === 0 || wd === 6) weekend++;
    else if (wd === 1 && i > 0 && weekdayOf(ts[i - 1]) === 5 && ts[i] - ts[i - 1] === 3 * MS_PER_DAY) fridayToMonday = true;
  }
  return fridayToMonday && weekend <= 0.01 * ts.length;
}

function inferCalendarMonths(ts: Float64Array, median: number): Frequency | null {
  const n = ts.length;
  const months = new Float64Array(n - 1);
  let prevMonth = monthIndex(ts[0]);
  const [, , d0] = civilFromDays(floorDiv(ts[0], MS_PER_DAY));
  let sameDay = 0;
  let monthEnd = 0;
  for (let i = 0; i < n; i++) {
    const [y, m, d] = civilFromDays(floorDiv(ts[i], MS_PER_DAY));
    if (d === d0) sameDay++;
    if (d === daysInMonth(y, m)) monthEnd++;
    if (i > 0) {
      const mi = y * 12 + (m - 1);
      months[i - 1] = mi - prevMonth;
      if (mi === prevMonth) return null;
      prevMonth = mi;
    }
  }
  const anchored = sameDay >= 0.9 * n || monthEnd >= 0.9 * n;
  const sorted = months.slice().sort();
  const [k] = modeOfSorted(sorted);
  if (k !== 1 && k !== 3 && k !== 12) return null;
  let onGrid = 0;
  for (let i = 0; i < months.length; i++) if (months[i] % k === 0) onGrid++;
  if (onGrid < REGULAR_SHARE * months.length) return null;
  const days = median / MS_PER_DAY;
  const near = k === 1 ? days >= 27 && days <= 32 : k === 3 ? days >= 85 && days <= 95 : days >= 360 && days <= 370;
  if (!anchored && !near) return null;
  return k === 1 ? "monthly" : k === 3 ? "quarterly" : "yearly";
}

const UNIT_MS: Partial<Record<Frequency, number>> = {
  minute: MS_PER_MINUTE,
  hourly: MS_PER_HOUR,
  daily: MS_PER_DAY,
  weekly: MS_PER_WEEK,
};

/** Whole grid steps from a to b (b > a); null for irregular series without a step. */
export function stepsBetween(a: number, b: number, frequency: Frequency, stepMs: number | null): number | null {
  const months = CALENDAR_MONTHS[frequency];
  if (months !== undefined) return Math.round((monthIndex(b) - monthIndex(a)) / months);
  if (frequency === "business") {
    return businessIndex(floorDiv(b, MS_PER_DAY)) - businessIndex(floorDiv(a, MS_PER_DAY));
  }
  if (frequency === "irregular") return null;
  const step = stepMs ?? UNIT_MS[frequency] ?? null;
  return step === null ? null : Math.round((b - a) / step);
}

/**
 * Holes in the grid of a series: for each pair of consecutive timestamps that have values, the
 * grid steps between them that have none (rows absent from the file, or present with a missing
 * value). For an irregular series only missing values count (there is no grid to miss rows from).
 */
export function findGaps(timestamps: Float64Array, values: Float64Array, frequency: Frequency, stepMs: number | null): Gap[] {
  const gaps: Gap[] = [];
  let prev = -1;
  for (let j = 0; j < timestamps.length; j++) {
    if (Number.isNaN(values[j])) continue;
    if (prev >= 0) {
      const steps = stepsBetween(timestamps[prev], timestamps[j], frequency, stepMs) ?? j - prev;
      if (steps > 1) gaps.push({ afterTs: timestamps[prev], beforeTs: timestamps[j], missingSteps: steps - 1 });
    }
    prev = j;
  }
  return gaps;
}

/**
 * The timestamp n steps after ts (n may be negative). Calendar-aware: monthly steps keep the day
 * of month (clamped to shorter months) and stay on month ends when ts is a month end; business
 * days skip Saturdays and Sundays (from a weekend day, +1 is the next Monday, -1 the previous
 * Friday). The time of day is kept. Throws RangeError for an irregular series without a step.
 */
export function addSteps(ts: number, frequency: Frequency, stepMs: number | null, n: number): number {
  const months = CALENDAR_MONTHS[frequency];
  const days = floorDiv(ts, MS_PER_DAY);
  const tod = ts - days * MS_PER_DAY;
  if (months !== undefined) {
    const [y, m, d] = civilFromDays(days);
    const target = y * 12 + (m - 1) + n * months;
    const ty = floorDiv(target, 12);
    const tm = target - ty * 12 + 1;
    const dim = daysInMonth(ty, tm);
    const td = d === daysInMonth(y, m) ? dim : Math.min(d, dim);
    return daysFromCivil(ty, tm, td) * MS_PER_DAY + tod;
  }
  if (frequency === "business") {
    const wd = weekdayOf(ts);
    let base = businessIndex(days);
    // businessIndex maps a weekend day to the next Monday; stepping forward counts from Friday.
    if ((wd === 0 || wd === 6) && n > 0) base -= 1;
    if ((wd === 0 || wd === 6) && n === 0) return ts;
    return dayOfBusinessIndex(base + n) * MS_PER_DAY + tod;
  }
  const step = stepMs ?? UNIT_MS[frequency];
  if (step === undefined) throw new RangeError(`Cannot step a ${frequency} series without a step length.`);
  return ts + n * step;
}
