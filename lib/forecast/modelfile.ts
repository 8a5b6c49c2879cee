/**
 * Model files: one versioned blob with the resolved config, the chosen members and combination,
 * the fitted preparations (scalers, seasonal indices), the conformal table and the weights.
 *
 * Layout: "TCFM" | u32 version | u32 header length | header JSON (UTF-8) | for each member: u32 length | network bytes.
 * Numbers in the header are written by JSON.stringify, which round-trips doubles exactly.
 *
 * Version 2 (written now) adds `kind`: "series" (one series' model, optionally with covariates
 * and their fitted preparations) or "global" (one model across many series, with each training
 * series' preparation). Version 1 files are single-series models and still load.
 *
 * Version 3 (written now) changes what the combinations mean: "hybrid" is the mean of the networks,
 * Theta, Comb and the damped trend, "classical" the mean of the last three, and a global model
 * forecasts a series too short for its members with "classical". Older files load with their
 * hybrid renamed "legacyHybrid" (networks, Theta and Comb) and keep Theta for too-short series,
 * so they reproduce the forecasts they were written with.
 *
 * Version 4 (written now) lets a global model's members train on different preparations: its
 * header lists `variants` (was one `prepSpec`), each member names its variant, and each training
 * series stores one fitted preparation per variant (`preps`, was `prep`). Older global files load
 * as a model of one variant.
 */
import { deserializeNetwork, serializeNetwork, type Network } from "../nn";
import type { ModelConfig } from "./config";
import type { Combination } from "./combination";
import { ForecastError } from "./errors";
import type { ConformalTable } from "./intervals";
import type { MemberSpec } from "./member";
import type { FittedPrep, PrepSpec } from "./prep";

export const MODEL_FILE_VERSION = 4;
const SUPPORTED_VERSIONS = [1, 2, 3, 4];
const MAGIC = [0x54, 0x43, 0x46, 0x4d]; // "TCFM"

/** A single-series model (fitForecast). */
export interface ModelHeader {
  version: number;
  /** Absent in version 1 files. */
  kind?: "series";
  config: ModelConfig;
  frequency: string;
  season: number;
  horizon: number;
  levels: number[];
  combination: Combination;
  variants: PrepSpec[];
  members: { spec: MemberSpec; variant: number }[];
  /** The fitted preparation of each variant for the series the model was fitted on. */
  preps: FittedPrep[];
  /** Conformal half-widths; multiply by `intervalScale`. */
  conformal: ConformalTable;
  intervalScale: number;
  /** Length of the (trimmed, gap-filled) series at fit time: forecasts start after it. */
  seriesLength: number;
  seriesName: string;
  nonNegative: boolean;
  label: string;
  /** Covariates the members read (by name, in input order) and their fitted preparation per variant. */
  covariates?: { names: string[]; preps: FittedPrep[][] };
}

/** One model across many series of one frequency (fitGlobal / finishGlobal). */
export interface GlobalModelHeader {
  version: number;
  kind: "global";
  config: ModelConfig;
  frequency: string;
  season: number;
  horizon: number;
  levels: number[];
  combination: Combination;
  /** The preparations the members train on (each series fitted on its own values for each). */
  variants: PrepSpec[];
  members: { spec: MemberSpec; variant: number }[];
  /** The fitted preparations (one per variant) of each training series, as its final forecast used them. */
  series: { name: string; preps: FittedPrep[] }[];
  /** Conformal half-widths in units of a series' in-sample seasonal-naive MAE (MASE scale). */
  conformal: ConformalTable;
  label: string;
}

export type AnyModelHeader = ModelHeader | GlobalModelHeader;

/** A global model's header as files up to version 3 held it: one preparation for every member. */
type GlobalHeaderV3 = Omit<GlobalModelHeader, "variants" | "series"> & { prepSpec: PrepSpec; series: { name: string; prep: FittedPrep }[] };

/** A version 1-3 global header as a version 4 one: one variant, which every member trains on. */
function upgradeGlobalHeader(old: GlobalHeaderV3): GlobalModelHeader {
  const { prepSpec, series, ...rest } = old;
  return { ...rest, variants: [prepSpec], series: series.map(({ name, prep }) => ({ name, preps: [prep] })) };
}

export interface LoadedModel {
  header: AnyModelHeader;
  nets: Network[];
}

/** Writes a model file; each member is a network or its serialized bytes (`serializeNetwork`). */
export function writeModel(header: AnyModelHeader, nets: (Network | Uint8Array)[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, version: MODEL_FILE_VERSION }));
  const blobs = nets.map((n) => (n instanceof Uint8Array ? n : serializeNetwork(n)));
  const total = 12 + json.length + blobs.reduce((a, b) => a + 4 + b.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, MODEL_FILE_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let o = 12 + json.length;
  for (const b of blobs) {
    view.setUint32(o, b.length, true);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

export function loadModel(blob: Uint8Array): LoadedModel {
  const bad = (why: string) => new ForecastError("bad-model", `This is not a Tidecast model file: ${why}.`);
  if (blob.length < 12 || MAGIC.some((b, i) => blob[i] !== b)) throw bad("missing the TCFM header");
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = view.getUint32(4, true);
  if (!SUPPORTED_VERSIONS.includes(version)) throw bad(`version ${version} is not supported (expected ${SUPPORTED_VERSIONS.join(" or ")})`);
  const len = view.getUint32(8, true);
  if (12 + len > blob.length) throw bad("truncated header");
  const parsed = JSON.parse(new TextDecoder().decode(blob.subarray(12, 12 + len))) as AnyModelHeader;
  const header = parsed.kind === "global" && version <= 3 ? upgradeGlobalHeader(parsed as unknown as GlobalHeaderV3) : parsed;
  if (header.kind !== undefined && header.kind !== "series" && header.kind !== "global") throw bad(`unknown model kind "${String(header.kind)}"`);
  header.version = version;
  if (version <= 2 && (header.combination as string) === "hybrid") header.combination = "legacyHybrid";
  const nets: Network[] = [];
  let o = 12 + len;
  for (let i = 0; i < header.members.length; i++) {
    if (o + 4 > blob.length) throw bad("truncated weights");
    const l = view.getUint32(o, true);
    if (o + 4 + l > blob.length) throw bad("truncated weights");
    nets.push(deserializeNetwork(blob.slice(o + 4, o + 4 + l)));
    o += 4 + l;
  }
  return { header, nets };
}
