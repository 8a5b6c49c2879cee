import type { Db } from "../db/types";
import { storeDataset, type ImportMode } from "../datasets/import";
import { parseUpload, renameWarning, type ImportOutcome } from "../datasets/upload";
import { NOTHING_SET_OFF, onNewPoints, type FiredEvent, type ScoredSeries } from "./new-points";
import type { ScheduledRun } from "../schedules/fire";

/**
 * One upload, start to end: parse the file, then ONE transaction that stores the points and
 * what they set off (lib/imports/new-points.ts: stored forecasts scored, alerts fired, the
 * retraining runs of the series' "on new data" schedules queued), so an upload is stored exactly
 * when its answer says so (never stored while its request fails). The upload API (through the
 * import thread) and the CLI's `import` both come here: it is the one place new points set things
 * off. A dry run stores the points, reads the counts and rolls back, before anything is scored,
 * fired or queued: the preview's counts are the import's own.
 */
export interface ImportRequest {
  fileName: string;
  /** The dataset's name (default: the file name without its extension). */
  name?: string;
  /** "new" (default): a new dataset, renamed when the name is taken; "append": into the dataset called `name`. */
  mode?: ImportMode;
  /** Compute the outcome, store nothing. */
  dryRun?: boolean;
  /** The clock of the scoring and the events (default: now). */
  now?: Date;
}

export interface ImportResult extends ImportOutcome {
  /** Runs queued by "on new data" schedules. */
  retraining: ScheduledRun[];
  /** The series whose forecasts were scored against the new points. */
  scored: ScoredSeries[];
  /** Alerts and events fired by the scoring. */
  events: FiredEvent[];
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
  const now = request.now ?? new Date();
  try {
    return await db.transaction(async (tx): Promise<ImportResult> => {
      const stored = await storeDataset(tx, parsed.dataset, { name: request.name, mode: request.mode, fileName: request.fileName, contentHash: parsed.contentHash, now });
      const after = dryRun ? NOTHING_SET_OFF : await onNewPoints(tx, stored, now);
      const rename = renameWarning(stored);
      const result: ImportResult = {
        ...stored,
        warnings: [...(rename ? [rename] : []), ...parsed.warnings, ...after.warnings],
        retraining: after.retraining,
        scored: after.scored,
        events: after.events,
        dryRun,
      };
      if (dryRun) throw new DryRunRollback(result);
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.result;
    throw err;
  }
}
