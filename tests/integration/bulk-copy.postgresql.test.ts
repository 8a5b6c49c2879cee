import { describe, expect, it } from "vitest";
import { databasePerTest } from "../helpers/database";

// PostgreSQL's binary COPY is written by us (lib/db/postgres-copy.ts), so it refuses by itself
// what the server would refuse in text: a fraction or an out-of-range number for an integer
// column. The COPY is then failed, and the transaction writes nothing.

const t = databasePerTest();
const N = 1500; // 3000 values: past the few-rows INSERT, so COPY

describe("binary COPY on postgresql", () => {
  it.each([
    ["a fraction into INTEGER", "i", 1.5],
    ["2^31 into INTEGER", "i", 2 ** 31],
    ["-2^15 - 1 into SMALLINT", "s", -(2 ** 15) - 1],
    ["2^53 into BIGINT (not exact in a double)", "b", 2 ** 53],
  ])("refuses %s and stores nothing", async (_what, column, bad) => {
    await t.db.run(`CREATE TABLE "Nums" ("k" INTEGER PRIMARY KEY, "i" INTEGER, "s" SMALLINT, "b" BIGINT)`);
    const k = Int32Array.from({ length: N }, (_, i) => i);
    const values = Float64Array.from({ length: N }, (_, i) => (i === N - 10 ? bad : i)); // the bad value near the end
    await expect(t.db.transaction((tx) => tx.insertMany({ table: "Nums", columns: ["k", column], values: [k, values], rows: N }))).rejects.toThrow(
      new RegExp(`column "${column}" \\(int\\d\\) cannot hold ${bad}`),
    );
    expect(await t.db.get(`SELECT COUNT(*) AS "n" FROM "Nums"`)).toEqual({ n: 0 });
    // The connection is fine afterwards: the same rows without the bad one go in.
    values[N - 10] = 0;
    expect(await t.db.transaction((tx) => tx.insertMany({ table: "Nums", columns: ["k", column], values: [k, values], rows: N }))).toBe(N);
  });
});
