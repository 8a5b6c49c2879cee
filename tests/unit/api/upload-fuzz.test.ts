/**
 * Fuzzing the upload route: a few hundred seeded mutations of real CSVs (the fixtures and the
 * shared data sets) go through the real route handler into a real database. None may get a
 * 5xx (or make the handler throw); every refused one must leave the database exactly as it was;
 * every accepted one must store only finite numbers. The seed makes a failure reproducible: the
 * assertion message names the case.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mulberry32, type Rng } from "../../../lib/tensor/random";
import { multipart, useTempDatabase } from "./helpers";

await useTempDatabase();
const { POST } = await import("@/app/api/datasets/route");
const { db } = await import("@/lib/db/client");

const ROOT = path.resolve(import.meta.dirname, "../../..");
const FIXTURES = path.join(ROOT, "tests/fixtures/csv");
const SHARED = path.resolve(ROOT, "../shared/data");
const CASES = 300;
const MAX_SEED_LINES = 300; // keeps each upload small: the mutations are what matters

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];
const enc = new TextEncoder();

/** Real CSVs: every fixture and every shared data set, cut to their first lines. */
function corpus(): { name: string; text: string }[] {
  const files = readdirSync(FIXTURES).map((f) => path.join(FIXTURES, f));
  if (existsSync(SHARED)) {
    for (const set of readdirSync(SHARED)) {
      for (const f of readdirSync(path.join(SHARED, set))) if (f.endsWith(".csv")) files.push(path.join(SHARED, set, f));
    }
  }
  return files.map((file) => ({
    name: path.basename(file),
    text: readFileSync(file, "utf8").split("\n").slice(0, MAX_SEED_LINES).join("\n") + "\n",
  }));
}

const lines = (text: string) => text.split("\n");

/** Each mutation turns a real file into a damaged one; the label says what was done. */
const MUTATIONS: Record<string, (text: string, r: Rng) => string | Uint8Array> = {
  truncated: (text, r) => text.slice(0, int(r, text.length)),
  "truncated bytes": (text, r) => {
    const b = enc.encode(text.replace(/[a-z]/gi, (c) => (r() < 0.05 ? "é" : c)));
    return b.subarray(0, int(r, b.length)); // may cut a multi-byte character in half
  },
  "binary bytes": (text, r) => {
    const b = enc.encode(text);
    const out = new Uint8Array(b.length + 16);
    out.set(b);
    for (let i = 0; i < 1 + int(r, 12); i++) out[int(r, out.length)] = int(r, 256);
    return out;
  },
  "NUL byte": (text, r) => {
    const i = int(r, text.length);
    return text.slice(0, i) + "\u0000" + text.slice(i);
  },
  "huge field": (text, r) => {
    const ls = lines(text);
    const i = 1 + int(r, Math.max(1, ls.length - 1));
    const cells = (ls[i] ?? "").split(",");
    cells[int(r, cells.length)] = pick(r, ["x", "9", '"', ",", "\n", "é"]).repeat(20_000 + int(r, 200_000));
    ls[i] = cells.join(",");
    return ls.join("\n");
  },
  "huge number": (text, r) => {
    const ls = lines(text);
    const i = 1 + int(r, Math.max(1, ls.length - 2));
    ls[i] = (ls[i] ?? "").replace(/-?\d+(\.\d+)?(?=,|$)/, pick(r, ["1e999", "-1e999", "Infinity", "-Infinity", "9".repeat(400), "NaN", "1e-999"]));
    return ls.join("\n");
  },
  "mixed delimiters": (text, r) => text.replace(/,/g, (c) => (r() < 0.3 ? pick(r, [";", "\t", "|", ", ", ",,"]) : c)),
  "semicolons with decimal commas": (text) => text.replace(/,/g, ";").replace(/(\d)\.(\d)/g, "$1,$2"),
  "UTF-16 with BOM": (text) => {
    const out = new Uint8Array(2 + 2 * text.length);
    out[0] = 0xff;
    out[1] = 0xfe;
    for (let i = 0; i < text.length; i++) {
      out[2 + 2 * i] = text.charCodeAt(i) & 0xff;
      out[3 + 2 * i] = text.charCodeAt(i) >> 8;
    }
    return out;
  },
  "UTF-16 without BOM": (text) => {
    const out = new Uint8Array(2 * text.length);
    for (let i = 0; i < text.length; i++) out[2 * i] = text.charCodeAt(i) & 0xff;
    return out;
  },
  "Latin-1 bytes": (text, r) => {
    const b = enc.encode(text);
    for (let i = 0; i < 5; i++) b[int(r, b.length)] = 0xa0 + int(r, 0x5f); // lone high bytes: invalid UTF-8
    return b;
  },
  "BOM mid-file": (text, r) => {
    const i = int(r, text.length);
    return text.slice(0, i) + "\ufeff" + text.slice(i);
  },
  "duplicated header name": (text, r) => {
    const ls = lines(text);
    const names = ls[0].split(",");
    names[int(r, names.length)] = names[int(r, names.length)];
    ls[0] = names.join(",");
    return ls.join("\n");
  },
  "header repeated as a row": (text, r) => {
    const ls = lines(text);
    ls.splice(1 + int(r, Math.max(1, ls.length - 1)), 0, ls[0]);
    return ls.join("\n");
  },
  "duplicated rows": (text, r) => {
    const ls = lines(text);
    const i = 1 + int(r, Math.max(1, ls.length - 1));
    ls.splice(i, 0, ls[i] ?? "");
    return ls.join("\n");
  },
  "shuffled rows": (text, r) => {
    const [head, ...rest] = lines(text);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = int(r, i + 1);
      [rest[i], rest[j]] = [rest[j], rest[i]];
    }
    return [head, ...rest].join("\n");
  },
  "stray quotes": (text, r) => text.replace(/,/g, (c) => (r() < 0.02 ? `,"${pick(r, ["", "x", '""', '"x'])}` : c)),
  "ragged rows": (text, r) => lines(text).map((l) => (r() < 0.1 ? l + ",extra" : r() < 0.1 ? l.split(",").slice(0, -1).join(",") : l)).join("\n"),
  "emptied cells": (text, r) => text.replace(/[^,\n]+/g, (c) => (r() < 0.3 ? pick(r, ["", "NA", " ", "-", "null"]) : c)),
  "mangled dates": (text, r) =>
    text.replace(/\d{4}-\d{2}-\d{2}/g, (d) => (r() < 0.1 ? pick(r, ["2024-02-30", "0000-00-00", "31/31/2024", "13/01/2024", "01/13/2024", "yesterday", "99999999999999999999", d.replace(/-/g, "/")]) : d)),
  "line ends": (text, r) => text.replace(/\n/g, () => pick(r, ["\r\n", "\r", "\n", "\n\n"])),
  "control characters": (text, r) => text.replace(/[a-z0-9]/gi, (c) => (r() < 0.01 ? String.fromCharCode(1 + int(r, 30)) : c)),
  "sep= hint": (text, r) => `sep=${pick(r, [",", ";", "\t", "|", "x"])}\n${text}`,
  "only the header": (text) => lines(text)[0] + "\n",
  "blank": (_text, r) => pick(r, ["", "\n\n", " ", "\ufeff", ",,,\n,,,\n"]),
};

/** The database's own tables (its catalogue, so a table added later is covered too). */
async function tables(): Promise<string[]> {
  const rows = db().dialect.kind === "sqlite"
    ? await db().all<{ name: string }>(`SELECT "name" FROM "sqlite_master" WHERE "type" = 'table' AND "name" NOT LIKE 'sqlite_%' ORDER BY "name"`)
    : await db().all<{ name: string }>(`SELECT "table_name" AS "name" FROM "information_schema"."tables" WHERE "table_schema" = current_schema() ORDER BY "table_name"`);
  return rows.map((r) => r.name);
}

/** A digest of every table of the database: equal digests, equal contents. */
async function digest(): Promise<string> {
  const hash = createHash("sha256");
  for (const table of await tables()) {
    hash.update(table);
    const rows = (await db().values(`SELECT * FROM "${table}"`)).map((row) =>
      JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v)),
    );
    for (const row of rows.sort()) hash.update(row); // sorted: some tables have no rowid order
  }
  return hash.digest("hex");
}

/** Stored values that are not finite numbers (JSON would hide them: read them as numbers). */
async function nonFinitePoints(): Promise<number> {
  const values = await db().values(`SELECT "value" FROM "Point" WHERE "value" IS NOT NULL`);
  return values.filter(([v]) => !Number.isFinite(v)).length;
}

describe("upload route fuzz", () => {
  it(`${CASES} seeded mutations of real CSVs: never a 5xx, nothing stored by a refused upload`, async () => {
    const files = corpus();
    expect(files.length).toBeGreaterThan(20);
    // Two stored datasets first, so a bad upload under their names has something to damage.
    for (const seed of [files.find((f) => f.name === "wide.csv")!, files.find((f) => f.name === "long-unsorted.csv")!]) {
      expect((await POST(multipart(seed.name, seed.text, { name: `seed ${seed.name}` }))).status).toBe(201);
    }
    const names = Object.keys(MUTATIONS);
    const r = mulberry32(20_240_601); // seeded: every run tries the same cases
    const statuses = new Map<number, number>();
    let before = await digest();
    for (let k = 0; k < CASES; k++) {
      const file = pick(r, files);
      const mutation = names[k % names.length];
      const content = MUTATIONS[mutation](file.text, r);
      const fields: Record<string, string> = r() < 0.3 ? { name: pick(r, ["seed wide.csv", "seed long-unsorted.csv", "fuzz", " ", "x".repeat(300)]) } : {};
      const fileName = pick(r, [file.name, "upload.csv", "", "../../etc/passwd", "名前.tsv", "a\"b.csv"]);
      const label = `case ${k}: ${mutation} of ${file.name} as "${fileName}" ${JSON.stringify(fields).slice(0, 60)}`;
      const body = typeof content === "string" ? content : new Uint8Array(content);
      const res = await POST(multipart(fileName, body as string | Uint8Array<ArrayBuffer>, fields));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, label).toBeLessThan(500);
      const json = (await res.json()) as { error?: { code: string; message: string }; series?: unknown[]; dataset?: { id: number }; created?: boolean };
      if (res.status >= 400) {
        expect(typeof json.error?.code, label).toBe("string");
        expect(json.error!.message.length, label).toBeGreaterThan(0);
        expect(await digest(), `${label}: refused with ${json.error!.code} but the database changed`).toBe(before);
        continue;
      }
      expect(res.status, label).toBe(201);
      expect(json.series!.length, label).toBeGreaterThan(0);
      expect(await nonFinitePoints(), label).toBe(0);
      // keep the database small (the digest reads all of it): drop what this upload created
      if (json.created) await db().run('DELETE FROM "Dataset" WHERE "id" = ?', [json.dataset!.id]);
      before = await digest();
    }
    // the mutations reach both outcomes, and several kinds of refusal
    expect(statuses.get(201) ?? 0).toBeGreaterThan(40);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(CASES);
  });
});
