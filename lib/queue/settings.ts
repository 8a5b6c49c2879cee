import os from "node:os";

/**
 * Queue and worker timings, read from the environment so tests can shrink them to a few hundred
 * milliseconds. Defaults suit one machine: a lease long enough to survive a busy database, a
 * heartbeat at a third of it, a poll that notices new work within a second.
 */
export interface QueueSettings {
  leaseMs: number; // TIDECAST_LEASE_MS: how long a claim holds without a heartbeat
  heartbeatMs: number; // TIDECAST_HEARTBEAT_MS: how often a worker extends its leases
  pollMs: number; // TIDECAST_POLL_MS: how often an idle worker looks for jobs and checks cancellations
  schedulerMs: number; // TIDECAST_SCHEDULER_MS: how often the worker's scheduler looks for due schedules
  retryBaseMs: number; // TIDECAST_RETRY_BASE_MS: first retry delay; doubles per attempt
  retryMaxMs: number; // TIDECAST_RETRY_MAX_MS: the backoff cap
  maxAttempts: number; // TIDECAST_MAX_ATTEMPTS: attempts of a new job before it fails for good
  concurrency: number; // TIDECAST_WORKER_CONCURRENCY: jobs (trainings) one worker runs at once
  shutdownGraceMs: number; // TIDECAST_SHUTDOWN_GRACE_MS: how long a stop waits for the epoch in flight
  busyTimeoutMs: number | null; // TIDECAST_WORKER_BUSY_TIMEOUT_MS: the worker's SQLite busy wait (default: lib/db/sqlite's)
}

type Env = Record<string, string | undefined>;

function intFromEnv(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}".`);
  return n;
}

/** One training per spare core: the machine keeps a core for the web app and the worker's own loop. */
export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export function queueSettings(env: Env = process.env): QueueSettings {
  const leaseMs = intFromEnv(env, "TIDECAST_LEASE_MS", 60_000, 100);
  return {
    leaseMs,
    heartbeatMs: intFromEnv(env, "TIDECAST_HEARTBEAT_MS", Math.max(50, Math.floor(leaseMs / 4)), 10),
    pollMs: intFromEnv(env, "TIDECAST_POLL_MS", 1_000, 10),
    schedulerMs: intFromEnv(env, "TIDECAST_SCHEDULER_MS", 5_000, 10),
    retryBaseMs: intFromEnv(env, "TIDECAST_RETRY_BASE_MS", 10_000, 0),
    retryMaxMs: intFromEnv(env, "TIDECAST_RETRY_MAX_MS", 3_600_000, 0),
    maxAttempts: intFromEnv(env, "TIDECAST_MAX_ATTEMPTS", 3, 1),
    concurrency: intFromEnv(env, "TIDECAST_WORKER_CONCURRENCY", defaultConcurrency(), 1),
    shutdownGraceMs: intFromEnv(env, "TIDECAST_SHUTDOWN_GRACE_MS", 30_000, 0),
    busyTimeoutMs: env.TIDECAST_WORKER_BUSY_TIMEOUT_MS ? intFromEnv(env, "TIDECAST_WORKER_BUSY_TIMEOUT_MS", 0, 0) : null,
  };
}

/** Exponential backoff: base, 2·base, 4·base, … capped; `attempts` is the attempt that just failed (1-based). */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(30, Math.max(0, attempts - 1));
  return Math.min(maxMs, baseMs * 2 ** exp);
}
