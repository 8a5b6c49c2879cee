/**
 * The pages' view of the REST API: one fetch function per call, typed with the server's own
 * types (shared from lib/, type-only imports), reading exactly the shapes the routes answer.
 */
import type { ModelConfigInput } from "@/lib/forecast/config";
import type { ForecastRow } from "@/lib/export/forecast";
import type { EventView } from "@/lib/events/types";
import type { RunView } from "@/lib/runs/views";
import type { ScheduleView } from "@/lib/schedules/store";
import type { PromoteMode } from "@/lib/accuracy/promotion";
import type { PastForecastView, SeriesAccuracyView } from "@/lib/scoring/views";
import type { AlertRules } from "@/lib/accuracy/rules";

export type { RunMetrics, MetricValues, RunHoldout } from "@/lib/runs/metrics";
export type { EpochView, RunProgress } from "@/lib/runs/views";
export type { PromotionView } from "@/lib/runs/promotions";
export type Run = RunView;
export type RunStatus = RunView["status"];
export type Schedule = ScheduleView;
export type { EventView, PastForecastView, SeriesAccuracyView };

/** A forecast as the series page draws it (columns of the JSON export's rows). */
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

/** One call: the parsed JSON body, or an ApiError with the API's `{error: {code, message, details}}`. */
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

export function isInFlight(run: Run): boolean {
  return run.status === "queued" || run.status === "running";
}

// ---- series points -------------------------------------------------------------------------

export interface PointsPayload {
  ts: number[];
  value: (number | null)[];
}

export async function fetchPoints(seriesId: number): Promise<PointsPayload> {
  return (await call<{ points: PointsPayload }>(`/api/series/${seriesId}`)).points;
}

// ---- runs ----------------------------------------------------------------------------------

export async function listRuns(seriesId: number): Promise<Run[]> {
  return (await call<{ runs: Run[] }>(`/api/series/${seriesId}/runs`)).runs;
}

export async function getRun(runId: number): Promise<Run> {
  return (await call<{ run: Run }>(`/api/runs/${runId}`)).run;
}

export async function startRun(seriesId: number, config: ModelConfigInput): Promise<Run> {
  return (await call<{ run: Run; created: boolean }>(`/api/series/${seriesId}/runs`, { method: "POST", body: JSON.stringify(config) })).run;
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
    const { rows } = await call<{ rows: ForecastRow[] }>(`/api/series/${seriesId}/forecast.json${runId ? `?run=${runId}` : ""}`);
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

// ---- accuracy and events -------------------------------------------------------------------

export async function fetchAccuracy(seriesId: number): Promise<SeriesAccuracyView> {
  return call<SeriesAccuracyView>(`/api/series/${seriesId}/accuracy`);
}

export async function fetchPastForecasts(seriesId: number, limit = 8): Promise<PastForecastView[]> {
  return (await call<{ forecasts: PastForecastView[] }>(`/api/series/${seriesId}/forecasts?limit=${limit}`)).forecasts;
}

export async function listEvents(query: { seriesId?: number; limit?: number } = {}): Promise<EventView[]> {
  const q = new URLSearchParams();
  if (query.seriesId !== undefined) q.set("seriesId", String(query.seriesId));
  if (query.limit !== undefined) q.set("limit", String(query.limit));
  return (await call<{ events: EventView[] }>(`/api/events${q.size ? `?${q}` : ""}`)).events;
}

export async function acknowledgeEvent(id: number): Promise<EventView> {
  return (await call<{ event: EventView }>(`/api/events/${id}/ack`, { method: "POST" })).event;
}

// ---- schedules -----------------------------------------------------------------------------

export interface ScheduleInput {
  cron: string | null;
  timezone: string;
  onNewData: boolean;
  enabled: boolean;
  promote: PromoteMode;
  config: ModelConfigInput;
}

export async function listSchedules(seriesId: number): Promise<Schedule[]> {
  return (await call<{ schedules: Schedule[] }>(`/api/series/${seriesId}/schedules`)).schedules;
}

export async function createSchedule(seriesId: number, input: ScheduleInput): Promise<Schedule> {
  return (await call<{ schedule: Schedule }>(`/api/series/${seriesId}/schedules`, { method: "POST", body: JSON.stringify(input) })).schedule;
}

export async function updateSchedule(id: number, patch: Partial<ScheduleInput>): Promise<Schedule> {
  return (await call<{ schedule: Schedule }>(`/api/schedules/${id}`, { method: "PATCH", body: JSON.stringify(patch) })).schedule;
}

export async function deleteSchedule(id: number): Promise<void> {
  await call<unknown>(`/api/schedules/${id}`, { method: "DELETE" });
}

// ---- alert rules ---------------------------------------------------------------------------

export type { AlertRules };

export async function fetchAlertRules(seriesId: number): Promise<AlertRules> {
  return (await call<{ rules: AlertRules }>(`/api/series/${seriesId}/alert-rules`)).rules;
}

export async function saveAlertRules(seriesId: number, rules: Partial<AlertRules>): Promise<AlertRules> {
  return (await call<{ rules: AlertRules }>(`/api/series/${seriesId}/alert-rules`, { method: "PUT", body: JSON.stringify(rules) })).rules;
}
