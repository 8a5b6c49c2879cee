import type { Db } from "../db/types";
import { storeDataset, type ImportMode } from "../datasets/import";
import { changedSeriesIds, parseUpload, renameWarning, type ImportOutcome } from "../datasets/upload";
import { enqueueRetrainForNewData, type ScheduledRun } from "../schedules/fire";

/**
 * One upload, start to end: parse the file, then ONE transaction that stores the points and
 * queues the retraining runs of the series' "on new data" schedules, so an upload is stored
 * exactly when its answer says so (never stored while its request fails). A dry run does the
 * same work and rolls it back: the preview's counts are the import's own.
 */
export interface ImportRequest {
  fileName: string;
  /** The dataset's name (default: the file name without its extension). */
  name?: string;
  /** "new" (default): a new dataset, renamed when the name is taken; "append": into the dataset called `name`. */
  mode?: ImportMode;
  /** Compute the outcome, store nothing. */
  dryRun?: boolean;
}

export interface ImportResult extends ImportOutcome {
  retraining: ScheduledRun[];
  dryRun: boolean;
}

/** Thrown inside the transaction to roll a dry run back with its result. */
class DryRunRollback extends Error {
  constructor(readonly result: ImportResult) {
    super("dry run");
  }
}

export async function importUpload(db: Db, bytes: Uint8Array, request: ImportRequest): Promise<ImportResult> {
  const parsed = parseUpload(bytes, request.fileName);
  const dryRun = request.dryRun === true;
  try {
    return await db.transaction(async (tx): Promise<ImportResult> => {
      const stored = await storeDataset(tx, parsed.dataset, { name: request.name, mode: request.mode, fileName: request.fileName, contentHash: parsed.contentHash });
      const retraining = dryRun ? [] : await enqueueRetrainForNewData(tx, changedSeriesIds(stored));
      const rename = renameWarning(stored);
      const result: ImportResult = { ...stored, warnings: rename ? [rename, ...parsed.warnings] : parsed.warnings, retraining, dryRun };
      if (dryRun) throw new DryRunRollback(result);
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.result;
    throw err;
  }
}
