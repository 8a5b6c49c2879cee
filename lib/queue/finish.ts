import type { Db } from "../db/types";
import type { Lease } from "./types";

/**
 * Marks a held job succeeded. Returns false (and changes nothing) when the worker no longer holds
 * it: the fencing token in the WHERE clause means a worker whose lease expired cannot complete a
 * job another worker has re-claimed. Callers that write results call this FIRST inside the same
 * transaction as the results and roll back on false, so results are written at most once.
 */
export async function finishJob(db: Db, lease: Lease, now: Date = new Date()): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE "Job" SET "status" = 'succeeded', "lockedBy" = NULL, "lockedUntil" = NULL, "lastError" = NULL, "updatedAt" = ?
      WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'`,
    [now, lease.jobId, lease.workerId, lease.attempts],
  );
  return changes > 0;
}

/**
 * finishJob for many held jobs in ONE statement (a worker finishing a batch of short jobs: one
 * commit instead of one per job). Each job is fenced by its own token; returns the ids finished.
 */
export async function finishJobs(db: Db, leases: readonly Lease[], now: Date = new Date()): Promise<Set<number>> {
  if (leases.length === 0) return new Set();
  const fenced = leases.map(() => `("id" = ? AND "lockedBy" = ? AND "attempts" = ?)`).join(" OR ");
  const rows = await db.all<{ id: number }>(
    `UPDATE "Job" SET "status" = 'succeeded', "lockedBy" = NULL, "lockedUntil" = NULL, "lastError" = NULL, "updatedAt" = ?
      WHERE "status" = 'running' AND (${fenced})
      RETURNING "id"`,
    [now, ...leases.flatMap((l) => [l.jobId, l.workerId, l.attempts])],
  );
  return new Set(rows.map((r) => r.id));
}
