import { describe, expect, it } from "vitest";
import { CsvImportError } from "../../../../lib/series";
import { detectDelimiter, isBlankRow, sniffDialect, spreadsheetRow, stripSepHint } from "../../../../lib/series/csv/dialect";
import { isTextual, profileColumn } from "../../../../lib/series/csv/profile";
import { sniffed } from "./stages";

describe("detectDelimiter", () => {
  it("picks the delimiter that splits every line into the same number of fields", () => {
    expect(detectDelimiter("a,b,c\n1,2,3\n4,5,6\n")).toBe(",");
    expect(detectDelimiter("a;b;c\n1,5;2,5;3\n")).toBe(";"); // decimal commas do not fool it
    expect(detectDelimiter("a\tb\n1\t2\n")).toBe("\t");
    expect(detectDelimiter("a|b|c\n1|2|3\n")).toBe("|");
  });

  it("prefers consistency over field count: a comma inside a semicolon file's text", () => {
    // commas give 3, 2, 2 fields (inconsistent); semicolons give 2, 2, 2
    expect(detectDelimiter("date;note\n2024-01-01;a, b\n2024-01-02;c\n")).toBe(";");
  });

  it("falls back to comma when nothing splits the header", () => {
    expect(detectDelimiter("value\n1\n2\n")).toBe(",");
  });
});

describe("stripSepHint", () => {
  it("takes Excel's sep= line as the delimiter and counts it as a line", () => {
    expect(stripSepHint("sep=;\na;b\n")).toEqual({ text: "a;b\n", forcedDelimiter: ";", recordOffset: 1 });
    expect(stripSepHint("a,b\n")).toEqual({ text: "a,b\n", forcedDelimiter: null, recordOffset: 0 });
  });
});

describe("sniffDialect", () => {
  it("reads the header, the sample rows with their record numbers, and the decimal mark", () => {
    const { dialect: d, warnings } = sniffed("\n\ndate;Umsatz\n2024-01-01;1,5\n\n2024-01-02;2,25\n");
    expect(d.delimiter).toBe(";");
    expect(d.mark).toBe(",");
    expect(d.hasHeader).toBe(true);
    expect(d.headers).toEqual(["date", "Umsatz"]);
    expect(d.hasHeaderName).toEqual([true, true]);
    expect(d.firstDataRecord).toBe(3); // two blank lines, then the header
    expect(d.sample).toEqual([["2024-01-01", "1,5"], ["2024-01-02", "2,25"]]);
    expect(d.sampleRecords).toEqual([3, 5]);
    expect(d.sampleRecords.map((r) => spreadsheetRow(d, r))).toEqual([4, 6]);
    expect(warnings).toEqual([]);
  });

  it("shifts row numbers by one after a sep= line", () => {
    const { dialect: d } = sniffed("sep=,\ndate,v\n2024-01-01,1\n");
    expect(d.recordOffset).toBe(1);
    expect(spreadsheetRow(d, d.sampleRecords[0])).toBe(3); // line 3 of the file
  });

  it("names unnamed and repeated columns, and says so for repeats", () => {
    const { dialect: d, warnings } = sniffed("date,x,,X\n2024-01-01,1,2,3\n");
    expect(d.headers).toEqual(["date", "x", "column 3", "X (2)"]);
    expect(d.hasHeaderName).toEqual([true, true, false, true]);
    expect(warnings).toEqual(['Two columns are named "X"; the second is called "X (2)".']);
  });

  it("widens the columns when nearly every row has more fields than the header", () => {
    const { dialect: d } = sniffed("date,a\n2024-01-01,1,2\n2024-01-02,3,4\n");
    expect(d.headers).toEqual(["date", "a", "column 3"]);
  });

  it("takes a first record of a date and numbers as data, not names", () => {
    const { dialect: d, warnings } = sniffed("2024-01-01,5\n2024-01-02,6\n");
    expect(d.hasHeader).toBe(false);
    expect(d.firstDataRecord).toBe(0);
    expect(d.headers).toEqual(["column 1", "column 2"]);
    expect(d.sample).toHaveLength(2);
    expect(warnings[0]).toMatch(/no header row/);
  });

  it("takes a first record of numbers only (Unix times, years) as data too", () => {
    for (const text of ["1704067200,5\n1704153600,6\n", "2001,5\n2002,6\n"]) {
      const { dialect: d } = sniffed(text);
      expect(d.hasHeader, text).toBe(false);
      expect(d.sample).toHaveLength(2);
    }
    // words make names, even beside numbers
    expect(sniffed("date,2019,2020\n2024-01-01,1,2\n").dialect.hasHeader).toBe(true);
  });

  it("refuses a blank file (EMPTY_FILE) and a header without rows (HEADER_ONLY)", () => {
    for (const [text, code] of [["\n \n", "EMPTY_FILE"], ["date,value\n\n", "HEADER_ONLY"]] as const) {
      let error: unknown;
      try {
        sniffDialect(text, []);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CsvImportError);
      expect((error as CsvImportError).code).toBe(code);
    }
  });

  it("samples at most 2,000 rows and ignores a record cut by the 256 KB sample limit", () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${"x".repeat(5)}`);
    const { dialect: d } = sniffed(`id,label\n${rows.join("\n")}\n`);
    expect(d.sample).toHaveLength(2000);
    expect(d.sample[1999]).toEqual(["1999", "xxxxx"]);
  });
});

describe("profiles", () => {
  const rows = [["2024-01-01", "1", "a", "1704067200"], ["Jan 2 2024", "NA", "b", "1704153600"], ["soon", "3", "4", ""]];
  it("counts numbers, text dates, numeric dates and the first non-date per column", () => {
    const date = profileColumn(rows, 0, ".");
    expect(date).toMatchObject({ nonMissing: 3, numeric: 0, textDates: 2, firstNonDate: 2 });
    const value = profileColumn(rows, 1, ".");
    expect(value).toMatchObject({ nonMissing: 2, numeric: 2, textDates: 0, firstNonDate: 0 });
    const unix = profileColumn(rows, 3, ".");
    expect(unix.nonMissing).toBe(2);
    expect([...unix.numericKinds]).toEqual([["unix-s", 2]]);
    expect(unix.firstNonDate).toBe(-1);
  });

  it("calls a column textual when fewer than half its cells are numbers", () => {
    expect(isTextual(profileColumn(rows, 2, "."))).toBe(true); // a, b, 4: one number in three
    expect(isTextual(profileColumn(rows, 1, "."))).toBe(false);
    expect(isTextual(profileColumn([[""], ["NA"]], 0, "."))).toBe(false); // empty: not text either
  });
});

describe("isBlankRow", () => {
  it("is true for rows of empty or whitespace cells only", () => {
    expect(isBlankRow([""])).toBe(true);
    expect(isBlankRow(["", " ", "\t"])).toBe(true);
    expect(isBlankRow(["", "0"])).toBe(false);
  });
});
