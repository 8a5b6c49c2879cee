import { describe, expect, it } from "vitest";
import { CsvImportError, MAX_LISTED_ROWS, parseCsv } from "../../../lib/series";
import { csvError, fixture } from "./helpers";

const parse = (input: string | Uint8Array, maxBytes?: number) => () => parseCsv(input, { fileName: "bad.csv", maxBytes });

describe("CsvImportError", () => {
  it("is an Error with code, status, details and a REST body", () => {
    const e = new CsvImportError("BAD_DATE", "Row 2 ...", { row: 2 });
    expect(e).toBeInstanceOf(Error);
    expect(e.toJSON()).toEqual({ code: "BAD_DATE", message: "Row 2 ...", details: { row: 2 } });
    expect(e.status).toBe(422);
  });
});

describe("bad input", () => {
  it("EMPTY_FILE (400) for an empty file", () => {
    const e = csvError(parse(""));
    expect([e.code, e.status]).toEqual(["EMPTY_FILE", 400]);
  });

  it("EMPTY_FILE (400) for a file of blank lines and a BOM", () => {
    const e = csvError(parse(new Uint8Array([0xef, 0xbb, 0xbf, 0x0a, 0x20, 0x0d, 0x0a])));
    expect([e.code, e.status]).toEqual(["EMPTY_FILE", 400]);
  });

  it("HEADER_ONLY (422) for a header without rows", () => {
    const e = csvError(parse("date,value\n\n"));
    expect([e.code, e.status]).toEqual(["HEADER_ONLY", 422]);
    expect(e.message).toBe("The file has a header row but no data rows.");
  });

  it("BINARY_FILE (415) for NUL bytes", () => {
    const e = csvError(parse(new Uint8Array([0x64, 0x61, 0x74, 0x65, 0x00, 0x01, 0x02, 0x0a])));
    expect([e.code, e.status]).toEqual(["BINARY_FILE", 415]);
  });

  it("BINARY_FILE (415) for an Excel workbook, saying to export CSV", () => {
    const e = csvError(parse(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])));
    expect([e.code, e.status]).toEqual(["BINARY_FILE", 415]);
    expect(e.message).toMatch(/Excel/);
  });

  it("BINARY_FILE (415) for a string with NUL characters", () => {
    const e = csvError(parse("date,value\u0000\n"));
    expect(e.code).toBe("BINARY_FILE");
  });

  it("NO_DATE_COLUMN (422) lists the columns", () => {
    const e = csvError(parse("name,value\na,1\nb,2\n"));
    expect([e.code, e.status]).toEqual(["NO_DATE_COLUMN", 422]);
    expect(e.details.columns).toEqual(["name", "value"]);
    expect(e.message).toMatch(/"name", "value"/);
  });

  it("NO_NUMERIC_COLUMN (422) when only text sits beside the dates", () => {
    const e = csvError(parse("date,comment\n2024-01-01,hello\n2024-01-02,world\n"));
    expect([e.code, e.status]).toEqual(["NO_NUMERIC_COLUMN", 422]);
  });

  it("NO_NUMERIC_COLUMN (422) when every value cell is empty", () => {
    const e = csvError(parse("date,value\n2024-01-01,\n2024-01-02,NA\n"));
    expect(e.code).toBe("NO_NUMERIC_COLUMN");
  });

  it("BAD_DATE (422) names the row and the column", () => {
    const e = csvError(() => parseCsv(fixture("bad-date.csv"), { fileName: "bad-date.csv" }));
    expect([e.code, e.status]).toEqual(["BAD_DATE", 422]);
    expect(e.details).toMatchObject({ row: 5, column: "date", value: "2024-02-30" });
    expect(e.message).toBe('Row 5, column "date": "2024-02-30" is not a date (other rows have dates like "2024-01-01").');
  });

  it("BAD_DATE names the right row when the bad date is in a non-ISO column", () => {
    const e = csvError(parse("date,value\nJan 1 2000,1\nFeb 1 2000,2\nFeb 30 2000,3\n"));
    expect(e.details).toMatchObject({ row: 4, column: "date", value: "Feb 30 2000" });
  });

  it("BAD_DATE for a row whose date cell is empty", () => {
    const e = csvError(parse("date,value\n2024-01-01,1\n,2\n"));
    expect(e.code).toBe("BAD_DATE");
    expect(e.details).toMatchObject({ row: 3, column: "date" });
  });

  it("BAD_DATE for a column named date that holds no dates", () => {
    const e = csvError(parse("date,value\nsoon,1\nlater,2\n"));
    expect(e.code).toBe("BAD_DATE");
    expect(e.details).toMatchObject({ row: 2, column: "date", value: "soon" });
  });

  it("DUPLICATE_TIMESTAMP (422) lists the rows of a wide file", () => {
    const e = csvError(parse("date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n"));
    expect([e.code, e.status]).toEqual(["DUPLICATE_TIMESTAMP", 422]);
    expect(e.details.rows).toEqual([2, 4]);
    expect(e.message).toBe("Rows 2 and 4 have the same date 2024-01-01.");
  });

  it("DUPLICATE_TIMESTAMP names the rows and the series in a long file", () => {
    const e = csvError(() => parseCsv(fixture("duplicate-long.csv"), { fileName: "d.csv" }));
    expect(e.code).toBe("DUPLICATE_TIMESTAMP");
    expect(e.details).toMatchObject({ rows: [5, 7], series: "AAPL", value: "2024-01-04" });
    expect(e.message).toBe("Rows 5 and 7 have the same date 2024-01-04 for series AAPL.");
  });

  it("DUPLICATE_TIMESTAMP lists at most MAX_LISTED_ROWS rows and counts the rest", () => {
    const rows = Array.from({ length: 25 }, (_, i) => `2024-01-01,${i}`).join("\n");
    const e = csvError(parse(`date,value\n${rows}\n`));
    expect(e.details.rows).toHaveLength(MAX_LISTED_ROWS);
    expect(e.details.rows?.[0]).toBe(2);
    expect(e.message).toMatch(/^Rows 2, 3, .* and 15 more have the same date 2024-01-01\.$/);
  });

  it("BAD_NUMBER (422) names the row and the column", () => {
    const e = csvError(() => parseCsv(fixture("bad-number.csv"), { fileName: "bad-number.csv" }));
    expect([e.code, e.status]).toEqual(["BAD_NUMBER", 422]);
    expect(e.details).toMatchObject({ row: 4, column: "close", value: "abc" });
    expect(e.message).toBe('Row 4, column "close": "abc" is not a number.');
  });

  it("BAD_NUMBER (422) for a number no double holds or an infinity, naming row and column", () => {
    for (const bad of ["1e999", "Infinity", "-Infinity"]) {
      const e = csvError(parse(`date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-03,${bad}\n`));
      expect([e.code, e.status]).toEqual(["BAD_NUMBER", 422]);
      expect(e.details).toMatchObject({ row: 4, column: "value", value: bad });
      expect(e.message).toBe(`Row 4, column "value": "${bad}" is not a finite number.`);
    }
  });

  it("a column that is all text is not a series and not an error", () => {
    const d = parseCsv("date,value,label\n2024-01-01,1,up\n2024-01-02,2,down\n", { fileName: "x.csv" });
    expect(d.series.map((s) => s.name)).toEqual(["x"]);
    expect(d.warnings.join(" ")).toMatch(/"label" holds text/);
  });

  it("FILE_TOO_LARGE (413) over maxBytes, for bytes and strings", () => {
    const csv = `date,value\n${Array.from({ length: 100 }, (_, i) => `2024-01-01T${String(i % 24).padStart(2, "0")}:00,${i}`).join("\n")}`;
    for (const input of [csv, new TextEncoder().encode(csv)]) {
      const e = csvError(parse(input, 1000));
      expect([e.code, e.status]).toEqual(["FILE_TOO_LARGE", 413]);
      expect(e.details).toMatchObject({ maxBytes: 1000 });
    }
    // multi-byte characters count as bytes, not characters
    const e = csvError(parse(`date,v\u00e9\u00e9\u00e9\n2024-01-01,1\n`, 24));
    expect(e.code).toBe("FILE_TOO_LARGE");
  });

  it("AMBIGUOUS_DATE (422) when a column mixes day-first and month-first dates", () => {
    const e = csvError(() => parseCsv(fixture("mixed-dates.csv"), { fileName: "m.csv" }));
    expect([e.code, e.status]).toEqual(["AMBIGUOUS_DATE", 422]);
    expect(e.details).toMatchObject({ column: "date", rows: [2, 3] });
  });

  it("BAD_ROW (422) for a line with more fields than the header", () => {
    const e = csvError(parse("date,value\n2024-01-01,1\n2024-01-02,2,3\n"));
    expect([e.code, e.status]).toEqual(["BAD_ROW", 422]);
    expect(e.details.row).toBe(3);
  });

  it("BAD_ROW (422) for a quote that is never closed", () => {
    const e = csvError(parse('date,value,note\n2024-01-01,1,ok\n2024-01-02,2,"open\n2024-01-03,3,x\n'));
    expect(e.code).toBe("BAD_ROW");
    expect(e.details.row).toBe(3);
  });
});
