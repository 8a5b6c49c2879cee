import { modelConfigSchema, type ModelConfig } from "./config";

/**
 * The training budget: what a run will cost, estimated from its resolved config and the series'
 * real length before it is queued, so that a run that cannot fit, or would pin a worker for days
 * or run it out of memory, is refused with a 400 naming the field and its limit. The API's run
 * endpoint and the dashboard's train form apply the same check.
 *
 * cost   = windows × lookback × hidden² × layers × epochs × members: the multiply-adds of the
 *          recurrent matrices per epoch, up to a constant (×4 gates for an LSTM, ×3 for forward
 *          and backward); on the development machine about 1e13 units is two to three hours
 *          of one core for an LSTM (bench/kernel.ts);
 * memory = the peak of one member's training: its windows (inputs and targets), the activations
 *          a batch caches for backpropagation and their gradients, and weights with Adam's state.
 * Both are upper bounds: early stopping, the engine's shorter alternative lookback and a
 * recursive strategy's single output only make a run cheaper.
 */
export interface TrainingBudget {
  /** cost units a run may take (see above) */
  maxCost: number;
  /** bytes one member's training may hold */
  maxMemoryBytes: number;
}

export const DEFAULT_BUDGET: TrainingBudget = { maxCost: 1e13, maxMemoryBytes: 2048 * 1048576 };

/** The budget from TIDECAST_MAX_TRAINING_COST and TIDECAST_MAX_TRAINING_MB (defaults above). */
export function budgetFromEnv(env: Record<string, string | undefined>): TrainingBudget {
  const num = (raw: string | undefined, fallback: number) => {
    const v = Number(raw);
    return raw !== undefined && raw.trim() !== "" && Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    maxCost: num(env.TIDECAST_MAX_TRAINING_COST, DEFAULT_BUDGET.maxCost),
    maxMemoryBytes: num(env.TIDECAST_MAX_TRAINING_MB, DEFAULT_BUDGET.maxMemoryBytes / 1048576) * 1048576,
  };
}

export interface RunEstimate {
  windows: number;
  /** networks trained: the candidates the engine screens, the ensemble, and the final refits */
  members: number;
  cost: number;
  memoryBytes: number;
}

/** Inputs per time step of the app's runs: the value, the season's sin/cos and the step index (prep.ts). */
const INPUTS_PER_STEP = 4;
/** Floats an LSTM step caches per unit (4 gates, cell and hidden state), and as many for their gradients. */
const FLOATS_PER_UNIT_STEP = 12;

/**
 * Networks one run trains (see `progress.planned` in engine.ts): each strategy screened, then
 * for `auto` a shorter lookback, a second preparation, three more ensemble members and the
 * refit of the four; an explicit model refits its one network.
 */
export function membersOf(config: Pick<ModelConfig, "model" | "strategy">): number {
  const strategies = config.strategy === "auto" ? 3 : 1;
  return config.model === "auto" ? strategies + 1 + 1 + 3 + 4 : strategies + 1;
}

export function estimateRun(config: ModelConfig, seriesLength: number): RunEstimate {
  const windows = Math.max(1, seriesLength - config.lookback - config.horizon + 1);
  const members = membersOf(config);
  const { lookback: L, horizon: H, hiddenSize: h, layers } = config;
  const cost = windows * L * h * h * layers * config.epochs * members;
  const batch = Math.min(config.batchSize, windows);
  const windowFloats = windows * (L * INPUTS_PER_STEP + H);
  const activationFloats = batch * (L + H) * layers * h * FLOATS_PER_UNIT_STEP;
  const weightFloats = layers * 4 * h * (h + INPUTS_PER_STEP + 1) + h * H;
  const memoryBytes = 4 * (2 * windowFloats + activationFloats + 4 * weightFloats);
  return { windows, members, cost, memoryBytes };
}

export type BudgetField = "lookback" | "horizon" | "hiddenSize" | "layers" | "epochs" | "batchSize";

export type BudgetCheck =
  | { ok: true; estimate: RunEstimate }
  | { ok: false; reason: "series-length" | "cost" | "memory"; field: BudgetField; limit: number; message: string; estimate: RunEstimate };

const FIELD_LABEL: Record<BudgetField, string> = {
  lookback: "Lookback",
  horizon: "Horizon",
  hiddenSize: "Hidden size",
  layers: "Layers",
  epochs: "Epochs",
  batchSize: "Batch size",
};
const BUDGET_FIELDS: BudgetField[] = ["lookback", "horizon", "hiddenSize", "layers", "epochs", "batchSize"];
/** Each field's range, from the config schema. */
const bound = (field: BudgetField, which: "minValue" | "maxValue"): number => modelConfigSchema.shape[field].unwrap()[which] ?? 1;
const FIELD_MIN = Object.fromEntries(BUDGET_FIELDS.map((f) => [f, bound(f, "minValue")])) as Record<BudgetField, number>;
const FIELD_MAX = Object.fromEntries(BUDGET_FIELDS.map((f) => [f, bound(f, "maxValue")])) as Record<BudgetField, number>;
/** The fields a user lowers to make a run cheaper, in the order we suggest them. */
const COST_FIELDS: BudgetField[] = ["epochs", "hiddenSize", "layers", "lookback"];
const MEMORY_FIELDS: BudgetField[] = ["batchSize", "hiddenSize", "layers", "lookback"];

const fits = (config: ModelConfig, n: number, budget: TrainingBudget) => {
  const e = estimateRun(config, n);
  return e.cost <= budget.maxCost && e.memoryBytes <= budget.maxMemoryBytes;
};

/**
 * The largest value of `field` up to its current one (others as they are) that fits the series
 * and the budget; 0 if none. A downward scan, not a bisection: the cost is not monotone in the
 * lookback (a longer one leaves fewer windows). At most a few thousand estimates, microseconds each.
 */
export function largestFitting(config: ModelConfig, field: BudgetField, seriesLength: number, budget: TrainingBudget): number {
  let hi = config[field];
  if (field === "lookback") hi = Math.min(hi, seriesLength - config.horizon);
  if (field === "horizon") hi = Math.min(hi, seriesLength - config.lookback, seriesLength - 2);
  for (let v = hi; v >= FIELD_MIN[field]; v--) if (fits({ ...config, [field]: v }, seriesLength, budget)) return v;
  return 0;
}

const fmt = (v: number) => (v >= 1e4 ? v.toExponential(1).replace("e+", "e") : String(Math.round(v)));

/**
 * Whether a run with this resolved config fits a series of `seriesLength` points and the budget.
 * `explicit` are the fields the user set: a refusal names one of them when lowering it helps.
 */
export function checkBudget(config: ModelConfig, seriesLength: number, budget: TrainingBudget, explicit: Iterable<string> = []): BudgetCheck {
  const estimate = estimateRun(config, seriesLength);
  const set = new Set(explicit);
  const n = seriesLength;
  if (config.horizon > n - 2) {
    return { ok: false, reason: "series-length", field: "horizon", limit: Math.max(0, n - 2), estimate, message: `Horizon ${config.horizon} does not fit a series of ${n} points: it can be at most ${Math.max(0, n - 2)}.` };
  }
  if (config.lookback + config.horizon > n) {
    const field: BudgetField = set.has("lookback") || !set.has("horizon") ? "lookback" : "horizon";
    const limit = field === "lookback" ? n - config.horizon : n - config.lookback;
    return {
      ok: false,
      reason: "series-length",
      field,
      limit: Math.max(0, limit),
      estimate,
      message: `Lookback ${config.lookback} plus horizon ${config.horizon} is longer than the series (${n} points): ${FIELD_LABEL[field].toLowerCase()} can be at most ${Math.max(0, limit)}.`,
    };
  }
  const overMemory = estimate.memoryBytes > budget.maxMemoryBytes;
  const overCost = estimate.cost > budget.maxCost;
  if (!overMemory && !overCost) return { ok: true, estimate };
  const candidates = (overMemory ? MEMORY_FIELDS : COST_FIELDS).map((field) => ({ field, limit: largestFitting(config, field, n, budget) }));
  const helpful = candidates.filter((c) => c.limit > 0);
  const pick = helpful.find((c) => set.has(c.field)) ?? helpful[0] ?? candidates[0];
  const what = overMemory
    ? `would need about ${Math.ceil(estimate.memoryBytes / 1048576)} MB of memory (limit ${Math.round(budget.maxMemoryBytes / 1048576)} MB, TIDECAST_MAX_TRAINING_MB)`
    : `would cost ${fmt(estimate.cost)} units (${fmt(estimate.windows)} windows × lookback × hidden² × layers × epochs × ${estimate.members} networks; budget ${fmt(budget.maxCost)}, TIDECAST_MAX_TRAINING_COST)`;
  const advice = pick.limit > 0 ? `with the other settings as they are, ${FIELD_LABEL[pick.field].toLowerCase()} can be at most ${pick.limit}` : "no value of one field alone brings it within budget";
  return { ok: false, reason: overMemory ? "memory" : "cost", field: pick.field, limit: pick.limit, estimate, message: `This run ${what}: ${advice}.` };
}

/** Per field, the largest value that fits with the others as they are (what the form shows). */
export function fieldLimits(config: ModelConfig, seriesLength: number, budget: TrainingBudget): Record<BudgetField, number> {
  const out = {} as Record<BudgetField, number>;
  for (const field of BUDGET_FIELDS) out[field] = largestFitting({ ...config, [field]: FIELD_MAX[field] }, field, seriesLength, budget);
  return out;
}
