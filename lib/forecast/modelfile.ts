/**
 * Model files: one versioned blob with the resolved config, the chosen members and combination,
 * the fitted preparations (scalers, seasonal indices), the conformal table and the weights.
 *
 * Layout: "TCFM" | u32 version | u32 header length | header JSON (UTF-8) | for each member: u32 length | network bytes.
 * Numbers in the header are written by JSON.stringify, which round-trips doubles exactly.
 */
import { deserializeNetwork, serializeNetwork, type Network } from "../nn";
import type { ModelConfig } from "./config";
import type { Combination } from "./core";
import { ForecastError } from "./errors";
import type { ConformalTable } from "./intervals";
import type { MemberSpec } from "./member";
import type { FittedPrep, PrepSpec } from "./prep";

export const MODEL_FILE_VERSION = 1;
const MAGIC = [0x54, 0x43, 0x46, 0x4d]; // "TCFM"

export interface ModelHeader {
  version: number;
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
}

export interface LoadedModel {
  header: ModelHeader;
  nets: Network[];
}

export function writeModel(header: ModelHeader, nets: Network[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const blobs = nets.map((n) => serializeNetwork(n));
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
  if (version !== MODEL_FILE_VERSION) throw bad(`version ${version} is not supported (expected ${MODEL_FILE_VERSION})`);
  const len = view.getUint32(8, true);
  if (12 + len > blob.length) throw bad("truncated header");
  const header = JSON.parse(new TextDecoder().decode(blob.subarray(12, 12 + len))) as ModelHeader;
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
