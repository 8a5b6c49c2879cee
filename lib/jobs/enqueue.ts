import { sqlite } from "../db/client";
import { dbNow, type Db, type JobRow } from "./types";

export interface EnqueueOptions {
  runAt?: Date; // not before this time (default: now)
  maxAttempts?: number; // default 3
}

/**
 * Adds a job. Safe because it is a single INSERT: the job is either fully visible to claimers
 * (status 'queued', runAt set) or not at all. Callers that must create a job together with other
 * rows (a Run and its Job) call this inside their own transaction with the same connection.
 */
export function enqueueJob(kind: string, payload: unknown, options: EnqueueOptions = {}, db: Db = sqlite()): JobRow {
  const now = dbNow();
  const runAt = options.runAt ? dbNow(options.runAt) : now;
  return db
    .prepare(
      `INSERT INTO "Job" ("kind", "payload", "status", "runAt", "attempts", "maxAttempts", "createdAt", "updatedAt")
       VALUES (?, ?, 'queued', ?, 0, ?, ?, ?)
       RETURNING *`,
    )
    .get(kind, JSON.stringify(payload ?? null), runAt, options.maxAttempts ?? 3, now, now) as JobRow;
}
