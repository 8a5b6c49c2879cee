/**
 * Model files: a network to bytes and back, bit-for-bit.
 *
 *   bytes 0..3   magic "TDNN"
 *   bytes 4..7   format version (uint32 little-endian), currently 1
 *   bytes 8..11  header length n (uint32 LE)
 *   12..12+n     header, UTF-8 JSON: { config, dtype, params: [{ name, shape }] }
 *   zero padding to a multiple of 8
 *   the parameter buffer, raw little-endian float32/float64, in the header's order
 */
import type { DType } from "../tensor";
import { RecurrentNetwork, networkParamSpecs, normalizeConfig, type Network, type NetworkConfig } from "./network";

export const MODEL_MAGIC = "TDNN";
export const MODEL_FORMAT_VERSION = 1;

interface Header {
  config: NetworkConfig;
  dtype: DType;
  params: { name: string; shape: number[] }[];
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function serializeNetwork(net: Network): Uint8Array {
  const header: Header = {
    config: net.config,
    dtype: net.dtype,
    params: net.params.entries.map((e) => ({ name: e.name, shape: [...e.shape] })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const data = net.params.data;
  const out = new Uint8Array(start + data.byteLength);
  out.set(new TextEncoder().encode(MODEL_MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, MODEL_FORMAT_VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  if (littleEndian) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), start);
  } else {
    for (let i = 0; i < data.length; i++) {
      if (net.dtype === "float64") dv.setFloat64(start + 8 * i, data[i], true);
      else dv.setFloat32(start + 4 * i, data[i], true);
    }
  }
  return out;
}

export function deserializeNetwork(bytes: Uint8Array): Network {
  if (bytes.length < 12) throw new Error("model file: too short");
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== MODEL_MAGIC) throw new Error("model file: bad magic (not a Tidecast network)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== MODEL_FORMAT_VERSION) throw new Error(`model file: unsupported format version ${version}`);
  const n = dv.getUint32(8, true);
  if (12 + n > bytes.length) throw new Error("model file: truncated header");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n))) as Header;
  if (header.dtype !== "float32" && header.dtype !== "float64") throw new Error(`model file: unknown dtype ${String(header.dtype)}`);
  const config = normalizeConfig(header.config);
  const specs = networkParamSpecs(config);
  const same = specs.length === header.params.length && specs.every((s, i) =>
    s.name === header.params[i].name && s.shape.join("x") === header.params[i].shape.join("x"));
  if (!same) throw new Error("model file: parameter layout does not match its config");
  const net = new RecurrentNetwork(config, header.dtype);
  const data = net.params.data;
  const start = Math.ceil((12 + n) / 8) * 8;
  if (bytes.length !== start + data.byteLength) throw new Error(`model file: expected ${start + data.byteLength} bytes, got ${bytes.length}`);
  if (littleEndian) {
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes.subarray(start));
  } else {
    for (let i = 0; i < data.length; i++) data[i] = header.dtype === "float64" ? dv.getFloat64(start + 8 * i, true) : dv.getFloat32(start + 4 * i, true);
  }
  return net;
}
