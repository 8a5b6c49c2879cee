import { z } from "zod";
import { SEASON_LENGTH, type Frequency } from "../series/frequency";

/**
 * The model config of a training run. One schema validates the API body, the dashboard's form
 * and the CLI flags; every field is optional and `resolveModelConfig` fills the gaps from the
 * series' frequency and length.
 */
export const MODEL_KINDS = ["auto", "lstm", "gru", "rnn"] as const;
export const STRATEGIES = ["auto", "recursive", "direct", "seq2seq"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type Strategy = (typeof STRATEGIES)[number];

export const modelConfigSchema = z.strictObject({
  model: z.enum(MODEL_KINDS).optional(),
  strategy: z.enum(STRATEGIES).optional(),
  lookback: z.int().min(2, "Lookback must be at least 2 steps").max(1000, "Lookback must be at most 1000 steps").optional(),
  horizon: z.int().min(1, "Horizon must be at least 1 step").max(1000, "Horizon must be at most 1000 steps").optional(),
  hiddenSize: z.int().min(1, "Hidden size must be at least 1").max(512, "Hidden size must be at most 512").optional(),
  layers: z.int().min(1, "Layers must be at least 1").max(4, "Layers must be at most 4").optional(),
  epochs: z.int().min(1, "Epochs must be at least 1").max(2000, "Epochs must be at most 2000").optional(),
  learningRate: z
    .number()
    .gt(0, "Learning rate must be greater than 0")
    .max(1, "Learning rate must be at most 1")
    .optional(),
  batchSize: z.int().min(1, "Batch size must be at least 1").max(4096, "Batch size must be at most 4096").optional(),
  seed: z.int().min(0, "Seed must be 0 or more").max(4294967295, "Seed must fit in 32 bits").optional(),
});

export type ModelConfigInput = z.infer<typeof modelConfigSchema>;
export type ModelConfig = Required<ModelConfigInput>;

/** The horizon a user expects for each frequency when they do not say: about one season. */
const DEFAULT_HORIZON: Record<Frequency, number> = {
  minute: 60,
  hourly: 24,
  daily: 14,
  business: 10,
  weekly: 13,
  monthly: 12,
  quarterly: 8,
  yearly: 5,
  irregular: 10,
};

/** Fills every missing field with a default that suits the series' frequency and length. */
export function resolveModelConfig(
  input: ModelConfigInput,
  frequency: Frequency,
  seriesLength: number,
): ModelConfig {
  const season = SEASON_LENGTH[frequency];
  const horizon = input.horizon ?? DEFAULT_HORIZON[frequency];
  // A lookback of a few seasons, but leave room for enough training windows on short series.
  const wanted = Math.max(2 * season, horizon, 8);
  const room = Math.max(2, Math.floor((seriesLength - horizon) / 3));
  const lookback = input.lookback ?? Math.max(2, Math.min(wanted, room, 3 * season + 12));
  return {
    model: input.model ?? "auto",
    strategy: input.strategy ?? "auto",
    lookback,
    horizon,
    hiddenSize: input.hiddenSize ?? 32,
    layers: input.layers ?? 1,
    epochs: input.epochs ?? 100,
    learningRate: input.learningRate ?? 0.002,
    batchSize: input.batchSize ?? 32,
    seed: input.seed ?? 42,
  };
}

/** Canonical JSON of a resolved config (sorted keys): equal configs give equal strings. */
export function configKey(config: ModelConfig): string {
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(sorted);
}
