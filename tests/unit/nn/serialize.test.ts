import { describe, expect, it } from "vitest";
import { MODEL_FORMAT_VERSION, createNetwork, deserializeNetwork, serializeNetwork, type NetworkConfig } from "../../../lib/nn";
import { mulberry32 } from "../../../lib/tensor";

function bytesOf(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const configs: NetworkConfig[] = [
  { kind: "many-to-one", cell: "lstm", inputSize: 2, hiddenSize: 6, numLayers: 2, outputSize: 3, dropout: 0.1, forgetBias: 1 },
  { kind: "seq2seq", cell: "gru", inputSize: 1, hiddenSize: 5, numLayers: 1, outputSize: 4, futureSize: 2 },
  { kind: "many-to-one", cell: "rnn", nonlinearity: "relu", inputSize: 1, hiddenSize: 3, numLayers: 1, outputSize: 1 },
];

describe("serialization", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const config of configs) {
      it(`${config.kind} ${config.cell} ${dtype} round-trips bit-for-bit`, () => {
        const net = createNetwork(config, mulberry32(42), dtype);
        const bytes = serializeNetwork(net);
        expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("TDNN");
        expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(MODEL_FORMAT_VERSION);
        const back = deserializeNetwork(bytes);
        expect(back.dtype).toBe(dtype);
        expect(back.config).toEqual(net.config);
        expect(back.params.names()).toEqual(net.params.names());
        expect(Buffer.from(bytesOf(back.params.data)).equals(Buffer.from(bytesOf(net.params.data)))).toBe(true);
        expect(Buffer.from(serializeNetwork(back)).equals(Buffer.from(bytes))).toBe(true);
        // and it computes the same predictions
        const B = 2, T = 4, x = new Float64Array(B * T * config.inputSize).map((_, i) => Math.sin(i));
        const xs = dtype === "float32" ? Float32Array.from(x) : x;
        const future = config.kind === "seq2seq" ? new Float64Array(B * config.outputSize * (config.futureSize ?? 1)).fill(0.5) : undefined;
        const fs = future && dtype === "float32" ? Float32Array.from(future) : future;
        const a = Array.from(net.forward({ size: B, seqLen: T, x: xs, future: fs }, false));
        const b = Array.from(back.forward({ size: B, seqLen: T, x: xs, future: fs }, false));
        expect(b).toEqual(a);
      });
    }
  }

  it("rejects foreign or damaged bytes", () => {
    const bytes = serializeNetwork(createNetwork(configs[0], mulberry32(1)));
    const bad = bytes.slice();
    bad[0] = 0x58;
    expect(() => deserializeNetwork(bad)).toThrow(/magic/);
    const v2 = bytes.slice();
    new DataView(v2.buffer).setUint32(4, 99, true);
    expect(() => deserializeNetwork(v2)).toThrow(/version/);
    expect(() => deserializeNetwork(bytes.subarray(0, bytes.length - 4))).toThrow(/bytes/);
    expect(() => deserializeNetwork(new Uint8Array(3))).toThrow(/short/);
  });

  it("initialisation is seeded and PyTorch-like", () => {
    const cfg = configs[0];
    const a = createNetwork(cfg, mulberry32(7));
    const b = createNetwork(cfg, mulberry32(7));
    const c = createNetwork(cfg, mulberry32(8));
    expect(Array.from(a.params.data)).toEqual(Array.from(b.params.data));
    expect(Array.from(a.params.data)).not.toEqual(Array.from(c.params.data));
    const bound = 1 / Math.sqrt(cfg.hiddenSize);
    const w = a.params.value("weight_hh_l1");
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeLessThanOrEqual(bound);
    // forgetBias 1 shifts the forget block of bias_ih (rows H..2H) only
    const bih = a.params.value("bias_ih_l0"), H = cfg.hiddenSize;
    for (let j = 0; j < 4 * H; j++) {
      if (j >= H && j < 2 * H) expect(bih[j]).toBeGreaterThan(1 - bound - 1e-6);
      else expect(Math.abs(bih[j])).toBeLessThanOrEqual(bound + 1e-6);
    }
    expect(a.params.names()).toEqual([
      "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "head.weight", "head.bias",
    ]);
    const s2s = createNetwork(configs[1], mulberry32(1));
    expect(s2s.params.names()).toContain("decoder.weight_ih_l0");
    expect([...s2s.params.entry("decoder.weight_ih_l0").shape]).toEqual([15, 2]);
    expect([...s2s.params.entry("head.weight").shape]).toEqual([1, 5]);
  });

  it("validates the config", () => {
    expect(() => createNetwork({ ...configs[0], hiddenSize: 0 }, mulberry32(1))).toThrow(/hiddenSize/);
    expect(() => createNetwork({ ...configs[0], dropout: 1 }, mulberry32(1))).toThrow(/dropout/);
    const net = createNetwork(configs[0], mulberry32(1));
    expect(() => net.forward({ size: 2, seqLen: 3, x: new Float32Array(5) }, false)).toThrow(/batch.x/);
  });
});
