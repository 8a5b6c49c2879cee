/**
 * Forecast exports as CSV and JSON: pure formatting, no database or clock. One row per forecast
 * step with the columns `series,date,step,forecast,lo80,hi80,lo95,hi95,model,run,created`; dates
 * in ISO 8601 (UTC). Several forecasts (a dataset export) simply concatenate their rows.
 */

export const FORECAST_COLUMNS = ["series", "date", "step", "forecast", "lo80", "hi80", "lo95", "hi95", "model", "run", "created"] as const;
export type ForecastColumn = (typeof FORECAST_COLUMNS)[number];

/** One stored forecast point (timestamps in ms since the epoch, UTC). */
export interface ExportPoint {
  step: number;
  ts: number;
  value: number;
  lo80: number | null;
  hi80: number | null;
  lo95: number | null;
  hi95: number | null;
}

/** One stored forecast with the names the export shows. */
export interface ExportForecast {
  seriesId: number;
  series: string;
  forecastId: number;
  model: string;
  runId: number | null;
  /** ms since the epoch */
  createdAt: number;
  points: ExportPoint[];
}

/** A row of the export, as written to CSV and JSON. */
export interface ForecastRow {
  series: string;
  date: string;
  step: number;
  forecast: number | null;
  lo80: number | null;
  hi80: number | null;
  lo95: number | null;
  hi95: number | null;
  model: string;
  run: number | null;
  created: string;
}

const DAY_MS = 86_400_000;

/**
 * ISO 8601 for a forecast's dates: a calendar date (`2024-03-01`) when every point of the forecast
 * falls on midnight UTC (daily and coarser series), otherwise the full UTC instant
 * (`2024-03-01T06:00:00.000Z`). One forecast never mixes the two forms.
 */
export function dateFormatter(timestamps: readonly number[]): (ts: number) => string {
  const dateOnly = timestamps.every((ts) => Number.isFinite(ts) && ((ts % DAY_MS) + DAY_MS) % DAY_MS === 0);
  return dateOnly ? (ts) => new Date(ts).toISOString().slice(0, 10) : (ts) => new Date(ts).toISOString();
}

const finiteOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

/** The rows of one or more forecasts, in the given order and by step within each. */
export function forecastRows(forecasts: readonly ExportForecast[]): ForecastRow[] {
  const rows: ForecastRow[] = [];
  for (const f of forecasts) {
    const points = [...f.points].sort((a, b) => a.step - b.step);
    const fmt = dateFormatter(points.map((p) => p.ts));
    const created = new Date(f.createdAt).toISOString();
    for (const p of points) {
      rows.push({
        series: f.series,
        date: fmt(p.ts),
        step: p.step,
        forecast: finiteOrNull(p.value),
        lo80: finiteOrNull(p.lo80),
        hi80: finiteOrNull(p.hi80),
        lo95: finiteOrNull(p.lo95),
        hi95: finiteOrNull(p.hi95),
        model: f.model,
        run: f.runId,
        created,
      });
    }
  }
  return rows;
}

/** Characters that make a spreadsheet read a text cell as a formula (or hide its start). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell made safe for spreadsheets: one that starts with = + - @, a tab or a carriage
 * return gets a leading apostrophe, so Excel, LibreOffice and Sheets show it as text instead of
 * running it (OWASP "CSV injection"). Only text cells: numbers are written as numbers, and a
 * negative forecast stays `-3.5`.
 */
export function neutraliseText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted, quotes doubled. */
export function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** One CSV cell: numbers as their shortest exact decimal, null as empty, text neutralised and quoted. */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return quoteField(neutraliseText(value));
}

/** Which columns hold text (and are therefore neutralised); the others are numbers or ISO dates we wrote. */
const TEXT_COLUMNS: ReadonlySet<ForecastColumn> = new Set(["series", "model"]);

/** The CSV of some rows: a header line, then one line per row, CRLF-free (`\n`), ending with a newline. */
export function rowsToCsv(rows: readonly ForecastRow[]): string {
  const lines = [FORECAST_COLUMNS.join(",")];
  for (const row of rows) {
    const cells = FORECAST_COLUMNS.map((col) => {
      const v = row[col];
      if (TEXT_COLUMNS.has(col)) return csvCell(String(v));
      return csvCell(v);
    });
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}

export function forecastsToCsv(forecasts: readonly ExportForecast[]): string {
  return rowsToCsv(forecastRows(forecasts));
}

/** The JSON export: a summary of each forecast, then the same rows as the CSV (as objects). */
export interface ForecastJson {
  columns: readonly ForecastColumn[];
  forecasts: { seriesId: number; series: string; forecastId: number; model: string; run: number | null; created: string; horizon: number }[];
  rows: ForecastRow[];
}

export function forecastsToJson(forecasts: readonly ExportForecast[]): ForecastJson {
  return {
    columns: FORECAST_COLUMNS,
    forecasts: forecasts.map((f) => ({
      seriesId: f.seriesId,
      series: f.series,
      forecastId: f.forecastId,
      model: f.model,
      run: f.runId,
      created: new Date(f.createdAt).toISOString(),
      horizon: f.points.length,
    })),
    rows: forecastRows(forecasts),
  };
}

/** A file name for Content-Disposition: letters, digits, dot, dash and underscore only. */
export function exportFileName(base: string, ext: "csv" | "json"): string {
  const safe = base
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
  return safe ? `${safe}-forecast.${ext}` : `forecast.${ext}`;
}
