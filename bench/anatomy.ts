/**
 * `npm run bench:anatomy`: the time of a whole model anatomy (`modelAnatomy`: the window, the
 * activations and weights of every layer, integrated gradients of every forecast step, the
 * member's forecast, as the API answers it) on one core. Target: an LSTM-64 over a 48-step
 * window with attributions for 12 steps at 50 interpolation points in under 200 ms.
 *
 * The models are trained briefly on a synthetic monthly series (the cost does not depend on the
 * weights); each case is timed over --repeats runs after three warm-up runs and printed as the
 * median wall time (min–max) and the median CPU time of the process (less sensitive to other
 * processes on a shared machine). Also times GRU-64 and the recursive and seq2seq strategies, and JSON.stringify
 * of the answer. Options: --repeats N (default 15), --kernels typescript|wasm-simd (default: both), --json.
 */
import { fitForecast, loadModel, type SeriesInput } from "../lib/forecast";
import { modelAnatomy } from "../lib/forecast/anatomy";
import { useKernels, type KernelName } from "../lib/tensor";

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const repeats = Number(option("--repeats") ?? 15);
const asJson = argv.includes("--json");
const kernelSets: KernelName[] = option("--kernels") ? [option("--kernels") as KernelName] : ["wasm-simd", "typescript"];

function monthlySeries(n: number): SeriesInput {
  const timestamps = new Float64Array(n), values = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    timestamps[t] = Date.UTC(2000, t, 1);
    values[t] = 200 + 0.5 * t + 25 * Math.sin((2 * Math.PI * t) / 12) + 6 * Math.sin(t * 1.3);
  }
  return { name: "bench", timestamps, values, frequency: "monthly", stepMs: null };
}

const series = monthlySeries(240);
const cases = [
  { name: "LSTM-64 direct (target)", model: "lstm", strategy: "direct" },
  { name: "GRU-64 direct", model: "gru", strategy: "direct" },
  { name: "LSTM-64 recursive", model: "lstm", strategy: "recursive" },
  { name: "LSTM-64 seq2seq", model: "lstm", strategy: "seq2seq" },
] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const WARMUP = 3;
const rows: Record<string, unknown>[] = [];
const models = cases.map((c) => {
  useKernels("wasm-simd");
  const out = fitForecast(series, { model: c.model, strategy: c.strategy, lookback: 48, horizon: 12, hiddenSize: 64, layers: 1, epochs: 3, seed: 5 });
  return { ...c, model: loadModel(out.modelBlob) };
});
for (const kernelSet of kernelSets) {
  const active = useKernels(kernelSet);
  for (const c of models) {
    const times: number[] = [], cpu: number[] = [];
    let jsonMs = 0, bytes = 0, gap = 0, points = 0;
    for (let i = 0; i < repeats + WARMUP; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const a = modelAnatomy(c.model, series, { points: 50 });
      const t1 = performance.now();
      const used = process.cpuUsage(c0);
      const json = JSON.stringify(a);
      const t2 = performance.now();
      if (i >= WARMUP) {
        times.push(t1 - t0);
        cpu.push((used.user + used.system) / 1000);
        jsonMs = t2 - t1;
      }
      bytes = json.length;
      points = a.integration.points;
      gap = Math.max(...a.integration.relativeGaps.map((g) => g ?? 0));
      if (a.steps !== 48 || a.horizon !== 12 || a.hiddenSize !== 64) throw new Error("unexpected anatomy shape");
    }
    rows.push({
      kernels: active,
      case: c.name,
      medianMs: Number(median(times).toFixed(1)),
      cpuMedianMs: Number(median(cpu).toFixed(1)),
      minMs: Number(Math.min(...times).toFixed(1)),
      maxMs: Number(Math.max(...times).toFixed(1)),
      points,
      maxCompletenessGap: gap,
      jsonMs: Number(jsonMs.toFixed(1)),
      jsonKB: Math.round(bytes / 1024),
    });
  }
}

if (asJson) for (const r of rows) console.log(JSON.stringify(r));
else {
  console.log(`model anatomy, 48-step window, 12 forecast steps, 50 interpolation points, ${repeats} runs each (median, min–max), one thread`);
  for (const r of rows) {
    console.log(
      `${String(r.kernels).padEnd(10)} ${String(r.case).padEnd(24)} ${String(r.medianMs).padStart(7)} ms  (${r.minMs}–${r.maxMs}), CPU ${r.cpuMedianMs} ms` +
        `  completeness gap ≤ ${(Number(r.maxCompletenessGap) * 100).toExponential(1)}%  JSON ${r.jsonKB} KB in ${r.jsonMs} ms`,
    );
  }
}
