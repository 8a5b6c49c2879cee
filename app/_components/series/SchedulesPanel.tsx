"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { checkCron, nextRuns } from "@/lib/schedules/cron";
import type { ModelConfigInput } from "@/lib/forecast/config";
import { ApiError, createSchedule, deleteSchedule, listSchedules, updateSchedule, type Schedule } from "./api";
import { describeCron } from "./cronText";
import { formatLocal } from "./format";

type PresetKey = "daily" | "weekly" | "newData" | "custom";

const PRESETS: { key: PresetKey; label: string; cron: string | null; onNewData: boolean }[] = [
  { key: "daily", label: "Every day at 06:00", cron: "0 6 * * *", onNewData: false },
  { key: "weekly", label: "Every Monday at 07:00", cron: "0 7 * * 1", onNewData: false },
  { key: "newData", label: "On new data", cron: null, onNewData: true },
  { key: "custom", label: "Custom cron", cron: null, onNewData: false },
];

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

function describeSchedule(s: Schedule): string {
  const parts: string[] = [];
  if (s.cron) parts.push(describeCron(s.cron) ?? `cron "${s.cron}"`);
  if (s.onNewData) parts.push(parts.length ? "and on new data" : "On new data");
  return parts.join(" ");
}

/**
 * Retraining schedules of the series: presets or a custom cron expression with a plain-English
 * preview and the next five run times (computed here with the same croner rules the scheduler
 * uses), in a time zone; each saved schedule can be paused or deleted.
 */
export function SchedulesPanel({ seriesId, readConfig }: { seriesId: number; readConfig: () => ModelConfigInput | null }) {
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [preset, setPreset] = useState<PresetKey>("daily");
  const [custom, setCustom] = useState("0 6 * * 1-5");
  const [timezone, setTimezone] = useState("UTC");
  const [alsoNewData, setAlsoNewData] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [loadError, setLoadError] = useState("");

  // eslint-disable-next-line react-hooks/set-state-in-effect -- the browser's time zone is known only after hydration (the server renders UTC)
  useEffect(() => setTimezone(browserZone()), []);

  const refresh = useCallback(async () => {
    try {
      setSchedules(await listSchedules(seriesId));
      setLoadError("");
    } catch (err) {
      setLoadError((err as Error).message);
    }
  }, [seriesId]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a fetch: its state is set when the request answers, not during the effect
    void refresh();
  }, [refresh]);

  const chosen = PRESETS.find((p) => p.key === preset)!;
  const cron = preset === "custom" ? custom.trim() : chosen.cron;
  const onNewData = chosen.onNewData || (preset !== "newData" && alsoNewData);

  const preview = useMemo(() => {
    if (!cron) return { ok: true as const, text: onNewData ? "Retrains whenever new points are imported into this series." : "", times: [] as Date[] };
    const check = checkCron(cron, timezone);
    if (!check.ok) return { ok: false as const, field: check.field, text: check.message, times: [] as Date[] };
    let times: Date[] = [];
    try {
      times = nextRuns(cron, timezone, 5);
    } catch {
      times = [];
    }
    const text = describeCron(cron);
    return { ok: true as const, text: `${text ?? `Cron "${cron}"`}${timezone ? ` (${timezone})` : ""}${onNewData ? ", and on new data" : ""}.`, times };
  }, [cron, timezone, onNewData]);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setError("");
    if (!preview.ok) {
      setError(preview.text);
      return;
    }
    if (preset === "custom" && !cron) {
      setError("Enter a cron expression.");
      return;
    }
    const config = readConfig();
    if (!config) {
      setError("The train form has errors; a schedule retrains with its settings, so fix them first.");
      return;
    }
    setBusy(true);
    try {
      await createSchedule(seriesId, { cron, timezone, onNewData, enabled: true, config });
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const toggle = async (s: Schedule) => {
    try {
      await updateSchedule(s.id, { enabled: !s.enabled });
      await refresh();
    } catch (err) {
      setLoadError((err as Error).message);
    }
  };
  const remove = async (s: Schedule) => {
    try {
      await deleteSchedule(s.id);
      await refresh();
    } catch (err) {
      setLoadError((err as Error).message);
    }
  };

  return (
    <div>
      <form onSubmit={save} noValidate aria-label="New schedule">
        <fieldset className="tc-presets">
          <legend className="visually-hidden">When to retrain</legend>
          {PRESETS.map((p) => (
            <label key={p.key} className={preset === p.key ? "tc-chip active" : "tc-chip"}>
              <input type="radio" name="schedule-preset" value={p.key} checked={preset === p.key} onChange={() => setPreset(p.key)} />
              {p.label}
            </label>
          ))}
        </fieldset>
        <div className="tc-form-grid" style={{ marginTop: 10 }}>
          {preset === "custom" && (
            <div className="tc-field tc-span-2">
              <label className="field" htmlFor="schedule-cron">
                Cron expression
              </label>
              <input
                id="schedule-cron"
                type="text"
                value={custom}
                spellCheck={false}
                className="tc-mono"
                placeholder="minute hour day month weekday"
                aria-invalid={!preview.ok && preview.field === "cron" ? true : undefined}
                aria-describedby="schedule-preview"
                onChange={(e) => setCustom(e.target.value)}
              />
              <span className="tc-field-hint">minute hour day-of-month month day-of-week, e.g. 30 6 * * 1-5</span>
            </div>
          )}
          <div className="tc-field">
            <label className="field" htmlFor="schedule-timezone">
              Time zone
            </label>
            <input
              id="schedule-timezone"
              type="text"
              value={timezone}
              aria-invalid={!preview.ok && preview.field === "timezone" ? true : undefined}
              onChange={(e) => setTimezone(e.target.value)}
            />
          </div>
          {preset !== "newData" && (
            <label className="tc-check" style={{ alignSelf: "end" }}>
              <input type="checkbox" checked={alsoNewData} onChange={(e) => setAlsoNewData(e.target.checked)} /> Also on new data
            </label>
          )}
        </div>
        <div id="schedule-preview" className={preview.ok ? "tc-preview" : "tc-preview bad"} aria-live="polite">
          <div>{preview.text}</div>
          {preview.times.length > 0 && (
            <ol aria-label="Next run times" className="tc-times">
              {preview.times.map((t) => (
                <li key={t.toISOString()}>{formatLocal(t.toISOString())}</li>
              ))}
            </ol>
          )}
        </div>
        <div className="row" style={{ marginTop: 10 }}>
          <button type="submit" className="btn" disabled={busy}>
            {busy ? "Saving…" : "Save schedule"}
          </button>
          <span className="subtle tc-small">Scheduled runs use the train form&apos;s settings.</span>
        </div>
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
      </form>

      <h3 className="tc-h3">Saved schedules</h3>
      {loadError && (
        <p className="error-box" role="alert">
          {loadError}
        </p>
      )}
      {schedules === null ? (
        <p className="subtle">Loading…</p>
      ) : schedules.length === 0 ? (
        <p className="empty">No schedules yet.</p>
      ) : (
        <ul className="tc-schedules" aria-label="Schedules">
          {schedules.map((s) => (
            <li key={s.id} aria-label={`Schedule ${s.id}`} className={s.enabled ? undefined : "tc-disabled"}>
              <div>
                <strong>{describeSchedule(s)}</strong> <span className="subtle tc-small">{s.cron ? `${s.cron} · ${s.timezone}` : ""}</span>
                <div className="tc-small">
                  {s.enabled ? (s.nextRunAt ? `Next run: ${formatLocal(s.nextRunAt)}` : s.onNewData ? "Next run: when new data arrives" : "Next run: —") : "Paused"}
                  {s.lastRunAt && ` · last run ${formatLocal(s.lastRunAt)}${s.lastRunStatus ? ` (${s.lastRunStatus})` : ""}`}
                </div>
              </div>
              <div className="row">
                <label className="tc-check">
                  <input type="checkbox" checked={s.enabled} onChange={() => void toggle(s)} aria-label={`Enable schedule ${s.id}`} /> Enabled
                </label>
                <button type="button" className="btn danger small" onClick={() => void remove(s)} aria-label={`Delete schedule ${s.id}`}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
