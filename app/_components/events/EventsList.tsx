"use client";

import { useEffect, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { acknowledgeEvent, listEvents, type EventView } from "../series/api";
import { formatLocal } from "../series/format";

const KIND_LABEL: Record<EventView["kind"], string> = {
  drift: "Drift",
  accuracy: "Accuracy",
  coverage: "Coverage",
  "run.failed": "Run failed",
  "schedule.missed": "Schedule missed",
  "forecast.promoted": "Promoted",
  "forecast.kept": "Kept",
};

/**
 * Events, newest first: alerts not yet acknowledged first, each with an "Acknowledge" button;
 * informational events (a retrain promoted or kept) below. Given a series it loads that series'
 * events (again whenever `refreshKey` changes); otherwise it shows the events it was given.
 */
export function EventsList({
  initial,
  seriesId,
  refreshKey = 0,
  showSeries = false,
  label,
  refreshPage = false,
  acknowledge = true,
}: {
  initial: EventView[];
  seriesId?: number;
  refreshKey?: number;
  showSeries?: boolean;
  label: string;
  /** Re-render the server page after an acknowledgement (the overview's counts). */
  refreshPage?: boolean;
  /** Offer "Acknowledge" on open alerts (the overview's recent events leave that to the alerts list). */
  acknowledge?: boolean;
}) {
  const router = useRouter();
  const [events, setEvents] = useState<EventView[]>(initial);
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    if (seriesId === undefined) return;
    listEvents({ seriesId, limit: 30 }).then(setEvents, (err: Error) => setError(err.message));
  }, [seriesId, refreshKey]);

  const ack = async (id: number) => {
    setBusy(id);
    setError("");
    try {
      const event = await acknowledgeEvent(id);
      setEvents((prev) => prev.map((e) => (e.id === id ? event : e)));
      if (refreshPage) router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const open = (e: EventView) => e.severity === "alert" && e.acknowledgedAt === null;
  const sorted = [...events].sort((a, b) => Number(open(b)) - Number(open(a)) || b.id - a.id);
  if (sorted.length === 0) return <p className="empty">{seriesId === undefined ? "Nothing has happened yet." : "No alerts or events for this series yet."}</p>;
  return (
    <div>
      <ul className="tc-events" aria-label={label}>
        {sorted.map((e) => (
          <li key={e.id} className={open(e) ? "tc-event tc-event-open" : "tc-event"} aria-label={`${KIND_LABEL[e.kind]} event ${e.id}`}>
            <span className={`tc-kind tc-kind-${e.severity}`}>{KIND_LABEL[e.kind]}</span>
            <div className="tc-event-body">
              <div>{e.message}</div>
              <div className="tc-small subtle">
                {formatLocal(e.at)}
                {showSeries && e.seriesId !== null && (
                  <>
                    {" · "}
                    <Link href={`/series/${e.seriesId}`}>{e.seriesName ?? `series ${e.seriesId}`}</Link>
                  </>
                )}
                {e.acknowledgedAt && ` · acknowledged ${formatLocal(e.acknowledgedAt)}`}
              </div>
            </div>
            {acknowledge && open(e) && (
              <button type="button" className="btn secondary small" disabled={busy === e.id} onClick={() => void ack(e.id)} aria-label={`Acknowledge alert ${e.id}`}>
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
