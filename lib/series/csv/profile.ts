/**
 * A column's profile over the sample rows: how many cells are numbers, dates written as text,
 * bare numbers that read as dates (years, Unix times), or times of day. The date column and each
 * column's role (values or text) are decided from profiles, before the file is streamed.
 */
import { type NumericDateKind, isTimeOfDay, numericDateKindOf, parseDateText } from "../dates";
import { type DecimalMark, isInfinityToken, isMissingToken, parseNumberCell } from "../numbers";

export interface ColumnProfile {
  /** Cells that are not empty or a missing-value token. */
  nonMissing: number;
  /** Cells that parse as numbers (infinite ones too: they make a numeric column, refused later). */
  numeric: number;
  /** Cells that are dates written as text (`2024-01-31`, `Jan 31 2024`). */
  textDates: number;
  /** Cells that are a time of day only (`14:30`). */
  timeOfDay: number;
  /** Numeric cells by the kind of date they could be (year, yyyymmdd, Unix s/ms). */
  numericKinds: Map<NumericDateKind, number>;
  /** Index (into the sample) of the first non-missing cell that is no date, -1 if none. */
  firstNonDate: number;
}

/** A date written as text (not a bare number), in either day/month order. */
export function isTextDate(s: string): boolean {
  return !Number.isNaN(parseDateText(s, "mdy")) || !Number.isNaN(parseDateText(s, "dmy"));
}

/** The profile of column c over the sample rows (a missing cell counts as a missing value). */
export function profileColumn(rows: readonly string[][], c: number, mark: DecimalMark): ColumnProfile {
  const p: ColumnProfile = { nonMissing: 0, numeric: 0, textDates: 0, timeOfDay: 0, numericKinds: new Map(), firstNonDate: -1 };
  for (let r = 0; r < rows.length; r++) {
    const raw = rows[r][c] ?? "";
    if (isMissingToken(raw)) continue;
    p.nonMissing++;
    let isDate = false;
    if (parseNumberCell(raw, mark) !== undefined || isInfinityToken(raw)) {
      p.numeric++;
      const kind = numericDateKindOf(raw);
      if (kind) {
        p.numericKinds.set(kind, (p.numericKinds.get(kind) ?? 0) + 1);
        isDate = true;
      }
    } else if (isTextDate(raw)) {
      p.textDates++;
      isDate = true;
    } else if (isTimeOfDay(raw)) p.timeOfDay++;
    if (!isDate && p.firstNonDate < 0) p.firstNonDate = r;
  }
  return p;
}

/** Mostly text (fewer than half of the non-missing cells are numbers): an id or label, not values. */
export function isTextual(p: ColumnProfile): boolean {
  return p.nonMissing > 0 && p.numeric < p.nonMissing / 2;
}
