import type { Db } from "../db/types";
import { JOB_COLUMNS, type JobRow } from "./types";

/**
 * Recovers jobs whose lease ran out: their worker died (SIGKILL, power loss), stalled past the
 * lease without a heartbeat, or lost its network. Such a job goes back to 'queued' to be claimed
 * again from the start, or to 'failed' if that was its last attempt; lastError says which worker
 * lost it.
 *
 * Safe with many workers recovering at once: it is one UPDATE whose WHERE re-reads the lease
 * (SQLite: under the write lock; PostgreSQL: re-checked after the row lock), so a job is recovered
 * once, and never while its worker still heartbeats (a heartbeat moves lockedUntil forward). The
 * lost worker's late writes are fenced out by the attempt counter the next claim increments.
 */
export async function recoverExpiredJobs(db: Db, now: Date = new Date()): Promise<JobRow[]> {
  return db.all<JobRow>(
    `UPDATE "Job"
        SET "status" = CASE WHEN "attempts" >= "maxAttempts" THEN 'failed' ELSE 'queued' END,
            "lastError" = 'The worker ' || "lockedBy" || ' stopped during attempt ' || "attempts" || ' (its lease expired).',
            "runAt" = ?,
            "lockedBy" = NULL,
            "lockedUntil" = NULL,
            "updatedAt" = ?
      WHERE "status" = 'running' AND "lockedUntil" < ?
      RETURNING ${JOB_COLUMNS}`,
    [now, now, now],
  );
}

/** A cheap read: is there anything to recover? (Lets idle workers skip the write above.) */
export async function hasExpiredLeases(db: Db, now: Date = new Date()): Promise<boolean> {
  return (await db.get(`SELECT 1 AS "one" FROM "Job" WHERE "status" = 'running' AND "lockedUntil" < ? LIMIT 1`, [now])) !== undefined;
}
