import type { Db } from "../db/types";
import { JOB_COLUMNS, later, type JobRow, type Lease } from "./types";

export interface FailOptions {
  retryDelayMs: number; // the backoff for this attempt (see backoffMs in settings)
  permanent?: boolean; // fail now whatever attempts remain (a deterministic error: retrying cannot help)
  now?: Date;
}

/**
 * Records a failed attempt. The job goes back to 'queued' with runAt pushed out by the backoff, or
 * to 'failed' once attempts reach maxAttempts (or the error is permanent); the error text is kept
 * in lastError either way. The CASE reads the row's own attempts/maxAttempts inside the same
 * statement, and the fencing token limits it to the worker that holds the job, so a stale worker
 * cannot fail (or re-queue) a job someone else is running. Returns the updated row, or null when
 * the job was no longer ours.
 */
export async function failJob(db: Db, lease: Lease, error: string, options: FailOptions): Promise<JobRow | null> {
  const now = options.now ?? new Date();
  const permanent = options.permanent ?? false;
  const row = await db.get<JobRow>(
    `UPDATE "Job"
        SET "status" = CASE WHEN ? OR "attempts" >= "maxAttempts" THEN 'failed' ELSE 'queued' END,
            "runAt" = CASE WHEN ? OR "attempts" >= "maxAttempts" THEN "runAt" ELSE ? END,
            "lastError" = ?,
            "lockedBy" = NULL,
            "lockedUntil" = NULL,
            "updatedAt" = ?
      WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'
      RETURNING ${JOB_COLUMNS}`,
    [permanent, permanent, later(options.retryDelayMs, now), error, now, lease.jobId, lease.workerId, lease.attempts],
  );
  return row ?? null;
}
