import type { Db } from "../db/types";
import { configKey, resolveModelConfig, type ModelConfigInput } from "../forecast/config";
import { FREQUENCIES, type Frequency } from "../series/frequency";
import { enqueueJob } from "../queue/enqueue";
import { queueSettings } from "../queue/settings";
import { queueFull, runQueueLimits, type QueueFull, type RunQueueLimits } from "./limits";
import { RUN_COLUMNS, TRAIN_JOB, getRunRow, type RunRow } from "./types";

export type RequestRunResult =
  | { kind: "created"; run: RunRow }
  | { kind: "existing"; run: RunRow }
  | { kind: "no-series" }
  | ({ kind: "queue-full" } & QueueFull);

export interface RequestRunOptions {
  scheduleId?: number | null;
  maxAttempts?: number;
  /** How many runs may wait or train (default: runQueueLimits() from the environment). */
  limits?: RunQueueLimits;
  now?: Date;
}

/**
 * Queues a training run (the Run and its Job in one transaction), or returns the identical one
 * already queued or running; refuses a new one past the queue limits (lib/runs/limits.ts).
 *
 * Safe against two identical requests at once: the look-up and the inserts run in one
 * transaction that first locks the series (SQLite: the write lock, taken up front; PostgreSQL:
 * the series row, FOR UPDATE), so the second request waits and then finds the first one's run.
 */
export async function requestRun(db: Db, seriesId: number, input: ModelConfigInput, options: RequestRunOptions = {}): Promise<RequestRunResult> {
  return db.transaction(async (tx): Promise<RequestRunResult> => {
    const series = await tx.get<{ frequency: string; pointCount: number }>(
      `SELECT "frequency", "pointCount" FROM "Series" WHERE "id" = ?${tx.dialect.forUpdate}`,
      [seriesId],
    );
    if (!series) return { kind: "no-series" };
    const frequency = (FREQUENCIES as readonly string[]).includes(series.frequency) ? (series.frequency as Frequency) : "irregular";
    const config = resolveModelConfig(input, frequency, series.pointCount);
    const key = configKey(config);
    const existing = await tx.get<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM "Run"
        WHERE "seriesId" = ? AND "configKey" = ? AND "status" IN ('queued', 'running') AND "cancelRequested" = FALSE
        ORDER BY "id" LIMIT 1`,
      [seriesId, key],
    );
    if (existing) return { kind: "existing", run: existing };
    const full = await queueFull(tx, seriesId, options.limits ?? runQueueLimits());
    if (full) return { kind: "queue-full", ...full };
    const now = options.now ?? new Date();
    const { id: runId } = (await tx.get<{ id: number }>(
      `INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "attempt", "epochsTotal", "epochsDone", "scheduleId", "createdAt", "cancelRequested")
       VALUES (?, ?, ?, 'queued', 0, ?, 0, ?, ?, FALSE) RETURNING "id"`,
      [seriesId, key, JSON.stringify(config), config.epochs, options.scheduleId ?? null, now],
    ))!;
    const job = await enqueueJob(tx, TRAIN_JOB, { runId }, { maxAttempts: options.maxAttempts ?? queueSettings().maxAttempts, now });
    await tx.run(`UPDATE "Run" SET "jobId" = ? WHERE "id" = ?`, [job.id, runId]);
    return { kind: "created", run: (await getRunRow(tx, runId))! };
  });
}
