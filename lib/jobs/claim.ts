import { sqlite } from "../db/client";
import { dbLater, dbNow, type Db, type JobRow } from "./types";

/**
 * Claims the oldest due job of the given kinds for `workerId`, with a lease of `leaseMs`.
 *
 * Why exactly one worker gets a job, even with many processes claiming at once: the claim is ONE
 * statement, `UPDATE … WHERE id = (SELECT … LIMIT 1) AND status = 'queued' RETURNING *`.
 * - SQLite runs each write statement under the database's single write lock, so the subquery and
 *   the update see the same state and no other writer can slip in between: two workers run their
 *   claims one after the other and the second no longer finds the job queued.
 * - PostgreSQL (READ COMMITTED) may let two claims pick the same id in their subqueries; the second
 *   then blocks on the row lock and, once the first commits, re-checks the outer WHERE against the
 *   new row version. The repeated `"status" = 'queued'` is what makes that re-check fail, so the
 *   second claim returns no row instead of stealing the job. (`FOR UPDATE SKIP LOCKED` in the
 *   subquery would let it take the next job instead; SQLite has no such clause and does not need it.)
 * The attempt counter is incremented by the same statement, so (lockedBy, attempts) is a fencing
 * token for everything the worker writes afterwards.
 */
export function claimJob(workerId: string, kinds: readonly string[], leaseMs: number, db: Db = sqlite()): JobRow | null {
  if (kinds.length === 0) return null;
  const now = new Date();
  const kindList = kinds.map(() => "?").join(", ");
  const row = db
    .prepare(
      `UPDATE "Job"
          SET "status" = 'running',
              "attempts" = "attempts" + 1,
              "lockedBy" = ?,
              "lockedUntil" = ?,
              "updatedAt" = ?
        WHERE "id" = (
                SELECT "id" FROM "Job"
                 WHERE "status" = 'queued' AND "runAt" <= ? AND "kind" IN (${kindList})
                 ORDER BY "runAt", "id"
                 LIMIT 1
              )
          AND "status" = 'queued'
        RETURNING *`,
    )
    .get(workerId, dbLater(leaseMs, now), dbNow(now), dbNow(now), ...kinds) as JobRow | undefined;
  return row ?? null;
}
