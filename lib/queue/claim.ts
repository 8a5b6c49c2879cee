import type { Db } from "../db/types";
import { JOB_COLUMNS, later, type JobRow } from "./types";

/**
 * Claims up to `limit` of the oldest due jobs of the given kinds for `workerId`, each with a
 * lease of `leaseMs`, oldest first.
 *
 * Why exactly one worker gets a job, with any number of processes claiming at once: the claim is
 * ONE statement, `UPDATE … WHERE id IN (SELECT … LIMIT n) AND status = 'queued' RETURNING …`.
 * - SQLite runs each write statement under the database's single write lock, so the subquery and
 *   the update see the same state and no other writer slips in between.
 * - PostgreSQL: the subquery locks the rows it picks `FOR UPDATE SKIP LOCKED`, so concurrent
 *   claims pick different jobs instead of queueing behind each other's row locks; the repeated
 *   `"status" = 'queued'` is re-checked against the row's latest version should one have
 *   changed in between, so a job is never taken twice.
 * The attempt counter is incremented by the same statement, so (lockedBy, attempts) is a fencing
 * token for everything the worker writes afterwards.
 */
export async function claimJobs(db: Db, workerId: string, kinds: readonly string[], leaseMs: number, limit = 1, now: Date = new Date()): Promise<JobRow[]> {
  if (kinds.length === 0 || limit < 1) return [];
  const kindList = kinds.map(() => "?").join(", ");
  const rows = await db.all<JobRow>(
    `UPDATE "Job"
        SET "status" = 'running',
            "attempts" = "attempts" + 1,
            "lockedBy" = ?,
            "lockedUntil" = ?,
            "updatedAt" = ?
      WHERE "id" IN (
              SELECT "id" FROM "Job"
               WHERE "status" = 'queued' AND "runAt" <= ? AND "kind" IN (${kindList})
               ORDER BY "runAt", "id"
               LIMIT ?${db.dialect.skipLocked}
            )
        AND "status" = 'queued'
      RETURNING ${JOB_COLUMNS}`,
    [workerId, later(leaseMs, now), now, now, ...kinds, Math.floor(limit)],
  );
  return rows.sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
}

/** Claims the oldest due job of the given kinds, or null. */
export async function claimJob(db: Db, workerId: string, kinds: readonly string[], leaseMs: number, now: Date = new Date()): Promise<JobRow | null> {
  return (await claimJobs(db, workerId, kinds, leaseMs, 1, now))[0] ?? null;
}
