import { describe, expect, it } from "vitest";
import { findDateColumns } from "../../../../lib/series/csv/date-column";
import { columnRoles, MAX_TEXT_KEYS } from "../../../../lib/series/csv/rows";
import { sniffed, streamed } from "./stages";
import { csvError } from "../helpers";

describe("columnRoles", () => {
  it("makes id-named and mostly-text columns text, the rest numeric, and skips the date columns", () => {
    const { dialect } = sniffed("store,date,time,sales,label,blank\n7,2024-01-01,10:00,5,up,\n8,2024-01-02,11:00,6,down,\n");
    expect(columnRoles(dialect, findDateColumns(dialect))).toEqual({ numeric: [3, 5], text: [0, 4] });
  });
});

describe("streamRows", () => {
  it("reads one slot per data row: its record, timestamp, numbers and text codes", () => {
    const { table } = streamed("date,v,name\n2024-01-01,1.5,a\n\n2024-01-02,-2,b\n2024-01-03,NA,a\n");
    expect(table.n).toBe(3);
    expect(Array.from(table.records)).toEqual([1, 3, 4]); // the blank line is record 2
    expect(Array.from(table.ts)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]);
    const [v] = table.numeric;
    expect(Array.from(v.values.a.subarray(0, 3))).toEqual([1.5, -2, NaN]);
    expect([v.numbers, v.texts, v.nonFinite]).toEqual([2, 0, 0]);
    const [name] = table.text;
    expect(Array.from(name.codes.a.subarray(0, 3))).toEqual([0, 1, 0]);
    expect(name.names).toEqual(["a", "b"]);
    expect([table.emptyCount, table.emptyRecords]).toEqual([0, []]);
  });

  it("parses the slower number forms and counts text and infinite cells with the first of each", () => {
    const { table } = streamed("date,v\n2024-01-01,\"1,234.5\"\n2024-01-02,$7\n2024-01-03,oops\n2024-01-04,1e999\n2024-01-05,-Infinity\n2024-01-06,5%\n");
    const [v] = table.numeric;
    expect(Array.from(v.values.a.subarray(0, 6))).toEqual([1234.5, 7, NaN, NaN, NaN, 5]);
    expect(v).toMatchObject({ numbers: 3, texts: 1, firstTextRecord: 3, firstTextValue: "oops", nonFinite: 2, firstNonFiniteRecord: 4, firstNonFiniteValue: "1e999" });
  });

  it("counts rows of empty cells (skipped) but not blank lines", () => {
    const { table } = streamed("date,v\n2024-01-01,1\n,\n\n , \n2024-01-02,2\n");
    expect(table.n).toBe(2);
    expect([table.emptyCount, table.emptyRecords]).toEqual([2, [2, 4]]);
  });

  it("keeps reading every row of a text column past MAX_TEXT_KEYS distinct values, which stops coding it", () => {
    const count = MAX_TEXT_KEYS + 50;
    const lines = ["date,v,comment"];
    for (let i = 0; i < count; i++) lines.push(`${new Date(Date.UTC(2000, 0, 1) + i * 60_000).toISOString()},${i},c${i}`);
    const { table } = streamed(lines.join("\n") + "\n");
    expect(table.n).toBe(count);
    expect(table.records[count - 1]).toBe(count); // the last line's record: nothing skipped, nothing shifted
    expect(table.ts[count - 1]).toBe(Date.UTC(2000, 0, 1) + (count - 1) * 60_000);
    expect(table.numeric[0].values.a[count - 1]).toBe(count - 1);
    expect(table.numeric[0].numbers).toBe(count);
    expect(table.text[0].capped).toBe(true);
  });

  it("keeps the time-of-day cells in step with the rows", () => {
    const { table } = streamed("date,time,v\n2024-01-01,10:00,1\n,,\n2024-01-02,11:30,2\n", false);
    expect(table.pending.times).toEqual(["10:00", "11:30"]);
  });

  it("refuses a row with a non-empty cell past the header's columns (BAD_ROW), but not empty extras", () => {
    expect(streamed("date,v\n2024-01-01,1,,\n").table.n).toBe(1);
    const e = csvError(() => streamed("date,v\n2024-01-01,1\n2024-01-02,2,3\n"));
    expect([e.code, e.details.row, e.details.fields, e.details.expected]).toEqual(["BAD_ROW", 3, 3, 2]);
  });

  it("refuses a row whose date cell is empty (BAD_DATE)", () => {
    const e = csvError(() => streamed("date,v\n2024-01-01,1\n ,2\n"));
    expect(e.details).toMatchObject({ row: 3, column: "date", value: "" });
  });

  it("keeps a quoted field across lines, but refuses quotes that swallow lines", () => {
    const ok = streamed('date,v,note\n2024-01-01,1,"two\nlines"\n2024-01-02,2,x\n');
    expect(ok.table.n).toBe(2);
    expect(ok.table.text[0].names).toEqual(["two\nlines", "x"]);
    // `"ok"x` goes on after its closing quote: papaparse would read up to the next quote, two lines later
    const runOn = csvError(() => streamed('date,v,note\n2024-01-01,1,"ok"x\n2024-01-02,2,y\n2024-01-03,3,"z"\n2024-01-04,4,w\n'));
    expect([runOn.code, runOn.details.row]).toEqual(["BAD_ROW", 2]);
    expect(runOn.message).toMatch(/runs into the next lines/);
    // a quote inside an unquoted field is plain text (12" screen), kept
    const inch = streamed('date,v,note\n2024-01-01,1,12" screen\n2024-01-02,2,y\n');
    expect(inch.table.n).toBe(2);
    expect(inch.table.text[0].names).toEqual(['12" screen', "y"]);
    const open = csvError(() => streamed('date,v,note\n2024-01-01,1,ok\n2024-01-02,2,"open\n2024-01-03,3,x\n'));
    expect([open.code, open.details.row]).toEqual(["BAD_ROW", 3]);
  });
});
