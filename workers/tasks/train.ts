import { Worker as Thread } from "node:worker_threads";
import type { Db } from "../../lib/db/types";
import { loadSeriesInput } from "../../lib/datasets/points";
import type * as RealEngine from "../../lib/forecast";
import { firstNonFinite, type EngineModule, type EngineOutcome, type EpochProgress, type SeriesInput } from "../../lib/runs/engine";
import { JobCancelledError, LeaseLostError, PermanentJobError, errorMessage } from "../../lib/queue/errors";
import { isCancelRequested, markRunCancelled, markRunFailed, markRunRequeued, recordEpoch, runConfig, startRunAttempt } from "../../lib/runs/lifecycle";
import { writeRunResult } from "../../lib/runs/result";
import type { StopReason, Task, TaskHelpers } from "../../lib/queue/tasks";
import type { ThreadInput, ThreadMessage } from "../train-thread";
import { formatDuration, trainingLimits, type TrainingLimits } from "./limits";

export interface TrainTaskOptions {
  /** URL of the engine module (default: lib/forecast/index.ts). Tests pass a deterministic fake. */
  engine?: string;
  levels?: number[];
  /** How long a cancelled training may take to reach its next stop check before its thread is terminated. */
  cancelGraceMs?: number;
  /** Time and memory of one training thread (default: trainingLimits() from the environment). */
  limits?: TrainingLimits;
}

// The real engine must honour the contract the thread calls (checked at compile time, loaded only in the thread).
type Assert<T extends true> = T;
export type RealEngineHonoursContract = Assert<typeof RealEngine.fitForecast extends EngineModule["fitForecast"] ? true : false>;

const DEFAULT_ENGINE = new URL("../../lib/forecast/index.ts", import.meta.url).href;
const THREAD_BOOT = new URL("../thread-boot.mjs", import.meta.url);
const THREAD_ENTRY = new URL("../train-thread.ts", import.meta.url).href;

function runIdOf(payload: unknown): number {
  const runId = (payload as { runId?: unknown } | null)?.runId;
  if (typeof runId !== "number" || !Number.isInteger(runId)) throw new PermanentJobError(`Invalid train payload: ${JSON.stringify(payload)}`);
  return runId;
}

/** Hooks ignore a malformed payload (its job fails; there is no run to update). */
async function withRunId(payload: unknown, fn: (runId: number) => Promise<void>): Promise<void> {
  const runId = (payload as { runId?: unknown } | null)?.runId;
  if (typeof runId === "number" && Number.isInteger(runId)) await fn(runId);
}

async function loadSeries(db: Db, seriesId: number): Promise<SeriesInput> {
  const series = await loadSeriesInput(db, seriesId);
  if (!series) throw new PermanentJobError(`Series ${seriesId} no longer exists.`);
  return series;
}

/** Why the thread was asked to stop, in order of precedence. */
type LocalStop = "cancel" | "diverged" | "time-limit" | StopReason;

function divergenceMessage(p: EpochProgress): string {
  const which = !Number.isFinite(p.trainLoss) ? `training loss became ${p.trainLoss}` : `validation loss became ${p.valLoss}`;
  const member = p.members > 1 ? ` of ensemble member ${p.member} of ${p.members}` : "";
  return (
    `Training diverged: the ${which} at epoch ${p.epoch}${member}. Nothing was saved. ` +
    `Try a lower learning rate, a smaller model or a shorter lookback.`
  );
}

/**
 * The "train" task: one attempt of a training run. Reads the series, trains in a worker thread,
 * writes each epoch as it arrives (under this attempt's number), and stores model, metrics and
 * forecast in one transaction together with finishing the job. A non-finite loss or forecast
 * fails the run for good (retrying the same seed would diverge the same way); other errors retry.
 */
export function trainTask(options: TrainTaskOptions = {}): Task {
  const engine = options.engine ?? DEFAULT_ENGINE;
  const levels = options.levels ?? [80, 95];
  return {
    async run(payload: unknown, helpers: TaskHelpers): Promise<void> {
      const runId = runIdOf(payload);
      const run = await startRunAttempt(helpers.db, runId);
      if (!run) {
        helpers.log(`run ${runId} is no longer queued or running; nothing to do`);
        return;
      }
      if (run.cancelRequested) throw new JobCancelledError("Cancelled by request");
      const series = await loadSeries(helpers.db, run.seriesId);
      const config = runConfig(run);
      helpers.log(`run ${runId} attempt ${run.attempt}: training ${config.model} on "${series.name}" (${series.values.length} points)`);
      const limits = options.limits ?? trainingLimits();
      const outcome = await trainInThread({ runId, attempt: run.attempt, series, config, levels, engine, helpers, cancelGraceMs: options.cancelGraceMs ?? 3000, limits });
      const bad = firstNonFinite(outcome);
      if (bad) {
        throw new PermanentJobError(
          `The model produced a non-finite ${bad.where} value (${bad.value}) at step ${bad.step}; the forecast was not saved. ` +
            `Try a lower learning rate or a smaller model.`,
        );
      }
      await completeRetrying(helpers, async (tx) => {
        const forecastId = await writeRunResult(tx, runId, run.attempt, outcome);
        helpers.log(`run ${runId} succeeded: forecast ${forecastId}`);
      });
    },
    onFailed: (payload, info, tx) => withRunId(payload, (id) => markRunFailed(tx, id, info.error, info.final)),
    onCancelled: (payload, tx) => withRunId(payload, (id) => markRunCancelled(tx, id)),
    onReleased: (payload, tx) => withRunId(payload, (id) => markRunRequeued(tx, id)),
  };
}

/** Attempts of the final write before a transient error is given up on (as the worker's own writes). */
const COMPLETE_ATTEMPTS = 20;

/**
 * Stores the finished training through helpers.complete, retried while the database is busy or
 * unreachable (SQLITE_BUSY, a dropped connection): the transaction rolled back, so a retry is
 * safe, and the training is not thrown away for a moment's contention. A lost lease is not
 * transient: another worker runs the job, and this result is dropped.
 */
async function completeRetrying(helpers: TaskHelpers, write: (tx: Db) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await helpers.complete(write);
    } catch (err) {
      if (!helpers.db.dialect.isTransient(err) || attempt >= COMPLETE_ATTEMPTS || helpers.signal.reason === "lease-lost") throw err;
      helpers.log(`storing the result: database busy or unreachable (${errorMessage(err)}); retrying`);
      await new Promise((r) => setTimeout(r, Math.min(helpers.settings.pollMs, 1000)));
    }
  }
}

interface ThreadRun {
  runId: number;
  attempt: number;
  series: SeriesInput;
  config: ThreadInput["config"];
  levels: number[];
  engine: string;
  helpers: TaskHelpers;
  cancelGraceMs: number;
  limits: TrainingLimits;
}

function timeLimitMessage(limits: TrainingLimits, last: EpochProgress | null): string {
  const where = last ? ` at epoch ${last.epoch}${last.members > 1 ? ` of network ${last.member} of ${last.members}` : ""}` : " before its first epoch";
  return (
    `The training ran longer than its time limit of ${formatDuration(limits.maxRunMs)} (TIDECAST_MAX_RUN_MINUTES) and was stopped${where}; ` +
    `nothing was saved. Train fewer epochs or a smaller model, or raise the limit.`
  );
}

function heapLimitMessage(limits: TrainingLimits): string {
  return (
    `The training ran out of memory: its heap reached the limit of ${limits.memoryMb} MB (TIDECAST_TRAINING_MEMORY_MB) and it was stopped; ` +
    `nothing was saved. Use a smaller batch size, hidden size or lookback, or raise the limit.`
  );
}

/**
 * Trains in a worker thread with resourceLimits (its heap: a thread past it is ended by V8 with
 * ERR_WORKER_OUT_OF_MEMORY, not the process), the thread's own memory guard (train-thread.ts)
 * and a wall-clock limit here: each of them fails the run for good with a message saying which
 * limit and how to stay under it.
 */
function trainInThread(r: ThreadRun): Promise<EngineOutcome> {
  const { runId, attempt, helpers, limits } = r;
  const db = helpers.db;
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const input: ThreadInput = { entry: THREAD_ENTRY, engine: r.engine, series: r.series, config: r.config, levels: r.levels, stop, memoryLimitBytes: limits.memoryMb * 1048576 };
  const thread = new Thread(THREAD_BOOT, { workerData: input, resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb } });

  return new Promise<EngineOutcome>((resolve, reject) => {
    let stopReason: LocalStop | null = null;
    let diverged: EpochProgress | null = null;
    let settled = false;
    let finished: EngineOutcome | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    let lastEpoch: EpochProgress | null = null;
    const pending: EpochProgress[] = [];

    const requestStop = (reason: LocalStop, graceMs: number) => {
      if (stopReason === null || reason === "cancel" || reason === "diverged") stopReason = reason;
      Atomics.store(flag, 0, 1);
      if (!killTimer) killTimer = setTimeout(() => void thread.terminate(), graceMs);
    };

    // Epoch rows are written in order, one writer at a time; a transient database error keeps
    // them pending and retries, as long as this worker holds the job.
    let delayed = false;
    let writing: Promise<void> | null = null;
    const writeEpochs = async () => {
      while (pending.length > 0 && !settled && stopReason !== "lease-lost") {
        try {
          if (!(await recordEpoch(db, runId, attempt, pending[0]))) {
            pending.length = 0;
            requestStop("lease-lost", 1000);
            return;
          }
          pending.shift();
          if (delayed) helpers.log("epoch writes caught up");
          delayed = false;
        } catch (err) {
          if (!delayed) helpers.log(`epoch writes delayed (${pending.length} pending): ${errorMessage(err)}`);
          delayed = true;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    /** Starts the writer if it is idle; resolves when everything pending is written (or given up). */
    const flush = (): Promise<void> => {
      writing ??= writeEpochs().finally(() => (writing = null));
      return writing;
    };

    let polling = false;
    const cancelPoll = setInterval(() => {
      if (polling) return;
      polling = true;
      isCancelRequested(db, runId)
        .then((cancel) => cancel && requestStop("cancel", r.cancelGraceMs))
        .catch((err: unknown) => helpers.log(`cancel check failed: ${errorMessage(err)}`))
        .finally(() => (polling = false));
    }, helpers.settings.pollMs);

    const deadline = setTimeout(() => requestStop("time-limit", 1000), limits.maxRunMs);

    const onAbort = () => {
      const reason = helpers.signal.reason as StopReason;
      requestStop(reason, reason === "shutdown" ? helpers.settings.shutdownGraceMs : 1000);
    };
    if (helpers.signal.aborted) onAbort();
    else helpers.signal.addEventListener("abort", onAbort, { once: true });

    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(cancelPoll);
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      helpers.signal.removeEventListener("abort", onAbort);
      fn();
    };

    const stoppedError = (engineMessage: string | null): Error => {
      if (diverged) return new PermanentJobError(engineMessage ?? divergenceMessage(diverged));
      if (stopReason === "cancel") return new JobCancelledError("Cancelled by request");
      if (stopReason === "lease-lost") return new LeaseLostError();
      if (stopReason === "time-limit") return new PermanentJobError(timeLimitMessage(limits, lastEpoch));
      return new Error(`Training stopped (${stopReason ?? "thread exited"})`);
    };

    thread.on("message", (m: ThreadMessage) => {
      if (settled) return;
      if (m.type === "epoch") {
        const p = m.progress;
        if (diverged || stopReason === "lease-lost") return;
        if (!Number.isFinite(p.trainLoss) || (p.valLoss !== null && !Number.isFinite(p.valLoss))) {
          diverged = p;
          requestStop("diverged", 1000);
          return;
        }
        lastEpoch = p;
        pending.push(p);
        void flush();
      } else if (m.type === "done") {
        finished = m.outcome;
        // Every epoch must be stored before the result (the curve is complete when the run
        // succeeds); a busy database only delays that, as long as this worker holds the job.
        void (async () => {
          while (pending.length > 0 && !settled && stopReason !== "lease-lost") await flush();
          if (settled) return;
          // (A training that finishes in the moment after its time limit is kept.)
          if (diverged || stopReason === "cancel" || stopReason === "lease-lost") return settle(() => reject(stoppedError(null)));
          settle(() => resolve(m.outcome));
        })();
      } else {
        settle(() => {
          if (m.name === "TrainingMemoryLimit") reject(new PermanentJobError(m.message));
          else if (m.name === "ForecastCancelled") reject(stoppedError(null));
          else if (diverged) reject(new PermanentJobError(m.name === "ForecastError" ? m.message : divergenceMessage(diverged)));
          else if (m.name === "ForecastError") reject(new PermanentJobError(m.message));
          else reject(new Error(`${m.name}: ${m.message}`));
        });
      }
    });
    thread.on("error", (err) => {
      const outOfMemory = (err as { code?: unknown }).code === "ERR_WORKER_OUT_OF_MEMORY";
      settle(() => reject(outOfMemory ? new PermanentJobError(heapLimitMessage(limits)) : err));
    });
    thread.on("exit", (code) => {
      if (finished) return; // the result is being stored
      settle(() => reject(stopReason ? stoppedError(null) : new Error(`The training thread exited with code ${code}`)));
    });
  });
}
