import { expect, test } from "@playwright/test";
import { descendants, startServer, type TestServer } from "./helpers/server";
import { multipartBody, request } from "./helpers/http";

/**
 * npm start's supervision, on a real launcher with its web app and worker: a worker killed
 * outright is started again while the web app keeps answering; a web app killed outright is
 * started again, and the run queued before it died is trained all the same.
 */
let server: TestServer;
test.describe.configure({ mode: "serial" });
test.setTimeout(120_000);

test.beforeAll(async () => {
  server = await startServer({ TIDECAST_PASSWORD: "", TIDECAST_POLL_MS: "200", TIDECAST_WORKER_CONCURRENCY: "1" }, { worker: true });
});
test.afterAll(async () => {
  await server?.stop();
});

const count = (text: string, re: RegExp) => (text.match(new RegExp(re, "g")) ?? []).length;

test("a worker that dies is started again, and the web app never stops answering", async () => {
  await expect.poll(() => count(server.output(), /\[worker\] worker \S+ started/)).toBe(1);
  // The innermost process running workers/main.ts (tsx runs it under a small wrapper).
  const workerPid = descendants(server.launcher.pid!, "workers/main.ts").at(-1)!;
  expect(workerPid).toBeTruthy();
  process.kill(workerPid, "SIGKILL");
  await expect.poll(() => server.output()).toMatch(/\[start\] worker exited unexpectedly \([^)]+\); starting it again in 1 s\./);
  expect((await request(server.url, "GET", "/api/datasets")).status).toBe(200);
  await expect.poll(() => count(server.output(), /\[worker\] worker \S+ started/), { timeout: 30_000 }).toBe(2);
});

test("a web app that dies is started again, and the run queued before is trained", async () => {
  const csv = "date,v\n" + Array.from({ length: 60 }, (_, i) => `${new Date(Date.UTC(2000, i, 1)).toISOString().slice(0, 10)},${(10 + i + 3 * Math.sin(i)).toFixed(2)}`).join("\n");
  const { body, type } = multipartBody("sup.csv", csv, { name: "sup" });
  const seriesId = (await request(server.url, "POST", "/api/datasets", { headers: { "content-type": type }, body })).json().series[0].id;
  const run = await request(server.url, "POST", `/api/series/${seriesId}/runs`, { headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gru", strategy: "direct", hiddenSize: 4, epochs: 3, horizon: 4 }) });
  expect(run.status).toBe(202);
  const runId = run.json().run.id;
  const web = server.webPid();
  process.kill(web, "SIGKILL");
  await expect.poll(() => server.output()).toMatch(/\[start\] web exited unexpectedly \(SIGKILL\); starting it again in 1 s\./);
  await expect.poll(async () => (await request(server.url, "GET", `/api/runs/${runId}`).catch(() => null))?.json().run.status, { timeout: 90_000 }).toBe("succeeded");
  expect(server.webPid()).not.toBe(web);
});
