import { describe, expect, it } from "vitest";
import { DEFAULT_BUDGET, budgetFromEnv, checkBudget, estimateRun, fieldLimits, largestFitting, membersOf, type BudgetField } from "@/lib/forecast/budget";
import { resolveModelConfig, type ModelConfig } from "@/lib/forecast/config";

const base: ModelConfig = { model: "gru", strategy: "direct", lookback: 12, horizon: 6, hiddenSize: 4, layers: 1, epochs: 8, learningRate: 0.01, batchSize: 16, seed: 7 };

describe("training cost estimate", () => {
  it("is windows × lookback × hidden² × layers × epochs × networks", () => {
    // 120 points, lookback 12, horizon 6: windows 120 - 12 - 6 + 1 = 103; gru + direct: 1 screened + 1 refit.
    const e = estimateRun(base, 120);
    expect(e.windows).toBe(103);
    expect(e.members).toBe(2);
    expect(e.cost).toBe(103 * 12 * 16 * 1 * 8 * 2);
  });

  it("counts the networks auto trains: strategies screened, alternatives, ensemble and refits", () => {
    expect(membersOf({ model: "auto", strategy: "auto" })).toBe(3 + 1 + 1 + 3 + 4);
    expect(membersOf({ model: "auto", strategy: "recursive" })).toBe(1 + 1 + 1 + 3 + 4);
    expect(membersOf({ model: "lstm", strategy: "auto" })).toBe(3 + 1);
  });

  it("estimates memory from windows, batch activations and weights (hand count)", () => {
    // windows 103 × (12 × 4 inputs + 6 targets) floats, twice; batch 16 × (12 + 6) steps × 1 layer × 4 units × 12;
    // weights 1 × 4 × 4 × (4 + 4 + 1) + 4 × 6, four times (weights, gradients, Adam's two moments).
    const floats = 2 * 103 * (12 * 4 + 6) + 16 * 18 * 4 * 12 + 4 * (4 * 4 * 9 + 24);
    expect(estimateRun(base, 120).memoryBytes).toBe(4 * floats);
  });
});

describe("training budget check", () => {
  it("refuses the issue's run (form maxima on 111 points) on the lookback, which cannot fit", () => {
    const input = { lookback: 1000, hiddenSize: 512, layers: 4, batchSize: 4096, epochs: 2000 };
    const check = checkBudget(resolveModelConfig(input, "monthly", 111), 111, DEFAULT_BUDGET, Object.keys(input));
    expect(check).toMatchObject({ ok: false, reason: "series-length", field: "lookback", limit: 111 - 12 });
  });

  it("refuses a horizon the series cannot hold", () => {
    const check = checkBudget({ ...base, horizon: 200 }, 111, DEFAULT_BUDGET, ["horizon"]);
    expect(check).toMatchObject({ ok: false, field: "horizon", limit: 109 });
  });

  it("names a field the user set, with the largest value that fits: that value passes, one more fails", () => {
    const budget = { maxCost: 2e7, maxMemoryBytes: 2 ** 31 };
    const cases: [Partial<ModelConfig>, BudgetField][] = [
      [{ epochs: 2000 }, "epochs"],
      [{ hiddenSize: 512 }, "hiddenSize"],
      [{ layers: 4, hiddenSize: 64 }, "hiddenSize"],
      [{ layers: 4, lookback: 50 }, "layers"],
      [{ lookback: 900 }, "lookback"],
    ];
    for (const [input, field] of cases) {
      const config = { ...base, ...input };
      const explicit = Object.keys(input);
      const check = checkBudget(config, 1000, budget, explicit);
      if (check.ok) throw new Error(`${JSON.stringify(input)} should be over budget`);
      expect(check.field, JSON.stringify(input)).toBe(field);
      expect(checkBudget({ ...config, [field]: check.limit }, 1000, budget).ok).toBe(true);
      expect(checkBudget({ ...config, [field]: check.limit + 1 }, 1000, budget).ok).toBe(false);
    }
  });

  it("puts memory first, on the batch size", () => {
    const config = { ...base, lookback: 500, hiddenSize: 512, layers: 4, batchSize: 4096 };
    const check = checkBudget(config, 100_000, { maxCost: 1e30, maxMemoryBytes: 2 ** 31 }, ["batchSize", "lookback", "hiddenSize", "layers"]);
    expect(check).toMatchObject({ ok: false, reason: "memory", field: "batchSize" });
  });

  it("accepts the defaults on ordinary series", () => {
    for (const [freq, n] of [["monthly", 120], ["daily", 3650], ["hourly", 100_000]] as const) {
      expect(checkBudget(resolveModelConfig({}, freq, n), n, DEFAULT_BUDGET).ok, `${freq} ${n}`).toBe(true);
    }
  });

  it("gives each field's limit for the form, consistent with the check", () => {
    const limits = fieldLimits(base, 120, DEFAULT_BUDGET);
    expect(limits.lookback).toBe(120 - 6);
    expect(limits.horizon).toBe(120 - 12);
    expect(largestFitting({ ...base, lookback: 1000 }, "lookback", 120, DEFAULT_BUDGET)).toBe(114);
  });

  it("reads TIDECAST_MAX_TRAINING_COST and TIDECAST_MAX_TRAINING_MB", () => {
    expect(budgetFromEnv({ TIDECAST_MAX_TRAINING_COST: "5e11", TIDECAST_MAX_TRAINING_MB: "512" })).toEqual({ maxCost: 5e11, maxMemoryBytes: 512 * 1048576 });
    expect(budgetFromEnv({ TIDECAST_MAX_TRAINING_COST: "lots" })).toEqual(DEFAULT_BUDGET);
  });
});
