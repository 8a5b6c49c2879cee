import { describe, expect, it } from "vitest";
import { datePart, findDateColumns } from "../../../../lib/series/csv/date-column";
import { chooseAmbiguousOrder, DateReader, MAX_ABS_TIMESTAMP, resolveTimestamps } from "../../../../lib/series/csv/timestamps";
import { dateContext, sniffed, streamed, utc } from "./stages";
import { csvError } from "../helpers";

const columns = (csv: string) => findDateColumns(sniffed(csv).dialect);

describe("findDateColumns", () => {
  it("prefers a column of text dates, by name before content", () => {
    expect(columns("when,created,v\n2024-01-01,2024-02-01,1\n")).toMatchObject({ date: 0, header: "when", numericKind: null });
    expect(columns("created,day,v\n2024-02-01,2024-01-01,1\n")).toMatchObject({ date: 1, header: "day" });
    expect(columns("v,recorded\n1,2024-01-01\n")).toMatchObject({ date: 1, header: "recorded" }); // by content alone
  });

  it("reads named columns of bare numbers as years or yyyymmdd, and Unix times in the first column", () => {
    expect(columns("year,v\n2000,1\n2001,2\n")).toMatchObject({ date: 0, numericKind: "year" });
    expect(columns("v,date\n1,20240131\n")).toMatchObject({ date: 1, numericKind: "yyyymmdd" });
    expect(columns("t,v\n1704067200,1\n")).toMatchObject({ date: 0, numericKind: "unix-s" });
    expect(columns("t,v\n1704067200000,1\n")).toMatchObject({ date: 0, numericKind: "unix-ms" });
  });

  it("does not take unnamed four-digit numbers for years", () => {
    const e = csvError(() => columns("a,b\n2000,1\n2001,2\n"));
    expect(e.code).toBe("NO_DATE_COLUMN");
    expect(e.details.columns).toEqual(["a", "b"]);
  });

  it("finds a time-of-day column beside date-only dates", () => {
    expect(columns("date,time,v\n2024-01-01,10:30,1\n")).toMatchObject({ date: 0, time: 1 });
    expect(columns("date,time,v\n2024-01-01 09:00,10:30,1\n").time).toBe(-1); // dates that carry a time already
  });

  it("finds month and day columns beside a year column", () => {
    expect(columns("year,month,v\n2020,Jan,1\n2020,Feb,2\n")).toMatchObject({ date: 0, month: 1, day: -1 });
    expect(columns("Year,Month,Day,v\n2020,1,30,1\n")).toMatchObject({ date: 0, month: 1, day: 2 });
  });

  it("names the row of a column called date that holds something else (BAD_DATE)", () => {
    const e = csvError(() => columns("date,v\n\nsoon,1\n"));
    expect(e.code).toBe("BAD_DATE");
    expect(e.details).toMatchObject({ row: 3, column: "date", value: "soon" }); // line 3: the blank line counts
  });
});

describe("datePart", () => {
  it("reads 1..max and, where allowed, month names", () => {
    expect([datePart("12", 12, false), datePart("13", 12, false), datePart("0", 12, false)]).toEqual([12, -1, -1]);
    expect([datePart("Sept.", 12, true), datePart("sept", 12, false), datePart(" 7 ", 31, false)]).toEqual([9, -1, 7]);
  });
});

describe("DateReader", () => {
  const reader = (csv: string) => new DateReader(dateContext(sniffed(csv).dialect));

  it("reads ISO dates on the spot and leaves other text dates for later (NaN)", () => {
    const r = reader("date,v\n2024-01-01,1\n");
    expect(r.read(["2024-03-05T06:30:00Z", "1"], 1)).toBe(utc(2024, 3, 5, 6, 30));
    expect(r.read(["03/05/2024", "1"], 2)).toBeNaN();
  });

  it("reads bare-number dates of the column's kind, refusing numbers too far from 1970", () => {
    const r = reader("t,v\n1704067200000,1\n");
    expect(r.read(["1704067260000", "2"], 2)).toBe(utc(2024, 1, 1, 0, 1));
    const e = csvError(() => r.read(["99999999999999999999", "3"], 3));
    expect(e.details).toMatchObject({ row: 4, column: "t", value: "99999999999999999999" });
    expect(e.message).toMatch(/too far from 1970/);
    expect(MAX_ABS_TIMESTAMP).toBe(new Date(8.64e15).getTime()); // the last instant a Date holds
    expect(new Date(MAX_ABS_TIMESTAMP + 1).getTime()).toBeNaN();
  });

  it("builds dates from year, month and day columns, naming a bad part", () => {
    const r = reader("year,month,day,v\n2020,1,1,5\n");
    expect(r.read(["2021", "Mar", "31", "1"], 1)).toBe(utc(2021, 3, 31));
    expect(csvError(() => r.read(["2021", "2", "30", "1"], 4)).details).toMatchObject({ row: 5, column: "day", value: "30" });
    expect(csvError(() => r.read(["2021", "13", "1", "1"], 4)).details).toMatchObject({ column: "month", value: "13" });
    expect(csvError(() => r.read(["20x1", "1", "1", "1"], 4)).details).toMatchObject({ column: "year", value: "20x1" });
  });
});

describe("resolveTimestamps", () => {
  it("decides the day/month order on the whole column: a day above 12 anywhere proves day first", () => {
    const { table, warnings } = streamed("date,v\n01/02/2024,1\n05/02/2024,2\n25/02/2024,3\n");
    expect(Array.from(table.ts)).toEqual([utc(2024, 2, 1), utc(2024, 2, 5), utc(2024, 2, 25)]);
    expect(warnings).toEqual([]);
  });

  it("refuses a column that proves both orders (AMBIGUOUS_DATE), naming both rows", () => {
    const e = csvError(() => streamed("date,v\n13/01/2024,1\n01/14/2024,2\n"));
    expect(e.code).toBe("AMBIGUOUS_DATE");
    expect(e.details).toMatchObject({ column: "date", rows: [2, 3] });
  });

  it("guesses an undecidable order with a warning", () => {
    const { table, warnings } = streamed("date,v\n01/02/2024,1\n01/03/2024,2\n");
    expect(Array.from(table.ts)).toEqual([utc(2024, 1, 2), utc(2024, 1, 3)]);
    expect(warnings).toEqual(['Dates in column "date" such as "01/02/2024" could be day/month or month/day; they were read as month/day/year.']);
  });

  it("adds the time-of-day column (a missing time is midnight) and names a bad time", () => {
    const { table } = streamed("date,time,v\n2024-01-01,10:30,1\n2024-01-02,,2\n2024-01-03,2:15 PM,3\n");
    expect(Array.from(table.ts)).toEqual([utc(2024, 1, 1, 10, 30), utc(2024, 1, 2), utc(2024, 1, 3, 14, 15)]);
    // past the 2,000 sampled rows (inside them, "25:00" would keep the column from being a time column)
    const rows = Array.from({ length: 2100 }, (_, i) => `${new Date(utc(2000, 1, 1) + i * 86_400_000).toISOString().slice(0, 10)},10:00,${i}`);
    rows[2050] = rows[2050].replace("10:00", "25:00");
    const e = csvError(() => streamed(`date,time,v\n${rows.join("\n")}\n`));
    expect(e.details).toMatchObject({ row: 2052, column: "time", value: "25:00" });
  });

  it("names the first unreadable date with an example of the column's good ones", () => {
    // four good dates in five: still the date column (80%), so the bad one is found in this stage
    const e = csvError(() => streamed("date,v\nJan 1 2000,1\nFeb 1 2000,2\nMar 1 2000,3\nFeb 30 2000,4\nApr 1 2000,5\n"));
    expect(e.message).toBe('Row 5, column "date": "Feb 30 2000" is not a date (other rows have dates like "Jan 1 2000").');
  });

  it("leaves the timestamps read during the pass as they are", () => {
    const { dialect, dates, table, warnings } = streamed("date,v\n2024-01-01,1\nJan 2 2024,2\n", false);
    expect(table.ts[0]).toBe(utc(2024, 1, 1));
    expect(table.ts[1]).toBeNaN();
    expect(table.pending).toMatchObject({ rows: [1], texts: ["Jan 2 2024"], times: null });
    resolveTimestamps(table.ts, table.records, table.pending, dates, warnings);
    expect(Array.from(table.ts)).toEqual([utc(2024, 1, 1), utc(2024, 1, 2)]);
    expect(dialect.headers).toEqual(["date", "v"]);
  });
});

describe("chooseAmbiguousOrder", () => {
  it("prefers the order under which the dates are in time order", () => {
    // month first: Jan 2, Feb 1, Mar 1 (ascending); day first: Feb 1, Jan 2, Jan 3 (not monotone)
    expect(chooseAmbiguousOrder(["01/02/2024", "02/01/2024", "03/01/2024"], ",", ".")).toBe("mdy");
    // day first: Feb 1, Feb 2, Mar 3 (ascending); month first: Jan 2, Feb 2, Mar 3 is ascending too
    // -> a tie, decided by the file: comma file month first, semicolon or decimal comma day first
    expect(chooseAmbiguousOrder(["01/02/2024", "02/02/2024", "03/03/2024"], ",", ".")).toBe("mdy");
    expect(chooseAmbiguousOrder(["01/02/2024", "02/02/2024", "03/03/2024"], ";", ".")).toBe("dmy");
    expect(chooseAmbiguousOrder(["01/02/2024", "02/02/2024", "03/03/2024"], ",", ",")).toBe("dmy");
    // day first: Jan 2, Jan 3, Feb 1 (ascending); month first: Feb 1, Mar 1, Jan 2 (not monotone)
    expect(chooseAmbiguousOrder(["02/01/2024", "03/01/2024", "01/02/2024"], ",", ".")).toBe("dmy");
  });
});
