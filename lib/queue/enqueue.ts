import type { Db } from "../db/types";
import { JOB_COLUMNS, JOBS_CHANNEL, type JobRow } from "./types";

export interface EnqueueOptions {
  runAt?: Date; // not before this time (default: now)
  maxAttempts?: number; // default 3
  now?: Date;
}

/**
 * Adds a job. Safe because it is a single INSERT: the job is either fully visible to claimers
 * (status 'queued', runAt set) or not at all. Callers that must create a job together with other
 * rows (a Run and its Job) call this with their transaction's `tx`. Idle workers are woken (on
 * PostgreSQL by NOTIFY, delivered when the transaction commits; they also poll).
 */
export async function enqueueJob(db: Db, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<JobRow> {
  const now = options.now ?? new Date();
  const job = (await db.get<JobRow>(
    `INSERT INTO "Job" ("kind", "payload", "status", "runAt", "attempts", "maxAttempts", "createdAt", "updatedAt")
     VALUES (?, ?, 'queued', ?, 0, ?, ?, ?)
     RETURNING ${JOB_COLUMNS}`,
    [kind, JSON.stringify(payload ?? null), options.runAt ?? now, options.maxAttempts ?? 3, now, now],
  ))!;
  if (job.runAt.getTime() <= now.getTime()) await db.notify(JOBS_CHANNEL, kind);
  return job;
}
