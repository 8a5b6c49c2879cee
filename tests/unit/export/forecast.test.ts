import { describe, expect, it } from "vitest";
import {
  FORECAST_COLUMNS,
  csvCell,
  dateFormatter,
  exportFileName,
  forecastsToCsv,
  forecastsToJson,
  neutraliseText,
  type ExportForecast,
} from "../../../lib/export/forecast";

const DAY = 86_400_000;
const jan1 = Date.UTC(2024, 0, 1);

function forecast(over: Partial<ExportForecast> = {}): ExportForecast {
  return {
    seriesId: 3,
    series: "AAPL",
    forecastId: 9,
    model: "lstm",
    runId: 12,
    createdAt: Date.UTC(2024, 0, 5, 10, 30, 15, 250),
    points: [
      { step: 2, ts: jan1 + DAY, value: 101.5, lo80: 99, hi80: 104, lo95: 97.25, hi95: 106 },
      { step: 1, ts: jan1, value: 100, lo80: 98, hi80: 102, lo95: 96, hi95: 104 },
    ],
    ...over,
  };
}

/** Minimal RFC 4180 reader for checking what we wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe("forecast CSV", () => {
  it("has the documented header and one row per step, ordered by step", () => {
    const rows = parseCsv(forecastsToCsv([forecast()]));
    expect(rows[0]).toEqual(["series", "date", "step", "forecast", "lo80", "hi80", "lo95", "hi95", "model", "run", "created"]);
    expect(rows[0]).toEqual([...FORECAST_COLUMNS]);
    expect(rows.slice(1)).toEqual([
      ["AAPL", "2024-01-01", "1", "100", "98", "102", "96", "104", "lstm", "12", "2024-01-05T10:30:15.250Z"],
      ["AAPL", "2024-01-02", "2", "101.5", "99", "104", "97.25", "106", "lstm", "12", "2024-01-05T10:30:15.250Z"],
    ]);
  });

  it("writes ISO 8601 instants when the forecast is not on midnight UTC", () => {
    const hourly = forecast({
      points: [
        { step: 1, ts: Date.UTC(2024, 0, 1, 0), value: 1, lo80: null, hi80: null, lo95: null, hi95: null },
        { step: 2, ts: Date.UTC(2024, 0, 1, 1), value: 2, lo80: null, hi80: null, lo95: null, hi95: null },
      ],
    });
    const rows = parseCsv(forecastsToCsv([hourly]));
    expect(rows[1][1]).toBe("2024-01-01T00:00:00.000Z");
    expect(rows[2][1]).toBe("2024-01-01T01:00:00.000Z");
    for (const r of rows.slice(1)) expect(new Date(r[1]).toISOString()).toBe(r[1]);
    // missing interval bounds are empty cells, not "null" or 0
    expect(rows[1].slice(4, 8)).toEqual(["", "", "", ""]);
  });

  it("writes dates before 1970 as calendar dates too", () => {
    const fmt = dateFormatter([Date.UTC(1960, 5, 1), Date.UTC(1960, 6, 1)]);
    expect(fmt(Date.UTC(1960, 5, 1))).toBe("1960-06-01");
  });

  it("neutralises text cells that a spreadsheet would run, and only text cells", () => {
    const evil = forecast({
      series: "=HYPERLINK(\"http://x\",\"y\")",
      model: "@SUM(A1)",
      points: [{ step: 1, ts: jan1, value: -3.5, lo80: -10, hi80: 2, lo95: -1e-7, hi95: 4 }],
    });
    const text = forecastsToCsv([evil]);
    const rows = parseCsv(text);
    expect(rows[1][0]).toBe("'=HYPERLINK(\"http://x\",\"y\")");
    expect(rows[1][8]).toBe("'@SUM(A1)");
    // negative numbers stay numbers
    expect(rows[1][3]).toBe("-3.5");
    expect(rows[1][4]).toBe("-10");
    expect(rows[1][6]).toBe("-1e-7");
    expect(Number(rows[1][6])).toBe(-1e-7);
  });

  it.each([
    ["=1+2", "'=1+2"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@x", "'@x"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    ["AAPL close", "AAPL close"],
    ["a=b", "a=b"],
    ["", ""],
  ])("neutraliseText(%j) is %j", (input, expected) => {
    expect(neutraliseText(input)).toBe(expected);
  });

  it("quotes text with commas, quotes and newlines after neutralising", () => {
    expect(csvCell('-x,"y"')).toBe(`"'-x,""y"""`);
    expect(csvCell("a\nb")).toBe('"a\nb"');
    expect(csvCell("\rcmd")).toBe(`"'\rcmd"`);
    expect(csvCell(-2)).toBe("-2");
    expect(csvCell(null)).toBe("");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("concatenates several series in one file (dataset export)", () => {
    const a = forecast();
    const b = forecast({ seriesId: 4, series: "MSFT", forecastId: 10, runId: null, model: "seasonal-naive" });
    const rows = parseCsv(forecastsToCsv([a, b]));
    expect(rows).toHaveLength(5);
    expect(rows.slice(1).map((r) => r[0])).toEqual(["AAPL", "AAPL", "MSFT", "MSFT"]);
    expect(rows[3][9]).toBe(""); // no run
  });

  it("writes non-finite values as empty cells", () => {
    const f = forecast({ points: [{ step: 1, ts: jan1, value: Number.NaN, lo80: Number.POSITIVE_INFINITY, hi80: 1, lo95: null, hi95: null }] });
    const rows = parseCsv(forecastsToCsv([f]));
    expect(rows[1][3]).toBe("");
    expect(rows[1][4]).toBe("");
  });
});

describe("forecast JSON", () => {
  it("holds the same rows as the CSV, with numbers as numbers and ISO dates", () => {
    const json = forecastsToJson([forecast()]);
    expect(json.columns).toEqual(FORECAST_COLUMNS);
    const created = "2024-01-05T10:30:15.250Z";
    // the same rows the CSV test reads back, as typed values: steps in order, numbers as numbers
    expect(json.rows).toEqual([
      { series: "AAPL", date: "2024-01-01", step: 1, forecast: 100, lo80: 98, hi80: 102, lo95: 96, hi95: 104, model: "lstm", run: 12, created },
      { series: "AAPL", date: "2024-01-02", step: 2, forecast: 101.5, lo80: 99, hi80: 104, lo95: 97.25, hi95: 106, model: "lstm", run: 12, created },
    ]);
    expect(Object.keys(json.rows[0])).toEqual([...FORECAST_COLUMNS]);
    expect(json.forecasts).toEqual([
      { seriesId: 3, series: "AAPL", forecastId: 9, model: "lstm", run: 12, created: "2024-01-05T10:30:15.250Z", horizon: 2 },
    ]);
    // JSON never neutralises: it is not read by spreadsheets, and the text must round-trip
    expect(forecastsToJson([forecast({ series: "=x" })]).rows[0].series).toBe("=x");
  });
});

describe("exportFileName", () => {
  it("keeps only safe characters", () => {
    expect(exportFileName("AAPL close", "csv")).toBe("AAPL-close-forecast.csv");
    expect(exportFileName('../"evil"\r\n', "json")).toBe("evil-forecast.json");
    expect(exportFileName("", "csv")).toBe("forecast.csv");
  });
});
