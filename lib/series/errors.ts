/**
 * The one error type CSV import throws. The REST API answers `status` with
 * `{ "error": { "code", "message", "details" } }`; `message` is a sentence for the user.
 *
 * Status codes:
 * - 400 EMPTY_FILE: nothing was uploaded (an empty or blank file).
 * - 413 FILE_TOO_LARGE: over the size limit (Payload Too Large).
 * - 415 BINARY_FILE: not text at all (Unsupported Media Type): NUL bytes, an Excel/zip/PDF/image file.
 * - 422 for everything else: a readable CSV whose content cannot be imported (Unprocessable Content).
 */
export type CsvImportErrorCode =
  | "EMPTY_FILE"
  | "HEADER_ONLY"
  | "BINARY_FILE"
  | "NO_DATE_COLUMN"
  | "NO_NUMERIC_COLUMN"
  | "BAD_DATE"
  | "DUPLICATE_TIMESTAMP"
  | "BAD_NUMBER"
  | "FILE_TOO_LARGE"
  | "AMBIGUOUS_DATE"
  | "BAD_ROW";

export const CSV_ERROR_STATUS: Record<CsvImportErrorCode, number> = {
  EMPTY_FILE: 400,
  FILE_TOO_LARGE: 413,
  BINARY_FILE: 415,
  HEADER_ONLY: 422,
  NO_DATE_COLUMN: 422,
  NO_NUMERIC_COLUMN: 422,
  BAD_DATE: 422,
  DUPLICATE_TIMESTAMP: 422,
  BAD_NUMBER: 422,
  AMBIGUOUS_DATE: 422,
  BAD_ROW: 422,
};

export interface CsvImportErrorDetails {
  /** Spreadsheet row number (header = 1, first data row = 2). */
  row?: number;
  /** Column header. */
  column?: string;
  /** Row numbers at fault (duplicates), at most MAX_LISTED_ROWS of them. */
  rows?: number[];
  /** The offending cell text. */
  value?: string;
  /** The series concerned. */
  series?: string;
  [k: string]: unknown;
}

export class CsvImportError extends Error {
  readonly code: CsvImportErrorCode;
  readonly status: number;
  readonly details: CsvImportErrorDetails;

  constructor(code: CsvImportErrorCode, message: string, details: CsvImportErrorDetails = {}) {
    super(message);
    this.name = "CsvImportError";
    this.code = code;
    this.status = CSV_ERROR_STATUS[code];
    this.details = details;
  }

  /** The REST error body. */
  toJSON(): { code: CsvImportErrorCode; message: string; details: CsvImportErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** How many rows an error lists at most. */
export const MAX_LISTED_ROWS = 10;
