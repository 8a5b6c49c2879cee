/** Display helpers shared by server and client components. Dates are shown in UTC, as stored. */
export function formatTs(ts: number | null, frequency?: string): string {
  if (ts === null) return "—";
  const iso = new Date(ts).toISOString();
  if (frequency === "minute" || frequency === "hourly" || frequency === "irregular") return iso.slice(0, 16).replace("T", " ");
  if (iso.slice(10) !== "T00:00:00.000Z") return iso.slice(0, 16).replace("T", " ");
  return iso.slice(0, 10);
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return v.toLocaleString("en-US", { maximumFractionDigits: digits });
}

const FREQUENCY_LABEL: Record<string, string> = {
  minute: "Minutely",
  hourly: "Hourly",
  daily: "Daily",
  business: "Business days",
  weekly: "Weekly",
  monthly: "Monthly",
  quarterly: "Quarterly",
  yearly: "Yearly",
  irregular: "Irregular",
};

export function frequencyLabel(f: string): string {
  return FREQUENCY_LABEL[f] ?? f;
}
