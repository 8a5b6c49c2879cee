/**
 * Reading what a recurrent stack computed in its last forward: the hidden states, LSTM cell
 * states and the gate activations of one sample, step by step. Nothing is recomputed after a
 * training forward: these are the caches the forward pass keeps for backward, which each layer
 * hands out in PyTorch's layout through `RecurrentLayer.states()` (the kernels keep their own
 * layouts); after a forward-only (inference) pass the layer recomputes its forward once.
 *
 * Contract (see README.md): valid after `RecurrentStack.forward` (or a network's `forward`) and
 * until the next one; backward leaves the caches alone. The layouts read here (LayerStates) are
 *   h [T+1, B, H] (row 0 = h0), c [T+1, B, H] (LSTM),
 *   gates [T, B, G·H] holding the activations LSTM i | f | g | o, GRU r | z | n.
 * tests/unit/nn/activations.test.ts holds this module to PyTorch on every kernel set.
 */
import type { Floats } from "../tensor";
import type { RecurrentNetwork } from "./network";
import type { CellKind, RecurrentStack } from "./recurrent";

/** The gates of each cell in the kernel's (PyTorch's) order. */
export const GATE_NAMES = {
  rnn: [],
  lstm: ["i", "f", "g", "o"],
  gru: ["r", "z", "n"],
} as const satisfies Record<CellKind, readonly string[]>;

export type GateName = (typeof GATE_NAMES)[CellKind][number];

/** One layer's activations for one sample; every array is row-major [T, H] (step t, unit j at t·H + j). */
export interface LayerActivations {
  cell: CellKind;
  steps: number;
  hiddenSize: number;
  /** h_1 .. h_T */
  h: Float64Array;
  /** LSTM c_1 .. c_T */
  c?: Float64Array;
  /** gate activations by name (empty for the plain RNN) */
  gates: Partial<Record<GateName, Float64Array>>;
}

/** Copies block [rowOff + t·rowStride + colOff, +H) for t = 0..T-1 into a [T, H] array. */
function gather(src: Floats, T: number, H: number, first: number, stride: number): Float64Array {
  const out = new Float64Array(T * H);
  for (let t = 0; t < T; t++) {
    const o = first + t * stride;
    for (let j = 0; j < H; j++) out[t * H + j] = src[o + j];
  }
  return out;
}

/** The activations of sample `b` of the stack's last forward, layer 0 first. */
export function stackActivations(stack: RecurrentStack, b: number): LayerActivations[] {
  const B = stack.batch, T = stack.length, H = stack.spec.hiddenSize, cell = stack.spec.cell;
  if (B === 0 || T === 0) throw new Error("stackActivations: no forward pass to read");
  if (!Number.isInteger(b) || b < 0 || b >= B) throw new Error(`stackActivations: sample ${b} is not in the last batch of ${B}`);
  const BH = B * H;
  return stack.layers.map((layer): LayerActivations => {
    const st = layer.states(); // one copy per layer, in PyTorch's layout
    const h = gather(st.h, T, H, BH + b * H, BH);
    const all = st.gates;
    if (cell === "rnn" || all === null) return { cell, steps: T, hiddenSize: H, h, gates: {} };
    const names = GATE_NAMES[cell], G = names.length * H, gates: LayerActivations["gates"] = {};
    names.forEach((name, q) => (gates[name] = gather(all, T, H, b * G + q * H, B * G)));
    if (cell === "lstm" && st.c !== null) return { cell, steps: T, hiddenSize: H, h, c: gather(st.c, T, H, BH + b * H, BH), gates };
    return { cell, steps: T, hiddenSize: H, h, gates };
  });
}

/** A network's activations for sample `b` of its last forward: the encoder over the window and, for seq2seq, the decoder over the horizon. */
export function networkActivations(net: RecurrentNetwork, b: number): { encoder: LayerActivations[]; decoder: LayerActivations[] | null } {
  return { encoder: stackActivations(net.encoder, b), decoder: net.decoder ? stackActivations(net.decoder, b) : null };
}
