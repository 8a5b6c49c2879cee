import { MODEL_KINDS, STRATEGIES, modelConfigSchema, resolveModelConfig, type ModelConfig, type ModelConfigInput } from "@/lib/forecast/config";
import { checkBudget, fieldLimits, type BudgetField, type TrainingBudget } from "@/lib/forecast/budget";
import type { Frequency } from "@/lib/series/frequency";

/**
 * The train form's fields and their validation: the values are strings (what inputs hold), read
 * into a config and checked with the SAME zod schema the API uses, so a message next to a field
 * is exactly what the server would answer.
 */
export type FieldKey = keyof ModelConfig;
export type TrainValues = Record<FieldKey, string>;
export type FieldErrors = Partial<Record<FieldKey, string>>;

export const NUMBER_FIELDS: { key: Exclude<FieldKey, "model" | "strategy">; label: string; integer: boolean; hint: string }[] = [
  { key: "lookback", label: "Lookback", integer: true, hint: "past steps the network reads" },
  { key: "horizon", label: "Horizon", integer: true, hint: "steps to forecast" },
  { key: "hiddenSize", label: "Hidden size", integer: true, hint: "units per layer" },
  { key: "layers", label: "Layers", integer: true, hint: "stacked recurrent layers" },
  { key: "epochs", label: "Epochs", integer: true, hint: "at most; early stopping may end sooner" },
  { key: "learningRate", label: "Learning rate", integer: false, hint: "Adam step size" },
  { key: "batchSize", label: "Batch size", integer: true, hint: "windows per step" },
  { key: "seed", label: "Seed", integer: true, hint: "same seed, same run" },
];

export const MODEL_OPTIONS: { value: (typeof MODEL_KINDS)[number]; label: string }[] = [
  { value: "auto", label: "Auto (pick the best on validation)" },
  { value: "lstm", label: "LSTM" },
  { value: "gru", label: "GRU" },
  { value: "rnn", label: "RNN" },
];

export const STRATEGY_OPTIONS: { value: (typeof STRATEGIES)[number]; label: string }[] = [
  { value: "auto", label: "Auto" },
  { value: "recursive", label: "Recursive (one step, fed back)" },
  { value: "direct", label: "Direct (all steps at once)" },
  { value: "seq2seq", label: "Seq2seq (encoder–decoder)" },
];

export function valuesFromConfig(c: ModelConfig): TrainValues {
  return {
    model: c.model,
    strategy: c.strategy,
    lookback: String(c.lookback),
    horizon: String(c.horizon),
    hiddenSize: String(c.hiddenSize),
    layers: String(c.layers),
    epochs: String(c.epochs),
    learningRate: String(c.learningRate),
    batchSize: String(c.batchSize),
    seed: String(c.seed),
  };
}

/** Reads the form into a config; an empty field is left out (the server fills its default). */
export function readTrainValues(values: TrainValues): { ok: true; config: ModelConfigInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const raw: Record<string, unknown> = { model: values.model, strategy: values.strategy };
  for (const f of NUMBER_FIELDS) {
    const text = values[f.key].trim();
    if (text === "") continue;
    const n = Number(text);
    if (!Number.isFinite(n)) errors[f.key] = `${f.label} must be a number`;
    else if (f.integer && !Number.isInteger(n)) errors[f.key] = `${f.label} must be a whole number`;
    else raw[f.key] = n;
  }
  const parsed = modelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (typeof key === "string" && key in values && !errors[key as FieldKey]) errors[key as FieldKey] = issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, config: parsed.data };
}

/** What the server checks a run against: its training budget and the series' length and frequency. */
export interface BudgetContext {
  budget: TrainingBudget;
  seriesLength: number;
  frequency: Frequency;
}

/**
 * The server's budget check (lib/forecast/budget.ts) on a config the schema accepted, resolved
 * with the same defaults: the message under the field the API would name, and every field's
 * largest value that fits with the others as they are (the form's hints).
 */
export function budgetOf(config: ModelConfigInput, ctx: BudgetContext): { errors: FieldErrors; limits: Record<BudgetField, number> } {
  const resolved = resolveModelConfig(config, ctx.frequency, ctx.seriesLength);
  const check = checkBudget(resolved, ctx.seriesLength, ctx.budget, Object.keys(config));
  return { errors: check.ok ? {} : { [check.field]: check.message }, limits: fieldLimits(resolved, ctx.seriesLength, ctx.budget) };
}
