import { describe, expect, it } from "vitest";
import { TEST_DATABASE, databasePerTest } from "../helpers/database";

// db.insertMany, the bulk path of imports and `db copy`: on PostgreSQL, past a few rows, a COPY
// (binary when every column is numbers into integer and float columns, text otherwise), on
// SQLite prepared inserts. The rows must read back exactly as given, on both.

const t = databasePerTest();
const N = 3000; // 3000 rows × 5 columns: well past the few-rows INSERT

// SMALLINT, INTEGER, BIGINT, REAL (float4 on PostgreSQL: the test's values are exact in it) and
// DOUBLE PRECISION, plus TEXT: the same declaration on both databases.
const CREATE = `CREATE TABLE "Bulk" ("k" INTEGER NOT NULL PRIMARY KEY, "a" SMALLINT, "b" BIGINT, "r" REAL, "d" DOUBLE PRECISION, "s" TEXT)`;
const SELECT = `SELECT "k", "a", "b", "r", "d", "s" FROM "Bulk" ORDER BY "k"`;

/** The test's rows, written out by hand: edge values of each type at the start, then a pattern. */
function rows(): { k: Int32Array; a: Float64Array; b: Float64Array; r: Float32Array; d: Float64Array } {
  const k = new Int32Array(N), a = new Float64Array(N), b = new Float64Array(N), r = new Float32Array(N), d = new Float64Array(N);
  const edges: [number, number, number, number][] = [
    [-32768, -(2 ** 53 - 1), -2.25, -1e-300],
    [32767, 2 ** 53 - 1, 1024, 1.7976931348623157e308],
    [0, -1, 0.5, Number.NaN], // NaN is stored as NULL
    [-1, 2 ** 32, 3, Number.POSITIVE_INFINITY], // so is Infinity
    [12, -(2 ** 32) - 1, Number.NaN, 5e-324],
  ];
  for (let i = 0; i < N; i++) {
    k[i] = i - 1000; // negative keys too
    const e = edges[i];
    a[i] = e ? e[0] : (i % 200) - 100;
    b[i] = e ? e[1] : 946_684_800_000 + i * 60_000; // ms timestamps
    r[i] = e ? e[2] : (i % 64) / 4;
    d[i] = e ? e[3] : 20 + Math.sin(i) / 3;
  }
  return { k, a, b, r, d };
}

const nullIfNotFinite = (v: number) => (Number.isFinite(v) ? v : null);

describe(`insertMany on ${TEST_DATABASE}`, () => {
  it("numbers from typed arrays and constants read back exactly; NaN and Infinity as NULL", async () => {
    await t.db.run(CREATE);
    const { k, a, b, r, d } = rows();
    const inserted = await t.db.transaction((tx) =>
      tx.insertMany({ table: "Bulk", columns: ["k", "a", "b", "r", "d"], values: [k, a, b, r, d], rows: N }),
    );
    expect(inserted).toBe(N);
    const expected = Array.from({ length: N }, (_, i) => [k[i], nullIfNotFinite(a[i]), nullIfNotFinite(b[i]), nullIfNotFinite(r[i]), nullIfNotFinite(d[i]), null]);
    expect(await t.db.values(SELECT)).toEqual(expected);

    // A constant column and a NULL constant, beside typed arrays.
    await t.db.run(`DELETE FROM "Bulk"`);
    await t.db.transaction((tx) => tx.insertMany({ table: "Bulk", columns: ["k", "a", "b", "d"], values: [k, { constant: 7 }, { constant: null }, d], rows: N }));
    expect(await t.db.values(`SELECT "a", "b", COUNT(*) AS "n" FROM "Bulk" GROUP BY "a", "b"`)).toEqual([[7, null, N]]);
  });

  it("text and numbers from plain arrays read back exactly, with tabs, newlines and backslashes", async () => {
    await t.db.run(CREATE);
    const { k, b, d } = rows();
    const s = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? null : `row ${i}\ttab\nnewline\\back\rslash "quoted" é`));
    const plainK = Array.from(k);
    await t.db.transaction((tx) => tx.insertMany({ table: "Bulk", columns: ["k", "b", "d", "s"], values: [plainK, b, d, s], rows: N }));
    const expected = Array.from({ length: N }, (_, i) => [k[i], null, nullIfNotFinite(b[i]), null, nullIfNotFinite(d[i]), s[i]]);
    expect(await t.db.values(SELECT)).toEqual(expected);
  });

  it("an upsert inserts the new rows and changes only the rows that differ", async () => {
    await t.db.run(CREATE);
    const { k, d } = rows();
    await t.db.transaction((tx) => tx.insertMany({ table: "Bulk", columns: ["k", "d"], values: [k, d], rows: N }));
    // Keys shifted by 1000: the first 2000 exist (every 4th with a new value), the last 1000 are new.
    const k2 = k.map((v) => v + 1000);
    const d2 = Float64Array.from(k2, (_key, i) => (i % 4 === 0 ? -i : d[i + 1000] ?? i));
    const changed = await t.db.transaction((tx) =>
      tx.insertMany({ table: "Bulk", columns: ["k", "d"], values: [k2, d2], rows: N, onConflict: { target: ["k"], update: ["d"] } }),
    );
    // Rows 0..1999 of the second batch hit existing keys: 500 of them (i % 4 === 0) changed; 1000 are new.
    // Rows 2000..2999 are new ones whose value is `i` or -i: inserted either way.
    expect(changed).toBe(500 + 1000);
    expect(await t.db.get(`SELECT COUNT(*) AS "n" FROM "Bulk"`)).toEqual({ n: N + 1000 });
    expect(await t.db.get(`SELECT "d" FROM "Bulk" WHERE "k" = ?`, [k2[4]])).toEqual({ d: -4 });
    expect(await t.db.get(`SELECT "d" FROM "Bulk" WHERE "k" = ?`, [k2[5]])).toEqual({ d: d[1005] });
  });
});
