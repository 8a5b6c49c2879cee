/**
 * The training loop: seeded shuffled mini-batches, Adam, gradient clipping, early stopping on the
 * validation loss with patience and restore-best, learning-rate reduction on plateau, a NaN/Inf
 * guard, a progress callback per epoch and a cancellation check between batches.
 *
 * Early stopping can ignore the first `warmup` epochs (no best is recorded and no patience counted
 * before it: a short validation window often scores an undertrained network best by luck). With `schedule` the
 * loop runs exactly that many epochs at those learning rates and keeps the last weights: the
 * fixed-length refit on all the data, which has no validation window.
 */
import { Adam, clipGradNorm, huberLoss, maeLoss, mseLoss, type Floats, type Network } from "../nn";
import { shuffleInPlace, type Rng } from "../tensor/random";
import { ForecastCancelled, ForecastError } from "./errors";
import type { WindowSet } from "./prep";

export type LossKind = "mae" | "mse" | "huber";

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Epochs without validation improvement before stopping. */
  patience: number;
  /** Epochs without improvement before the learning rate is halved. */
  plateau: number;
  minLearningRate: number;
  clipNorm: number;
  weightDecay: number;
  loss: LossKind;
  rng: Rng;
  onEpoch?: (epoch: number, trainLoss: number, valLoss: number | null) => void;
  shouldStop?: () => boolean;
  /** Epochs before early stopping starts watching (default 0: from the first). */
  warmup?: number;
  /** Fixed-length training: one learning rate per epoch, no early stopping, the last weights kept. */
  schedule?: number[];
  /**
   * At most this many training windows per epoch, drawn afresh (without replacement) each epoch
   * from all of them: bounds the cost of an epoch on long series (as neuralforecast's windows per
   * batch and step budget do) while every window still gets its turn. Default: all windows.
   */
  windowsPerEpoch?: number;
}

export interface TrainResult {
  bestEpoch: number | null;
  epochsRun: number;
  bestValLoss: number | null;
  /** Per epoch: losses and the learning rate the epoch ran at. */
  history: { trainLoss: number; valLoss: number | null; lr: number }[];
}

function lossOf(kind: LossKind, pred: Floats, target: Floats, grad: Floats | null): number {
  if (kind === "mae") return maeLoss(pred, target, grad);
  if (kind === "huber") return huberLoss(pred, target, grad, 0.1);
  return mseLoss(pred, target, grad);
}

/** Copies the rows `idx` of a window set into batch buffers. */
function gather(ws: WindowSet, idx: ArrayLike<number>, from: number, to: number, buf: BatchBuffers): void {
  const rowX = ws.lookback * ws.inputSize;
  const rowF = ws.outputs * ws.futureSize;
  for (let b = 0; b < to - from; b++) {
    const i = idx[from + b];
    buf.x.set(ws.x.subarray(i * rowX, (i + 1) * rowX), b * rowX);
    buf.y.set(ws.y.subarray(i * ws.outputs, (i + 1) * ws.outputs), b * ws.outputs);
    if (ws.future && buf.future) buf.future.set(ws.future.subarray(i * rowF, (i + 1) * rowF), b * rowF);
  }
}

interface BatchBuffers {
  x: Float32Array;
  y: Float32Array;
  future: Float32Array | null;
}

function buffers(ws: WindowSet, size: number): BatchBuffers {
  return {
    x: new Float32Array(size * ws.lookback * ws.inputSize),
    y: new Float32Array(size * ws.outputs),
    future: ws.future ? new Float32Array(size * ws.outputs * ws.futureSize) : null,
  };
}

/** Runs the network over a window set in batches; returns predictions [count, outputs]. */
export function predictWindows(net: Network, ws: WindowSet, batchSize = 256): Float64Array {
  const out = new Float64Array(ws.count * ws.outputs);
  const idx = new Int32Array(ws.count).map((_, i) => i);
  for (let from = 0; from < ws.count; from += batchSize) {
    const to = Math.min(ws.count, from + batchSize);
    const size = to - from;
    const buf = buffers(ws, size);
    gather(ws, idx, from, to, buf);
    const pred = net.forward({ size, x: buf.x, seqLen: ws.lookback, future: buf.future ?? undefined }, false);
    for (let j = 0; j < size * ws.outputs; j++) out[from * ws.outputs + j] = pred[j];
  }
  return out;
}

function evaluate(net: Network, ws: WindowSet, kind: LossKind): number {
  const pred = predictWindows(net, ws);
  const p32 = Float32Array.from(pred);
  return lossOf(kind, p32, ws.y, null);
}

export function train(net: Network, trainSet: WindowSet, valSet: WindowSet | null, opts: TrainOptions): TrainResult {
  if (trainSet.count === 0) throw new ForecastError("too-short", "There are no training windows: the series is too short for this lookback and horizon.");
  const optimizer = new Adam(net.params, {
    lr: opts.learningRate,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: opts.weightDecay,
    decoupled: true,
  });
  const idx = new Int32Array(trainSet.count).map((_, i) => i);
  const bs = Math.max(1, Math.min(opts.batchSize, trainSet.count));
  const buf = buffers(trainSet, bs);
  const grad = new Float32Array(bs * trainSet.outputs);
  const history: TrainResult["history"] = [];
  let best = Infinity;
  let bestEpoch: number | null = null;
  let bestParams: Floats | null = null;
  let sinceBest = 0;
  let sincePlateau = 0;
  let epoch = 0;
  const schedule = opts.schedule;
  const epochs = schedule ? schedule.length : opts.epochs;
  const warmup = Math.min(epochs, Math.max(1, opts.warmup ?? 0));
  const perEpoch = Math.max(1, Math.min(trainSet.count, opts.windowsPerEpoch ?? trainSet.count));
  for (epoch = 1; epoch <= epochs; epoch++) {
    if (schedule) optimizer.lr = schedule[epoch - 1];
    const lr = optimizer.lr;
    shuffleInPlace(idx, opts.rng);
    let total = 0;
    let seen = 0;
    for (let from = 0; from < perEpoch; from += bs) {
      if (opts.shouldStop?.()) throw new ForecastCancelled();
      const to = Math.min(perEpoch, from + bs);
      const size = to - from;
      const x = size === bs ? buf.x : buf.x.subarray(0, size * trainSet.lookback * trainSet.inputSize);
      const y = size === bs ? buf.y : buf.y.subarray(0, size * trainSet.outputs);
      const fut = buf.future ? (size === bs ? buf.future : buf.future.subarray(0, size * trainSet.outputs * trainSet.futureSize)) : undefined;
      gather(trainSet, idx, from, to, buf);
      net.params.zeroGrad();
      const pred = net.forward({ size, x, seqLen: trainSet.lookback, future: fut }, true, opts.rng);
      const g = size === bs ? grad : grad.subarray(0, size * trainSet.outputs);
      const loss = lossOf(opts.loss, pred, y, g);
      if (!Number.isFinite(loss)) {
        throw new ForecastError(
          "diverged",
          `Training diverged at epoch ${epoch}: the loss became ${loss}. Try a lower learning rate (now ${optimizer.lr}) or a smaller network.`,
        );
      }
      net.backward(g);
      clipGradNorm(net.params, opts.clipNorm);
      optimizer.step();
      total += loss * size;
      seen += size;
    }
    const trainLoss = total / seen;
    const valLoss = valSet && valSet.count > 0 ? evaluate(net, valSet, opts.loss) : null;
    if (valLoss !== null && !Number.isFinite(valLoss)) {
      throw new ForecastError("diverged", `Training diverged at epoch ${epoch}: the validation loss became ${valLoss}.`);
    }
    history.push({ trainLoss, valLoss, lr });
    opts.onEpoch?.(epoch, trainLoss, valLoss);
    if (schedule) {
      if (opts.shouldStop?.()) throw new ForecastCancelled();
      continue;
    }
    const monitored = valLoss ?? trainLoss;
    if (epoch < warmup) {
      // Warm-up: not yet a candidate, and no patience spent.
    } else if (!Number.isFinite(best) || monitored < best - 1e-7 * Math.abs(best)) {
      best = monitored;
      bestEpoch = epoch;
      bestParams = net.params.data.slice();
      sinceBest = 0;
      sincePlateau = 0;
    } else {
      sinceBest++;
      sincePlateau++;
      if (sincePlateau >= opts.plateau && optimizer.lr > opts.minLearningRate) {
        optimizer.lr = Math.max(opts.minLearningRate, optimizer.lr * 0.5);
        sincePlateau = 0;
      }
      if (sinceBest >= opts.patience) break;
    }
    if (opts.shouldStop?.()) throw new ForecastCancelled();
  }
  if (schedule) return { bestEpoch: null, epochsRun: epochs, bestValLoss: null, history };
  if (bestParams) net.params.data.set(bestParams);
  const bestValLoss = valSet && bestEpoch !== null ? (history[bestEpoch - 1].valLoss ?? null) : null;
  return { bestEpoch, epochsRun: Math.min(epoch, epochs), bestValLoss, history };
}
