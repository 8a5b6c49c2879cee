/**
 * Number parsing for CSV cells. `fastNumber` handles the common plain decimal (`-12.5`) with
 * charCode arithmetic; `parseNumberCell` adds missing-value tokens, exponents, a leading `+`,
 * currency signs and thousands separators. A file's decimal mark is "." or "," (decided once per
 * file by `detectDecimalMark`).
 */

export type DecimalMark = "." | ",";

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

/**
 * `[-]digits[<mark>digits]` with at most 15 significant digits, else NaN (the caller falls back).
 * The result equals `Number()` of the same text: an integer below 2^53 divided by an exact power of
 * ten is correctly rounded.
 */
export function fastNumber(s: string, markCode: number): number {
  const len = s.length;
  if (len === 0 || len > 17) return NaN;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (len === 1) return NaN;
  }
  let m = 0;
  let digits = 0;
  let fracDigits = -1;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (fracDigits >= 0) fracDigits++;
    } else if (c === markCode && fracDigits < 0) {
      fracDigits = 0;
    } else return NaN;
  }
  if (digits === 0 || digits > 15 || fracDigits === 0) return NaN;
  const v = fracDigits > 0 ? m / POW10[fracDigits] : m;
  return neg ? -v : v;
}

const MISSING = new Set([
  "", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "—", "?", ".", "#n/a", "#na", "missing", "undefined",
]);

/** Empty cells and the usual spellings of "no value" (NA, NaN, null, -, N/A, #N/A ...). */
export function isMissingToken(s: string): boolean {
  if (s.length > 9) return false;
  return MISSING.has(s.trim().toLowerCase());
}

const INFINITY_RE = /^[+-]?\s*(?:inf|infinity|\u221e)$/i;

/**
 * `Infinity`, `-inf`, `∞` ...: the spellings of an infinite number some tools write. Not a
 * missing value and not text: the importer refuses them, as it refuses `1e999`.
 */
export function isInfinityToken(s: string): boolean {
  return s.length <= 12 && INFINITY_RE.test(s.trim());
}

const PLAIN_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const DOT_THOUSANDS_RE = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/; // 1,234,567.89
const COMMA_THOUSANDS_RE = /^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$/; // 1.234.567,89
const SPACE_THOUSANDS_RE = /^[+-]?\d{1,3}(?:[ '\u00a0\u202f\u2009]\d{3})+(?:[.,]\d*)?$/; // 1 234 567,89
const CURRENCY_RE = /^([+-]?)\s*[$€£¥]\s*|\s*[$€£¥]$/g;

/**
 * Parses a numeric cell. Returns the number, NaN for a missing value, or `undefined` when the cell
 * is text (not a number and not a missing token). Accepted beyond plain decimals: a leading `+`,
 * exponents, currency signs ($ € £ ¥), a trailing `%` (kept in percent: "5%" is 5), and thousands
 * separators that cannot be the decimal mark. A number too large for a double (`1e999`) comes
 * back as ±Infinity: callers that store numbers refuse it.
 */
export function parseNumberCell(raw: string, mark: DecimalMark): number | undefined {
  const v = fastNumber(raw, mark === "." ? 46 : 44);
  if (!Number.isNaN(v)) return v;
  if (isMissingToken(raw)) return NaN;
  let s = raw.trim();
  if (s.length === 0) return NaN;
  if (/[$€£¥]/.test(s)) s = s.replace(CURRENCY_RE, "$1");
  // "5%" is read as 5 (the unit stays percent, as the user sees it)
  if (s.charCodeAt(s.length - 1) === 37 && s.length > 1) s = s.slice(0, -1).trimEnd();
  const f = fastNumber(s.charCodeAt(0) === 43 ? s.slice(1) : s, mark === "." ? 46 : 44);
  if (!Number.isNaN(f)) return f;
  if (mark === ".") {
    if (PLAIN_RE.test(s)) return Number(s);
    if (DOT_THOUSANDS_RE.test(s)) return Number(s.replace(/,/g, ""));
    if (SPACE_THOUSANDS_RE.test(s) && !s.includes(",")) return Number(s.replace(/[ '\u00a0\u202f\u2009]/g, ""));
    return undefined;
  }
  const swapped = s.replace(",", ".");
  if (!s.includes(".") && PLAIN_RE.test(swapped)) return Number(swapped);
  if (COMMA_THOUSANDS_RE.test(s)) return Number(s.replace(/\./g, "").replace(",", "."));
  if (SPACE_THOUSANDS_RE.test(s) && !s.includes(".")) {
    return Number(s.replace(/[ '\u00a0\u202f\u2009]/g, "").replace(",", "."));
  }
  // Plain dot decimals also occur in comma-mark files (a column exported by another tool).
  if (!s.includes(",") && PLAIN_RE.test(s) && !/^\d{1,3}\.\d{3}$/.test(s)) return Number(s);
  return undefined;
}

/**
 * Decides the decimal mark from sample cells. Strong evidence: `1.234,5` (comma), `1,234.5` (dot);
 * `1,5` or `12,25` (comma: not 3 digits after it); `1.5` (dot). `1,234` and `1.234` are ambiguous
 * and do not count. Without evidence: "," for semicolon files, "." otherwise.
 */
export function detectDecimalMark(cells: Iterable<string>, delimiter: string): DecimalMark {
  let comma = 0;
  let dot = 0;
  for (const raw of cells) {
    const s = raw.trim();
    if (s.length === 0 || s.length > 30) continue;
    if (/^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/.test(s)) comma += 2;
    else if (/^[+-]?\d{1,3}(?:,\d{3})+\.\d+$/.test(s)) dot += 2;
    else if (/^[+-]?\d+,\d+$/.test(s)) {
      if (!/^[+-]?\d{1,3},\d{3}$/.test(s)) comma++;
    } else if (/^[+-]?\d*\.\d+(?:e[+-]?\d+)?$/i.test(s)) {
      if (!/^[+-]?\d{1,3}\.\d{3}$/.test(s)) dot++;
    }
  }
  if (comma > dot) return ",";
  if (dot > comma) return ".";
  return delimiter === ";" ? "," : ".";
}
