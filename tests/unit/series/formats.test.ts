import { describe, expect, it } from "vitest";
import { parseCsv } from "../../../lib/series";
import { arr, csvError, day, parseFixture, seriesNamed } from "./helpers";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("delimiters, encodings, quoting", () => {
  it("reads a comma-separated wide file with blank cells, ignoring a text column", () => {
    const d = parseFixture("wide.csv");
    expect(d.format).toBe("wide");
    expect(d.delimiter).toBe(",");
    expect(d.dateColumn).toBe("date");
    expect(d.rowCount).toBe(10);
    expect(d.series.map((s) => s.name)).toEqual(["AAPL", "MSFT"]);
    const msft = seriesNamed(d, "MSFT");
    expect(msft.timestamps.length).toBe(10);
    expect(Number.isNaN(msft.values[1])).toBe(true); // blank cell kept as missing, not 0
    expect(msft.values[0]).toBe(370.87);
    expect(d.warnings.some((w) => w.includes('"notes"'))).toBe(true);
  });

  it("reads a semicolon file with DD.MM.YYYY dates, decimal commas and dot thousands", () => {
    const d = parseFixture("semicolon-decimal-comma.csv");
    expect(d.delimiter).toBe(";");
    expect(d.dateColumn).toBe("Datum");
    const umsatz = seriesNamed(d, "Umsatz");
    expect(arr(umsatz.timestamps)).toEqual([1, 2, 3, 4, 5, 6].map((x) => day(2024, 1, x)));
    expect(arr(umsatz.values.subarray(0, 4))).toEqual([1234.5, 1300.75, 987.125, 1000000.5]);
    expect(Number.isNaN(umsatz.values[4])).toBe(true);
    expect(umsatz.values[5]).toBe(42);
    expect(arr(seriesNamed(d, "Kosten").values)).toEqual([12.25, 13.5, -4.75, 0, 1, 2]);
    expect(umsatz.frequency).toBe("daily");
    expect(umsatz.gaps).toEqual([{ afterTs: day(2024, 1, 4), beforeTs: day(2024, 1, 6), missingSteps: 1 }]);
    expect(umsatz.missingCount).toBe(1);
  });

  it("reads a tab-separated file with `YYYY-MM-DD HH:mm` times", () => {
    const d = parseFixture("tab.tsv");
    expect(d.delimiter).toBe("\t");
    expect(d.dateColumn).toBe("timestamp");
    const a = seriesNamed(d, "sensor_a");
    expect(a.frequency).toBe("hourly");
    expect(a.stepMs).toBe(3_600_000);
    expect(a.timestamps[0]).toBe(day(2024, 3, 1, 0));
    expect(a.gaps).toEqual([{ afterTs: day(2024, 3, 1, 1), beforeTs: day(2024, 3, 1, 3), missingSteps: 1 }]);
    expect(Number.isNaN(seriesNamed(d, "sensor_b").values[4])).toBe(true); // "n/a"
  });

  it("strips a UTF-8 BOM and reads CRLF line ends", () => {
    const bytes = enc("\ufeffdate,value\r\n2024-01-01,1\r\n2024-01-02,2\r\n2024-01-03,3\r\n");
    expect(bytes[0]).toBe(0xef);
    const d = parseCsv(bytes, { fileName: "bom.csv" });
    expect(d.dateColumn).toBe("date");
    expect(d.series).toHaveLength(1);
    expect(arr(d.series[0].values)).toEqual([1, 2, 3]);
    expect(arr(d.series[0].timestamps)).toEqual([day(2024, 1, 1), day(2024, 1, 2), day(2024, 1, 3)]);
  });

  it("reads quoted fields: quoted numbers with thousands separators, commas, quotes and newlines in text", () => {
    const d = parseFixture("quoted.csv");
    expect(d.rowCount).toBe(5);
    const rev = seriesNamed(d, "revenue");
    expect(arr(rev.values)).toEqual([1234.5, 2000, -17.25, 3000, 4100]);
    expect(rev.frequency).toBe("monthly"); // month ends
    expect(d.series).toHaveLength(1);
  });

  it("reports the spreadsheet row after a quoted field spanning two lines", () => {
    const csv = 'date,value,comment\n2024-01-01,1,"two\nlines"\n2024-01-02,oops,x\n2024-01-03,3,y\n2024-01-04,4,z\n';
    expect(() => parseCsv(csv, { fileName: "q.csv" })).toThrow(/Row 3, column "value": "oops" is not a number/);
  });

  it("accepts an Excel `sep=;` line and numbers rows after it", () => {
    const d = parseCsv("sep=;\ndate;value\n2024-01-01;1,5\n2024-01-02;2,5\n", { fileName: "x.csv" });
    expect(d.delimiter).toBe(";");
    expect(arr(d.series[0].values)).toEqual([1.5, 2.5]);
  });

  it("reads a file without a header row", () => {
    const d = parseCsv("2024-01-01,5\n2024-01-02,6\n2024-01-03,7\n", { fileName: "noheader.csv" });
    expect(d.series).toHaveLength(1);
    expect(d.series[0].name).toBe("noheader");
    expect(arr(d.series[0].values)).toEqual([5, 6, 7]);
    expect(d.warnings.join(" ")).toMatch(/no header row/);
  });

  it("reads a Windows-1252 file that is not valid UTF-8, with a warning", () => {
    // "temp °C" with ° as the single byte 0xB0
    const bytes = new Uint8Array([...enc("date,temp "), 0xb0, ...enc("C\n2024-01-01,1\n2024-01-02,2\n")]);
    const d = parseCsv(bytes, { fileName: "latin.csv" });
    expect(d.series.map((s) => s.name)).toEqual(["temp \u00b0C"]);
    expect(d.warnings.join(" ")).toMatch(/Windows-1252/);
  });
});

describe("date formats", () => {
  it("finds the date column by content when it has an unusual name", () => {
    const d = parseCsv("value,when_recorded_x\n1,2024-01-01\n2,2024-01-02\n3,2024-01-03\n", { fileName: "x.csv" });
    expect(d.dateColumn).toBe("when_recorded_x");
    expect(d.series.map((s) => s.name)).toEqual(["x"]); // single generic column: named after the file
  });

  it("reads MM/DD/YYYY when a day above 12 proves it", () => {
    const d = parseFixture("us-dates.csv");
    expect(arr(d.series[0].timestamps)).toEqual([day(2024, 1, 30), day(2024, 1, 31), day(2024, 2, 1), day(2024, 2, 2)]);
    expect(d.warnings).toEqual([]);
  });

  it("reads DD/MM/YYYY when a day above 12 proves it", () => {
    const d = parseFixture("eu-dates.csv");
    expect(arr(d.series[0].timestamps)).toEqual([day(2024, 1, 30), day(2024, 1, 31), day(2024, 2, 1), day(2024, 2, 2)]);
  });

  it("defaults an undecidable a/b/YYYY column to month first and warns", () => {
    const d = parseFixture("ambiguous-dates.csv");
    expect(arr(d.series[0].timestamps)).toEqual([day(2024, 1, 2), day(2024, 1, 3), day(2024, 1, 4)]);
    expect(d.warnings.join(" ")).toMatch(/could be day\/month or month\/day.*month\/day\/year/);
  });

  it("defaults an undecidable a/b/YYYY column to day first in a semicolon file", () => {
    const d = parseCsv("date;value\n01/02/2024;1\n01/03/2024;2\n", { fileName: "x.csv" });
    expect(arr(d.series[0].timestamps)).toEqual([day(2024, 2, 1), day(2024, 3, 1)]);
    expect(d.warnings.join(" ")).toMatch(/day\/month\/year/);
  });

  it("reads month names (`Jan 1 2000`, as in vega-datasets)", () => {
    const d = parseFixture("month-names.csv");
    expect(d.dateColumn).toBe("period");
    expect(arr(d.series[0].timestamps)).toEqual([1, 2, 3, 4, 5].map((m) => day(2000, m, 1)));
    expect(d.series[0].frequency).toBe("monthly");
  });

  it("reads Unix seconds", () => {
    const d = parseFixture("unix-seconds.csv");
    expect(d.series[0].timestamps[0]).toBe(day(2024, 1, 1));
    expect(d.series[0].frequency).toBe("hourly");
  });

  it("reads Unix milliseconds", () => {
    const d = parseFixture("unix-ms.csv");
    expect(d.series[0].timestamps[1]).toBe(day(2024, 1, 1, 0, 1));
    expect(d.series[0].frequency).toBe("minute");
    expect(d.series[0].stepMs).toBe(60_000);
  });

  it("reads ISO datetimes with zones (Z, +01:00, -02:00) as UTC instants", () => {
    const d = parseFixture("iso-zones.csv");
    const s = d.series[0];
    expect(arr(s.timestamps)).toEqual([0, 1, 2, 3].map((h) => day(2024, 6, 1, h)));
    expect(arr(s.values)).toEqual([1, 2, 3, 4]);
    expect(s.frequency).toBe("hourly");
  });

  it("combines a date column with a separate time column", () => {
    const d = parseCsv("date,time,value\n2024-01-01,00:00,1\n2024-01-01,00:30,2\n2024-01-01,01:00,3\n", { fileName: "x.csv" });
    expect(arr(d.series[0].timestamps)).toEqual([day(2024, 1, 1, 0), day(2024, 1, 1, 0, 30), day(2024, 1, 1, 1)]);
    expect(d.series[0].frequency).toBe("minute");
    expect(d.series[0].stepMs).toBe(30 * 60_000);
  });

  it("reads a year column", () => {
    const d = parseCsv("year,population\n2000,10\n2001,11\n2002,12\n", { fileName: "pop.csv" });
    expect(d.series[0].timestamps[2]).toBe(day(2002, 1, 1));
    expect(d.series[0].frequency).toBe("yearly");
  });
});

describe("layouts", () => {
  it("reads an unsorted long file: one series per id, each sorted by time", () => {
    const d = parseFixture("long-unsorted.csv");
    expect(d.format).toBe("long");
    expect(d.dateColumn).toBe("day");
    expect(d.series.map((s) => s.name)).toEqual(["MSFT", "AAPL"]); // order of first appearance
    const aapl = seriesNamed(d, "AAPL");
    expect(arr(aapl.timestamps)).toEqual([day(2024, 1, 2), day(2024, 1, 3), day(2024, 1, 4), day(2024, 1, 5), day(2024, 1, 8)]);
    expect(arr(aapl.values)).toEqual([185.64, 184.25, 181.91, 181.18, 185.56]);
    expect(aapl.frequency).toBe("business");
    expect(aapl.gaps).toEqual([]); // the weekend is not a gap
    expect(arr(seriesNamed(d, "MSFT").values)).toEqual([370.87, 370.6, 367.94, 367.75, 374.69]);
  });

  it("detects a long file by its id column name even with a single series", () => {
    const d = parseCsv("symbol,date,price\nAAPL,2024-01-01,1\nAAPL,2024-01-02,2\n", { fileName: "x.csv" });
    expect(d.format).toBe("long");
    expect(d.series.map((s) => s.name)).toEqual(["AAPL"]);
  });

  it("detects a long file by repeated dates when the id column has an unusual name", () => {
    const d = parseCsv("place,date,value\nOslo,2024-01-01,1\nRome,2024-01-01,5\nOslo,2024-01-02,2\nRome,2024-01-02,6\n", { fileName: "x.csv" });
    expect(d.format).toBe("long");
    expect(d.series.map((s) => [s.name, arr(s.values)])).toEqual([["Oslo", [1, 2]], ["Rome", [5, 6]]]);
  });

  it("names long series `<id> <column>` when there are several value columns", () => {
    const d = parseCsv("ticker,date,open,close\nA,2024-01-01,1,2\nB,2024-01-01,3,4\n", { fileName: "x.csv" });
    expect(d.series.map((s) => s.name)).toEqual(["A open", "A close", "B open", "B close"]);
  });

  it("reads a stock OHLCV file (newest first): every numeric column a series named after file and column", () => {
    const d = parseFixture("AAPL.csv");
    expect(d.format).toBe("ohlcv");
    expect(d.series.map((s) => s.name)).toEqual(["AAPL Open", "AAPL High", "AAPL Low", "AAPL Close", "AAPL Adj Close", "AAPL Volume"]);
    const close = seriesNamed(d, "AAPL Close");
    expect(arr(close.timestamps)).toEqual([2, 3, 4, 5, 8, 9].map((x) => day(2024, 1, x)));
    expect(arr(close.values)).toEqual([185.64, 184.25, 181.91, 181.18, 185.56, 185.14]);
    expect(seriesNamed(d, "AAPL Volume").values[0]).toBe(82488700);
    expect(close.frequency).toBe("business");
  });

  it("trims a wide series' leading and trailing blank cells but keeps interior ones", () => {
    const d = parseCsv("date,a,b\n2024-01-01,,1\n2024-01-02,5,2\n2024-01-03,,3\n2024-01-04,7,4\n2024-01-05,,5\n", { fileName: "x.csv" });
    const a = seriesNamed(d, "a");
    expect(arr(a.timestamps)).toEqual([day(2024, 1, 2), day(2024, 1, 3), day(2024, 1, 4)]);
    expect(a.values[0]).toBe(5);
    expect(Number.isNaN(a.values[1])).toBe(true);
    expect(a.gaps).toEqual([{ afterTs: day(2024, 1, 2), beforeTs: day(2024, 1, 4), missingSteps: 1 }]);
  });

  it("treats NA, NaN, null, -, N/A and #N/A as missing, never 0", () => {
    const d = parseCsv("date,v\n2024-01-01,1\n2024-01-02,NA\n2024-01-03,NaN\n2024-01-04,null\n2024-01-05,-\n2024-01-06,N/A\n2024-01-07,#N/A\n2024-01-08,8\n", { fileName: "x.csv" });
    const s = d.series[0];
    expect(s.values.length).toBe(8);
    expect(arr(s.values.subarray(1, 7)).every(Number.isNaN)).toBe(true);
    expect(s.missingCount).toBe(6);
    expect(s.gaps).toEqual([{ afterTs: day(2024, 1, 1), beforeTs: day(2024, 1, 8), missingSteps: 6 }]);
  });

  it("sorts an unsorted wide file by time", () => {
    const d = parseCsv("date,v\n2024-01-03,3\n2024-01-01,1\n2024-01-04,4\n2024-01-02,2\n", { fileName: "x.csv" });
    expect(arr(d.series[0].values)).toEqual([1, 2, 3, 4]);
    expect(arr(d.series[0].timestamps)).toEqual([1, 2, 3, 4].map((x) => day(2024, 1, x)));
  });

  it("accepts Uint8Array and string input alike", () => {
    const text = "date,v\n2024-01-01,1\n2024-01-02,2\n";
    const a = parseCsv(text, { fileName: "x.csv" });
    const b = parseCsv(new TextEncoder().encode(text), { fileName: "x.csv" });
    expect(arr(a.series[0].values)).toEqual([1, 2]);
    expect(arr(b.series[0].values)).toEqual([1, 2]);
  });
});

describe("more real-world shapes", () => {
  it("combines two id columns (store + item) when one alone leaves repeated dates", () => {
    const d = parseCsv("store,item,date,sales\n1,A,2024-01-01,5\n1,B,2024-01-01,6\n2,A,2024-01-01,7\n1,A,2024-01-02,8\n1,B,2024-01-02,9\n2,A,2024-01-02,10\n", { fileName: "s.csv" });
    expect(d.format).toBe("long");
    expect(d.series.map((s) => [s.name, arr(s.values)])).toEqual([["1 / A", [5, 8]], ["1 / B", [6, 9]], ["2 / A", [7, 10]]]);
  });

  it("does not take a row-number id column for a series id", () => {
    const d = parseCsv("id,date,value\n1,2024-01-01,5\n2,2024-01-02,6\n3,2024-01-03,7\n4,2024-01-04,8\n", { fileName: "r.csv" });
    expect(d.format).toBe("wide");
    expect(d.series.map((s) => [s.name, arr(s.values)])).toEqual([["r", [5, 6, 7, 8]]]);
    expect(d.warnings.join(" ")).toMatch(/"id" looks like an identifier/);
  });

  it("reads a Nasdaq-style export: newest first, MM/DD/YYYY, dollar signs", () => {
    const csv = "Date,Close/Last,Volume,Open,High,Low\n01/16/2024,$183.63,65603000,$182.16,$184.26,$180.93\n01/12/2024,$185.92,40444700,$186.06,$186.74,$185.19\n01/11/2024,$185.59,49128400,$186.54,$187.05,$183.62\n";
    const d = parseCsv(csv, { fileName: "HistoricalData_AAPL.csv" });
    expect(d.format).toBe("ohlcv");
    const close = seriesNamed(d, "HistoricalData_AAPL Close/Last");
    expect(arr(close.timestamps)).toEqual([day(2024, 1, 11), day(2024, 1, 12), day(2024, 1, 16)]);
    expect(arr(close.values)).toEqual([185.59, 185.92, 183.63]);
  });

  it("reads percentages, exponents, a leading + and spaces around cells", () => {
    const d = parseCsv("date , rate , x \n 2024-01-01 , 5% , 1e-5 \n 2024-01-02 , 6.5 % , +2.5E3 \n", { fileName: "p.csv" });
    expect(arr(seriesNamed(d, "rate").values)).toEqual([5, 6.5]);
    expect(arr(seriesNamed(d, "x").values)).toEqual([0.00001, 2500]);
  });

  it("ignores a trailing delimiter on every line without a warning", () => {
    const d = parseCsv("date,value\n2024-01-01,1,\n2024-01-02,2,\n", { fileName: "t.csv" });
    expect(arr(d.series[0].values)).toEqual([1, 2]);
    expect(d.warnings).toEqual([]);
  });
});

describe("dates split over columns", () => {
  it("builds monthly dates from year and month columns (numbers or names)", () => {
    for (const months of [["1", "2", "3"], ["Jan", "Feb", "Mar"]]) {
      const d = parseCsv(`year,month,value\n${months.map((m, i) => `2020,${m},${i + 5}`).join("\n")}\n`, { fileName: "ym.csv" });
      expect(d.dateColumn).toBe("year");
      expect(d.series.map((s) => s.name)).toEqual(["ym"]);
      expect(arr(d.series[0].timestamps)).toEqual([day(2020, 1, 1), day(2020, 2, 1), day(2020, 3, 1)]);
      expect(d.series[0].frequency).toBe("monthly");
    }
  });

  it("builds daily dates from year, month and day columns", () => {
    const d = parseCsv("Year,Month,Day,temp\n2020,1,30,5\n2020,1,31,6\n2020,2,1,7\n", { fileName: "ymd.csv" });
    expect(arr(d.series[0].timestamps)).toEqual([day(2020, 1, 30), day(2020, 1, 31), day(2020, 2, 1)]);
    expect(d.series[0].frequency).toBe("daily");
  });

  it("names the row and month column of an impossible month", () => {
    const rows = Array.from({ length: 12 }, (_, i) => `2020,${i + 1},${i}`);
    rows[7] = "2020,13,7";
    const e = csvError(() => parseCsv(`year,month,value\n${rows.join("\n")}\n`, { fileName: "ym.csv" }));
    expect(e.code).toBe("BAD_DATE");
    expect(e.details).toMatchObject({ row: 9, column: "month", value: "13" });
  });

  it("keeps rows without a series id in a long file as the series (blank), with a warning", () => {
    const d = parseCsv("series,date,value\nA,2024-01-01,1\n,2024-01-01,2\nA,2024-01-02,3\n", { fileName: "b.csv" });
    expect(d.series.map((s) => [s.name, arr(s.values)])).toEqual([["A", [1, 3]], ["(blank)", [2]]]);
    expect(d.warnings.join(" ")).toMatch(/no "series"/);
  });
});

describe("more encodings and time columns", () => {
  it("finds Unix seconds in an unnamed first column by content", () => {
    const d = parseCsv("t,value\n1704067200,1\n1704153600,2\n1704240000,3\n", { fileName: "u.csv" });
    expect(d.dateColumn).toBe("t");
    expect(arr(d.series[0].timestamps)).toEqual([day(2024, 1, 1), day(2024, 1, 2), day(2024, 1, 3)]);
  });

  it("reads old Mac line ends (CR only) and UTF-8 header names", () => {
    const d = parseCsv("datum;temperatur °C;größe\r2024-01-01;1,5;2\r2024-01-02;2,5;3\r", { fileName: "m.csv" });
    expect(d.series.map((s) => [s.name, arr(s.values)])).toEqual([["temperatur °C", [1.5, 2.5]], ["größe", [2, 3]]]);
  });

  it("reads UTF-16 LE with a BOM (Excel's 'Unicode text')", () => {
    const text = "date\tvalue\r\n2024-01-01\t1\r\n2024-01-02\t2\r\n";
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    for (let i = 0; i < text.length; i++) bytes[2 + 2 * i] = text.charCodeAt(i);
    const d = parseCsv(bytes, { fileName: "excel.txt" });
    expect(d.delimiter).toBe("\t");
    expect(arr(d.series[0].values)).toEqual([1, 2]);
  });
});
