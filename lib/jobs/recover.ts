import { sqlite } from "../db/client";
import { dbNow, type Db, type JobRow } from "./types";

/**
 * Recovers jobs whose lease ran out: their worker died (SIGKILL, power loss) or stalled past the
 * lease without a heartbeat. Such a job goes back to 'queued' to be claimed again from the start,
 * or to 'failed' if that was its last attempt; lastError says which worker lost it.
 *
 * Safe with many workers recovering at once: it is one UPDATE whose WHERE re-reads the lease
 * (SQLite: under the write lock; PostgreSQL: re-checked after the row lock), so a job is recovered
 * once, and never while its worker still heartbeats (a heartbeat moves lockedUntil forward). The
 * dead worker's late writes are fenced out by the attempt counter the next claim increments.
 */
export function recoverExpiredJobs(db: Db = sqlite(), now: Date = new Date()): JobRow[] {
  const at = dbNow(now);
  return db
    .prepare(
      `UPDATE "Job"
          SET "status" = CASE WHEN "attempts" >= "maxAttempts" THEN 'failed' ELSE 'queued' END,
              "lastError" = 'The worker ' || "lockedBy" || ' stopped during attempt ' || "attempts" || ' (its lease expired).',
              "runAt" = ?,
              "lockedBy" = NULL,
              "lockedUntil" = NULL,
              "updatedAt" = ?
        WHERE "status" = 'running' AND "lockedUntil" < ?
        RETURNING *`,
    )
    .all(at, at, at) as JobRow[];
}

/** A cheap read: is there anything to recover? (Lets idle workers skip the write above.) */
export function hasExpiredLeases(db: Db = sqlite(), now: Date = new Date()): boolean {
  return db.prepare(`SELECT 1 FROM "Job" WHERE "status" = 'running' AND "lockedUntil" < ? LIMIT 1`).get(dbNow(now)) !== undefined;
}
