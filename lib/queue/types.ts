/**
 * The queue's row types and the one convention of its SQL: every statement takes "now" as a
 * parameter (the caller's clock) rather than calling the database's clock, so SQLite and
 * PostgreSQL compare the same values and tests can move time. DateTime columns are Dates
 * (lib/db/dates.ts).
 */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface JobRow {
  id: number;
  kind: string;
  payload: string; // JSON
  status: JobStatus;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What a worker holds after a claim: the row plus the fencing token (workerId, attempts).
 * Every later write about the job (heartbeat, finish, fail, release) matches both, so a worker
 * whose lease expired and whose job was claimed again can no longer touch it.
 */
export interface Lease {
  jobId: number;
  workerId: string;
  attempts: number;
}

export function leaseOf(job: JobRow): Lease {
  if (job.lockedBy === null) throw new Error(`Job ${job.id} is not locked`);
  return { jobId: job.id, workerId: job.lockedBy, attempts: job.attempts };
}

export const later = (ms: number, now: Date = new Date()): Date => new Date(now.getTime() + ms);

/** The columns of a JobRow, for RETURNING and SELECT. */
export const JOB_COLUMNS = `"id", "kind", "payload", "status", "runAt", "attempts", "maxAttempts", "lockedBy", "lockedUntil", "lastError", "createdAt", "updatedAt"`;

/** The channel that wakes idle workers when a job is queued (LISTEN/NOTIFY on PostgreSQL). */
export const JOBS_CHANNEL = "tidecast_jobs";
