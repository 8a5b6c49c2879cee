/**
 * Model anatomy: what one neural member of a stored model computed for one input window — its
 * hidden states, gates and shared weights, read from the network's own forward pass (lib/nn
 * activations) — and which past values and position features drove each forecast step, by
 * integrated gradients from the network's own backward pass against a stated baseline (the
 * window's mean level, column by column).
 *
 * Everything is in the model's scaled units (the `scaling` field says how they map back to the
 * series' units) and JSON-ready: `modelAnatomy(...)` is what GET /api/runs/{id}/anatomy answers.
 */
import { GATE_NAMES, RecurrentNetwork, networkActivations, type CellKind, type LayerActivations, type Network } from "../../nn";
import { addSteps } from "../../series/grid";
import { cleanSeries, type CleanSeries, type SeriesInput } from "../input";
import { preparedWith } from "../variants";
import { usesNetworks, type Combination } from "../combination";
import { ForecastError } from "../errors";
import { memberForecast, windowSpecOf, type MemberSpec, type StrategyKind } from "../member";
import type { LoadedModel } from "../modelfile";
import { buildWindows, fitPrep, type FittedPrep, type PreparedSeries, type PrepSpec, type WindowNorm, type WindowSpec } from "../prep";
import { windowColumns, type ColumnKind, type WindowColumn } from "./columns";
import { DirectForecaster, RecursiveForecaster, type WindowForecaster } from "./forecaster";
import { integratedGradients } from "./integrated";
import { windowShape } from "./window";

export { windowColumns, type WindowColumn, type ColumnKind } from "./columns";
export { integratedGradients, type Attribution } from "./integrated";
export { DirectForecaster, RecursiveForecaster, type WindowForecaster } from "./forecaster";
export { windowShape, normaliseWindow, addWindowGradient, columnReference, type WindowShape } from "./window";

/** Thrown for a member or origin the model does not have (the API's 400s). */
export class AnatomyError extends ForecastError {
  constructor(code: "bad-member" | "bad-origin" | "no-network", message: string, readonly details: Record<string, unknown> = {}) {
    super(code, message);
    this.name = "AnatomyError";
  }
}

export interface AnatomyOptions {
  /** Which member, by id (`members[i].id`): a neural member's index. Default: the first neural member. */
  member?: string;
  /** Index (in the series, after leading missing values are trimmed) of the window's last input. Default: the forecast origin. */
  origin?: number;
  /** Interpolation points of the integrated gradients (default 50, fewer for very large models). */
  points?: number;
  /** float64 recomputes in double precision (the completeness tests); default float32 like the forecast. */
  precision?: "float32" | "float64";
}

export type AnatomyMember =
  | { id: string; kind: "neural"; cell: CellKind; strategy: StrategyKind; lookback: number; hiddenSize: number; layers: number; usedInForecast: boolean }
  | { id: string; kind: "statistical"; name: string; usedInForecast: true };

export interface AnatomyWeights {
  /** gate names in row order (empty for the plain RNN: one block) */
  gates: string[];
  /** W_x [G·H][I] and W_h [G·H][H], gate blocks of H rows in `gates` order (PyTorch's weight_ih, weight_hh) */
  Wx: number[][];
  Wh: number[][];
  /** [G·H] the bias each pre-activation adds: b_ih + b_hh, except the GRU candidate rows (b_in only; b_hn is `bhn`) */
  b: number[];
  /** GRU: [H] b_hn, inside the reset product r ⊙ (W_hn h + b_hn) */
  bhn?: number[];
}

export interface AnatomyLayer {
  /** [T][H] */
  h: number[][];
  /** LSTM cell state [T][H] */
  c?: number[][];
  /** gate activations [T][H] by name: LSTM i, f, g, o; GRU r, z, n; none for the plain RNN */
  gates: Record<string, number[][]>;
  weights: AnatomyWeights;
}

export interface ModelAnatomy {
  label: string;
  combination: Combination;
  /** How the members make the forecast, in plain words. */
  combinationNote: string;
  members: AnatomyMember[];
  member: string;
  cell: CellKind;
  nonlinearity?: "tanh" | "relu";
  strategy: StrategyKind;
  lookback: number;
  hiddenSize: number;
  numLayers: number;
  frequency: string;
  /** the window's last input: index in the series, its timestamp, and the range of valid origins */
  origin: number;
  origins: { first: number; last: number; forecast: number };
  /** T, the window length, and the window's timestamps (ms) */
  steps: number;
  timestamps: number[];
  horizon: number;
  forecastTimestamps: number[];
  /** the network's input window [T][F] in model units, and what each column is */
  inputs: number[][];
  featureNames: string[];
  featureKinds: ColumnKind[];
  layers: AnatomyLayer[];
  /** seq2seq: the decoder over the horizon steps (its steps are forecastTimestamps) */
  decoder?: AnatomyLayer[];
  parameters: { shared: number; recurrent: number; head: number; perStep: number; note: string };
  baseline: number[][];
  baselineNote: string;
  /** f(x) and f(baseline) per forecast step, model units relative to the window's reference */
  fx: number[];
  fbaseline: number[];
  /** [horizon][T][F]: integrated gradients; Σ over [T][F] of step k ≈ fx[k] − fbaseline[k] */
  attributions: number[][][];
  integration: { method: "integrated gradients"; rule: "trapezoid"; points: number; identity: string; sums: number[]; relativeGaps: (number | null)[] };
  scaling: Scaling;
  /** this member's forecast from this origin in the series' units, and the actual values where known */
  memberForecast: number[];
  actual: (number | null)[];
  precision: "float32" | "float64";
}

export interface Scaling {
  seasonal: boolean;
  season: number;
  log: boolean;
  scaler: { kind: string; shift: number; scale: number };
  difference: boolean;
  windowNorm: WindowNorm;
  /** the window's reference in model units (subtracted from its values; forecasts are relative to it) */
  reference: number;
  description: string;
}

interface MemberContext {
  index: number;
  spec: MemberSpec;
  net: Network;
  prep: FittedPrep;
  prepSpec: PrepSpec;
  covPreps: FittedPrep[];
  covariateNames: string[];
  season: number;
  horizon: number;
  defaultOrigin: number;
}

const THETA = { id: "theta", name: "Theta" };
const COMB = { id: "comb", name: "SES/Holt/damped comb" };
const DAMPED = { id: "damped", name: "Damped trend" };

/** The statistical members each combination adds to the networks (lib/forecast/combination.ts's `combine`). */
const STAT_MEMBERS: Record<Combination, { id: string; name: string }[]> = {
  neural: [],
  hybrid: [THETA, COMB, DAMPED],
  legacyHybrid: [THETA, COMB],
  classical: [THETA, COMB, DAMPED],
  theta: [THETA],
  seasonalNaive: [{ id: "seasonal-naive", name: "Seasonal naive" }],
  naive2: [{ id: "naive2", name: "Naive2" }],
};

export function anatomyMembers(model: LoadedModel): AnatomyMember[] {
  const h = model.header;
  const used = usesNetworks(h.combination);
  const neural: AnatomyMember[] = h.members.map((m, i) => ({
    id: String(i),
    kind: "neural",
    cell: m.spec.cell,
    strategy: m.spec.strategy,
    lookback: m.spec.lookback,
    hiddenSize: m.spec.hiddenSize,
    layers: m.spec.layers,
    usedInForecast: used,
  }));
  return [...neural, ...STAT_MEMBERS[h.combination].map((s): AnatomyMember => ({ ...s, kind: "statistical", usedInForecast: true }))];
}

/** "A", "A and B", "A, B and C" */
function listed(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function combinationNote(c: Combination, n: number): string {
  const nets = n > 1 ? `the median of the ${n} networks` : "the network's forecast";
  const stats = STAT_MEMBERS[c].map((m) => m.name);
  if (stats.length === 0) return `The forecast is ${nets}.`;
  if (usesNetworks(c)) return `The forecast is the mean of ${listed([nets, ...stats])}; the statistical members have no network to look inside.`;
  const what = stats.length === 1 ? `${stats[0]}'s` : `the mean of ${listed(stats)}`;
  return `The forecast is ${what}: on validation the networks were less accurate, so they do not enter it. Their anatomy shows what they would have forecast.`;
}

function resolveMember(model: LoadedModel, s: CleanSeries, id: string | undefined): MemberContext {
  const h = model.header;
  if (model.nets.length === 0 || h.members.length === 0) throw new AnatomyError("no-network", "This model has no neural network.");
  const members = anatomyMembers(model);
  const key = id ?? "0";
  const found = members.find((m) => m.id === key);
  if (!found) {
    throw new AnatomyError("bad-member", `Member "${key}" is not in this model: its members are ${members.map((m) => m.id).join(", ")}.`, {
      member: key,
      members: members.map((m) => m.id),
    });
  }
  if (found.kind === "statistical") {
    throw new AnatomyError("bad-member", `${found.name} is a statistical member: it has no network to look inside.`, { member: key });
  }
  const index = Number(found.id);
  const mm = h.members[index];
  const net = model.nets[index];
  const vi = mm.variant;
  if (h.kind === "global") {
    const prepSpec = h.variants[vi];
    const prep = h.series.find((x) => x.name === s.name)?.preps[vi] ?? fitPrep(prepSpec, s.y, h.season);
    return { index, spec: mm.spec, net, prep, prepSpec, covPreps: [], covariateNames: [], season: h.season, horizon: h.horizon, defaultOrigin: s.y.length - 1 };
  }
  return {
    index,
    spec: mm.spec,
    net,
    prep: h.preps[vi],
    prepSpec: h.variants[vi],
    covPreps: h.covariates?.preps[vi] ?? [],
    covariateNames: h.covariates?.names ?? [],
    season: h.season,
    horizon: h.horizon,
    defaultOrigin: Math.min(h.seriesLength, s.y.length) - 1,
  };
}

/** The series with the covariates a model reads, in its input order (as the forecast takes them). */
function withModelCovariates(s: CleanSeries, names: string[]): CleanSeries {
  return {
    ...s,
    covariates: names.map((name) => {
      const c = s.covariates.find((x) => x.name === name);
      if (!c) throw new ForecastError("bad-input", `This model uses the covariate "${name}": pass its values with the series.`);
      return c;
    }),
  };
}

/** A float64 copy of a network, for the double-precision recomputation. */
function inFloat64(net: Network): Network {
  if (net.dtype === "float64") return net;
  const copy = new RecurrentNetwork(net.config, "float64");
  copy.params.data.set(net.params.data);
  return copy;
}

/** The time features of the steps after the origin: row q (1..K-1) of [K, F] (row 0 unused). */
function futureTimeFeatures(ps: PreparedSeries, ws: WindowSpec, origin: number, K: number, F: number): Float64Array {
  const out = new Float64Array(K * F);
  if (K < 2) return out;
  const z = new Float64Array(origin + K);
  z.set(ps.z.subarray(0, origin + 1));
  const ext: PreparedSeries = { z, phase: ps.phase, missing: new Uint8Array(z.length), calendar: ps.calendar };
  const origins = Array.from({ length: K - 1 }, (_, q) => ({ seriesIndex: 0, origin: origin + q + 1 }));
  const set = buildWindows([ext], { ...ws, seq2seq: false }, origins, false);
  const L = ws.lookback;
  for (let q = 1; q < K; q++) out.set(set.x.subarray(((q - 1) * L + L - 1) * F, ((q - 1) * L + L) * F), q * F);
  return out;
}

/** v to 7 significant digits, the precision a float32 carries (so the JSON prints it in a few characters). */
export function round7(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const e = 6 - Math.floor(Math.log10(Math.abs(v)));
  // Dividing or multiplying an integer by an exact power of ten rounds once: the shortest decimal comes out.
  return e >= 0 ? Math.round(v * 10 ** e) / 10 ** e : Math.round(v / 10 ** -e) * 10 ** -e;
}

/** Float32-derived values are rounded to the digits they carry (shorter JSON); float64 stays exact. */
function rounder(precision: "float32" | "float64"): (v: number) => number {
  return precision === "float64" ? (v) => v : round7;
}

function matrix(a: ArrayLike<number>, rows: number, cols: number, off: number, r: (v: number) => number): number[][] {
  const out: number[][] = new Array<number[]>(rows);
  for (let i = 0; i < rows; i++) {
    const row = new Array<number>(cols);
    for (let j = 0; j < cols; j++) row[j] = r(a[off + i * cols + j]);
    out[i] = row;
  }
  return out;
}

function layerWeights(net: Network, prefix: string, k: number, r: (v: number) => number): AnatomyWeights {
  const cell = net.config.cell, H = net.config.hiddenSize;
  const names = [...GATE_NAMES[cell]];
  const G = Math.max(1, names.length) * H;
  const Wih = net.params.value(`${prefix}weight_ih_l${k}`), Whh = net.params.value(`${prefix}weight_hh_l${k}`);
  const bih = net.params.value(`${prefix}bias_ih_l${k}`), bhh = net.params.value(`${prefix}bias_hh_l${k}`);
  const I = Wih.length / G;
  const b: number[] = [];
  for (let q = 0; q < G; q++) b.push(r(cell === "gru" && q >= 2 * H ? bih[q] : bih[q] + bhh[q]));
  const w: AnatomyWeights = { gates: names, Wx: matrix(Wih, G, I, 0, r), Wh: matrix(Whh, G, H, 0, r), b };
  if (cell === "gru") w.bhn = Array.from(bhh.subarray(2 * H, 3 * H), r);
  return w;
}

function layerOf(a: LayerActivations, weights: AnatomyWeights, r: (v: number) => number): AnatomyLayer {
  const T = a.steps, H = a.hiddenSize;
  const gates: Record<string, number[][]> = {};
  for (const [name, v] of Object.entries(a.gates)) if (v) gates[name] = matrix(v, T, H, 0, r);
  const out: AnatomyLayer = { h: matrix(a.h, T, H, 0, r), gates, weights };
  if (a.c) out.c = matrix(a.c, T, H, 0, r);
  return out;
}

/** Parameter counts: shared by every step, and what one set of weights per step would need. */
function parameterCounts(net: Network, T: number): ModelAnatomy["parameters"] {
  let encoder = 0, decoder = 0, head = 0;
  for (const e of net.params.entries) {
    if (e.name.startsWith("head.")) head += e.size;
    else if (e.name.startsWith("decoder.")) decoder += e.size;
    else encoder += e.size;
  }
  const S = net.config.kind === "seq2seq" ? net.config.outputSize : 0;
  // Seq2seq reads each decoder step out with the head: per-step weights would need a head per step too.
  const perStep = T * encoder + (S > 0 ? S * (decoder + head) : head);
  const shared = encoder + decoder + head;
  const where = S > 0 ? `the ${T} window steps share the encoder's ${encoder.toLocaleString("en-US")}, the ${S} forecast steps the decoder's and the head's ${(decoder + head).toLocaleString("en-US")}` : `all ${T} steps share the recurrent ${encoder.toLocaleString("en-US")}; the head reads the last state (${head.toLocaleString("en-US")})`;
  return {
    shared,
    recurrent: encoder + decoder,
    head,
    perStep,
    note: `${shared.toLocaleString("en-US")} parameters: ${where}. With its own weights at every step it would need ${perStep.toLocaleString("en-US")} (${(perStep / shared).toFixed(1)}×).`,
  };
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : Number(v.toPrecision(4)).toString());

/** What a window's reference is, in words (prep.ts `windowReference`). */
function referenceName(ws: WindowSpec): string {
  if (ws.windowNorm === "last") return "last value";
  if (ws.windowNorm === "recent") return "median of its last three values";
  if (ws.windowNorm === "season") return `mean over its last ${Math.min(ws.lookback, Math.max(ws.season, 4))} values`;
  return "mean";
}

function describeScaling(prep: FittedPrep, ws: WindowSpec, reference: number, originLabel: string): Scaling {
  const steps: string[] = [];
  if (prep.seasonalIndices.length) steps.push(`divided by its seasonal index (season ${prep.seasonalIndices.length})`);
  if (prep.log) steps.push("log-transformed");
  const sc = prep.scaler;
  if (sc.kind !== "none") steps.push(`scaled as (v − ${fmt(sc.shift)}) / ${fmt(sc.scale)} (${sc.kind})`);
  let text = `Each value y is ${steps.length ? steps.join(", then ") : "used as is"}, giving z`;
  let back = "z";
  if (ws.difference) {
    text += "; the model reads and forecasts the step-to-step differences of z (a forecast of step k adds the first k differences to the last z)";
  } else if (ws.windowNorm !== "none") {
    text += `; the window's values are z minus its ${referenceName(ws)} (z = ${fmt(reference)} at ${originLabel}), so the inputs and the forecasts f are relative to it`;
    back = `f + ${fmt(reference)}`;
  } else back = "f";
  if (!ws.difference) {
    let y = sc.kind !== "none" ? `(${back}) × ${fmt(sc.scale)} + ${fmt(sc.shift)}` : back;
    if (prep.log) y = `exp(${y})`;
    if (prep.seasonalIndices.length) y += " × seasonal index";
    text += `. A forecast f maps back to y = ${y}.`;
  } else text += ".";
  return {
    seasonal: prep.seasonalIndices.length > 0,
    season: prep.season,
    log: prep.log,
    scaler: { kind: sc.kind, shift: sc.shift, scale: sc.scale },
    difference: ws.difference,
    windowNorm: ws.windowNorm,
    reference,
    description: text,
  };
}

/**
 * Interpolation points for the attributions: 50, fewer (at least 8) when a model is so large that
 * 50 would take more than a few seconds (the work is points × steps × a forward-backward).
 */
export function defaultPoints(spec: MemberSpec, inputSize: number, horizon: number): number {
  const G = spec.cell === "lstm" ? 4 : spec.cell === "gru" ? 3 : 1;
  const H = spec.hiddenSize;
  const perWindow = spec.lookback * (G * H * (inputSize + H) + (spec.layers - 1) * G * H * 2 * H) * 6;
  const passes = spec.strategy === "recursive" ? 2 * horizon : horizon + 1;
  const budget = 2e10; // flops: a few seconds on one core
  return Math.max(8, Math.min(50, Math.floor(budget / (perWindow * passes))));
}

export function modelAnatomy(model: LoadedModel, series: SeriesInput, options: AnatomyOptions = {}): ModelAnatomy {
  const h = model.header;
  const precision = options.precision ?? "float32";
  const r = rounder(precision);
  const s0 = cleanSeries(series, "linear");
  const ctx = resolveMember(model, s0, options.member);
  const s = withModelCovariates(s0, ctx.covariateNames);
  const { spec, prepSpec, season, horizon: H } = ctx;
  const prepared = preparedWith(s, ctx.prep, ctx.covPreps, prepSpec, H);
  const ws = windowSpecOf(spec, { season, horizon: H, prepSpec });
  const L = spec.lookback;
  const n = s.y.length;
  const first = L - 1 + (ws.difference ? 1 : 0);
  const origin = options.origin ?? ctx.defaultOrigin;
  if (!Number.isInteger(origin) || origin < first || origin > n - 1) {
    throw new AnatomyError("bad-origin", `Origin ${origin} is not a window's last step: it must be an integer from ${first} to ${n - 1} (the member reads ${L} steps).`, {
      origin,
      first,
      last: n - 1,
    });
  }
  const columns: WindowColumn[] = windowColumns(spec.features, season, ctx.covariateNames);
  const F = columns.length;
  const window = buildWindows([prepared], ws, [{ seriesIndex: 0, origin }], false);
  const net = precision === "float64" ? inFloat64(ctx.net) : ctx.net;
  if (!(net instanceof RecurrentNetwork)) throw new ForecastError("internal", "Model anatomy reads a RecurrentNetwork's layers.");

  // 1. The activations of the window the forecast is made from: the network's own forward.
  net.forward({ size: 1, seqLen: L, x: window.x, future: window.future ?? undefined }, false);
  const acts = networkActivations(net, 0);
  const layers = acts.encoder.map((a, k) => layerOf(a, layerWeights(net, "", k, r), r));
  const decoder = acts.decoder?.map((a, k) => layerOf(a, layerWeights(net, "decoder.", k, r), r));

  // 2. Integrated gradients of every forecast step against the window's mean level.
  const shape = windowShape(L, columns, ws.windowNorm, ws.season);
  const forecaster: WindowForecaster =
    spec.strategy === "recursive"
      ? new RecursiveForecaster(net, shape, columns.map((c) => c.kind), H, futureTimeFeatures(prepared, ws, origin, H, F))
      : new DirectForecaster(net, shape, window.future);
  const x = Float64Array.from(window.x);
  const baseline = new Float64Array(L * F);
  for (let c = 0; c < F; c++) {
    let m = 0;
    for (let t = 0; t < L; t++) m += x[t * F + c];
    for (let t = 0; t < L; t++) baseline[t * F + c] = m / L;
  }
  const points = options.points ?? defaultPoints(spec, F, H);
  const allSteps = Array.from({ length: H }, (_, k) => k);
  const ig = integratedGradients(forecaster, x, baseline, points, allSteps);
  const sums = ig.attributions.map((a) => a.reduce((acc, v) => acc + v, 0));
  const relativeGaps = sums.map((sum, k) => {
    const d = ig.fx[k] - ig.fbaseline[k];
    return d === 0 ? null : Math.abs(sum - d) / Math.abs(d);
  });

  // 3. The member's forecast in the series' units (the engine's own path) and what happened.
  const data = { prepared: [prepared], preps: [ctx.prep], season, horizon: H, prepSpec };
  const memberPath = memberForecast(net, spec, data, [0], [origin])[0];
  const actual: (number | null)[] = [];
  for (let k = 1; k <= H; k++) actual.push(origin + k < n && !s.missing[origin + k] ? s.y[origin + k] : null);

  const ts = s.timestamps;
  const date = (ms: number) => (ms % 86_400_000 === 0 ? new Date(ms).toISOString().slice(0, 10) : new Date(ms).toISOString().slice(0, 16).replace("T", " "));
  const sharedWeights = parameterCounts(net, L);
  return {
    label: h.label,
    combination: h.combination,
    combinationNote: combinationNote(h.combination, h.members.length),
    members: anatomyMembers(model),
    member: String(ctx.index),
    cell: spec.cell,
    ...(net.config.nonlinearity ? { nonlinearity: net.config.nonlinearity } : {}),
    strategy: spec.strategy,
    lookback: L,
    hiddenSize: spec.hiddenSize,
    numLayers: spec.layers,
    frequency: s.frequency,
    origin,
    origins: { first, last: n - 1, forecast: ctx.defaultOrigin },
    steps: L,
    timestamps: Array.from(ts.subarray(origin - L + 1, origin + 1)),
    horizon: H,
    forecastTimestamps: allSteps.map((k) => addSteps(ts[origin], s.frequency, s.stepMs, k + 1)),
    inputs: matrix(window.x, L, F, 0, r),
    featureNames: columns.map((c) => c.name),
    featureKinds: columns.map((c) => c.kind),
    layers,
    ...(decoder ? { decoder } : {}),
    parameters: sharedWeights,
    baseline: matrix(baseline, L, F, 0, (v) => v),
    baselineNote:
      "The baseline is the window's mean level: every column (the value and each position feature) replaced by its mean over the window, a flat history with no position information.",
    fx: Array.from(ig.fx),
    fbaseline: Array.from(ig.fbaseline),
    attributions: ig.attributions.map((a) => matrix(a, L, F, 0, (v) => v)),
    integration: {
      method: "integrated gradients",
      rule: "trapezoid",
      points,
      identity: "Σ_t Σ_f attribution[k][t][f] = f_k(x) − f_k(baseline), up to the integration rule's error",
      sums,
      relativeGaps,
    },
    scaling: describeScaling(ctx.prep, ws, window.ref[0], date(ts[origin])),
    memberForecast: memberPath,
    actual,
    precision,
  };
}
