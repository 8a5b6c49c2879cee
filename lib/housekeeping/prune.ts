import type { Db } from "../db/types";

/**
 * Housekeeping: the queue keeps every succeeded job and a run keeps the epochs of attempts that
 * died (a worker killed mid-training), neither of which anyone reads after a while. Both are
 * deleted once older than TIDECAST_PRUNE_AFTER_DAYS (default 7; 0 keeps everything). Failed and
 * cancelled jobs stay: they explain what went wrong. Each worker runs this about hourly; the
 * deletes are idempotent, so several workers doing it at once is harmless.
 */
export function pruneAfterMs(env: Record<string, string | undefined> = process.env): number | null {
  const raw = env.TIDECAST_PRUNE_AFTER_DAYS;
  const days = raw === undefined || raw.trim() === "" ? 7 : Number(raw);
  if (!Number.isFinite(days) || days < 0) throw new Error(`TIDECAST_PRUNE_AFTER_DAYS must be a number of days >= 0, got "${raw}".`);
  return days === 0 ? null : days * 86_400_000;
}

export interface Pruned {
  jobs: number;
  epochs: number;
}

/** Deletes succeeded jobs last updated before `olderThan`, and dead attempts' epochs of runs whose current attempt started before it. */
export async function pruneHistory(db: Db, olderThan: Date): Promise<Pruned> {
  return db.transaction(async (tx) => {
    const jobs = await tx.run(`DELETE FROM "Job" WHERE "status" = 'succeeded' AND "updatedAt" < ?`, [olderThan]);
    const epochs = await tx.run(
      `DELETE FROM "Epoch" WHERE EXISTS (
         SELECT 1 FROM "Run" r WHERE r."id" = "Epoch"."runId" AND "Epoch"."attempt" < r."attempt" AND r."startedAt" IS NOT NULL AND r."startedAt" < ?
       )`,
      [olderThan],
    );
    return { jobs: jobs.changes, epochs: epochs.changes };
  });
}

/** One housekeeping pass with the configured age (nothing when pruning is off). */
export async function housekeep(db: Db, now: Date = new Date(), env: Record<string, string | undefined> = process.env): Promise<Pruned | null> {
  const age = pruneAfterMs(env);
  if (age === null) return null;
  return pruneHistory(db, new Date(now.getTime() - age));
}
