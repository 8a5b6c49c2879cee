/**
 * The words and equations of the model anatomy panel: what each view shows, with the cell's
 * equations in the kernel's gate order (LSTM i, f, g, o; GRU r, z, n, PyTorch's), the same
 * notation as the lecture notes: h_t = tanh(W_h h_{t-1} + W_x x_t + b).
 */
export type Cell = "rnn" | "lstm" | "gru";

export interface GateInfo {
  key: string;
  label: string;
  /** "unit" for σ gates in (0, 1), "signed" for tanh candidates and the cell state */
  scale: "unit" | "signed";
  words: string;
}

export const GATES: Record<Cell, GateInfo[]> = {
  rnn: [],
  lstm: [
    { key: "i", label: "input gate i", scale: "unit", words: "how much of the new candidate g_t each unit writes into its cell (1: all of it)" },
    { key: "f", label: "forget gate f", scale: "unit", words: "how much of its old cell state c_{t−1} each unit keeps (1: keep everything, 0: forget)" },
    { key: "g", label: "candidate g", scale: "signed", words: "the new values proposed for the cell, from −1 to 1" },
    { key: "o", label: "output gate o", scale: "unit", words: "how much of its cell each unit shows as its hidden state h_t" },
    { key: "c", label: "cell state c", scale: "signed", words: "the long-term memory c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t, carried from step to step" },
  ],
  gru: [
    { key: "r", label: "reset gate r", scale: "unit", words: "how much of the previous state h_{t−1} the candidate n_t may look at (0: start afresh)" },
    { key: "z", label: "update gate z", scale: "unit", words: "how much of its previous state each unit keeps (1: keep h_{t−1}, 0: take the candidate n_t)" },
    { key: "n", label: "candidate n", scale: "signed", words: "the new state proposed from the input and the reset-gated memory, from −1 to 1" },
  ],
};

/** The cell's equations, one per line, in the order the kernel computes them. */
export function cellEquations(cell: Cell, nonlinearity: "tanh" | "relu" = "tanh"): string[] {
  if (cell === "rnn") return [`h_t = ${nonlinearity}(W_h h_{t−1} + W_x x_t + b)`];
  if (cell === "lstm") {
    return [
      "i_t = σ(W_xi x_t + W_hi h_{t−1} + b_i)",
      "f_t = σ(W_xf x_t + W_hf h_{t−1} + b_f)",
      "g_t = tanh(W_xg x_t + W_hg h_{t−1} + b_g)",
      "o_t = σ(W_xo x_t + W_ho h_{t−1} + b_o)",
      "c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t",
      "h_t = o_t ⊙ tanh(c_t)",
    ];
  }
  return [
    "r_t = σ(W_xr x_t + W_hr h_{t−1} + b_r)",
    "z_t = σ(W_xz x_t + W_hz h_{t−1} + b_z)",
    "n_t = tanh(W_xn x_t + b_n + r_t ⊙ (W_hn h_{t−1} + b_hn))",
    "h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
  ];
}

export function hiddenCaption(cell: Cell, layer: number, layers: number, steps: number): string {
  const which = layers > 1 ? ` of layer ${layer + 1} (of ${layers}; layer 1 reads the window, each layer above reads the hidden states of the one below)` : "";
  const how =
    cell === "rnn"
      ? "At every step it mixes the new input x_t with what it remembered, h_{t−1}"
      : cell === "lstm"
        ? "Each step it is read out of the cell state through the output gate"
        : "Each step it moves toward a new candidate as far as the update gate lets it";
  return `The hidden state h_t${which}: the network's memory as it reads the ${steps} steps of the window, one row per unit, one column per step. ${how}, with the same weights at every step. The last column is the state the forecast is made from.`;
}

export function weightsCaption(cell: Cell, gate: string | null): string {
  const block = gate === null ? "" : ` of the ${GATES[cell].find((g) => g.key === gate)?.label ?? gate}`;
  const bias = cell === "gru" && gate === "n" ? " b_n and b_hn (b_hn is multiplied by the reset gate)" : " b (both PyTorch biases added)";
  return `The weights${block} that every step shares: row j is unit j; the columns are W_x (one per input of x_t), W_h (one per unit of h_{t−1}) and the bias${bias}. The same matrix is applied at each of the window's steps: that is why the network can read a window of any length.`;
}

export const ATTRIBUTION_CAPTION =
  "How much each past value and each position feature moved the forecast away from the baseline forecast, by integrated gradients: each input's change from the baseline times the average gradient of the forecast along the straight path from the baseline to the window. Bars above zero pushed the forecast up, below zero down.";
