import Link from "next/link";
import { notFound } from "next/navigation";
import { getSeries } from "@/lib/db/datasets";
import { valueStats } from "@/lib/db/points";
import { formatCount, formatNumber, formatTs, frequencyLabel } from "../../_lib/format";
import { HistoryChart } from "../../_components/charts/HistoryChart";

export const dynamic = "force-dynamic";

export default async function SeriesPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: raw } = await params;
  const id = /^[1-9][0-9]*$/.test(raw) ? Number(raw) : null;
  const series = id === null ? null : await getSeries(id);
  if (!series) notFound();
  const stats = valueStats(series.id);
  return (
    <>
      <div className="subtle" style={{ marginBottom: 6 }}>
        <Link href="/">Datasets</Link> / {series.datasetName}
      </div>
      <h1>{series.name}</h1>
      <p className="subtle" style={{ marginTop: 0 }}>
        {frequencyLabel(series.frequency)} · {formatTs(series.firstTs, series.frequency)} to {formatTs(series.lastTs, series.frequency)}
      </p>
      <section className="panel" aria-label="Series statistics">
        <div className="stats">
          <Stat label="Points" value={formatCount(series.pointCount)} />
          <Stat label="Frequency" value={frequencyLabel(series.frequency)} />
          <Stat label="Range" value={`${formatNumber(stats.min)} – ${formatNumber(stats.max)}`} />
          <Stat label="Mean" value={formatNumber(stats.mean)} />
          <Stat label="Gaps" value={formatCount(series.gapCount)} />
          <Stat label="Missing values" value={formatCount(stats.missing)} />
        </div>
      </section>
      <section className="panel">
        <h2>History</h2>
        <HistoryChart seriesId={series.id} name={series.name} />
      </section>
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
