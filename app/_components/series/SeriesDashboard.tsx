"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ForecastChart, type BacktestSeries, type ForecastSeries } from "../charts/ForecastChart";
import { HistoryChart } from "../charts/HistoryChart";
import { LossChart, type LossCurve } from "../charts/LossChart";
import { COLORS } from "../charts/colors";
import {
  cancelRun,
  fetchForecast,
  fetchPoints,
  getRun,
  isInFlight,
  listRuns,
  makeCurrent,
  type ForecastData,
  type PointsPayload,
  type Run,
} from "./api";
import { ModelAnatomy } from "../anatomy/ModelAnatomy";
import { ExportButtons } from "./ExportButtons";
import { AccuracyPanel } from "./AccuracyPanel";
import { EventsList } from "../events/EventsList";
import { AlertRulesForm } from "../events/AlertRulesForm";
import { MODEL_LABEL } from "./format";
import { MetricsTable } from "./MetricsTable";
import { RunsList } from "./RunsList";
import { SchedulesPanel } from "./SchedulesPanel";
import { TrainForm } from "./TrainForm";
import { readTrainValues, type BudgetContext, type TrainValues } from "./trainConfig";

export interface DashboardSeries {
  id: number;
  name: string;
  frequency: string;
  datasetId: number;
  datasetName: string;
}

const POLL_MS = 1000;
const IDLE_POLL_MS = 15_000;

function curvesOf(run: Run, runLabel: string, compareSlot: number | null): LossCurve[] {
  const epochs = run.epochs ?? [];
  const byMember = new Map<number, LossCurve["epochs"]>();
  for (const e of epochs) {
    const list = byMember.get(e.member) ?? [];
    list.push({ epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss });
    byMember.set(e.member, list);
  }
  let members = [...byMember.keys()].sort((a, b) => a - b);
  // The fit whose validation loss chose the best epoch, and the run's last fit: the final refit on
  // all the data (training loss only) when the engine refits, else the same fit.
  const last = members[members.length - 1];
  const validated = [...members].reverse().find((m) => byMember.get(m)!.some((e) => e.valLoss !== null));
  const featured = new Set([last, validated ?? last]);
  // Comparing two runs: only the featured curves of each, to stay readable.
  if (compareSlot !== null) members = members.filter((m) => featured.has(m));
  const isRefit = (m: number) => m === last && validated !== undefined && validated !== last;
  return members.map((m) => ({
    runLabel,
    member: m,
    epochs: byMember.get(m)!,
    trainColor: compareSlot === 1 ? COLORS.compare : isRefit(m) ? COLORS.refit : COLORS.train,
    valColor: compareSlot === 1 ? COLORS.compareVal : COLORS.val,
    dashed: compareSlot === 1,
    // Other fits are the model search (strategies, lookbacks, ensemble members): drawn faint.
    faded: !featured.has(m),
    trainLabel: isRefit(m) ? "final refit (training)" : undefined,
  }));
}

function lossCaption(run: Run | null, compare: Run[]): string {
  if (compare.length === 2) return `Comparing run #${compare[0].id} (solid) with run #${compare[1].id} (dashed).`;
  if (!run) return "No run selected: train a model to see its loss curves.";
  const epochs = run.epochs ?? [];
  const last = epochs[epochs.length - 1];
  const loss = last ? ` · training ${last.trainLoss.toPrecision(3)}${last.valLoss !== null ? ` · validation ${last.valLoss.toPrecision(3)}` : ""}` : "";
  if (run.status === "queued") return `Run #${run.id} is waiting for a worker.`;
  if (run.status === "running") {
    const p = run.progress;
    return `Run #${run.id} training: epoch ${p.epoch ?? 0} of ${p.epochs}${p.members && p.members > 1 ? ` (model ${Math.max(1, p.member ?? 1)} of ${p.members})` : ""} · ${epochs.length} epochs recorded${loss}`;
  }
  const best = run.bestEpoch !== null ? ` · best epoch ${run.bestEpoch}` : "";
  // auto on a constant series trains no network (its forecast is the series' value).
  if (run.status === "succeeded" && epochs.length === 0) return `Run #${run.id} succeeded without training a network: see its note.`;
  return `Run #${run.id} ${run.status}: ${epochs.length} epochs recorded${best}${loss}`;
}

function forecastSeries(f: ForecastData, key: string, label: string, slot: 0 | 1): ForecastSeries {
  return {
    key,
    label,
    bandLabel: key === "main" ? "" : `${label.replace(/ forecast$/, "")} `,
    color: slot === 0 ? COLORS.forecast : COLORS.compare,
    band80: slot === 0 ? COLORS.band80 : COLORS.compareBand,
    band95: slot === 0 ? COLORS.band95 : COLORS.compareBand95,
    bands: true,
    ts: f.ts,
    value: f.value,
    lo80: f.lo80,
    hi80: f.hi80,
    lo95: f.lo95,
    hi95: f.hi95,
  };
}

function backtestOf(run: Run | undefined): BacktestSeries | null {
  const h = run?.metrics?.holdout;
  if (!run || !h || h.timestamps.length === 0) return null;
  const b80 = h.intervals.find((b) => b.level === 80);
  return {
    label: `Backtest forecast (run #${run.id})`,
    timestamps: h.timestamps,
    actual: h.actual,
    model: h.model,
    lo80: b80?.lo ?? null,
    hi80: b80?.hi ?? null,
    seasonalNaive: h.baselines.seasonalNaive ?? null,
  };
}

function chartSummary(points: PointsPayload | null, forecasts: ForecastSeries[], backtest: BacktestSeries | null): string {
  const parts = [points ? `History: ${points.ts.length.toLocaleString("en-US")} points.` : "History loading."];
  for (const f of forecasts) {
    const bands = [80, 95].filter((l) => (l === 80 ? f.hi80 : f.hi95).some((v) => v !== null && Number.isFinite(v)));
    parts.push(`${f.label}: ${f.ts.length} steps${bands.length ? ` with ${bands.map((l) => `${l}%`).join(" and ")} intervals` : ""}.`);
  }
  if (forecasts.length === 0) parts.push("No forecast yet.");
  if (backtest) parts.push(`Backtest on ${backtest.timestamps.length} holdout points against the actual values.`);
  return parts.join(" ");
}

/**
 * The live part of the series page: charts first (forecast with bands and backtest, training
 * loss), then metrics and runs, then the train form and schedules. Runs are polled every second
 * while one is queued or running; finished data is fetched once.
 */
export function SeriesDashboard({
  series,
  defaults,
  budget,
  initialRuns,
  initialForecast,
}: {
  series: DashboardSeries;
  defaults: TrainValues;
  /** the training budget and the series' length, for the train form's limits */
  budget: BudgetContext;
  initialRuns: Run[];
  initialForecast: ForecastData | null;
}) {
  const [points, setPoints] = useState<PointsPayload | null>(null);
  const [pointsError, setPointsError] = useState("");
  const [runs, setRuns] = useState<Run[]>(initialRuns);
  const [details, setDetails] = useState<Map<number, Run>>(new Map());
  const [current, setCurrent] = useState<ForecastData | null>(initialForecast);
  const [runForecasts, setRunForecasts] = useState<Map<number, ForecastData | null>>(new Map());
  const [selectedId, setSelectedId] = useState<number | null>(() => {
    return (initialRuns.find((r) => r.isCurrent) ?? initialRuns[0])?.id ?? null;
  });
  const [compareIds, setCompareIds] = useState<number[]>([]);
  const [values, setValues] = useState<TrainValues>(defaults);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [actionError, setActionError] = useState("");
  const [notice, setNotice] = useState("");
  // A notice confirms an action; the runs list carries the lasting state, so it fades out.
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(""), 8000);
    return () => clearTimeout(timer);
  }, [notice]);
  const statusSeen = useRef<Map<number, string>>(new Map(runs.map((r) => [r.id, r.status])));
  // Bumped when the scores may have changed (a run finished, a forecast was made current).
  const [scoreKey, setScoreKey] = useState(0);

  useEffect(() => {
    fetchPoints(series.id).then(setPoints, (err: Error) => setPointsError(err.message));
  }, [series.id]);

  const loadDetail = useCallback(async (id: number) => {
    const run = await getRun(id);
    setDetails((prev) => new Map(prev).set(id, run));
    return run;
  }, []);

  const loadRunForecast = useCallback(
    async (id: number) => {
      const f = await fetchForecast(series.id, id);
      setRunForecasts((prev) => new Map(prev).set(id, f));
    },
    [series.id],
  );

  const refreshRuns = useCallback(async () => {
    const list = await listRuns(series.id);
    let finished = false;
    for (const r of list) {
      const before = statusSeen.current.get(r.id);
      if (before !== undefined && before !== r.status && !isInFlight(r)) finished = true;
      statusSeen.current.set(r.id, r.status);
    }
    setRuns(list);
    if (finished) {
      setCurrent(await fetchForecast(series.id));
      setScoreKey((k) => k + 1);
    }
    return list;
  }, [series.id]);

  // The runs on screen (selected, compared): their epochs, refreshed while they train.
  const watched = useMemo(() => [...new Set([...(selectedId !== null ? [selectedId] : []), ...compareIds])], [selectedId, compareIds]);
  useEffect(() => {
    for (const id of watched) {
      const d = details.get(id);
      const row = runs.find((r) => r.id === id);
      const stale = !d || (row && (d.status !== row.status || d.progress.epochsDone !== row.progress.epochsDone));
      // eslint-disable-next-line react-hooks/set-state-in-effect -- a fetch: its state is set when the request answers, not during the effect
      if (stale) void loadDetail(id).catch(() => undefined);
      if (row?.status === "succeeded" && !runForecasts.has(id)) void loadRunForecast(id).catch(() => undefined);
    }
  }, [watched, runs, details, runForecasts, loadDetail, loadRunForecast]);

  // Poll every second while anything is queued or running, slowly otherwise (a schedule may start
  // a run); a failed poll is retried on the next tick, a hidden tab waits.
  const anyInFlight = runs.some(isInFlight);
  const [pollTick, setPollTick] = useState(0);
  useEffect(() => {
    const t = setTimeout(
      () => {
        if (document.hidden && !anyInFlight) return setPollTick((n) => n + 1);
        refreshRuns().catch(() => setPollTick((n) => n + 1));
      },
      anyInFlight ? POLL_MS : IDLE_POLL_MS,
    );
    return () => clearTimeout(t);
  }, [anyInFlight, runs, refreshRuns, pollTick]);

  const onStarted = (run: Run) => {
    statusSeen.current.set(run.id, run.status);
    setRuns((prev) => [run, ...prev.filter((r) => r.id !== run.id)]);
    setSelectedId(run.id);
    setCompareIds([]);
    setNotice(`Run #${run.id} queued.`);
  };

  const act = async (id: number, fn: () => Promise<void>) => {
    setBusyId(id);
    setActionError("");
    try {
      await fn();
      await refreshRuns();
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      setBusyId(null);
    }
  };
  const onCancel = (id: number) => act(id, () => cancelRun(id));
  const onMakeCurrent = (id: number) =>
    act(id, async () => {
      await makeCurrent(id);
      setCurrent(await fetchForecast(series.id));
      setScoreKey((k) => k + 1);
      setNotice(`Run #${id} is now the series' current forecast.`);
    });
  const onToggleCompare = (id: number) => setCompareIds((prev) => (prev.includes(id) ? prev.filter((x) => x !== id) : prev.length >= 2 ? prev : [...prev, id]));

  // What the charts show.
  const comparing = compareIds.length === 2;
  const selected = selectedId !== null ? (details.get(selectedId) ?? runs.find((r) => r.id === selectedId) ?? null) : null;
  const compareRuns = useMemo(
    () => (comparing ? compareIds.map((id) => details.get(id) ?? runs.find((r) => r.id === id)).filter((r): r is Run => r !== undefined) : []),
    [comparing, compareIds, details, runs],
  );

  const shown = useMemo((): { forecasts: ForecastSeries[]; runId: number | null } => {
    if (comparing) {
      const list: ForecastSeries[] = [];
      compareIds.forEach((id, slot) => {
        const f = runForecasts.get(id);
        if (f) list.push(forecastSeries(f, `run${id}`, `Run #${id} forecast`, slot as 0 | 1));
      });
      return { forecasts: list, runId: null };
    }
    const own = selectedId !== null ? runForecasts.get(selectedId) : undefined;
    const f = own ?? current;
    if (!f) return { forecasts: [], runId: null };
    const isCurrent = current !== null && f.run === current.run && f.created === current.created;
    const label = `Forecast${f.run !== null ? ` (run #${f.run}${isCurrent ? ", current" : ""})` : ""}`;
    return { forecasts: [forecastSeries(f, "main", label, 0)], runId: f.run };
  }, [comparing, compareIds, runForecasts, selectedId, current]);

  const backtestRun = shown.runId !== null ? runs.find((r) => r.id === shown.runId) : undefined;
  const backtestKey = backtestRun ? `${backtestRun.id}:${backtestRun.status}` : "";
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on run id and status: the runs list is fetched anew every second, and the chart must not redraw each time
  const backtest = useMemo(() => backtestOf(backtestRun), [backtestKey]);

  const curves = useMemo((): LossCurve[] => {
    if (comparing) return compareRuns.flatMap((r, slot) => curvesOf(r, `Run #${r.id}`, slot));
    return selected ? curvesOf(selected, "", null) : [];
  }, [comparing, compareRuns, selected]);

  const metricsRun = selected?.metrics ? selected : null;
  const modelLabel = metricsRun?.metrics?.chosen?.model ?? MODEL_LABEL[String(metricsRun?.config.model ?? "auto")] ?? "model";
  const exportRun = selected && selected.status === "succeeded" && !selected.isCurrent && selected.forecastId !== null ? selected.id : null;

  return (
    <>
      <div className="tc-toolbar">
        <div className="row">
          <a className="btn" href="#train">
            Train a model
          </a>
          <ExportButtons seriesId={series.id} runId={exportRun} datasetId={series.datasetId} datasetName={series.datasetName} />
        </div>
        {notice && (
          <span className="subtle tc-small" role="status">
            {notice}
          </span>
        )}
      </div>

      <div className="tc-charts">
        <section className="panel" aria-label="Forecast">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <h2>Forecast</h2>
            <span className="subtle tc-small">
              {shown.forecasts.length === 0
                ? "No forecast yet: train a model."
                : comparing
                  ? `Runs #${compareIds[0]} and #${compareIds[1]}`
                  : `${shown.forecasts[0].label} · 80% and 95% intervals`}
            </span>
          </div>
          <ForecastChart
            history={points}
            historyLabel={series.name}
            forecasts={shown.forecasts}
            backtest={comparing ? null : backtest}
            colors={COLORS}
            loading={points === null && !pointsError}
            summary={chartSummary(points, shown.forecasts, comparing ? null : backtest)}
          />
          {pointsError && (
            <p className="error-box" role="alert">
              {pointsError}
            </p>
          )}
        </section>
        <section className="panel" aria-label="Training loss">
          <h2>Training loss</h2>
          <LossChart curves={curves} bestEpoch={comparing ? null : (selected?.bestEpoch ?? null)} caption={lossCaption(selected, compareRuns)} />
        </section>
      </div>

      <div className="tc-charts">
        <AccuracyPanel seriesId={series.id} frequency={series.frequency} history={points} refreshKey={scoreKey} />
        <section className="panel" aria-label="Alerts and events">
          <h2>Alerts and events</h2>
          <EventsList initial={[]} seriesId={series.id} refreshKey={scoreKey} label="Series events" />
          <AlertRulesForm seriesId={series.id} />
        </section>
      </div>

      <section className="panel" aria-label="Runs">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h2>Runs</h2>
          <span className="subtle tc-small">{compareIds.length === 1 ? "Tick one more run to compare." : comparing ? "Comparing two runs." : "Tick two runs to compare them."}</span>
        </div>
        <RunsList
          runs={runs}
          selectedId={selectedId}
          compareIds={compareIds}
          // eslint-disable-next-line react-hooks/purity -- the list shows times relative to now and re-renders on every poll (no React Compiler memoises it)
          now={Date.now()}
          busyId={busyId}
          onSelect={(id) => {
            setSelectedId(id);
            setCompareIds([]);
          }}
          onToggleCompare={onToggleCompare}
          onCancel={(id) => void onCancel(id)}
          onMakeCurrent={(id) => void onMakeCurrent(id)}
        />
        {actionError && (
          <p className="error-box" role="alert">
            {actionError}
          </p>
        )}
      </section>
      {/* keyed by run: a new run starts from its defaults (first network, the forecast's own window) */}
      <ModelAnatomy key={comparing ? "none" : (selectedId ?? "none")} runId={comparing ? null : selectedId} status={comparing ? null : (selected?.status ?? null)} frequency={series.frequency} />

      <div className="tc-columns">
        <section className="panel" aria-label="Holdout metrics">
          <h2>Accuracy on the holdout{metricsRun ? ` · run #${metricsRun.id}` : ""}</h2>
          <MetricsTable metrics={metricsRun?.metrics ?? null} runId={metricsRun?.id ?? null} modelLabel={modelLabel} />
        </section>
        <section className="panel" aria-label="Schedules">
          <h2>Schedules</h2>
          <SchedulesPanel
            seriesId={series.id}
            readConfig={() => {
              const r = readTrainValues(values);
              return r.ok ? r.config : null;
            }}
          />
        </section>
      </div>

      <section className="panel" aria-label="Train a model" id="train">
        <h2>Train a model</h2>
        <TrainForm seriesId={series.id} values={values} defaults={defaults} budget={budget} onChange={setValues} onStarted={onStarted} />
      </section>

      <section className="panel" aria-label="History">
        <h2>History</h2>
        <HistoryChart seriesId={series.id} name={series.name} points={points} />
      </section>
    </>
  );
}
