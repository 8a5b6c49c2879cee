import { budgetFromEnv } from "../../lib/forecast/budget";

/**
 * What one training thread may take, whatever its config promised (the budget refuses runs by
 * estimate before they are queued; these hold during the run):
 * - TIDECAST_MAX_RUN_MINUTES (default 360): wall-clock time of one attempt; past it the run is
 *   stopped at its next batch and fails;
 * - TIDECAST_TRAINING_MEMORY_MB (default twice TIDECAST_MAX_TRAINING_MB, so 4096): the thread's
 *   JavaScript heap (its V8 resourceLimits) and, checked between batches, its heap plus typed
 *   arrays and WebAssembly memory. Past it the run fails; the worker process carries on.
 */
export interface TrainingLimits {
  maxRunMs: number;
  memoryMb: number;
}

export function trainingLimits(env: Record<string, string | undefined> = process.env): TrainingLimits {
  const minutes = Number(env.TIDECAST_MAX_RUN_MINUTES);
  const memory = Number(env.TIDECAST_TRAINING_MEMORY_MB);
  const budgetMb = budgetFromEnv(env).maxMemoryBytes / 1048576;
  return {
    // (a timer holds at most 2^31 - 1 ms, about 24 days)
    maxRunMs: Math.min(2 ** 31 - 1, Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : 360 * 60_000),
    memoryMb: Number.isFinite(memory) && memory >= 1 ? Math.floor(memory) : Math.max(1024, Math.ceil(2 * budgetMb)),
  };
}

/** "90 min", "2 s": a limit as the user set it. */
export function formatDuration(ms: number): string {
  return ms >= 60_000 ? `${+(ms / 60_000).toFixed(2)} min` : `${+(ms / 1000).toFixed(1)} s`;
}
