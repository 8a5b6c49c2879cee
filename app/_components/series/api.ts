/**
 * The series page's view of the REST API: row types and one fetch function per call. Everything
 * the page reads from the runs and schedules API goes through here, normalised into these types,
 * so a change of an answer's shape touches one file.
 */
import type { ModelConfigInput } from "@/lib/forecast/config";
import type { ForecastRow } from "@/lib/export/forecast";
import type { EpochView, RunProgress } from "@/lib/runs/views";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface MetricRow {
  mae: number | null;
  rmse: number | null;
  mape: number | null;
  smape: number | null;
  mase: number | null;
  coverage80?: number | null;
  coverage95?: number | null;
}

export interface IntervalSet {
  level: number;
  lo: number[];
  hi: number[];
}

export interface Holdout {
  timestamps: number[];
  actual: number[];
  model: number[];
  intervals: IntervalSet[];
  baselines: Record<string, number[]>;
}

export interface RunMetrics {
  model: MetricRow;
  naive?: MetricRow;
  seasonalNaive?: MetricRow;
  naive2?: MetricRow;
  drift?: MetricRow;
  owa: number | null;
  beatsSeasonalNaive: boolean | null;
  note: string;
  chosen: { model: string; strategy: string; lookback: number; members: number; bestEpoch: number | null; epochsRun: number } | null;
  holdout: Holdout | null;
}

/** The runs API's epoch and progress shapes, as lib/runs/views.ts defines them. */
export type EpochPoint = EpochView;
export type { RunProgress };

export interface Run {
  id: number;
  seriesId: number;
  status: RunStatus;
  config: Partial<Record<keyof ModelConfigInput, unknown>>;
  epochsTotal: number;
  epochsDone: number;
  bestEpoch: number | null;
  metrics: RunMetrics | null;
  error: string | null;
  scheduleId: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  progress: RunProgress;
  forecastId: number | null;
  /** its forecast is the series' current one */
  isCurrent: boolean;
  /** only in the detailed read (GET /api/runs/{id}) */
  epochs?: EpochPoint[];
}

export interface Schedule {
  id: number;
  seriesId: number;
  cron: string | null;
  timezone: string;
  onNewData: boolean;
  enabled: boolean;
  config: Record<string, unknown>;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastRunId: number | null;
  lastRunStatus: string | null;
  /** the next five cron times (ISO) */
  nextRuns: string[];
}

export type ForecastRowJson = ForecastRow;

export interface ForecastData {
  run: number | null;
  model: string;
  created: string;
  ts: number[];
  value: (number | null)[];
  lo80: (number | null)[];
  hi80: (number | null)[];
  lo95: (number | null)[];
  hi95: (number | null)[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { cache: "no-store", ...init, headers: { ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers } });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? `The server answered ${res.status}.`, err?.details ?? {});
  }
  return body as T;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const parseMaybeJson = (v: unknown): unknown => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
};

function toMetricRow(v: unknown): MetricRow | undefined {
  if (!v || typeof v !== "object") return undefined;
  const m = obj(v);
  return {
    mae: num(m.mae),
    rmse: num(m.rmse),
    mape: num(m.mape),
    smape: num(m.smape),
    mase: num(m.mase),
    coverage80: num(m.coverage80),
    coverage95: num(m.coverage95),
  };
}

function toNumbers(v: unknown): number[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === "number" ? x : Number.NaN)) : [];
}

function toIntervals(v: unknown): IntervalSet[] {
  return Array.isArray(v) ? v.map((b) => ({ level: num(obj(b).level) ?? 0, lo: toNumbers(obj(b).lo), hi: toNumbers(obj(b).hi) })) : [];
}

function toMetrics(v: unknown): RunMetrics | null {
  const m = obj(parseMaybeJson(v));
  const model = toMetricRow(m.model);
  if (!model) return null;
  const h = m.holdout ? obj(m.holdout) : null;
  const c = m.chosen ? obj(m.chosen) : null;
  return {
    model,
    naive: toMetricRow(m.naive),
    seasonalNaive: toMetricRow(m.seasonalNaive),
    naive2: toMetricRow(m.naive2),
    drift: toMetricRow(m.drift),
    owa: num(m.owa),
    beatsSeasonalNaive: typeof m.beatsSeasonalNaive === "boolean" ? m.beatsSeasonalNaive : null,
    note: str(m.note) ?? "",
    chosen: c
      ? {
          model: str(c.model) ?? "",
          strategy: str(c.strategy) ?? "",
          lookback: num(c.lookback) ?? 0,
          members: num(c.members) ?? 1,
          bestEpoch: num(c.bestEpoch),
          epochsRun: num(c.epochsRun) ?? 0,
        }
      : null,
    holdout: h
      ? {
          timestamps: toNumbers(h.timestamps),
          actual: toNumbers(h.actual),
          model: toNumbers(h.model),
          intervals: toIntervals(h.intervals),
          baselines: Object.fromEntries(Object.entries(obj(h.baselines)).map(([k, arr]) => [k, toNumbers(arr)])),
        }
      : null,
  };
}

function toEpochs(v: unknown): EpochPoint[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v
    .map((e) => {
      const o = obj(e);
      return { member: num(o.member) ?? 0, epoch: num(o.epoch) ?? 0, trainLoss: num(o.trainLoss) ?? Number.NaN, valLoss: num(o.valLoss), ms: num(o.ms) ?? 0 };
    })
    .sort((a, b) => a.member - b.member || a.epoch - b.epoch);
}

function toProgress(v: unknown, run: Record<string, unknown>): RunProgress {
  const p = obj(v);
  const done = num(p.epochsDone) ?? num(run.epochsDone) ?? 0;
  const total = num(p.epochsTotal) ?? num(run.epochsTotal) ?? 0;
  return {
    epochsDone: done,
    epochsTotal: total,
    member: num(p.member),
    members: num(p.members),
    epoch: num(p.epoch),
    epochs: num(p.epochs) ?? num(obj(parseMaybeJson(run.config)).epochs) ?? total,
    percent: num(p.percent) ?? (total > 0 ? (100 * done) / total : 0),
    elapsedMs: num(p.elapsedMs),
    etaMs: num(p.etaMs),
  };
}

const STATUSES: RunStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];

export function toRun(v: unknown): Run {
  const r = obj(v);
  const status = STATUSES.includes(r.status as RunStatus) ? (r.status as RunStatus) : "queued";
  return {
    id: num(r.id) ?? 0,
    seriesId: num(r.seriesId) ?? 0,
    status,
    config: obj(parseMaybeJson(r.config)),
    epochsTotal: num(r.epochsTotal) ?? 0,
    epochsDone: num(r.epochsDone) ?? 0,
    bestEpoch: num(r.bestEpoch),
    metrics: toMetrics(r.metrics),
    error: str(r.error),
    scheduleId: num(r.scheduleId),
    createdAt: str(r.createdAt) ?? "",
    startedAt: str(r.startedAt),
    finishedAt: str(r.finishedAt),
    cancelRequested: r.cancelRequested === true || r.cancelRequested === 1,
    progress: toProgress(r.progress, r),
    forecastId: num(r.forecastId),
    isCurrent: r.isCurrent === true,
    epochs: toEpochs(r.epochs),
  };
}

function toSchedule(v: unknown): Schedule {
  const s = obj(v);
  return {
    id: num(s.id) ?? 0,
    seriesId: num(s.seriesId) ?? 0,
    cron: str(s.cron),
    timezone: str(s.timezone) ?? "UTC",
    onNewData: s.onNewData === true || s.onNewData === 1,
    enabled: s.enabled === true || s.enabled === 1,
    config: obj(parseMaybeJson(s.config)),
    nextRunAt: str(s.nextRunAt),
    lastRunAt: str(s.lastRunAt),
    lastRunId: num(s.lastRunId),
    lastRunStatus: str(s.lastRunStatus),
    nextRuns: Array.isArray(s.nextRuns) ? s.nextRuns.filter((x): x is string => typeof x === "string") : [],
  };
}

export function isInFlight(run: Run): boolean {
  return run.status === "queued" || run.status === "running";
}

// ---- series points -------------------------------------------------------------------------

export interface PointsPayload {
  ts: number[];
  value: (number | null)[];
}

export async function fetchPoints(seriesId: number): Promise<PointsPayload> {
  const body = await call<{ points: PointsPayload }>(`/api/series/${seriesId}`);
  return body.points;
}

// ---- runs ----------------------------------------------------------------------------------

export async function listRuns(seriesId: number): Promise<Run[]> {
  const body = await call<unknown>(`/api/series/${seriesId}/runs`);
  const rows = Array.isArray(body) ? body : obj(body).runs;
  return Array.isArray(rows) ? rows.map(toRun).sort((a, b) => b.id - a.id) : [];
}

export async function getRun(runId: number): Promise<Run> {
  const body = obj(await call<unknown>(`/api/runs/${runId}`));
  return toRun(body.run ?? body);
}

export async function startRun(seriesId: number, config: ModelConfigInput): Promise<Run> {
  const body = obj(await call<unknown>(`/api/series/${seriesId}/runs`, { method: "POST", body: JSON.stringify(config) }));
  return toRun(body.run ?? body);
}

export async function cancelRun(runId: number): Promise<void> {
  await call<unknown>(`/api/runs/${runId}/cancel`, { method: "POST" });
}

export async function makeCurrent(runId: number): Promise<void> {
  await call<unknown>(`/api/runs/${runId}/make-current`, { method: "POST" });
}

// ---- forecasts -----------------------------------------------------------------------------

/** A forecast from the JSON export (the current one, or a run's); null when there is none yet. */
export async function fetchForecast(seriesId: number, runId?: number): Promise<ForecastData | null> {
  try {
    const body = await call<{ rows: ForecastRowJson[] }>(`/api/series/${seriesId}/forecast.json${runId ? `?run=${runId}` : ""}`);
    const rows = body.rows;
    if (rows.length === 0) return null;
    return {
      run: rows[0].run,
      model: rows[0].model,
      created: rows[0].created,
      ts: rows.map((r) => Date.parse(r.date)),
      value: rows.map((r) => r.forecast),
      lo80: rows.map((r) => r.lo80),
      hi80: rows.map((r) => r.hi80),
      lo95: rows.map((r) => r.lo95),
      hi95: rows.map((r) => r.hi95),
    };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.code === "NO_FORECAST") return null;
    throw err;
  }
}

// ---- schedules -----------------------------------------------------------------------------

export interface ScheduleInput {
  cron: string | null;
  timezone: string;
  onNewData: boolean;
  enabled: boolean;
  config: ModelConfigInput;
}

export async function listSchedules(seriesId: number): Promise<Schedule[]> {
  const body = await call<unknown>(`/api/series/${seriesId}/schedules`);
  const rows = Array.isArray(body) ? body : obj(body).schedules;
  return Array.isArray(rows) ? rows.map(toSchedule) : [];
}

export async function createSchedule(seriesId: number, input: ScheduleInput): Promise<Schedule> {
  const body = obj(await call<unknown>(`/api/series/${seriesId}/schedules`, { method: "POST", body: JSON.stringify(input) }));
  return toSchedule(body.schedule ?? body);
}

export async function updateSchedule(id: number, patch: Partial<ScheduleInput>): Promise<Schedule> {
  const body = obj(await call<unknown>(`/api/schedules/${id}`, { method: "PATCH", body: JSON.stringify(patch) }));
  return toSchedule(body.schedule ?? body);
}

export async function deleteSchedule(id: number): Promise<void> {
  await call<unknown>(`/api/schedules/${id}`, { method: "DELETE" });
}
