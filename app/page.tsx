import Link from "next/link";
import { db } from "@/lib/db/client";
import { listDatasets } from "@/lib/datasets/datasets";
import { formatCount, formatTs, frequencyLabel } from "./_lib/format";
import { UploadPanel } from "./_components/UploadPanel";
import { DeleteDatasetButton } from "./_components/DeleteDatasetButton";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const datasets = await listDatasets(db());
  return (
    <>
      <section className="panel">
        <h1>Datasets</h1>
        <p className="subtle">
          Upload a CSV of time series — long (<code>series,date,value</code>), wide (<code>date,AAPL,MSFT</code>) or a
          stock export (<code>date,open,high,low,close,volume</code>) — and train forecasters on it.
        </p>
        <UploadPanel datasets={datasets.map((d) => d.name)} />
      </section>
      {datasets.length === 0 ? (
        <section className="panel empty">No datasets yet: upload a CSV or load the sample stock prices.</section>
      ) : (
        datasets.map((d) => (
          <section className="panel" key={d.id} aria-label={`Dataset ${d.name}`}>
            <div className="row" style={{ justifyContent: "space-between" }}>
              <div>
                <h2 style={{ marginBottom: 2 }}>{d.name}</h2>
                <div className="subtle">
                  {d.fileName} · {d.format} · {formatCount(d.rowCount)} rows · {d.series.length} series · updated{" "}
                  {d.updatedAt.slice(0, 16).replace("T", " ")} UTC
                </div>
              </div>
              <div className="row">
                {d.series.some((s) => s.currentForecastId !== null) && (
                  <a className="btn secondary" href={`/api/datasets/${d.id}/forecast.csv`} download>
                    Export forecasts
                  </a>
                )}
                <DeleteDatasetButton id={d.id} name={d.name} />
              </div>
            </div>
            <table style={{ marginTop: 10 }}>
              <thead>
                <tr>
                  <th>Series</th>
                  <th>Frequency</th>
                  <th className="num">Points</th>
                  <th className="num">Gaps</th>
                  <th>First</th>
                  <th>Last</th>
                </tr>
              </thead>
              <tbody>
                {d.series.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link href={`/series/${s.id}`}>{s.name}</Link>
                    </td>
                    <td>{frequencyLabel(s.frequency)}</td>
                    <td className="num">{formatCount(s.pointCount)}</td>
                    <td className="num">{formatCount(s.gapCount)}</td>
                    <td>{formatTs(s.firstTs, s.frequency)}</td>
                    <td>{formatTs(s.lastTs, s.frequency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))
      )}
    </>
  );
}
