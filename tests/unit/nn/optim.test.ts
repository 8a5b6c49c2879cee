import { describe, expect, it } from "vitest";
import { Adam, ParamStore, SGD, clipGradNorm } from "../../../lib/nn";

function store(values: number[], grads: number[]): ParamStore {
  const p = new ParamStore([{ name: "a", shape: [2] }, { name: "b", shape: [values.length - 2] }], "float64");
  p.data.set(values);
  p.grad.set(grads);
  return p;
}

describe("optimizers", () => {
  it("AdamW decays weights decoupled from the gradient; Adam with weightDecay adds it to the gradient", () => {
    const lr = 0.1, wd = 0.5, eps = 1e-8;
    const pw = store([1, -2, 3], [0.5, 0.25, -1]);
    new Adam(pw, { lr, weightDecay: wd, decoupled: true, eps }).step();
    // first step: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps)
    const expectW = [1, -2, 3].map((p, i) => p * (1 - lr * wd) - lr * Math.sign([0.5, 0.25, -1][i]) * (Math.abs([0.5, 0.25, -1][i]) / (Math.abs([0.5, 0.25, -1][i]) + eps)));
    Array.from(pw.data).forEach((v, i) => expect(v).toBeCloseTo(expectW[i], 12));
    const pl = store([1, -2, 3], [0.5, 0.25, -1]);
    new Adam(pl, { lr, weightDecay: wd, eps }).step();
    const g2 = [0.5 + wd * 1, 0.25 + wd * -2, -1 + wd * 3];
    Array.from(pl.data).forEach((v, i) => expect(v).toBeCloseTo([1, -2, 3][i] - lr * g2[i] / (Math.abs(g2[i]) + eps), 12));
  });

  it("SGD with momentum follows PyTorch", () => {
    const p = store([1, 2, 3], [1, 1, 1]);
    const opt = new SGD(p, { lr: 0.1, momentum: 0.9 });
    opt.step(); // b = g = 1, p -= 0.1
    opt.step(); // b = 0.9 + 1 = 1.9, p -= 0.19
    Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo([1, 2, 3][i] - 0.29, 12));
    const q = store([1, 2, 3], [1, 1, 1]);
    new SGD(q, { lr: 0.5, weightDecay: 0.1 }).step();
    Array.from(q.data).forEach((v, i) => expect(v).toBeCloseTo([1, 2, 3][i] - 0.5 * (1 + 0.1 * [1, 2, 3][i]), 12));
  });

  it("clipGradNorm scales to the max norm and returns the norm before", () => {
    const p = store([0, 0, 0, 0], [3, 0, 4, 0]);
    expect(clipGradNorm(p, 1)).toBeCloseTo(5, 12);
    expect(Math.hypot(...Array.from(p.grad))).toBeCloseTo(1, 5);
    const q = store([0, 0, 0], [0.3, 0, 0.4]);
    expect(clipGradNorm(q, 1)).toBeCloseTo(0.5, 12);
    expect(Array.from(q.grad)).toEqual([0.3, 0, 0.4]);
  });

  it("the parameter store lays out named views over one buffer", () => {
    const p = store([1, 2, 3, 4], [0, 0, 0, 0]);
    expect(Array.from(p.value("b"))).toEqual([3, 4]);
    p.value("b")[0] = 9;
    expect(p.data[2]).toBe(9);
    p.gradOf("a")[1] = 5;
    expect(p.grad[1]).toBe(5);
    p.zeroGrad();
    expect(Array.from(p.grad)).toEqual([0, 0, 0, 0]);
    expect(() => p.value("c")).toThrow(/no parameter/);
  });
});
