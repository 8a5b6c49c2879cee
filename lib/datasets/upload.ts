import crypto from "node:crypto";
import type { Db } from "../db/types";
import { CsvImportError, parseCsv } from "../series";
import { storeDataset, type StoreResult } from "./import";

/** The upload size limit in bytes: TIDECAST_MAX_UPLOAD_MB (default 100 MB). */
export function maxUploadBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.TIDECAST_MAX_UPLOAD_MB ?? "100");
  return Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : 100 * 1024 * 1024;
}

export interface ImportOutcome extends StoreResult {
  warnings: string[];
}

/**
 * Parses and stores one CSV file: the path shared by the upload API, the sample loader and the
 * CLI's `import`. Throws CsvImportError (with row and column) before anything is written.
 */
export async function importCsv(db: Db, bytes: Uint8Array, fileName: string, name?: string): Promise<ImportOutcome> {
  const maxBytes = maxUploadBytes();
  if (bytes.byteLength > maxBytes) {
    throw new CsvImportError(
      "FILE_TOO_LARGE",
      `The file is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(0)} MB.`,
      { bytes: bytes.byteLength, limit: maxBytes },
    );
  }
  const parsed = parseCsv(bytes, { fileName, maxBytes });
  const contentHash = crypto.createHash("sha256").update(bytes).digest("hex");
  return { ...(await storeDataset(db, parsed, { name, fileName, contentHash })), warnings: parsed.warnings };
}

/** The series an import added or changed points of: what "retrain on new data" schedules react to. */
export function changedSeriesIds(outcome: StoreResult): number[] {
  return outcome.series.filter((s) => s.inserted > 0 || s.updated > 0).map((s) => s.id);
}
