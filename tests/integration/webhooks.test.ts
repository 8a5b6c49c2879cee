import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, seedSeries, useDatabase } from "../helpers/database";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { ctx } from "./helpers/api";
import { upload } from "./helpers/co2";
import { POST as startRun } from "../../app/api/series/[id]/runs/route";
import { DELETE as deleteWebhookRoute } from "../../app/api/webhooks/[id]/route";
import { GET as listWebhooksRoute, POST as createWebhookRoute } from "../../app/api/webhooks/route";
import { GET as eventsRoute } from "../../app/api/events/route";
import { POST as ackRoute } from "../../app/api/events/[id]/ack/route";
import { attemptDelivery, loadDelivery } from "../../lib/webhooks/deliver";
import { resolveTarget } from "../../lib/webhooks/target";
import { recordEvent } from "../../lib/events/record";
import type { EventView } from "../../lib/events/types";
import type { WebhookView } from "../../lib/webhooks/store";

/**
 * Alerts and webhooks against a real database, a real worker process and a real HTTP receiver on
 * a free local port: each event is delivered once, also after the receiver answered 500 the first
 * time, signed so the receiver can check it; private and loopback targets are refused.
 */
let handles: WorkerHandle[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  delete process.env.TIDECAST_WEBHOOK_ALLOW_PRIVATE;
});

interface Received {
  path: string;
  body: string;
  headers: http.IncomingHttpHeaders;
  answered: number;
}

/** A receiver on 127.0.0.1 (a free port) that answers `answer(request, earlier requests)`. */
async function receiver(answer: (path: string, body: string, seen: Received[]) => { status: number; headers?: Record<string, string> }) {
  const seen: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      const a = answer(req.url ?? "", body, seen);
      seen.push({ path: req.url ?? "", body, headers: req.headers, answered: a.status });
      res.writeHead(a.status, a.headers).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { seen, url: (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}` };
}

async function createWebhook(body: unknown): Promise<{ status: number; json: { webhook?: WebhookView; error?: { code: string; message: string } } }> {
  const res = await createWebhookRoute(new Request("http://localhost/api/webhooks", { method: "POST", body: JSON.stringify(body) }));
  return { status: res.status, json: (await res.json()) as { webhook?: WebhookView; error?: { code: string; message: string } } };
}

async function post(seriesId: number, body: unknown): Promise<number> {
  const res = await startRun(new Request("http://localhost", { method: "POST", body: JSON.stringify(body) }), ctx(seriesId));
  return ((await res.json()) as { run: { id: number } }).run.id;
}

const SECRET = "correct horse battery staple";
const verify = (body: string, header: string | string[] | undefined) => {
  const expected = `sha256=${crypto.createHmac("sha256", SECRET).update(body).digest("hex")}`;
  return typeof header === "string" && header.length === expected.length && crypto.timingSafeEqual(Buffer.from(header), Buffer.from(expected));
};

describe(`alerts and webhooks on ${TEST_DATABASE}`, () => {
  it("delivers each event once through the queue, after a 500, signed; subscriptions filter by kind; alerts are acknowledged", async () => {
    const t = await useDatabase();
    const db = t.connect();
    const seriesId = await seedSeries(db, "demo", 60); // daily 2024-01-01 .. 2024-02-29
    // Each event's first delivery is answered 500; the retry 200.
    const hook = await receiver((_path, body, seen) => {
      const id = (JSON.parse(body) as { id: number }).id;
      return { status: seen.some((r) => (JSON.parse(r.body) as { id: number }).id === id) ? 200 : 500 };
    });
    process.env.TIDECAST_WEBHOOK_ALLOW_PRIVATE = "1";
    const all = await createWebhook({ url: hook.url("/all"), secret: SECRET });
    expect(all.status).toBe(201);
    expect(all.json.webhook).toMatchObject({ url: hook.url("/all"), events: expect.arrayContaining(["drift", "run.failed", "forecast.promoted"]) });
    expect(all.json.webhook).not.toHaveProperty("secret");
    const keptOnly = await createWebhook({ url: hook.url("/kept"), events: ["forecast.kept"], secret: SECRET });
    expect(keptOnly.json.webhook!.events).toEqual(["forecast.kept"]);

    handles.push(await spawnWorker({ TIDECAST_WEBHOOK_ALLOW_PRIVATE: "1", TIDECAST_RETRY_BASE_MS: "200" }));
    // A forecast (the fake engine: last value + k, 95% band ± 9.5), and a run that fails for good.
    const ok = await post(seriesId, { epochs: 2, horizon: 5 });
    const failing = await post(seriesId, { epochs: 2, learningRate: 0.0625 });
    const finished = async (id: number) => ((await db.get<{ status: string }>(`SELECT "status" FROM "Run" WHERE "id" = ?`, [id]))!.status);
    await waitFor(async () => (await finished(ok)) === "succeeded" && (await finished(failing)) === "failed", 30_000, "both runs");
    // Actuals far outside the band on the forecast's five dates: drift (3 in a row) and accuracy.
    const last = (await db.get<{ value: number }>(`SELECT "value" FROM "Point" WHERE "seriesId" = ? ORDER BY "ts" DESC LIMIT 1`, [seriesId]))!.value;
    const news = await upload(
      [1, 2, 3, 4, 5].map((d) => [Date.UTC(2024, 2, d), last + 100] as [number, number]),
      "demo-ds",
      "demo",
    );
    expect(news.events.map((e) => e.kind).sort()).toEqual(["accuracy", "drift"]);

    const events = ((await (await eventsRoute(new Request("http://localhost/api/events"))).json()) as { events: EventView[] }).events;
    expect(events.map((e) => e.kind).sort()).toEqual(["accuracy", "drift", "forecast.promoted", "run.failed"]);
    const delivered = () => new Set(hook.seen.filter((r) => r.path === "/all" && r.answered === 200).map((r) => (JSON.parse(r.body) as { id: number }).id));
    await waitFor(() => delivered().size === events.length, 30_000, "every event delivered");
    await new Promise((r) => setTimeout(r, 1500)); // nothing more arrives: no event is delivered twice
    const received = hook.seen.filter((r) => r.path === "/all");
    for (const e of events) {
      const mine = received.filter((r) => (JSON.parse(r.body) as { id: number }).id === e.id);
      expect(mine.map((r) => r.answered), `deliveries of event ${e.id} (${e.kind})`).toEqual([500, 200]);
      for (const r of mine) {
        expect(verify(r.body, r.headers["x-tidecast-signature"])).toBe(true);
        expect(r.headers["content-type"]).toBe("application/json");
        expect(r.headers["x-tidecast-event"]).toBe(e.kind);
        const body = JSON.parse(r.body) as Record<string, unknown>;
        expect(Object.keys(body).sort()).toEqual(["at", "data", "id", "kind", "seriesId"]);
        expect(body).toMatchObject({ id: e.id, kind: e.kind, seriesId, at: e.at, data: { message: e.message } });
      }
    }
    expect(verify(received[0].body.replace("}", " }"), received[0].headers["x-tidecast-signature"])).toBe(false); // the signature covers the exact body
    expect(hook.seen.filter((r) => r.path === "/kept")).toEqual([]); // subscribed to forecast.kept only
    const listed = ((await (await listWebhooksRoute()).json()) as { webhooks: WebhookView[] }).webhooks;
    expect(listed.find((w) => w.id === all.json.webhook!.id)!.deliveries).toEqual({ pending: 0, delivered: 4, failed: 0 });
    expect(await db.all(`SELECT "status", "attempts", "lastStatus" FROM "WebhookDelivery" ORDER BY "id"`)).toEqual(Array(4).fill({ status: "delivered", attempts: 2, lastStatus: 200 }));

    // The same data again fires nothing new; an alert is acknowledged once.
    expect((await upload([[Date.UTC(2024, 2, 1), last + 100]], "demo-ds", "demo")).events).toEqual([]);
    const drift = events.find((e) => e.kind === "drift")!;
    expect(drift.message).toMatch(/5 actual values in a row fell outside the 95% band \(2024-03-01 to 2024-03-05\)/);
    const ack = (await (await ackRoute(new Request("http://localhost", { method: "POST" }), ctx(drift.id))).json()) as { event: EventView };
    expect(ack.event.acknowledgedAt).not.toBeNull();
    const again = (await (await ackRoute(new Request("http://localhost", { method: "POST" }), ctx(drift.id))).json()) as { event: EventView };
    expect(again.event.acknowledgedAt).toBe(ack.event.acknowledgedAt);
    const open = ((await (await eventsRoute(new Request("http://localhost/api/events?severity=alert&unacknowledged=1"))).json()) as { events: EventView[] }).events;
    expect(open.map((e) => e.kind).sort()).toEqual(["accuracy", "run.failed"]);
    expect((await ackRoute(new Request("http://localhost", { method: "POST" }), ctx(99999))).status).toBe(404);
    expect((await eventsRoute(new Request("http://localhost/api/events?kind=nonsense"))).status).toBe(400);

    // A deleted webhook gets nothing more.
    expect((await deleteWebhookRoute(new Request("http://localhost"), ctx(all.json.webhook!.id))).status).toBe(204);
    expect((await deleteWebhookRoute(new Request("http://localhost"), ctx(all.json.webhook!.id))).status).toBe(404);
  });

  it("refuses private, loopback and link-local targets, by name or by address, unless TIDECAST_WEBHOOK_ALLOW_PRIVATE=1", async () => {
    await useDatabase();
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://localhost/hook", // resolves to loopback
      "http://[::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://2130706433/hook", // 127.0.0.1 as one number
      "http://0x7f.1/hook",
      "http://10.1.2.3/hook",
      "http://172.16.0.1/hook",
      "http://192.168.1.10/hook",
      "http://169.254.169.254/latest/meta-data", // cloud metadata
      "http://100.64.0.1/hook",
      "http://0.0.0.0/hook",
      "http://[fd00::1]/hook",
      "http://[fe80::1]/hook",
    ]) {
      const r = await createWebhook({ url, secret: SECRET });
      expect(r.status, url).toBe(400);
      expect(r.json.error!.code, url).toBe("WEBHOOK_TARGET_PRIVATE");
      expect(r.json.error!.message).toMatch(/TIDECAST_WEBHOOK_ALLOW_PRIVATE=1/);
    }
    for (const url of ["ftp://example.com/x", "file:///etc/passwd", "http://user:pass@example.com/", "not a url"]) {
      const r = await createWebhook({ url, secret: SECRET });
      expect(r.status, url).toBe(400);
      expect(r.json.error!.code, url).toBe("WEBHOOK_URL_INVALID");
    }
    expect((await createWebhook({ url: "http://example.com/", secret: "short" })).json.error!.code).toBe("INVALID_WEBHOOK");
    expect((await createWebhook({ url: "http://example.com/", secret: SECRET, events: ["nope"] })).json.error!.code).toBe("INVALID_WEBHOOK");
    // A public-looking name that resolves to a private address (among public ones) is refused too.
    const lookup = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    await expect(resolveTarget(new URL("http://hooks.example.com/"), { allowPrivate: false, lookup })).rejects.toThrow(/resolves to 10\.0\.0\.7/);
    await expect(resolveTarget(new URL("http://hooks.example.com/"), { allowPrivate: false, lookup: async () => [{ address: "93.184.216.34", family: 4 }] })).resolves.toHaveLength(1);
    await expect(resolveTarget(new URL("http://hooks.example.com/"), { allowPrivate: true, lookup })).resolves.toHaveLength(2);
    process.env.TIDECAST_WEBHOOK_ALLOW_PRIVATE = "1";
    expect((await createWebhook({ url: "http://127.0.0.1:8080/hook", secret: SECRET })).status).toBe(201);
  });

  it("checks the target again at delivery (DNS may have changed) and never follows a redirect", async () => {
    const t = await useDatabase();
    const db = t.connect();
    const hook = await receiver((path) => (path === "/moved" ? { status: 302, headers: { location: "/elsewhere" } } : { status: 200 }));
    const seriesId = await seedSeries(db);
    const add = async (url: string) =>
      (await db.get<{ id: number }>(`INSERT INTO "Webhook" ("url", "events", "secret", "createdAt") VALUES (?, NULL, ?, ?) RETURNING "id"`, [url, SECRET, new Date()]))!.id;
    await add(hook.url("/private"));
    await add(hook.url("/moved"));
    const event = (await recordEvent(db, { kind: "drift", seriesId, key: "test:1", message: "test", data: {} }))!;
    const deliveries = await db.all<{ id: number; webhookId: number }>(`SELECT "id", "webhookId" FROM "WebhookDelivery" WHERE "eventId" = ? ORDER BY "id"`, [event.id]);
    expect(deliveries).toHaveLength(2);
    // A webhook stored while private targets were allowed is refused once they are not: nothing is sent.
    const refused = await attemptDelivery((await loadDelivery(db, deliveries[0].id))!, { allowPrivate: false });
    expect(refused).toMatchObject({ ok: false, permanent: true, status: null });
    expect(refused.error).toMatch(/private, loopback or link-local/);
    expect(hook.seen).toEqual([]);
    // A redirect is an unsuccessful attempt, and its target is never requested.
    const moved = await attemptDelivery((await loadDelivery(db, deliveries[1].id))!, { allowPrivate: true });
    expect(moved).toMatchObject({ ok: false, status: 302, permanent: false });
    expect(moved.error).toMatch(/redirects are not followed/);
    expect(hook.seen.map((r) => r.path)).toEqual(["/moved"]);
    // Another event of the same key is the same firing: stored and queued once.
    expect(await recordEvent(db, { kind: "drift", seriesId, key: "test:1", message: "again", data: {} })).toBeNull();
    expect(await db.all(`SELECT "id" FROM "WebhookDelivery"`)).toHaveLength(2);
  });
});
