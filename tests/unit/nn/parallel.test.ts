/** Data-parallel training over worker_threads gives the one-thread result up to float rounding. */
import { afterAll, describe, expect, it } from "vitest";
import { Adam, RecurrentNetwork, mseLoss, pinballLoss, type Batch, type NetworkConfig } from "../../../lib/nn";
import { DataParallelTrainer, ShareBalancer, sharesBySpeed } from "../../../lib/nn/parallel";
import { mulberry32, normal } from "../../../lib/tensor";

function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(1e-12, m);
}

function data(config: NetworkConfig, B: number, T: number, seed: number) {
  const rng = mulberry32(seed);
  const x = new Float64Array(B * T * config.inputSize).map(() => normal(rng));
  const y = new Float64Array(B * config.outputSize).map(() => normal(rng));
  const future = config.kind === "seq2seq" ? new Float64Array(B * config.outputSize * (config.futureSize ?? 1)).map(() => normal(rng)) : undefined;
  return { x, y, future };
}

const trainers: DataParallelTrainer[] = [];
afterAll(async () => {
  await Promise.all(trainers.map((t) => t.close()));
});

describe("DataParallelTrainer", () => {
  it("2 threads: gradients, loss and 5 Adam steps equal one thread (float64, odd batch)", async () => {
    const config: NetworkConfig = { kind: "many-to-one", cell: "lstm", inputSize: 2, hiddenSize: 8, numLayers: 2, outputSize: 2 };
    const ref = new RecurrentNetwork(config, "float64");
    ref.initialize(mulberry32(1));
    const trainer = await DataParallelTrainer.create(ref, { threads: 2, maxBatch: 16, maxSeqLen: 10 });
    trainers.push(trainer);
    const par = trainer.network;
    expect(Array.from(par.params.data)).toEqual(Array.from(ref.params.data));
    const optRef = new Adam(ref.params, { lr: 0.01 }), optPar = new Adam(par.params, { lr: 0.01 });
    const B = 7, T = 6;
    for (let step = 0; step < 5; step++) {
      const { x, y } = data(config, B, T, 100 + step);
      const batch: Batch = { size: B, seqLen: T, x };
      const pred = ref.forward(batch, true);
      const g = new Float64Array(B * config.outputSize);
      const l1 = mseLoss(pred, y, g);
      ref.params.zeroGrad();
      ref.backward(g);
      const l2 = trainer.step(batch, y);
      expect(Math.abs(l2 - l1) / l1).toBeLessThan(1e-12);
      expect(rel(par.params.grad, ref.params.grad)).toBeLessThan(1e-12);
      optRef.step();
      optPar.step();
    }
    expect(rel(par.params.data, ref.params.data)).toBeLessThan(1e-10);
  });

  it("with the adam option, each thread updating its share: 8 steps equal one-thread Adam (float64, 3 threads, AdamW)", async () => {
    const config: NetworkConfig = { kind: "many-to-one", cell: "gru", inputSize: 3, hiddenSize: 5, numLayers: 2, outputSize: 2 };
    const ref = new RecurrentNetwork(config, "float64");
    ref.initialize(mulberry32(3));
    const adam = { lr: 0.02, weightDecay: 0.1, decoupled: true };
    const trainer = await DataParallelTrainer.create(ref, { threads: 3, maxBatch: 16, maxSeqLen: 10, adam });
    trainers.push(trainer);
    const optRef = new Adam(ref.params, adam);
    const B = 11, T = 4;
    for (let step = 0; step < 8; step++) {
      const { x, y } = data(config, B, T, 200 + step);
      const batch: Batch = { size: B, seqLen: T, x };
      const g = new Float64Array(B * config.outputSize);
      const l1 = mseLoss(ref.forward(batch, true), y, g);
      ref.params.zeroGrad();
      ref.backward(g);
      optRef.step();
      const l2 = trainer.step(batch, y);
      expect(Math.abs(l2 - l1) / l1).toBeLessThan(1e-12);
      expect(rel(trainer.network.params.grad, ref.params.grad)).toBeLessThan(1e-12);
      expect(rel(trainer.network.params.data, ref.params.data)).toBeLessThan(1e-10);
    }
    expect(trainer.stepCount).toBe(8);
    // The workers' replicas read the updated parameters: their shards of a prediction match too.
    const { x } = data(config, B, T, 999);
    const batch: Batch = { size: B, seqLen: T, x };
    expect(rel(trainer.predict(batch), ref.forward(batch, false))).toBeLessThan(1e-10);
  });

  it("seq2seq GRU with pinball loss, float32, 3 threads", async () => {
    const config: NetworkConfig = { kind: "seq2seq", cell: "gru", inputSize: 1, hiddenSize: 6, numLayers: 1, outputSize: 3, futureSize: 2 };
    const ref = new RecurrentNetwork(config, "float32");
    ref.initialize(mulberry32(2));
    const trainer = await DataParallelTrainer.create(ref, { threads: 3, maxBatch: 16, maxSeqLen: 10, loss: "pinball", lossParam: 0.9 });
    trainers.push(trainer);
    const B = 10, T = 5;
    const { x, y, future } = data(config, B, T, 7);
    const batch: Batch = { size: B, seqLen: T, x: Float32Array.from(x), future: future && Float32Array.from(future) };
    const pred = ref.forward(batch, true);
    const g = new Float32Array(B * config.outputSize);
    const l1 = pinballLoss(pred, y, g, 0.9);
    ref.params.zeroGrad();
    ref.backward(g);
    const l2 = trainer.step(batch, y);
    expect(Math.abs(l2 - l1) / l1).toBeLessThan(1e-5);
    expect(rel(trainer.network.params.grad, ref.params.grad)).toBeLessThan(1e-5);
    const p1 = Array.from(ref.forward({ ...batch }, false));
    const p2 = Array.from(trainer.predict(batch));
    expect(rel(p2, p1)).toBeLessThan(1e-6);
    expect(() => trainer.step({ size: 17, seqLen: T, x: new Float32Array(17 * T) }, new Float32Array(17 * 3))).toThrow(/capacity/);
  });
});

describe("shares of the batch", () => {
  it("sharesBySpeed: rows in proportion to speed, in even counts, at least two rows each, the ragged end last", () => {
    expect(sharesBySpeed(64, [1, 1])).toEqual([32, 32]);
    expect(sharesBySpeed(64, [3, 1])).toEqual([48, 16]);
    // 32 pairs of rows, one each first, the other 30 as 10 : 20
    expect(sharesBySpeed(64, [1, 2])).toEqual([22, 42]);
    expect(sharesBySpeed(64, [1000, 1])).toEqual([62, 2]);
    // 3 pairs and a row: one pair each, the third pair to the larger remainder (a tie: the first), the odd row last
    expect(sharesBySpeed(7, [1, 1])).toEqual([4, 3]);
    // too few rows for a pair each: the even split
    expect(sharesBySpeed(3, [5, 1])).toEqual([2, 1]);
    expect(sharesBySpeed(33, [1, 1, 2])).toEqual([8, 8, 17]);
  });

  it("ShareBalancer, measured: even until every thread is measured, then by a moving average of rows per second", () => {
    const b = new ShareBalancer(2, "measured");
    expect(b.shares(64)).toEqual([32, 32]);
    b.record(0, 32, 0.01); // 3,200 rows/s
    expect(b.shares(64)).toEqual([32, 32]);
    b.record(1, 32, 0.02); // 1,600 rows/s: 30 spare pairs as 20 : 10
    expect(b.shares(64)).toEqual([42, 22]);
    b.record(1, 22, 0.00625); // 3,520 rows/s: the average moves a tenth of the way, to 1,792
    // 30 × 3200 / 4992 = 19.23 and 10.77: the larger remainder gets the last pair
    expect(b.shares(64)).toEqual([40, 24]);
  });

  it("ShareBalancer: even (the default) and fixed weights ignore timings; bad weights are refused", () => {
    const even = new ShareBalancer(2);
    expect(even.measured).toBe(false);
    even.record(0, 32, 0.001);
    even.record(1, 32, 1);
    expect(even.shares(64)).toEqual([32, 32]);
    const fixed = new ShareBalancer(2, [3, 1]);
    fixed.record(1, 16, 0.0001);
    expect(fixed.shares(64)).toEqual([48, 16]);
    expect(() => new ShareBalancer(2, [1])).toThrow(/2 positive weights/);
    expect(() => new ShareBalancer(2, [1, 0])).toThrow(/2 positive weights/);
  });

  it("uneven shards (weights 3 : 1, and measured speeds) still give the one-thread step, and an even split is reproducible to the bit", async () => {
    const config: NetworkConfig = { kind: "many-to-one", cell: "lstm", inputSize: 2, hiddenSize: 6, numLayers: 1, outputSize: 1 };
    const make = () => {
      const n = new RecurrentNetwork(config, "float64");
      n.initialize(mulberry32(9));
      return n;
    };
    const ref = make();
    const uneven = await DataParallelTrainer.create(make(), { threads: 2, maxBatch: 16, maxSeqLen: 5, balance: [3, 1] });
    const measured = await DataParallelTrainer.create(make(), { threads: 2, maxBatch: 16, maxSeqLen: 5, balance: "measured" });
    const evenA = await DataParallelTrainer.create(make(), { threads: 2, maxBatch: 16, maxSeqLen: 5, balance: "even" });
    const evenB = await DataParallelTrainer.create(make(), { threads: 2, maxBatch: 16, maxSeqLen: 5, balance: "even" });
    trainers.push(uneven, measured, evenA, evenB);
    const opts = { lr: 0.02 };
    const opt = [ref, uneven.network, measured.network, evenA.network, evenB.network].map((n) => new Adam(n.params, opts));
    for (let step = 0; step < 4; step++) {
      const { x, y } = data(config, 16, 5, 300 + step);
      const batch: Batch = { size: 16, seqLen: 5, x };
      const g = new Float64Array(16);
      const l1 = mseLoss(ref.forward(batch, true), y, g);
      ref.params.zeroGrad();
      ref.backward(g);
      for (const t of [uneven, measured]) {
        const l2 = t.step(batch, y);
        expect(Math.abs(l2 - l1) / l1).toBeLessThan(1e-12);
        expect(rel(t.network.params.grad, ref.params.grad)).toBeLessThan(1e-12);
      }
      evenA.step(batch, y);
      evenB.step(batch, y);
      opt.forEach((o) => o.step());
    }
    expect(rel(uneven.network.params.data, ref.params.data)).toBeLessThan(1e-10);
    expect(rel(measured.network.params.data, ref.params.data)).toBeLessThan(1e-10);
    expect(Array.from(evenA.network.params.data)).toEqual(Array.from(evenB.network.params.data));
  });
});
