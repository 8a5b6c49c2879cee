/**
 * GET /api/runs/{id}/anatomy against a real database: runs trained by the real engine and
 * stored as the worker stores them; the answer's shape and that it explains the stored forecast;
 * origins and members; 404 for a run with no neural model, 400 for bad members and origins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seedSeries, type TestDatabase } from "../helpers/database";
import { ctx } from "./helpers/api";
import type { Json } from "../unit/api/helpers";
import { GET as anatomyRoute } from "@/app/api/runs/[id]/anatomy/route";
import { GET as forecastRoute } from "@/app/api/runs/[id]/forecast/route";
import { closeDb } from "@/lib/db/client";
import type { Db } from "@/lib/db/types";
import { requestRun } from "@/lib/runs/request";
import { markRunFailed, startRunAttempt } from "@/lib/runs/lifecycle";
import { writeRunResult } from "@/lib/runs/result";
import { getRunModelSource } from "@/lib/runs/models";
import { fitForecast, loadModel, writeModel, type ModelConfigInput } from "@/lib/forecast";

let t: TestDatabase;
let db: Db;
let seriesId: number;
const runs: Record<string, number> = {};

/** A run trained for real on the seeded series and stored as the worker stores it. */
async function trainedRun(config: ModelConfigInput): Promise<number> {
  const created = await requestRun(db, seriesId, config);
  if (created.kind !== "created") throw new Error(`no run: ${created.kind}`);
  const run = (await startRunAttempt(db, created.run.id))!;
  const source = (await getRunModelSource(db, run.id))!;
  const outcome = fitForecast(source.series, config);
  await db.transaction((tx) => writeRunResult(tx, run.id, run.attempt, outcome));
  return run.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.DATABASE_URL = t.url;
  db = t.connect();
  seriesId = await seedSeries(db, "demo", 70); // daily, 70 points
  runs.lstm = await trainedRun({ model: "lstm", strategy: "direct", lookback: 14, horizon: 5, hiddenSize: 8, epochs: 3, seed: 1 });
  runs.gru = await trainedRun({ model: "gru", strategy: "recursive", lookback: 14, horizon: 5, hiddenSize: 8, epochs: 3, seed: 2 });
  const queued = await requestRun(db, seriesId, { model: "rnn", epochs: 7 });
  if (queued.kind !== "created") throw new Error("not created");
  runs.queued = queued.run.id;
  const failed = await requestRun(db, seriesId, { model: "rnn", epochs: 8 });
  if (failed.kind !== "created") throw new Error("not created");
  await startRunAttempt(db, failed.run.id);
  await markRunFailed(db, failed.run.id, "boom", true);
  runs.failed = failed.run.id;
}, 120_000);

afterAll(async () => {
  await closeDb();
  await t?.drop();
});

const get = (id: number | string, query = "") => anatomyRoute(new Request(`http://localhost/api/runs/${id}/anatomy${query}`), ctx(id));
const body = async (res: Response) => (await res.json()) as Json;

describe("GET /api/runs/{id}/anatomy", () => {
  it.each([["lstm", ["i", "f", "g", "o"]], ["gru", ["r", "z", "n"]]])("explains a %s run's stored forecast", async (cell, gates) => {
    const res = await get(runs[cell]);
    expect(res.status).toBe(200);
    const a = await body(res);
    expect(a).toMatchObject({ runId: runs[cell], seriesId, cell, steps: 14, horizon: 5, hiddenSize: 8, origin: 69, member: "0" });
    expect(a.featureNames).toEqual(["value", "season sin", "season cos", "step"]);
    expect(a.inputs).toHaveLength(14);
    expect(a.layers[0].h).toHaveLength(14);
    expect(a.layers[0].h[0]).toHaveLength(8);
    expect(Object.keys(a.layers[0].gates)).toEqual(gates);
    expect(a.layers[0].weights.Wh).toHaveLength(gates.length * 8);
    expect(a.attributions).toHaveLength(5);
    expect(a.attributions[0]).toHaveLength(14);
    expect(a.attributions[0][0]).toHaveLength(4);
    expect(a.baseline).toHaveLength(14);
    expect(a.scaling.description).toMatch(/maps back to y =/);
    // It explains the forecast the run stored: the member's forecast is the run's.
    const stored = (await body(await forecastRoute(new Request(`http://localhost/api/runs/${runs[cell]}/forecast`), ctx(runs[cell])))).forecast;
    a.memberForecast.forEach((v: number, k: number) => expect(v).toBeCloseTo(stored.points[k].value, 6));
    for (let k = 0; k < 5; k++) {
      const sum = (a.attributions[k] as number[][]).flat().reduce((s, v) => s + v, 0);
      const d = a.fx[k] - a.fbaseline[k];
      expect(Math.abs(sum - d)).toBeLessThanOrEqual(0.01 * Math.abs(d));
    }
  });

  it("takes an earlier origin, and an empty one as the default", async () => {
    const a = await body(await get(runs.lstm, "?origin=40"));
    expect(a.origin).toBe(40);
    expect(a.origins).toEqual({ first: 13, last: 69, forecast: 69 });
    expect(a.actual.every((v: number | null) => typeof v === "number")).toBe(true);
    expect((await body(await get(runs.lstm, "?member=&origin="))).origin).toBe(69);
  });

  it.each([
    ["?origin=abc", /"abc" is not an origin/],
    ["?origin=1.5", /not an origin/],
    ["?origin=-3", /not an origin/],
    ["?origin=12", /must be an integer from 13 to 69/],
    ["?origin=70", /must be an integer from 13 to 69/],
  ])("answers 400 INVALID_ORIGIN for %s", async (query, message) => {
    const res = await get(runs.lstm, query);
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error.code).toBe("INVALID_ORIGIN");
    expect(error.message).toMatch(message);
  });

  it.each([
    ["?member=1", /Member "1" is not in this model: its members are 0/],
    ["?member=theta", /Member "theta" is not in this model/],
    ["?member=%3Cscript%3E", /is not a member id/],
  ])("answers 400 INVALID_MEMBER for %s", async (query, message) => {
    const res = await get(runs.gru, query);
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error.code).toBe("INVALID_MEMBER");
    expect(error.message).toMatch(message);
  });

  it("answers 404 for a run with no neural model, and for no run", async () => {
    for (const id of [runs.queued, runs.failed]) {
      const res = await get(id);
      expect(res.status).toBe(404);
      expect((await body(res)).error).toMatchObject({ code: "NO_MODEL", details: { id } });
    }
    // A model file with no network in it (only statistical members).
    const empty = loadModel((await getRunModelSource(db, runs.lstm))!.model!);
    const blob = writeModel({ ...empty.header, members: [], combination: "theta" }, []);
    await db.run(`UPDATE "Run" SET "model" = ? WHERE "id" = ?`, [blob, runs.failed]);
    const res = await get(runs.failed);
    expect(res.status).toBe(404);
    expect((await body(res)).error.code).toBe("NO_NEURAL_MODEL");
    const missing = await get(9999);
    expect(missing.status).toBe(404);
    expect((await body(missing)).error.code).toBe("NOT_FOUND");
    const bad = await get("abc");
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.code).toBe("INVALID_ID");
  });
});
