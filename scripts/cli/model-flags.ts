/**
 * The model-config flags every CLI command shares (--model, --horizon, --lookback, …), validated
 * by the same zod schema as the REST API and the dashboard's form.
 */
import { modelConfigSchema, type ModelConfigInput } from "../../lib/forecast/config";
import { CliError } from "./command";

export const MODEL_FLAG_OPTIONS = {
  horizon: { type: "string" },
  model: { type: "string" },
  strategy: { type: "string" },
  lookback: { type: "string" },
  epochs: { type: "string" },
  hidden: { type: "string" },
  layers: { type: "string" },
  lr: { type: "string" },
  batch: { type: "string" },
  seed: { type: "string" },
} as const;

export const MODEL_FLAGS_USAGE = `  --model M           auto | lstm | gru | rnn (default auto)
  --strategy S        auto | recursive | direct | seq2seq (default auto)
  --horizon N, --lookback N, --epochs N, --hidden N, --layers N, --lr X, --batch N, --seed S`;

export function intArg(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new CliError(`--${name} must be a whole number, got "${v}".`);
  return Number(v);
}

const FLAG_OF: Record<string, string> = { hiddenSize: "hidden", learningRate: "lr", batchSize: "batch" };

/** The flag of a config field: hiddenSize -> hidden, batchSize -> batch, … */
export function flagOf(field: string): string {
  return FLAG_OF[field] ?? field;
}

/** The model config the flags describe; a bad flag is a CliError naming it. */
export function modelConfigFromFlags(v: Partial<Record<keyof typeof MODEL_FLAG_OPTIONS, string>>): ModelConfigInput {
  const lr = v.lr === undefined ? undefined : Number(v.lr);
  if (lr !== undefined && !Number.isFinite(lr)) throw new CliError(`--lr must be a number, got "${v.lr}".`);
  const raw = {
    horizon: intArg("horizon", v.horizon),
    model: v.model,
    strategy: v.strategy,
    lookback: intArg("lookback", v.lookback),
    epochs: intArg("epochs", v.epochs),
    hiddenSize: intArg("hidden", v.hidden),
    layers: intArg("layers", v.layers),
    learningRate: lr,
    batchSize: intArg("batch", v.batch),
    seed: intArg("seed", v.seed),
  };
  const checked = modelConfigSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined)));
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const key = String(issue.path[0] ?? "");
    const message = issue.code === "invalid_value" && "values" in issue ? `must be one of ${(issue.values as unknown[]).join(", ")}` : issue.message;
    throw new CliError(`--${flagOf(key)}: ${message}.`);
  }
  return checked.data;
}
