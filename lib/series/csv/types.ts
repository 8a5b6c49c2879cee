/** What `parseCsv` returns, and its options. */
import type { Frequency } from "../frequency";
import type { Gap } from "../grid";

export interface ParsedSeries {
  name: string;
  /** ms since epoch, UTC, strictly ascending. */
  timestamps: Float64Array;
  /** NaN = missing value (kept as a gap, never 0). Leading and trailing missing values are trimmed. */
  values: Float64Array;
  frequency: Frequency;
  /** Step for fixed-step frequencies (minute/hourly/daily/weekly; median spacing for irregular), null for calendar ones. */
  stepMs: number | null;
  gaps: Gap[];
  /** Grid steps without a value: the sum of the gaps' missingSteps (absent rows and missing cells). */
  missingCount: number;
}

export type DatasetFormat = "long" | "wide" | "ohlcv";

export interface ParsedDataset {
  format: DatasetFormat;
  delimiter: string;
  dateColumn: string;
  /** Data rows read (blank lines not counted). */
  rowCount: number;
  series: ParsedSeries[];
  /** One sentence each: columns or rows not imported, guesses made (day/month order, encoding). */
  warnings: string[];
}

export interface ParseCsvOptions {
  /** The uploaded file's name: OHLCV series are named after it (`AAPL.csv` -> `AAPL close`). */
  fileName: string;
  /** Size limit in bytes (default 100 MB); larger input throws FILE_TOO_LARGE (413). */
  maxBytes?: number;
}
