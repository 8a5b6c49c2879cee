import { beforeEach, describe, expect, it } from "vitest";
import { ctx, multipart, useTempDatabase, type Json } from "./helpers";

await useTempDatabase();
const { POST, GET } = await import("@/app/api/datasets/route");
const datasetRoute = await import("@/app/api/datasets/[id]/route");
const seriesRoute = await import("@/app/api/series/[id]/route");
const sampleRoute = await import("@/app/api/datasets/sample/route");
const { db } = await import("@/lib/db/client");


const count = async (table: string) => (await db().get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "${table}"`))!.n;
const counts = (...tables: string[]) => Promise.all(tables.map(count));

async function upload(name: string, content: string | Uint8Array<ArrayBuffer>, fields?: Record<string, string>) {
  const res = await POST(multipart(name, content, fields));
  return { status: res.status, body: (await res.json()) as Json };
}

beforeEach(async () => {
  await db().run('DELETE FROM "Dataset"');
});

describe("POST /api/datasets", () => {
  it("stores a wide file, one series per numeric column, with blank cells as gaps", async () => {
    const csv = "date,AAPL,MSFT\n2024-01-01,10,20\n2024-01-02,,21\n2024-01-03,12,22\n2024-01-04,13,23\n";
    const { status, body } = await upload("prices.csv", csv);
    expect(status).toBe(201);
    expect(body.dataset).toMatchObject({ name: "prices", format: "wide", rowCount: 4 });
    const names = body.series.map((s: Json) => s.name).sort();
    expect(names).toEqual(["AAPL", "MSFT"]);
    const aapl = body.series.find((s: Json) => s.name === "AAPL");
    expect(aapl).toMatchObject({ frequency: "daily", pointCount: 4, missingCount: 1, firstTs: Date.UTC(2024, 0, 1), lastTs: Date.UTC(2024, 0, 4) });
    const missing = (await db().get<Json>('SELECT "value" FROM "Point" WHERE "seriesId" = ? AND "ts" = ?', [aapl.id, Date.UTC(2024, 0, 2)]))!;
    expect(missing.value).toBeNull(); // a gap, never 0
  });

  it("a second file of the same name is a dataset of its own, renamed, and the answer says so", async () => {
    const first = await upload("export.csv", "date,sales\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n");
    const second = await upload("export.csv", "date,visits\n2024-01-01,7\n2024-01-02,8\n2024-01-03,9\n");
    const third = await upload("other.csv", "date,orders\n2024-01-01,4\n2024-01-02,5\n2024-01-03,6\n", { name: "export" });
    expect([first.status, second.status, third.status]).toEqual([201, 201, 201]);
    expect(first.body).toMatchObject({ created: true, renamedFrom: null, dataset: { name: "export" } });
    expect(second.body).toMatchObject({ created: true, renamedFrom: "export", dataset: { name: "export (2)" } });
    expect(second.body.warnings[0]).toContain('A dataset named "export" already exists, so this file is a new dataset, "export (2)"');
    expect(third.body).toMatchObject({ renamedFrom: "export", dataset: { name: "export (3)" } });
    const rows = await db().all<{ name: string; series: string }>(
      `SELECT d."name", s."name" AS "series" FROM "Dataset" d JOIN "Series" s ON s."datasetId" = d."id" ORDER BY d."id"`,
    );
    expect(rows).toEqual([
      { name: "export", series: "sales" },
      { name: "export (2)", series: "visits" },
      { name: "export (3)", series: "orders" },
    ]);
  });

  it("mode=append adds new timestamps and updates changed values of the named dataset, never duplicates", async () => {
    await upload("s.csv", "series,date,value\nA,2024-01-01,1\nA,2024-02-01,2\nA,2024-03-01,3\n");
    const second = await upload("s-newer.csv", "series,date,value\nA,2024-02-01,2\nA,2024-03-01,30\nA,2024-04-01,4\n", { name: "s", mode: "append" });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ created: false, renamedFrom: null, dataset: { name: "s", fileName: "s-newer.csv" } });
    expect(second.body.series[0]).toMatchObject({ pointCount: 4, inserted: 1, updated: 1, frequency: "monthly" });
    const values = (await db().values('SELECT "value" FROM "Point" ORDER BY "ts"')).map((row) => row[0]);
    expect(values).toEqual([1, 2, 30, 4]);
    expect(await counts("Dataset", "Series")).toEqual([1, 1]);
  });

  it("a dry run of an append answers the counts the append then has, and stores nothing", async () => {
    await upload("w.csv", "date,A,B\n2024-01-01,1,10\n2024-01-02,2,20\n2024-01-03,3,30\n");
    const before = await db().values('SELECT "seriesId", "ts", "value" FROM "Point" ORDER BY "seriesId", "ts"');
    const newer = "date,A,B,C\n2024-01-02,2,21,7\n2024-01-03,3.5,30,7\n2024-01-04,4,40,7\n2024-01-05,5,50,7\n";
    const preview = await upload("w2.csv", newer, { name: "w", mode: "append", dryRun: "true" });
    expect(preview.status).toBe(200);
    expect(preview.body.dryRun).toBe(true);
    // By hand: A gains 01-04 and 01-05 and changes 01-03; B gains two and changes 01-02; C is new with 4 points.
    const bySeries = (body: Json) => Object.fromEntries(body.series.map((s: Json) => [s.name, [s.inserted, s.updated, s.pointCount]]));
    expect(bySeries(preview.body)).toEqual({ A: [2, 1, 5], B: [2, 1, 5], C: [4, 0, 4] });
    expect(await db().values('SELECT "seriesId", "ts", "value" FROM "Point" ORDER BY "seriesId", "ts"')).toEqual(before);
    expect(await counts("Dataset", "Series")).toEqual([1, 2]);
    const real = await upload("w2.csv", newer, { name: "w", mode: "append" });
    expect(real.body.dryRun).toBe(false);
    expect(bySeries(real.body)).toEqual(bySeries(preview.body));
    expect(await counts("Dataset", "Series", "Point")).toEqual([1, 3, 14]);
  });

  it("refuses an append without a name or to a missing dataset, and an unknown mode, storing nothing", async () => {
    const csv = "date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n";
    const noName = await upload("a.csv", csv, { mode: "append" });
    expect(noName.status).toBe(400);
    expect(noName.body.error).toMatchObject({ code: "NAME_REQUIRED", details: { field: "name" } });
    const missing = await upload("a.csv", csv, { mode: "append", name: "nope" });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "DATASET_NOT_FOUND", details: { field: "name", name: "nope" } });
    const badMode = await upload("a.csv", csv, { mode: "merge" });
    expect(badMode.status).toBe(400);
    expect(badMode.body.error).toMatchObject({ code: "INVALID_MODE", details: { field: "mode" } });
    const badDry = await upload("a.csv", csv, { dryRun: "maybe" });
    expect(badDry.status).toBe(400);
    expect(await counts("Dataset", "Series", "Point")).toEqual([0, 0, 0]);
  });

  it("loads the samples once: a second call answers 200 and leaves them as they are", async () => {
    const first = await sampleRoute.POST();
    expect(first.status).toBe(201);
    const points = await count("Point");
    expect(points).toBeGreaterThan(500); // stocks.csv alone has 560 closes
    const again = await sampleRoute.POST();
    expect(again.status).toBe(200);
    expect(((await again.json()) as Json).datasets.map((d: Json) => d.created)).toEqual([false, false]);
    expect(await counts("Dataset", "Point")).toEqual([2, points]);
  });

  it("lists datasets and reads a series with from/to filters", async () => {
    const { body } = await upload("m.csv", "date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n2024-01-04,4\n");
    const list = (await (await GET(new Request("http://localhost/api/datasets"))).json()) as Json;
    expect(list.datasets).toHaveLength(1);
    const id = body.series[0].id;
    const res = await seriesRoute.GET(new Request(`http://localhost/api/series/${id}?from=2024-01-02&to=2024-01-03`), ctx(id));
    expect(res.status).toBe(200);
    const read = (await res.json()) as Json;
    expect(read.series.name).toBe("x");
    expect(read.points).toEqual({ ts: [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)], value: [2, 3] });
    const bad = await seriesRoute.GET(new Request(`http://localhost/api/series/${id}?from=yesterday`), ctx(id));
    expect(bad.status).toBe(400);
    expect(((await seriesRoute.GET(new Request("http://localhost/api/series/999"), ctx(999))).status)).toBe(404);
  });

  it("deletes a dataset with its series and points", async () => {
    const { body } = await upload("d.csv", "date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n");
    const res = await datasetRoute.DELETE(new Request("http://localhost"), ctx(body.dataset.id));
    expect(res.status).toBe(204);
    expect(await counts("Dataset", "Series", "Point")).toEqual([0, 0, 0]);
    expect((await datasetRoute.DELETE(new Request("http://localhost"), ctx(body.dataset.id))).status).toBe(404);
  });
});

describe("bad input answers 4xx and stores nothing", () => {
  const cases: [string, string | Uint8Array<ArrayBuffer>, number, string, Json][] = [
    ["an empty file", "", 400, "EMPTY_FILE", {}],
    ["a header-only file", "date,value\n", 422, "HEADER_ONLY", {}],
    ["a binary file", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), 415, "BINARY_FILE", {}],
    ["no date column", "name,value\na,1\nb,2\n", 422, "NO_DATE_COLUMN", {}],
    ["no numeric column", "date,comment\n2024-01-01,hello\n2024-01-02,world\n", 422, "NO_NUMERIC_COLUMN", {}],
    ["an unparseable date", "date,value\n2024-01-01,1\n2024-01-02,2\nnot a date,3\n2024-01-04,4\n", 422, "BAD_DATE", { row: 4 }],
    ["duplicate timestamps", "date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n", 422, "DUPLICATE_TIMESTAMP", { rows: [2, 4] }],
    ["text in a numeric column", "date,close\n2024-01-01,1\n2024-01-02,abc\n2024-01-03,3\n2024-01-04,4\n", 422, "BAD_NUMBER", { row: 3, column: "close" }],
    ["a number too large for a double", "date,close\n2024-01-01,1\n2024-01-02,1e999\n", 422, "BAD_NUMBER", { row: 3, column: "close", value: "1e999" }],
    ["Infinity", "date,a,b\n2024-01-01,1,2\n2024-01-02,3,Infinity\n", 422, "BAD_NUMBER", { row: 3, column: "b", value: "Infinity" }],
    ["-Infinity", "date,close\n2024-01-01,-Infinity\n2024-01-02,2\n", 422, "BAD_NUMBER", { row: 2, column: "close", value: "-Infinity" }],
  ];
  for (const [what, content, status, code, details] of cases) {
    it(`rejects ${what} (${code})`, async () => {
      const { status: got, body } = await upload("bad.csv", content);
      expect(got).toBe(status);
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe("string");
      expect(body.error.details).toMatchObject(details);
      expect(await counts("Dataset", "Series", "Point")).toEqual([0, 0, 0]);
    });
  }

  it("rejects a file over the size limit with 413", async () => {
    process.env.TIDECAST_MAX_UPLOAD_MB = "0.001"; // about 1 KB
    try {
      const rows = Array.from({ length: 200 }, (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:00,${i}`);
      const { status, body } = await upload("big.csv", `date,value\n${rows.join("\n")}\n`);
      expect(status).toBe(413);
      expect(body.error.code).toBe("FILE_TOO_LARGE");
      expect(await count("Point")).toBe(0);
    } finally {
      delete process.env.TIDECAST_MAX_UPLOAD_MB;
    }
  });

  it("refuses a declared Content-Length over the limit with 413 before reading the body", async () => {
    process.env.TIDECAST_MAX_UPLOAD_MB = "1";
    try {
      let pulls = 0;
      const declared = 2 * 1024 * 1024;
      // a body of the declared size that counts every read: the route must answer from the header alone
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls++;
          controller.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
          if (pulls * 64 * 1024 >= declared) controller.close();
        },
      }, { highWaterMark: 0 });
      const res = await POST(new Request("http://localhost/api/datasets", {
        method: "POST",
        body,
        duplex: "half",
        headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(declared) },
      } as RequestInit));
      expect(res.status).toBe(413);
      const error = ((await res.json()) as Json).error;
      expect(error.code).toBe("FILE_TOO_LARGE");
      expect(error.details).toMatchObject({ bytes: declared, limit: 1024 * 1024 });
      expect(pulls).toBe(0);
      expect(await counts("Dataset", "Series", "Point")).toEqual([0, 0, 0]);
      // just under the limit (plus the multipart envelope allowance) is read and judged on its content
      const small = await POST(new Request("http://localhost/api/datasets", {
        method: "POST",
        body: (() => {
          const form = new FormData();
          form.append("file", new File(["date,v\n2024-01-01,1\n"], "s.csv", { type: "text/csv" }));
          return form;
        })(),
      }));
      expect(small.status).toBe(201);
    } finally {
      delete process.env.TIDECAST_MAX_UPLOAD_MB;
    }
  });

  it("answers 415 for a non-multipart body and 400 without a file field", async () => {
    const json = await POST(new Request("http://localhost/api/datasets", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append("name", "x");
    const missing = await POST(new Request("http://localhost/api/datasets", { method: "POST", body: form }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as Json).error.code).toBe("MISSING_FILE");
  });
});
