/**
 * The kinds of event. Alerts want a person's attention and are acknowledged; the rest are
 * informational (a retrain's forecast promoted or kept). Webhooks subscribe to kinds.
 */
export const ALERT_KINDS = ["drift", "accuracy", "coverage", "run.failed", "schedule.missed"] as const;
export const INFO_KINDS = ["forecast.promoted", "forecast.kept"] as const;
export const EVENT_KINDS = [...ALERT_KINDS, ...INFO_KINDS] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type Severity = "alert" | "info";

export function severityOf(kind: EventKind): Severity {
  return (ALERT_KINDS as readonly string[]).includes(kind) ? "alert" : "info";
}

export function isEventKind(v: string): v is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(v);
}

/** The queue job that delivers one event to one webhook (payload `{ deliveryId }`). */
export const WEBHOOK_JOB = "webhook.deliver";
