import type { Db } from "../db/types";
import { later, type Lease } from "./types";

/**
 * Extends a lease while the job runs. Returns false when the lease is gone: it expired and the
 * job was recovered (and maybe claimed by another worker), or it was cancelled. The WHERE clause
 * matches the fencing token (lockedBy, attempts) and the running status, so a worker that fell
 * behind can never re-extend a job someone else now holds; the caller must stop work on false.
 */
export async function heartbeatJob(db: Db, lease: Lease, leaseMs: number, now: Date = new Date()): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE "Job" SET "lockedUntil" = ?, "updatedAt" = ?
      WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'`,
    [later(leaseMs, now), now, lease.jobId, lease.workerId, lease.attempts],
  );
  return changes > 0;
}
