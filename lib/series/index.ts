/**
 * lib/series: CSV parsing and validation, dates and frequency inference, gaps, long and wide formats.
 * Pure: no database, clock or randomness.
 */
export { FREQUENCIES, SEASON_LENGTH } from "./frequency";
export type { Frequency } from "./frequency";
export { CsvImportError, CSV_ERROR_STATUS, MAX_LISTED_ROWS } from "./errors";
export type { CsvImportErrorCode, CsvImportErrorDetails } from "./errors";
export { parseCsv } from "./csv/parse";
export type { ParsedSeries, ParsedDataset, ParseCsvOptions, DatasetFormat } from "./csv/types";
export { DEFAULT_MAX_BYTES } from "./decode";
export { inferFrequency, findGaps, addSteps, stepsBetween } from "./grid";
export type { Gap } from "./grid";
export {
  parseTimestamp,
  parseDateText,
  parseIsoFast,
  parseNumericDate,
  numericDateKindOf,
  formatTimestamp,
  daysFromCivil,
  civilFromDays,
  daysInMonth,
  weekdayOf,
  MS_PER_MINUTE,
  MS_PER_HOUR,
  MS_PER_DAY,
} from "./dates";
export type { DayMonthOrder, NumericDateKind } from "./dates";
export { parseNumberCell, isMissingToken, isInfinityToken, detectDecimalMark } from "./numbers";
export type { DecimalMark } from "./numbers";
