import crypto from "node:crypto";
import type { Db } from "../db/types";
import { CsvImportError, parseCsv, type ParsedDataset } from "../series";
import { ImportRefusal, storeDataset, type ImportMode, type StoreResult } from "./import";

/** The upload size limit in bytes: TIDECAST_MAX_UPLOAD_MB (default 100 MB). */
export function maxUploadBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.TIDECAST_MAX_UPLOAD_MB ?? "100");
  return Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : 100 * 1024 * 1024;
}

export interface ImportOutcome extends StoreResult {
  warnings: string[];
}

export interface ParsedUpload {
  dataset: ParsedDataset;
  contentHash: string;
  warnings: string[];
}

/** Parses one CSV file within the upload limit. Throws CsvImportError (with row and column). */
export function parseUpload(bytes: Uint8Array, fileName: string): ParsedUpload {
  const maxBytes = maxUploadBytes();
  if (bytes.byteLength > maxBytes) {
    throw new CsvImportError(
      "FILE_TOO_LARGE",
      `The file is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(0)} MB.`,
      { bytes: bytes.byteLength, limit: maxBytes },
    );
  }
  const dataset = parseCsv(bytes, { fileName, maxBytes });
  return { dataset, contentHash: crypto.createHash("sha256").update(bytes).digest("hex"), warnings: dataset.warnings };
}

/** The sentence telling the user a same-named upload became a dataset of its own, or null. */
export function renameWarning(stored: StoreResult): string | null {
  if (stored.renamedFrom === null) return null;
  const was = stored.renamedFrom;
  return `A dataset named "${was}" already exists, so this file is a new dataset, "${stored.dataset.name}". To add its points to "${was}" instead, upload it with mode=append and name "${was}" ("Append to dataset…" on the page).`;
}

export interface ImportCsvOptions {
  name?: string;
  mode?: ImportMode;
}

/**
 * Parses and stores one CSV file (the sample loader, benchmarks and tests; uploads and the CLI
 * go through lib/imports, which also queues retraining in the same transaction). Throws
 * CsvImportError before anything is written.
 */
export async function importCsv(db: Db, bytes: Uint8Array, fileName: string, options: ImportCsvOptions = {}): Promise<ImportOutcome> {
  const parsed = parseUpload(bytes, fileName);
  const stored = await storeDataset(db, parsed.dataset, { ...options, fileName, contentHash: parsed.contentHash });
  const rename = renameWarning(stored);
  return { ...stored, warnings: rename ? [rename, ...parsed.warnings] : parsed.warnings };
}

/** What the API answers for a refused import: status, code, message, details. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** The refusal an import error stands for (a CsvImportError or ImportRefusal), or null for any other error. */
export function refusalOf(err: unknown): Refusal | null {
  if (err instanceof CsvImportError || err instanceof ImportRefusal) return { status: err.status, code: err.code, message: err.message, details: { ...err.details } };
  return null;
}

/** The series an import added or changed points of: what "retrain on new data" schedules react to. */
export function changedSeriesIds(outcome: StoreResult): number[] {
  return outcome.series.filter((s) => s.inserted > 0 || s.updated > 0).map((s) => s.id);
}
