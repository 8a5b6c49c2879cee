import type Database from "better-sqlite3";
import { toDbDate } from "../db/dates";

/**
 * The queue's row types and the one convention of its SQL: every statement takes "now" as a
 * parameter (the caller's clock, ISO text as Prisma writes DateTime) rather than calling the
 * database's clock, so SQLite and PostgreSQL compare the same values and tests can move time.
 * Placeholders are `?` (better-sqlite3); a PostgreSQL port numbers them ($1, $2, …) and
 * changes nothing else.
 */
export type Db = Database.Database;

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** A Job row as the raw connection returns it (DateTime columns are ISO text). */
export interface JobRow {
  id: number;
  kind: string;
  payload: string;
  status: JobStatus;
  runAt: string;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
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

export function dbNow(now: Date = new Date()): string {
  return toDbDate(now);
}

export function dbLater(ms: number, now: Date = new Date()): string {
  return toDbDate(new Date(now.getTime() + ms));
}
