import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/client";
import { getSeries } from "@/lib/datasets/datasets";
import { valueStats } from "@/lib/datasets/points";
import { listRuns } from "@/lib/runs/views";
import { resolveModelConfig } from "@/lib/forecast/config";
import { budgetFromEnv } from "@/lib/forecast/budget";
import { FREQUENCIES, type Frequency } from "@/lib/series/frequency";
import { forecastRows } from "@/lib/export/forecast";
import { formatCount, formatNumber, formatTs, frequencyLabel } from "../../_lib/format";
import { SeriesDashboard } from "../../_components/series/SeriesDashboard";
import { valuesFromConfig } from "../../_components/series/trainConfig";
import type { ForecastData } from "../../_components/series/api";
import { seriesForecast } from "@/lib/runs/forecasts";

export const dynamic = "force-dynamic";

/**
 * A series: charts first (forecast with its intervals and backtest, training loss), then holdout
 * metrics and runs, the train form and schedules, the statistics and the full history. The server
 * renders what it already knows (runs, current forecast, defaults); the points load in the browser.
 */
export default async function SeriesPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: raw } = await params;
  const id = /^[1-9][0-9]*$/.test(raw) ? Number(raw) : null;
  const series = id === null ? null : await getSeries(db(), id);
  if (!series) notFound();
  const stats = await valueStats(db(), series.id);
  const frequency: Frequency = (FREQUENCIES as readonly string[]).includes(series.frequency) ? (series.frequency as Frequency) : "irregular";
  const defaults = valuesFromConfig(resolveModelConfig({}, frequency, series.pointCount));
  const runs = await listRuns(db(), series.id, { limit: 50 });
  const found = await seriesForecast(db(), series.id);
  let initialForecast: ForecastData | null = null;
  if (found.ok) {
    const rows = forecastRows([found.forecast]);
    const f = found.forecast;
    initialForecast = {
      run: f.runId,
      model: f.model,
      created: rows[0]?.created ?? new Date(f.createdAt).toISOString(),
      ts: f.points.map((p) => p.ts),
      value: rows.map((r) => r.forecast),
      lo80: rows.map((r) => r.lo80),
      hi80: rows.map((r) => r.hi80),
      lo95: rows.map((r) => r.lo95),
      hi95: rows.map((r) => r.hi95),
    };
  }
  return (
    <>
      <div className="subtle" style={{ marginBottom: 6 }}>
        <Link href="/">Datasets</Link> / {series.datasetName}
      </div>
      <div className="tc-heading">
        <div>
          <h1>{series.name}</h1>
          <p className="subtle" style={{ margin: 0 }}>
            {frequencyLabel(series.frequency)} · {formatCount(series.pointCount)} points · {formatTs(series.firstTs, series.frequency)} to{" "}
            {formatTs(series.lastTs, series.frequency)}
          </p>
        </div>
      </div>
      <section className="panel tc-stats-panel" aria-label="Series statistics">
        <div className="stats">
          <Stat label="Points" value={formatCount(series.pointCount)} />
          <Stat label="Frequency" value={frequencyLabel(series.frequency)} />
          <Stat label="Range" value={`${formatNumber(stats.min)} – ${formatNumber(stats.max)}`} />
          <Stat label="Mean" value={formatNumber(stats.mean)} />
          <Stat label="Gaps" value={formatCount(series.gapCount)} />
          <Stat label="Missing values" value={formatCount(stats.missing)} />
        </div>
      </section>
      <SeriesDashboard
        series={{ id: series.id, name: series.name, frequency: series.frequency, datasetId: series.datasetId, datasetName: series.datasetName }}
        defaults={defaults}
        budget={{ budget: budgetFromEnv(process.env), seriesLength: series.pointCount, frequency }}
        initialRuns={JSON.parse(JSON.stringify(runs)) as unknown[]}
        initialForecast={initialForecast}
      />
    </>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}
