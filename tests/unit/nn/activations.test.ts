/**
 * The activations accessor (lib/nn/activations.ts) against PyTorch: on every recurrent fixture in
 * NN_REFERENCE_DIR, the hidden and cell states it reads equal the fixture's PyTorch outputs, and
 * every gate equals an independent float64 recomputation from the fixture's weights and inputs
 * (the equations of the fixtures' README, written out here as plain loops; the recomputation is
 * itself checked against PyTorch's outputs). Gates lie in (0, 1), tanh states in (-1, 1). Runs in
 * float64 and on every float32 kernel set (relaxed SIMD included).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  GATE_NAMES, ParamStore, RecurrentNetwork, RecurrentStack, networkActivations, recurrentParamSpecs, stackActivations,
  type CellKind, type DType, type LayerActivations,
} from "../../../lib/nn";
import { enableRelaxedSimd, kernels, useKernels, type KernelName } from "../../../lib/tensor";
import { relativeError as err } from "../../helpers/compare";

// Every kernel set, the relaxed SIMD one included: turn it on in this test process (its own,
// forked by vitest) as the worker and the CLI do in theirs.
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

interface Tensor { shape: number[]; data: number[] }
interface Fixture {
  name: string; kind: string; cell: CellKind; nonlinearity?: "tanh" | "relu";
  inputSize: number; hiddenSize: number; numLayers: number; batch: number; seqLen: number; outputSize?: number;
  weights: Record<string, Tensor>; input: Tensor; h0?: Tensor; c0?: Tensor; output?: Tensor; hN?: Tensor; cN?: Tensor; prediction?: Tensor;
}

const root = path.resolve(import.meta.dirname, "../../..");
const dir = process.env.NN_REFERENCE_DIR ? path.resolve(root, process.env.NN_REFERENCE_DIR) : path.resolve(root, "../shared/nn-reference");
const fixtures = (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [])
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Fixture)
  .filter((f) => f.kind === "sequence" || f.kind === "forecaster");

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));

interface RefLayer { h: number[][]; c: number[][]; gates: Record<string, number[][]> }

/** The fixture's stack for one sample, from the README's equations in float64: per layer, per step. */
function recompute(f: Fixture, b: number): RefLayer[] {
  const H = f.hiddenSize, G = GATE_NAMES[f.cell].length || 1, T = f.seqLen, I = f.inputSize;
  const w = (name: string) => f.weights[name].data;
  let inputs: number[][] = Array.from({ length: T }, (_, t) => f.input.data.slice((b * T + t) * I, (b * T + t + 1) * I));
  const out: RefLayer[] = [];
  for (let k = 0; k < f.numLayers; k++) {
    const Wih = w(`weight_ih_l${k}`), Whh = w(`weight_hh_l${k}`), bih = w(`bias_ih_l${k}`), bhh = w(`bias_hh_l${k}`);
    const inSize = inputs[0].length;
    let h = f.h0 ? f.h0.data.slice((k * f.batch + b) * H, (k * f.batch + b + 1) * H) : new Array<number>(H).fill(0);
    let c = f.c0 ? f.c0.data.slice((k * f.batch + b) * H, (k * f.batch + b + 1) * H) : new Array<number>(H).fill(0);
    const layer: RefLayer = { h: [], c: [], gates: Object.fromEntries(GATE_NAMES[f.cell].map((g) => [g, [] as number[][]])) };
    for (let t = 0; t < T; t++) {
      const x = inputs[t];
      // ax[r] = W_ih[r]·x + b_ih[r], ah[r] = W_hh[r]·h + b_hh[r] for each of the G·H rows.
      const ax: number[] = [], ah: number[] = [];
      for (let r = 0; r < G * H; r++) {
        let sx = bih[r], sh = bhh[r];
        for (let i = 0; i < inSize; i++) sx += Wih[r * inSize + i] * x[i];
        for (let i = 0; i < H; i++) sh += Whh[r * H + i] * h[i];
        ax.push(sx);
        ah.push(sh);
      }
      const hNew: number[] = [], cNew: number[] = [];
      const gateRows: Record<string, number[]> = Object.fromEntries(GATE_NAMES[f.cell].map((g) => [g, [] as number[]]));
      for (let j = 0; j < H; j++) {
        if (f.cell === "rnn") {
          const a = ax[j] + ah[j];
          hNew.push(f.nonlinearity === "relu" ? Math.max(0, a) : Math.tanh(a));
        } else if (f.cell === "lstm") {
          const i = sigmoid(ax[j] + ah[j]), fg = sigmoid(ax[H + j] + ah[H + j]), g = Math.tanh(ax[2 * H + j] + ah[2 * H + j]), o = sigmoid(ax[3 * H + j] + ah[3 * H + j]);
          const cv = fg * c[j] + i * g;
          cNew.push(cv);
          hNew.push(o * Math.tanh(cv));
          gateRows.i.push(i); gateRows.f.push(fg); gateRows.g.push(g); gateRows.o.push(o);
        } else {
          const r = sigmoid(ax[j] + ah[j]), z = sigmoid(ax[H + j] + ah[H + j]);
          const n = Math.tanh(ax[2 * H + j] + r * ah[2 * H + j]);
          hNew.push((1 - z) * n + z * h[j]);
          gateRows.r.push(r); gateRows.z.push(z); gateRows.n.push(n);
        }
      }
      h = hNew;
      c = cNew;
      layer.h.push(h);
      layer.c.push(c);
      for (const g of Object.keys(gateRows)) layer.gates[g].push(gateRows[g]);
    }
    out.push(layer);
    inputs = layer.h;
  }
  return out;
}

const TOL: Record<DType, number> = { float32: 1e-4, float64: 1e-9 };

/** The activations of every sample, read through the accessor after one forward. */
function readAll(f: Fixture, dtype: DType): LayerActivations[][] {
  const spec = { cell: f.cell, nonlinearity: f.nonlinearity, inputSize: f.inputSize, hiddenSize: f.hiddenSize, numLayers: f.numLayers };
  if (f.kind === "forecaster") {
    const net = new RecurrentNetwork({ kind: "many-to-one", ...spec, outputSize: f.outputSize ?? 1 }, dtype);
    for (const [name, t] of Object.entries(f.weights)) net.params.set(name, t.data);
    const x = dtype === "float64" ? Float64Array.from(f.input.data) : Float32Array.from(f.input.data);
    const pred = net.forward({ size: f.batch, seqLen: f.seqLen, x }, false);
    expect(err(pred, f.prediction!.data)).toBeLessThanOrEqual(TOL[dtype]);
    return Array.from({ length: f.batch }, (_, b) => networkActivations(net, b).encoder);
  }
  const params = new ParamStore(recurrentParamSpecs(spec), dtype);
  for (const [name, t] of Object.entries(f.weights)) params.set(name, t.data);
  const stack = new RecurrentStack(spec, params);
  stack.forwardBatchFirst(f.input.data, f.batch, f.seqLen, f.h0?.data ?? null, f.c0?.data ?? null);
  return Array.from({ length: f.batch }, (_, b) => stackActivations(stack, b));
}

describe(`activations of the PyTorch fixtures in ${dir}`, () => {
  it("finds sequence and forecaster fixtures of every cell", () => {
    expect(new Set(fixtures.map((f) => f.cell))).toEqual(new Set(["rnn", "lstm", "gru"]));
  });

  const defaultKernels = kernels.name;
  afterAll(() => void useKernels(defaultKernels));
  const cases: [DType, KernelName][] = [["float64", "typescript"], ["float32", "typescript"], ["float32", "wasm-simd"], ["float32", "wasm-relaxed"]];
  for (const f of fixtures) {
    for (const [dtype, kernelSet] of cases) {
      it(`${f.name} (${dtype}, ${kernelSet} kernels)`, () => {
        useKernels(kernelSet);
        const tol = TOL[dtype];
        const H = f.hiddenSize, T = f.seqLen, L = f.numLayers;
        const read = readAll(f, dtype);
        for (let b = 0; b < f.batch; b++) {
          const ref = recompute(f, b);
          expect(read[b]).toHaveLength(L);
          // The independent recomputation agrees with PyTorch (final states, top-layer outputs) …
          if (f.output) expect(err(ref[L - 1].h.flat(), f.output.data.slice(b * T * H, (b + 1) * T * H))).toBeLessThanOrEqual(1e-9);
          for (let k = 0; k < L && f.hN; k++) {
            expect(err(ref[k].h[T - 1], f.hN.data.slice((k * f.batch + b) * H, (k * f.batch + b + 1) * H))).toBeLessThanOrEqual(1e-9);
            if (f.cN) expect(err(ref[k].c[T - 1], f.cN.data.slice((k * f.batch + b) * H, (k * f.batch + b + 1) * H))).toBeLessThanOrEqual(1e-9);
          }
          // … and the accessor reads the same states and gates out of the kernel's caches.
          for (let k = 0; k < L; k++) {
            const a = read[b][k];
            expect([a.cell, a.steps, a.hiddenSize]).toEqual([f.cell, T, H]);
            expect(err(a.h, ref[k].h.flat()), `layer ${k} h`).toBeLessThanOrEqual(tol);
            if (f.cell === "lstm") expect(err(a.c!, ref[k].c.flat()), `layer ${k} c`).toBeLessThanOrEqual(tol);
            else expect(a.c).toBeUndefined();
            expect(Object.keys(a.gates)).toEqual([...GATE_NAMES[f.cell]]);
            for (const g of GATE_NAMES[f.cell]) {
              const v = a.gates[g]!;
              expect(err(v, ref[k].gates[g].flat()), `layer ${k} gate ${g}`).toBeLessThanOrEqual(tol);
              // σ gates in (0, 1); the tanh candidates (LSTM g, GRU n) in (-1, 1).
              const [lo, hi] = g === "g" || g === "n" ? [-1, 1] : [0, 1];
              for (const x of v) expect(x > lo && x < hi, `gate ${g} value ${x}`).toBe(true);
            }
            // h_t in (-1, 1) for the tanh cells: always for LSTM (o ⊙ tanh c) and the tanh RNN; for the
            // GRU, a convex mix of n_t and h_{t-1}, only when h0 is (the fixtures draw some |h0| > 1).
            const h0InRange = !f.h0 || f.h0.data.every((v) => Math.abs(v) < 1);
            if (f.cell === "rnn" && f.nonlinearity === "relu") for (const x of a.h) expect(x >= 0, `h value ${x}`).toBe(true);
            else if (f.cell !== "gru" || h0InRange) for (const x of a.h) expect(x > -1 && x < 1, `h value ${x}`).toBe(true);
          }
        }
      });
    }
  }

  it("refuses to read a sample outside the last batch, or before any forward", () => {
    const spec = { cell: "gru" as const, inputSize: 1, hiddenSize: 2, numLayers: 1 };
    const stack = new RecurrentStack(spec, new ParamStore(recurrentParamSpecs(spec), "float64"));
    expect(() => stackActivations(stack, 0)).toThrow(/no forward/);
    stack.forwardBatchFirst([1, 2, 3], 1, 3, null, null);
    expect(() => stackActivations(stack, 1)).toThrow(/not in the last batch/);
  });
});
