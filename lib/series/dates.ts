/**
 * Date and time parsing for CSV import. Every timestamp is milliseconds since the Unix epoch, UTC.
 * A date or datetime written without a time zone is read as UTC (so a daily series never shifts
 * a day with the server's zone).
 *
 * The calendar arithmetic is our own (proleptic Gregorian, any year): `Date.UTC` maps years 0-99
 * to 1900-1999, and the M3 data has dates in year 1.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Days from 1970-01-01 to y-m-d (m 1-12), proleptic Gregorian (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil: [year, month 1-12, day]. */
export function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? era * 400 + yoe + 1 : era * 400 + yoe, m, d];
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1];
}

/** 0 = Sunday ... 6 = Saturday, for a UTC timestamp. */
export function weekdayOf(ts: number): number {
  const days = Math.floor(ts / MS_PER_DAY);
  return (((days + 4) % 7) + 7) % 7;
}

/** ms since epoch for a valid calendar date and time, or NaN when a field is out of range. */
export function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 24 || mi > 59 || s > 60) return NaN;
  if (h === 24 && (mi !== 0 || s !== 0 || ms !== 0)) return NaN;
  return daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * 1000 + ms;
}

/** Formats a timestamp for messages: `2024-01-03`, or `2024-01-03 14:30` / `...:05` / `...:05.250` (UTC). */
export function formatTimestamp(ts: number): string {
  if (!Number.isFinite(ts)) return String(ts);
  const days = Math.floor(ts / MS_PER_DAY);
  const [y, m, d] = civilFromDays(days);
  const date = `${y < 0 ? "-" : ""}${String(Math.abs(y)).padStart(4, "0")}-${pad2(m)}-${pad2(d)}`;
  let rest = ts - days * MS_PER_DAY;
  if (rest === 0) return date;
  const h = Math.floor(rest / MS_PER_HOUR);
  rest -= h * MS_PER_HOUR;
  const mi = Math.floor(rest / MS_PER_MINUTE);
  rest -= mi * MS_PER_MINUTE;
  const s = Math.floor(rest / 1000);
  const ms = Math.round(rest - s * 1000);
  let out = `${date} ${pad2(h)}:${pad2(mi)}`;
  if (s !== 0 || ms !== 0) out += `:${pad2(s)}`;
  if (ms !== 0) out += `.${String(ms).padStart(3, "0")}`;
  return out;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// ---------------------------------------------------------------------------------------------
// Fast path: ISO 8601 `YYYY-MM-DD`, optionally `[T ]HH:mm[:ss[.fff]]` and `Z` / `±HH[:MM]`.
// Pure charCode arithmetic, no allocation. Returns NaN when the text is not in that shape (the
// caller then tries the general parser), and also NaN for impossible dates (2023-02-30).

function dig(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

export function parseIsoFast(s: string): number {
  const len = s.length;
  if (len < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = dig(s, 0) * 1000 + dig(s, 1) * 100 + dig(s, 2) * 10 + dig(s, 3);
  const mo = dig(s, 5) * 10 + dig(s, 6);
  const d = dig(s, 8) * 10 + dig(s, 9);
  if (y < 0 || mo < 0 || d < 0) return NaN;
  if (len === 10) return utcMs(y, mo, d);
  const sep = s.charCodeAt(10);
  if ((sep !== 84 && sep !== 32 && sep !== 116) || len < 16 || s.charCodeAt(13) !== 58) return NaN;
  const h = dig(s, 11) * 10 + dig(s, 12);
  const mi = dig(s, 14) * 10 + dig(s, 15);
  if (h < 0 || mi < 0) return NaN;
  let i = 16;
  let sec = 0;
  let frac = 0;
  if (i < len && s.charCodeAt(i) === 58) {
    if (len < 19) return NaN;
    sec = dig(s, 17) * 10 + dig(s, 18);
    if (sec < 0) return NaN;
    i = 19;
    if (i < len && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
      i++;
      let scale = 100;
      const start = i;
      while (i < len) {
        const c = dig(s, i);
        if (c < 0) break;
        frac += c * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return NaN;
    }
  }
  let offset = 0;
  if (i < len) {
    const c = s.charCodeAt(i);
    if ((c === 90 || c === 122) && i === len - 1) {
      // Z
    } else if (c === 43 || c === 45) {
      const rest = len - i - 1;
      const oh = dig(s, i + 1) * 10 + dig(s, i + 2);
      let om = 0;
      if (rest === 2) om = 0;
      else if (rest === 4) om = dig(s, i + 3) * 10 + dig(s, i + 4);
      else if (rest === 5 && s.charCodeAt(i + 3) === 58) om = dig(s, i + 4) * 10 + dig(s, i + 5);
      else return NaN;
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
      offset = (c === 45 ? -1 : 1) * (oh * MS_PER_HOUR + om * MS_PER_MINUTE);
    } else return NaN;
  }
  const base = utcMs(y, mo, d, h, mi, sec);
  return base - offset + Math.round(frac);
}

/** Reads 1..max digits of s from i: returns value * 8 + digits (so both fit in one number), or -1. */
function digitsAt(s: string, i: number, max: number): number {
  let v = 0;
  let k = 0;
  while (k < max && i + k < s.length) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    k++;
  }
  return k === 0 ? -1 : v * 8 + k;
}

/**
 * The leading `a<sep>b<sep>YYYY` of a date with the year last: returns [a, b, separator code,
 * index after the year] packed as a*1e8 + b*1e6 + sep*1e3 + end, or -1. Separators: / - .
 */
function yearLastPrefix(s: string): number {
  const A = digitsAt(s, 0, 2);
  if (A < 0) return -1;
  let i = A & 7;
  const sep = s.charCodeAt(i);
  if (sep !== 47 && sep !== 45 && sep !== 46) return -1;
  const B = digitsAt(s, i + 1, 2);
  if (B < 0) return -1;
  i += 1 + (B & 7);
  if (s.charCodeAt(i) !== sep) return -1;
  const Y = digitsAt(s, i + 1, 4);
  if (Y < 0 || (Y & 7) !== 4) return -1;
  i += 5;
  if (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) return -1;
  return (A >> 3) * 1e8 + (B >> 3) * 1e6 + sep * 1e3 + i;
}

/** [a, b] of an `a/b/YYYY` or `a-b-YYYY` date (not dots, which are always day first), else null. */
export function slashParts(s: string): [number, number] | null {
  const p = yearLastPrefix(s);
  if (p < 0) return null;
  const sep = Math.floor(p / 1e3) % 1000;
  if (sep === 46) return null;
  return [Math.floor(p / 1e8), Math.floor(p / 1e6) % 100];
}

/**
 * Fast path for `a/b/YYYY`, `a-b-YYYY`, `a.b.YYYY` with an optional ` HH:mm[:ss]` (no AM/PM, no
 * zone): charCode arithmetic. `a.b.YYYY` is always day first. NaN when the text has another shape.
 */
export function parseSlashFast(s: string, order: DayMonthOrder): number {
  const p = yearLastPrefix(s);
  if (p < 0) return NaN;
  const a = Math.floor(p / 1e8);
  const b = Math.floor(p / 1e6) % 100;
  const sep = Math.floor(p / 1e3) % 1000;
  let i = p % 1000;
  const y = dig(s, i - 4) * 1000 + dig(s, i - 3) * 100 + dig(s, i - 2) * 10 + dig(s, i - 1);
  const dayFirst = sep === 46 || order === "dmy";
  const mo = dayFirst ? b : a;
  const d = dayFirst ? a : b;
  const len = s.length;
  if (i === len) return utcMs(y, mo, d);
  const t = s.charCodeAt(i);
  if (t !== 32 && t !== 84) return NaN;
  const H = digitsAt(s, i + 1, 2);
  if (H < 0) return NaN;
  i += 1 + (H & 7);
  if (s.charCodeAt(i) !== 58) return NaN;
  const M = digitsAt(s, i + 1, 2);
  if (M < 0 || (M & 7) !== 2) return NaN;
  i += 3;
  let sec = 0;
  if (i < len) {
    if (s.charCodeAt(i) !== 58) return NaN;
    const S = digitsAt(s, i + 1, 2);
    if (S < 0 || (S & 7) !== 2 || i + 3 !== len) return NaN;
    sec = S >> 3;
  }
  return utcMs(y, mo, d, H >> 3, M >> 3, sec);
}

// ---------------------------------------------------------------------------------------------
// General parser.

/** How to read `a/b/YYYY` (and `a-b-YYYY`): month first (US) or day first. `a.b.YYYY` is always day first. */
export type DayMonthOrder = "mdy" | "dmy";

/** How a column of plain integers is read as time. */
export type NumericDateKind = "unix-s" | "unix-ms" | "year" | "yyyymmdd";

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10,
  nov: 11, november: 11, dec: 12, december: 12,
};

/** 1-12 for an English month name or abbreviation (case-insensitive), else 0. */
export function monthNumber(name: string): number {
  return MONTHS[name.toLowerCase()] ?? 0;
}

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([ap]\.?m\.?)?\s*(z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses `HH:mm[:ss[.fff]] [AM|PM] [Z|UTC|±HH:MM]` into [ms since midnight, offset ms]; null if not a time. */
function parseTimePart(t: string): [number, number] | null {
  const m = TIME_RE.exec(t);
  if (!m) return null;
  let h = +m[1];
  const mi = +m[2];
  const s = m[3] ? +m[3] : 0;
  const frac = m[4] ? Math.round(+`0.${m[4]}` * 1000) : 0;
  if (m[5]) {
    if (h < 1 || h > 12) return null;
    const pm = m[5][0].toLowerCase() === "p";
    if (h === 12) h = pm ? 12 : 0;
    else if (pm) h += 12;
  }
  if (h > 24 || mi > 59 || s > 60 || (h === 24 && (mi > 0 || s > 0 || frac > 0))) return null;
  let offset = 0;
  const z = m[6];
  if (z && z[0] !== "z" && z[0] !== "Z" && z[0] !== "u" && z[0] !== "U" && z[0] !== "g" && z[0] !== "G") {
    const sign = z[0] === "-" ? -1 : 1;
    const digits = z.slice(1).replace(":", "");
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 23 || om > 59) return null;
    offset = sign * (oh * MS_PER_HOUR + om * MS_PER_MINUTE);
  }
  return [h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * 1000 + frac, offset];
}

function withTime(dateMs: number, rest: string | undefined): number {
  if (Number.isNaN(dateMs)) return NaN;
  if (rest === undefined || rest === "") return dateMs;
  const t = parseTimePart(rest.trim());
  if (!t) return NaN;
  return dateMs + t[0] - t[1];
}

// YYYY-MM-DD / YYYY/MM/DD / YYYY.MM.DD with any time part.
const YMD_RE = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:T|\s+)(.+))?$/i;
// YYYY-MM (a month).
const YM_RE = /^(\d{4})[-/.](\d{1,2})$/;
// a/b/YYYY, a-b-YYYY, a.b.YYYY with optional time.
const XYY_RE = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:(?:T|\s+)(.+))?$/i;
// Quarters: 2020Q1, 2020-Q1, 2020 Q1, Q1 2020, Q1-2020, 2020q1.
const Q1_RE = /^(\d{4})\s*[-/ ]?\s*q([1-4])$/i;
const Q2_RE = /^q([1-4])\s*[-/ ]?\s*(\d{4})$/i;
// Month names.
const WEEKDAY_RE = /^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+/i;
const MDY_NAME_RE = /^([a-z]{3,9})\.?[\s\-/]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/]+(\d{4})(?:(?:,?\s+|T)(.+))?$/i;
const DMY_NAME_RE = /^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([a-z]{3,9})\.?,?[\s\-/.]+(\d{4})(?:(?:,?\s+|T)(.+))?$/i;
const MY_NAME_RE = /^([a-z]{3,9})\.?[\s\-/,]+(\d{4})$/i;
const YM_NAME_RE = /^(\d{4})[\s\-/]+([a-z]{3,9})\.?(?:[\s\-/]+(\d{1,2}))?$/i;
const INT_RE = /^[+-]?\d+$/;
const DEC_RE = /^[+-]?\d+\.\d+$/;

/**
 * Parses one date/time string that is not a bare number. `order` decides `a/b/YYYY`;
 * returns NaN if the text is not a date this module reads.
 */
export function parseDateText(text: string, order: DayMonthOrder = "mdy"): number {
  const s = text.trim();
  const fast = parseIsoFast(s);
  if (!Number.isNaN(fast)) return fast;
  if (s.length < 4) return NaN;
  const slash = parseSlashFast(s, order);
  if (!Number.isNaN(slash)) return slash;
  let m = YMD_RE.exec(s);
  if (m) return withTime(utcMs(+m[1], +m[3], +m[4]), m[5]);
  m = XYY_RE.exec(s);
  if (m) {
    const a = +m[1];
    const b = +m[3];
    const dayFirst = m[2] === "." || order === "dmy";
    return withTime(dayFirst ? utcMs(+m[4], b, a) : utcMs(+m[4], a, b), m[5]);
  }
  m = YM_RE.exec(s);
  if (m) return utcMs(+m[1], +m[2], 1);
  m = Q1_RE.exec(s);
  if (m) return utcMs(+m[1], (+m[2] - 1) * 3 + 1, 1);
  m = Q2_RE.exec(s);
  if (m) return utcMs(+m[2], (+m[1] - 1) * 3 + 1, 1);
  const t = s.replace(WEEKDAY_RE, "");
  m = MDY_NAME_RE.exec(t);
  if (m) {
    const mo = monthNumber(m[1]);
    return mo ? withTime(utcMs(+m[3], mo, +m[2]), m[4]) : NaN;
  }
  m = DMY_NAME_RE.exec(t);
  if (m) {
    const mo = monthNumber(m[2]);
    return mo ? withTime(utcMs(+m[3], mo, +m[1]), m[4]) : NaN;
  }
  m = MY_NAME_RE.exec(t);
  if (m) {
    const mo = monthNumber(m[1]);
    return mo ? utcMs(+m[2], mo, 1) : NaN;
  }
  m = YM_NAME_RE.exec(t);
  if (m) {
    const mo = monthNumber(m[2]);
    return mo ? utcMs(+m[1], mo, m[3] ? +m[3] : 1) : NaN;
  }
  return NaN;
}

/** Reads a bare number as time of the given kind; NaN if it does not fit that kind. */
export function parseNumericDate(text: string, kind: NumericDateKind): number {
  const s = text.trim();
  if (kind === "year") {
    if (!/^\d{4}$/.test(s)) return NaN;
    return utcMs(+s, 1, 1);
  }
  if (kind === "yyyymmdd") {
    if (!/^\d{8}$/.test(s)) return NaN;
    return utcMs(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6, 8));
  }
  if (!INT_RE.test(s) && !DEC_RE.test(s)) return NaN;
  const v = +s;
  return kind === "unix-s" ? Math.round(v * 1000) : Math.round(v);
}

/** Guesses how a bare number is meant as a time: 9-10 digits are Unix seconds, 12-13 milliseconds. */
export function numericDateKindOf(text: string): NumericDateKind | null {
  const s = text.trim();
  if (/^\d{4}$/.test(s)) return +s >= 1000 && +s <= 2999 ? "year" : null;
  if (/^\d{8}$/.test(s)) return Number.isNaN(parseNumericDate(s, "yyyymmdd")) ? null : "yyyymmdd";
  const m = /^-?(\d+)(?:\.\d+)?$/.exec(s);
  if (!m) return null;
  if (m[1].length >= 9 && m[1].length <= 10) return "unix-s";
  if (m[1].length >= 12 && m[1].length <= 13) return "unix-ms";
  return null;
}

/**
 * Parses a single timestamp in any supported form; null if it is not one.
 * Supported: ISO dates and datetimes with or without zone (`2024-01-03`, `2024-01-03T10:00:00Z`,
 * `2024-01-03 10:00`, `+01:00` offsets), `YYYY/MM/DD`, `MM/DD/YYYY` (default for an ambiguous
 * `a/b/YYYY`; pass order "dmy" for day first), `DD.MM.YYYY`, `YYYY-MM`, quarters (`2020Q1`, `Q1 2020`),
 * month names (`Jan 1 2000`, `1 January 2000`, `January 1, 2000`, `Jan 2000`), optional time with
 * AM/PM, a 4-digit year, and Unix seconds (9-10 digits) or milliseconds (12-13 digits).
 * Text without a time zone is UTC.
 */
export function parseTimestamp(text: string, order: DayMonthOrder = "mdy"): number | null {
  const v = parseDateText(text, order);
  if (!Number.isNaN(v)) return v;
  const kind = numericDateKindOf(text);
  if (kind) {
    const n = parseNumericDate(text, kind);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

/** True when the text is a time of day only (`14:30`, `2:30 PM`, `14:30:00`). */
export function isTimeOfDay(text: string): boolean {
  return parseTimePart(text.trim()) !== null;
}

/** Milliseconds since midnight for a time-of-day string (its zone offset applied), NaN if not one. */
export function parseTimeOfDay(text: string): number {
  const t = parseTimePart(text.trim());
  return t ? t[0] - t[1] : NaN;
}

// ---------------------------------------------------------------------------------------------
// Column-wide format decision.

export interface DateColumnFormat {
  /** Bare integers read as time (year, yyyymmdd, Unix s/ms), or null for textual dates. */
  numeric: NumericDateKind | null;
  /** Order for `a/b/YYYY` dates. */
  order: DayMonthOrder;
  /** True when the order could not be decided from the data and a default was used. */
  orderGuessed: boolean;
}

/**
 * Decides a column's day/month order from every value: a first part above 12 proves day-first, a
 * second part above 12 proves month-first. Returns the rows (indices into `values`) proving each.
 */
export function slashEvidence(values: ArrayLike<string>): { dmyAt: number; mdyAt: number; slashCount: number } {
  let dmyAt = -1;
  let mdyAt = -1;
  let slashCount = 0;
  let prev = "";
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    if (s === prev || s.length < 8) continue;
    prev = s;
    const p = slashParts(s.charCodeAt(0) === 32 ? s.trim() : s);
    if (!p) continue;
    slashCount++;
    if (p[0] > 12 && dmyAt < 0) dmyAt = i;
    if (p[1] > 12 && mdyAt < 0) mdyAt = i;
    if (dmyAt >= 0 && mdyAt >= 0) break;
  }
  return { dmyAt, mdyAt, slashCount };
}
