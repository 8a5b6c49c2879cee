import { describe, expect, it } from "vitest";
import { chooseLayout, seriesNamer, valueColumns, type Layout } from "../../../../lib/series/csv/layout";
import { streamed } from "./stages";
import { csvError } from "../helpers";

/** The layout stage on a CSV, with the names of the value columns and the key's series ids. */
function layoutOf(csv: string) {
  const { dialect, dates, table, warnings } = streamed(csv);
  const values = valueColumns(table, dialect, warnings);
  const layout = chooseLayout(table, values, dialect, dates.cols.header, warnings);
  return {
    layout,
    dialect,
    warnings,
    values: layout.values.map((c) => dialect.headers[c.col]),
    ids: layout.key ? Array.from(layout.key.codes.subarray(0, table.n), (c) => layout.key!.names[c]) : null,
  };
}

describe("valueColumns", () => {
  const check = (csv: string) => {
    const { dialect, table, warnings } = streamed(csv);
    return { headers: valueColumns(table, dialect, warnings).map((c) => dialect.headers[c.col]), warnings };
  };

  it("keeps columns of numbers and skips text and empty ones with a warning each", () => {
    // `words` is numeric in the sample's eyes only if most of it is numbers; here it is all words
    const { headers, warnings } = check("date,a,b,,words\n2024-01-01,1,,,x1\n2024-01-02,2,,,\n");
    expect(headers).toEqual(["a"]);
    expect(warnings).toEqual(['Column "b" is empty; it was not imported.']); // the unnamed column is a trailing delimiter: no word
  });

  it("skips a column that turns out mostly text after the sample, with a warning", () => {
    const rows = Array.from({ length: 2100 }, (_, i) => `${new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${i},${i < 2000 ? i : "x"}`);
    // 2000 numbers then 100 words: numbers outnumber words, so this is a stray-text error instead
    expect(csvError(() => check(`date,a,b\n${rows.join("\n")}\n`)).details).toMatchObject({ row: 2002, column: "b", value: "x" });
    const mostlyText = rows.map((r, i) => (i >= 1000 && i < 2000 ? r : r.replace(/,[^,]*$/, ",word")));
    const { headers, warnings } = check(`date,a,b\n${mostlyText.join("\n")}\n`);
    expect(headers).toEqual(["a"]);
    expect(warnings).toEqual(['Column "b" is mostly text; it was not imported.']);
  });

  it("refuses a word among numbers (BAD_NUMBER), naming its row, column and value", () => {
    const e = csvError(() => check("date,close\n2024-01-01,1\n2024-01-02,abc\n2024-01-03,3\n"));
    expect(e.message).toBe('Row 3, column "close": "abc" is not a number.');
    expect(e.details).toMatchObject({ row: 3, column: "close", value: "abc", textCells: 1 });
  });

  it("refuses non-finite numbers (1e999, Infinity, -Infinity) with the first one's row and column", () => {
    for (const bad of ["1e999", "Infinity", "-Infinity", "-1e400", "inf"]) {
      const e = csvError(() => check(`date,x,y\n2024-01-01,1,1\n2024-01-02,2,${bad}\n2024-01-03,3,${bad}\n`));
      expect(e.code).toBe("BAD_NUMBER");
      expect(e.status).toBe(422);
      expect(e.details).toMatchObject({ row: 3, column: "y", value: bad, nonFiniteCells: 2 });
      expect(e.message).toBe(`Row 3, column "y": "${bad}" is not a finite number.`);
    }
    // a column of nothing but infinities is refused too, not skipped as text
    expect(csvError(() => check("date,x\n2024-01-01,Infinity\n2024-01-02,Infinity\n")).details).toMatchObject({ row: 2, column: "x" });
  });

  it("names whichever comes first of a word and an infinity", () => {
    const e = csvError(() => check("date,x\n2024-01-01,1\n2024-01-02,1e999\n2024-01-03,abc\n2024-01-04,4\n2024-01-05,5\n"));
    expect(e.details).toMatchObject({ row: 3, value: "1e999" });
  });
});

describe("chooseLayout", () => {
  it("is wide without a text column, one series per numeric column", () => {
    const { layout, values } = layoutOf("date,a,b\n2024-01-01,1,2\n2024-01-02,3,4\n");
    expect([layout.format, values, layout.key]).toEqual(["wide", ["a", "b"], null]);
  });

  it("is a stock export with three of open/high/low/close, or close and volume", () => {
    expect(layoutOf("date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n").layout.format).toBe("ohlcv");
    expect(layoutOf("date,close,volume\n2024-01-02,1,100\n").layout.format).toBe("ohlcv");
    expect(layoutOf("date,open,close\n2024-01-02,1,2\n").layout.format).toBe("wide"); // two of four
    expect(layoutOf("date,open,high,low,temp\n2024-01-02,1,2,3,4\n").layout.format).toBe("wide"); // not only stock fields
  });

  it("takes an id-named column that groups rows as the series id, even without repeated dates", () => {
    const { layout, ids } = layoutOf("symbol,date,price\nA,2024-01-01,1\nA,2024-01-02,2\nB,2024-01-03,3\nB,2024-01-04,4\n");
    expect(layout.format).toBe("long");
    expect(layout.key?.header).toBe("symbol");
    expect(ids).toEqual(["A", "A", "B", "B"]);
  });

  it("does not take a row-id column (one value per row) without repeated dates", () => {
    const { layout, warnings } = layoutOf("id,date,v\nr1,2024-01-01,1\nr2,2024-01-02,2\nr3,2024-01-03,3\n");
    expect(layout.key).toBeNull();
    expect(warnings).toEqual(['Column "id" holds text, not numbers; it was not imported.']);
  });

  it("with repeated dates, takes any text column that separates them, fewest values first", () => {
    const { layout, ids, warnings } = layoutOf("place,note,date,v\nOslo,a,2024-01-01,1\nRome,b,2024-01-01,2\nOslo,c,2024-01-02,3\nRome,d,2024-01-02,4\n");
    expect(layout.key?.header).toBe("place"); // 2 values; `note` (4 values, one per row) is not a grouping
    expect(ids).toEqual(["Oslo", "Rome", "Oslo", "Rome"]);
    expect(warnings).toEqual(['Column "note" holds text, not numbers; it was not imported.']);
  });

  it("combines two id columns when neither alone separates the repeated dates", () => {
    const { layout, ids } = layoutOf("store,item,date,v\n1,A,2024-01-01,5\n1,B,2024-01-01,6\n2,A,2024-01-01,7\n1,A,2024-01-02,8\n1,B,2024-01-02,9\n2,A,2024-01-02,10\n");
    expect(layout.key?.header).toBe("");
    expect(ids).toEqual(["1 / A", "1 / B", "2 / A", "1 / A", "1 / B", "2 / A"]);
  });

  it("refuses a file with no numeric column (NO_NUMERIC_COLUMN)", () => {
    const e = csvError(() => layoutOf("date,comment\n2024-01-01,hello\n2024-01-02,world\n"));
    expect(e.code).toBe("NO_NUMERIC_COLUMN");
    expect(e.details).toMatchObject({ dateColumn: "date", columns: ["date", "comment"] });
  });
});

describe("seriesNamer", () => {
  const namesOf = (csv: string, fileName: string, id = "") => {
    const { layout, dialect } = layoutOf(csv);
    const name = seriesNamer(layout as Layout, dialect.headers, fileName);
    return layout.values.map((c) => name(id, c));
  };

  it("names wide series after their columns, a lone generic column after the file", () => {
    expect(namesOf("date,AAPL,MSFT\n2024-01-01,1,2\n", "prices.csv")).toEqual(["AAPL", "MSFT"]);
    expect(namesOf("date,value\n2024-01-01,1\n", "dir/sales.tsv")).toEqual(["sales"]);
    expect(namesOf("date,temp\n2024-01-01,1\n", "dir/sales.tsv")).toEqual(["temp"]);
  });

  it("names stock series `<file> <column>` and long series `<id>` or `<id> <column>`", () => {
    expect(namesOf("date,close,volume\n2024-01-02,1,100\n", "AAPL.csv")).toEqual(["AAPL close", "AAPL volume"]);
    expect(namesOf("series,date,v\nA,2024-01-01,1\nA,2024-01-02,2\n", "x.csv", "A")).toEqual(["A"]);
    expect(namesOf("series,date,open,close\nA,2024-01-01,1,2\nA,2024-01-02,2,3\n", "x.csv", "A")).toEqual(["A open", "A close"]);
  });
});
