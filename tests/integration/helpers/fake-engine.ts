import fs from "node:fs";
import { ForecastCancelled, ForecastError } from "../../../lib/forecast/errors";
import type { EngineOutcome, FitOptions, SeriesInput } from "../../../lib/runs/engine";
import type { ModelConfigInput } from "../../../lib/forecast/config";

/**
 * A deterministic stand-in for lib/forecast's fitForecast, for the fault tests. It honours the
 * contract (epochs reported through onEpoch, shouldStop polled, ForecastCancelled thrown) and
 * behaves according to the config's learning rate:
 *   0.5      diverges: reports a NaN training loss at epoch 3 and keeps going (the worker must stop it)
 *   0.25     trains fine but returns a forecast with a NaN at step 2 (the worker must refuse it)
 *   0.125    throws a plain Error (a crash, retried) in every attempt
 *   0.0625   throws a ForecastError (a clear, permanent failure)
 *   0.03125  keeps 64 MB more typed arrays every epoch (the thread's memory guard must stop it)
 *   0.015625 fills its JavaScript heap in its first epoch without a stop check (V8's limit ends the thread)
 * Each epoch sleeps FAKE_EPOCH_MS (default 20) milliseconds; after the last one the engine notes
 * "finishing" and sleeps FAKE_FINISH_MS (default 0) before it returns. FAKE_ENGINE_LOG, when set,
 * gets a line per attempt start, per throw and at "finishing", with the wall clock.
 */
function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function note(line: string): void {
  const file = process.env.FAKE_ENGINE_LOG;
  if (file) fs.appendFileSync(file, `${Date.now()} ${line}\n`);
}

export function fitForecast(series: SeriesInput, config: ModelConfigInput, _seed?: number, options: FitOptions = {}): EngineOutcome {
  const epochs = config.epochs ?? 10;
  const horizon = config.horizon ?? 5;
  const lr = config.learningRate ?? 0.005;
  const epochMs = Number(process.env.FAKE_EPOCH_MS ?? "20");
  note(`start lr=${lr}`);
  if (lr === 0.125) {
    note("throw");
    throw new Error("Simulated crash in the training thread");
  }
  if (lr === 0.0625) throw new ForecastError("too_short", "The series is too short for this lookback (simulated).");
  const hoard: unknown[] = [];
  for (let e = 1; e <= epochs; e++) {
    if (options.shouldStop?.()) throw new ForecastCancelled();
    if (lr === 0.03125) hoard.push(new Float64Array(8 * 1048576).fill(e));
    if (lr === 0.015625) for (;;) hoard.push({ e, values: [e, e + 1, e + 2] });
    sleep(epochMs);
    const trainLoss = lr === 0.5 && e >= 3 ? Number.NaN : 1 / e;
    options.onEpoch?.({ member: 1, members: 1, epoch: e, epochs, trainLoss, valLoss: lr === 0.5 && e >= 3 ? Number.NaN : 1.5 / e, ms: epochMs });
  }
  note("finishing");
  sleep(Number(process.env.FAKE_FINISH_MS ?? "0"));
  const n = series.values.length;
  const last = n > 0 ? series.values[n - 1] : 0;
  const lastTs = n > 0 ? series.timestamps[n - 1] : 0;
  const step = series.stepMs ?? 86_400_000;
  const timestamps = Array.from({ length: horizon }, (_, i) => lastTs + step * (i + 1));
  const forecast = Array.from({ length: horizon }, (_, i) => (lr === 0.25 && i === 1 ? Number.NaN : last + i + 1));
  return {
    config: { model: "lstm", strategy: "recursive", lookback: 4, horizon, hiddenSize: 4, layers: 1, epochs, learningRate: lr, batchSize: 8, seed: 1, ...config },
    chosen: { model: "lstm", strategy: "recursive", lookback: config.lookback ?? 4, members: 1, bestEpoch: epochs, epochsRun: epochs },
    timestamps,
    forecast,
    intervals: [80, 95].map((level) => ({ level, lo: forecast.map((v) => v - level / 10), hi: forecast.map((v) => v + level / 10) })),
    holdout: { actual: [1, 2], predicted: [1.1, 2.1] },
    metrics: { model: { mae: 0.1, rmse: 0.1, mape: null, smape: 1, mase: 0.5 }, note: "fake engine" },
    modelBlob: new Uint8Array([1, 2, 3, 4]),
  };
}
