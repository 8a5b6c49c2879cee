import Link from "next/link";
import { db } from "@/lib/db/client";
import { overviewPage, type OverviewRow } from "@/lib/overview/overview";
import { orderOf, overviewQuerySchema, SERIES_STATUSES, STATUS_LABEL, type OverviewQuery, type OverviewSort, type SeriesHealth } from "@/lib/overview/query";
import { EventsList } from "../_components/events/EventsList";
import { formatCount, formatNumber, formatTs } from "../_lib/format";

export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

/** The query string of a link: the current query with some fields changed (defaults left out). */
function href(q: OverviewQuery, change: Partial<{ page: number; sort: OverviewSort; order: "asc" | "desc" | undefined; status: SeriesHealth[]; q: string }>): string {
  const next = { page: q.page, pageSize: q.pageSize, sort: q.sort, order: q.order, status: q.status ?? [], q: q.q ?? "", ...change };
  const p = new URLSearchParams();
  if (next.page !== 1) p.set("page", String(next.page));
  if (next.pageSize !== 50) p.set("pageSize", String(next.pageSize));
  if (next.sort !== "status") p.set("sort", next.sort);
  if (next.order) p.set("order", next.order);
  if (next.status.length > 0) p.set("status", next.status.join(","));
  if (next.q) p.set("q", next.q);
  const s = p.toString();
  return s ? `/overview?${s}` : "/overview";
}

/** A sparkline of the newest values as an SVG polyline per run of present values. */
function Sparkline({ values, name }: { values: (number | null)[]; name: string }) {
  const W = 120;
  const H = 28;
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length < 2) return <span className="subtle">—</span>;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const segments: string[][] = [[]];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (segments[segments.length - 1].length > 0) segments.push([]);
      return;
    }
    const x = (i / Math.max(1, values.length - 1)) * (W - 2) + 1;
    const y = H - 1 - ((v - min) / span) * (H - 2);
    segments[segments.length - 1].push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  return (
    <svg className="tc-spark" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Sparkline of the newest ${values.length} values of ${name}`}>
      {segments
        .filter((s) => s.length > 1)
        .map((s, i) => (
          <polyline key={i} points={s.join(" ")} />
        ))}
    </svg>
  );
}

const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "—");

function SortHeader({ q, sort, label, className }: { q: OverviewQuery; sort: OverviewSort; label: string; className?: string }) {
  const dir = q.sort === sort ? orderOf(q) : null;
  return (
    <th scope="col" className={className} aria-sort={dir === null ? undefined : dir === "asc" ? "ascending" : "descending"}>
      <Link className={dir ? "tc-sort active" : "tc-sort"} href={href(q, { sort, order: dir === null ? undefined : dir === "asc" ? "desc" : "asc", page: 1 })}>
        {label}
        {dir === "asc" ? " ▲" : dir === "desc" ? " ▼" : ""}
      </Link>
    </th>
  );
}

function Row({ r }: { r: OverviewRow }) {
  return (
    <tr aria-label={`Series ${r.name}`}>
      <td>
        <Link href={`/series/${r.id}`}>{r.name}</Link>
        <div className="subtle tc-small">{r.datasetName}</div>
      </td>
      <td>
        <span className={`tc-health tc-health-${r.status}`}>{STATUS_LABEL[r.status]}</span>
      </td>
      <td className="tc-small">{r.current ? `${r.current.runId !== null ? `#${r.current.runId} ` : ""}${r.current.model}` : "—"}</td>
      <td className="tc-small">
        {r.current ? day(r.current.createdAt) : "—"}
        {r.current?.endTs != null && <div className="subtle">to {formatTs(r.current.endTs, r.frequency)}</div>}
      </td>
      <td className="num" title={r.summary ?? undefined}>
        {formatNumber(r.realised?.mase ?? null)}
        {r.promisedMase !== null && <div className="subtle tc-small">promised {formatNumber(r.promisedMase)}</div>}
      </td>
      <td className="num">{r.realised?.coverage95 == null ? "—" : `${Math.round(r.realised.coverage95 * 100)}%`}</td>
      <td className="tc-small">{r.nextRunAt ? day(r.nextRunAt) : r.onNewData ? "on new data" : "—"}</td>
      <td className="num">{r.openAlerts > 0 ? <span className="tc-alert-count">{r.openAlerts}</span> : "0"}</td>
      <td>
        <Sparkline values={r.sparkline} name={r.name} />
      </td>
    </tr>
  );
}

/**
 * Every series at a glance, for hundreds or thousands of them: unacknowledged alerts and recent
 * events on top, then a page of series (status, current model, last forecast, realised accuracy,
 * coverage, next run, open alerts, sparkline), sortable, filterable by status and name.
 */
export default async function OverviewPage({ searchParams }: { searchParams: Promise<Search> }) {
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = overviewQuerySchema.safeParse(raw);
  const q: OverviewQuery = parsed.success ? parsed.data : overviewQuerySchema.parse({});
  const page = await overviewPage(db(), q);
  const all = SERIES_STATUSES.reduce((s, k) => s + page.counts[k], 0);
  return (
    <>
      <div className="tc-heading">
        <div>
          <h1>Overview</h1>
          <p className="subtle">
            {formatCount(all)} series{page.q ? ` matching "${page.q}"` : ""} · {SERIES_STATUSES.map((s) => `${formatCount(page.counts[s])} ${STATUS_LABEL[s]}`).join(" · ")} · {formatCount(page.openAlerts)} open alert
            {page.openAlerts === 1 ? "" : "s"}
          </p>
        </div>
      </div>
      {!parsed.success && (
        <p className="error-box" role="alert">
          {parsed.error.issues[0]?.message ?? "Bad query"}: showing the default view.
        </p>
      )}
      <div className="tc-columns">
        <section className="panel" aria-label="Unacknowledged alerts">
          <h2>Unacknowledged alerts{page.openAlerts > page.alerts.length ? ` (newest ${page.alerts.length} of ${page.openAlerts})` : ""}</h2>
          <EventsList initial={page.alerts} label="Unacknowledged alerts" showSeries refreshPage />
        </section>
        <section className="panel" aria-label="Recent events">
          <h2>Recent events</h2>
          <EventsList initial={page.events} label="Recent events" showSeries acknowledge={false} />
        </section>
      </div>
      <section className="panel" aria-label="Series">
        <div className="tc-overview-filters">
          <Link className={page.status.length === 0 ? "tc-chip active" : "tc-chip"} href={href(q, { status: [], page: 1 })}>
            All {formatCount(all)}
          </Link>
          {SERIES_STATUSES.map((s) => (
            <Link key={s} className={page.status.includes(s) ? "tc-chip active" : "tc-chip"} href={href(q, { status: [s], page: 1 })} aria-label={`Show ${STATUS_LABEL[s]} series`}>
              {STATUS_LABEL[s]} {formatCount(page.counts[s])}
            </Link>
          ))}
          <form action="/overview" method="get" role="search">
            {q.sort !== "status" && <input type="hidden" name="sort" value={q.sort} />}
            {page.status.length > 0 && <input type="hidden" name="status" value={page.status.join(",")} />}
            <input type="text" name="q" defaultValue={page.q} placeholder="Series or dataset name" aria-label="Filter by name" />
            <button type="submit" className="btn secondary small">
              Filter
            </button>
          </form>
        </div>
        {page.rows.length === 0 ? (
          <p className="empty">{all === 0 ? "No series yet: upload a CSV on the Datasets page." : "No series match."}</p>
        ) : (
          <div className="tc-table-scroll">
            <table className="tc-overview" aria-label="Series overview">
              <thead>
                <tr>
                  <SortHeader q={q} sort="name" label="Series" />
                  <SortHeader q={q} sort="status" label="Status" />
                  <th scope="col">Current model</th>
                  <SortHeader q={q} sort="forecast" label="Last forecast" />
                  <SortHeader q={q} sort="mase" label="Realised MASE" className="num" />
                  <SortHeader q={q} sort="coverage" label="95% cov." className="num" />
                  <SortHeader q={q} sort="next" label="Next run" />
                  <SortHeader q={q} sort="alerts" label="Alerts" className="num" />
                  <th scope="col">Recent values</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((r) => (
                  <Row key={r.id} r={r} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="tc-pages" aria-label="Pages">
          {page.page > 1 && <Link href={href(q, { page: page.page - 1 })}>← Previous</Link>}
          <span>
            Page {page.page} of {page.pages} · {formatCount(page.total)} series
          </span>
          {page.page < page.pages && <Link href={href(q, { page: page.page + 1 })}>Next →</Link>}
        </nav>
      </section>
    </>
  );
}
