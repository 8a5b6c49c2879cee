import type { Db } from "../db/types";
import { cancelQueuedJob } from "../queue/cancel";
import { IN_FLIGHT, RUN_COLUMNS, getRunRow, type RunRow } from "./types";

export type CancelRunResult = { kind: "cancelled" | "stopping" | "finished"; run: RunRow } | { kind: "not-found" };

/**
 * Cancels a run. A queued run is cancelled at once (its job is cancelled with the same guarded
 * UPDATE that races safely with a claim); a running one gets cancelRequested, which its worker
 * polls and turns into a stop flag for the training thread within a poll interval.
 */
export async function cancelRun(db: Db, runId: number, now: Date = new Date()): Promise<CancelRunResult> {
  return db.transaction(async (tx): Promise<CancelRunResult> => {
    const run = await tx.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "id" = ?${tx.dialect.forUpdate}`, [runId]);
    if (!run) return { kind: "not-found" };
    if (!(IN_FLIGHT as readonly string[]).includes(run.status)) return { kind: "finished", run };
    const jobTaken = run.jobId === null || (await cancelQueuedJob(tx, run.jobId, "Cancelled by request", now));
    if (jobTaken) {
      await tx.run(`UPDATE "Run" SET "status" = 'cancelled', "cancelRequested" = TRUE, "finishedAt" = ? WHERE "id" = ?`, [now, runId]);
      return { kind: "cancelled", run: (await getRunRow(tx, runId))! };
    }
    await tx.run(`UPDATE "Run" SET "cancelRequested" = TRUE WHERE "id" = ?`, [runId]);
    return { kind: "stopping", run: (await getRunRow(tx, runId))! };
  });
}
