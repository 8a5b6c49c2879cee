import type { EventKind, Severity } from "./kinds";

export interface EventRow {
  id: number;
  kind: EventKind;
  seriesId: number | null;
  key: string;
  severity: Severity;
  message: string;
  data: string; // JSON
  at: Date;
  acknowledgedAt: Date | null;
}

export const EVENT_COLUMNS = `"id", "kind", "seriesId", "key", "severity", "message", "data", "at", "acknowledgedAt"`;

/** An event as the API returns it. */
export interface EventView {
  id: number;
  kind: EventKind;
  severity: Severity;
  seriesId: number | null;
  seriesName: string | null;
  message: string;
  data: Record<string, unknown>;
  at: string;
  acknowledgedAt: string | null;
}

/** What a webhook receives: the body of the POST, signed. */
export interface EventPayload {
  id: number;
  kind: EventKind;
  seriesId: number | null;
  at: string;
  data: Record<string, unknown>;
}

export function payloadOf(e: Pick<EventRow, "id" | "kind" | "seriesId" | "at" | "data" | "message">): EventPayload {
  return { id: e.id, kind: e.kind, seriesId: e.seriesId, at: e.at.toISOString(), data: { message: e.message, ...(JSON.parse(e.data) as Record<string, unknown>) } };
}
