"use client";

import { useState } from "react";
import { ApiError, startRun, type Run } from "./api";
import {
  MODEL_OPTIONS,
  NUMBER_FIELDS,
  STRATEGY_OPTIONS,
  budgetOf,
  readTrainValues,
  type BudgetContext,
  type FieldErrors,
  type FieldKey,
  type TrainValues,
} from "./trainConfig";
import type { BudgetField } from "@/lib/forecast/budget";

/**
 * "Train model": every field of the model config, prefilled with the defaults for the series'
 * frequency and length, validated as you type with the API's own schema; the message sits under
 * the field it is about. The training budget is checked the same way before submitting, and each
 * field's hint says how large it may be with the others as they are.
 */
export function TrainForm({
  seriesId,
  values,
  defaults,
  onChange,
  onStarted,
  budget,
}: {
  seriesId: number;
  budget: BudgetContext;
  values: TrainValues;
  defaults: TrainValues;
  onChange: (v: TrainValues) => void;
  onStarted: (run: Run) => void;
}) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [touched, setTouched] = useState<Partial<Record<FieldKey, boolean>>>({});
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState("");

  // Schema first, then the budget on what the schema accepted (as the API does).
  const validate = (v: TrainValues) => {
    const r = readTrainValues(v);
    if (!r.ok) return { config: null, errors: r.errors };
    const { errors: over } = budgetOf(r.config, budget);
    return { config: Object.keys(over).length ? null : r.config, errors: over };
  };
  const parsed = readTrainValues(values);
  const limits: Partial<Record<BudgetField, number>> = parsed.ok ? budgetOf(parsed.config, budget).limits : {};

  const set = (key: FieldKey, v: string) => {
    const next = { ...values, [key]: v };
    onChange(next);
    setErrors(validate(next).errors);
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setFormError("");
    const r = validate(values);
    setTouched(Object.fromEntries(Object.keys(values).map((k) => [k, true])));
    if (!r.config) {
      setErrors(r.errors);
      return;
    }
    setBusy(true);
    try {
      const run = await startRun(seriesId, r.config);
      onStarted(run);
    } catch (err) {
      if (err instanceof ApiError) {
        const field = fieldOf(err.details);
        if (field) {
          setErrors((prev) => ({ ...prev, [field]: err.message }));
          setTouched((prev) => ({ ...prev, [field]: true }));
        } else setFormError(err.message);
      } else setFormError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const shown = (key: FieldKey) => (touched[key] || values[key] !== defaults[key] ? errors[key] : undefined);

  return (
    <form onSubmit={submit} noValidate aria-label="Train a model">
      <div className="tc-form-grid">
        <div className="tc-field">
          <label className="field" htmlFor="train-model">
            Model
          </label>
          <select id="train-model" value={values.model} onChange={(e) => set("model", e.target.value)}>
            {MODEL_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="tc-field">
          <label className="field" htmlFor="train-strategy">
            Strategy
          </label>
          <select id="train-strategy" value={values.strategy} onChange={(e) => set("strategy", e.target.value)}>
            {STRATEGY_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {NUMBER_FIELDS.map((f) => {
          const msg = shown(f.key);
          const id = `train-${f.key}`;
          return (
            <div key={f.key} className="tc-field">
              <label className="field" htmlFor={id}>
                {f.label}
              </label>
              <input
                id={id}
                type="text"
                inputMode={f.integer ? "numeric" : "decimal"}
                value={values[f.key]}
                placeholder={defaults[f.key]}
                aria-invalid={msg ? true : undefined}
                aria-describedby={msg ? `${id}-error` : `${id}-hint`}
                onChange={(e) => set(f.key, e.target.value)}
                onBlur={() => setTouched((t) => ({ ...t, [f.key]: true }))}
              />
              {msg ? (
                <span id={`${id}-error`} className="tc-field-error">
                  {msg}
                </span>
              ) : (
                <span id={`${id}-hint`} className="tc-field-hint">
                  {f.hint}
                  {f.key in limits ? ` · at most ${limits[f.key as BudgetField]}` : ""}
                </span>
              )}
            </div>
          );
        })}
      </div>
      <div className="row" style={{ marginTop: 12 }}>
        <button type="submit" className="btn" disabled={busy}>
          {busy ? "Starting…" : "Train model"}
        </button>
        <button
          type="button"
          className="btn secondary"
          onClick={() => {
            onChange(defaults);
            setErrors({});
            setTouched({});
          }}
        >
          Reset to defaults
        </button>
      </div>
      {formError && (
        <p className="error-box" role="alert">
          {formError}
        </p>
      )}
    </form>
  );
}

/** The config field an API error names, if any (`details.field`, `details.path`, `details.fields`). */
function fieldOf(details: Record<string, unknown>): FieldKey | null {
  const candidates = [details.field, Array.isArray(details.path) ? details.path[details.path.length - 1] : details.path];
  const fields = details.fields;
  if (fields && typeof fields === "object") candidates.push(...Object.keys(fields));
  if (Array.isArray(details.issues)) {
    for (const i of details.issues) {
      const p = (i as { path?: unknown }).path;
      if (Array.isArray(p)) candidates.push(p[p.length - 1]);
    }
  }
  for (const c of candidates) {
    if (typeof c === "string") {
      const key = c.replace(/^config\./, "");
      if (["model", "strategy", ...NUMBER_FIELDS.map((f) => f.key)].includes(key)) return key as FieldKey;
    }
  }
  return null;
}
