/**
 * `npm run bench:import-latency`: how long the other requests wait while a big upload imports.
 *
 * Uploads a generated 1,000,000-row CSV (the bench:import file: a date and three numeric columns,
 * 3,000,000 points) through the real upload route handler (POST /api/datasets: multipart stream,
 * parse, one transaction; the body streamed from disk as from a socket) on a fresh SQLite file, and meanwhile calls the real GET /api/datasets
 * handler 20 ms after each answer, as another browser tab would. Prints how long those GETs waited
 * from the moment they were due (median, 99th percentile, longest), the longest event-loop stall of the process (perf_hooks), and the
 * import's own time. Runs in a fresh child process. Options: --rows N, --json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Readable } from "node:stream";
import { applyMigrations } from "../lib/db/migrate";
import { writeBenchCsv } from "./import-csv";

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const rows = Number(option("--rows") ?? 0) || 1_000_000;
const asJson = argv.includes("--json");
const GET_EVERY_MS = 20;

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);

async function measure(csvFile: string, dbFile: string): Promise<void> {
  await applyMigrations(`file:${dbFile}`);
  process.env.DATABASE_URL = `file:${dbFile}`;
  process.env.TIDECAST_MAX_UPLOAD_MB = "1024";
  const route = await import("../app/api/datasets/route");
  const { closeDb } = await import("../lib/db/client");
  const headers = { host: "localhost:3000" };
  const small = new FormData();
  small.append("file", new File(["date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n"], "small.csv", { type: "text/csv" }));
  const seeded = await route.POST(new Request("http://localhost:3000/api/datasets", { method: "POST", headers, body: small }));
  if (seeded.status !== 201) throw new Error(`seeding failed: ${seeded.status} ${await seeded.text()}`);
  // Warm the GET path (Prisma Client starts on first use) before measuring.
  for (let i = 0; i < 3; i++) await (await route.GET(new Request("http://localhost:3000/api/datasets", { headers }))).json();

  // The request body streams from a file in 64 KB chunks, as it would arrive from a socket.
  const boundary = "----tidecast-bench";
  const bodyFile = `${csvFile}.multipart`;
  fs.writeFileSync(bodyFile, `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`);
  fs.appendFileSync(bodyFile, fs.readFileSync(csvFile));
  fs.appendFileSync(bodyFile, `\r\n--${boundary}--\r\n`);
  const upload = Readable.toWeb(fs.createReadStream(bodyFile, { highWaterMark: 65536 })) as ReadableStream<Uint8Array>;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const waits: number[] = [];
  let importing = true;
  // A client that sends its next GET 20 ms after the previous answer. A request is "sent" at the
  // time the client meant to send it: when the event loop is stalled, the timer fires late and
  // the wait counts from the intended time, as a request sitting in the socket queue would.
  const poller = (async () => {
    let intended = performance.now();
    while (importing) {
      await new Promise((r) => setTimeout(r, Math.max(0, intended - performance.now())));
      const res = await route.GET(new Request("http://localhost:3000/api/datasets", { headers }));
      await res.json();
      const done = performance.now();
      waits.push(done - intended);
      intended = done + GET_EVERY_MS;
    }
  })();
  loop.enable();
  const t0 = performance.now();
  const res = await route.POST(
    new Request("http://localhost:3000/api/datasets", {
      method: "POST",
      headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` },
      body: upload,
      duplex: "half",
    } as RequestInit),
  );
  const body = (await res.json()) as { series?: { pointCount: number }[]; error?: unknown };
  const seconds = (performance.now() - t0) / 1000;
  importing = false;
  await poller;
  loop.disable();
  if (res.status !== 201) throw new Error(`the import failed: ${res.status} ${JSON.stringify(body)}`);
  await closeDb();
  const sorted = [...waits].sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify({
      bench: "import-latency",
      rows,
      points: body.series!.reduce((n, s) => n + s.pointCount, 0),
      importSeconds: +seconds.toFixed(2),
      gets: waits.length,
      getMedianMs: +quantile(sorted, 0.5).toFixed(1),
      getP99Ms: +quantile(sorted, 0.99).toFixed(1),
      getMaxMs: +(sorted.at(-1) ?? NaN).toFixed(1),
      eventLoopMaxStallMs: +(loop.max / 1e6).toFixed(1),
    }) + "\n",
  );
}

async function main(): Promise<void> {
  if (argv.includes("--child")) return measure(option("--csv")!, option("--db")!);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-bench-"));
  try {
    const csvFile = path.join(dir, "bench.csv");
    writeBenchCsv(csvFile, rows);
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, "--child", "--rows", String(rows), "--csv", csvFile, "--db", path.join(dir, "bench.db")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (child.status !== 0) throw new Error(`the benchmark child failed (exit ${child.status})`);
    const f = JSON.parse(child.stdout.trim().split("\n").pop()!) as Record<string, number>;
    if (asJson) {
      console.log(JSON.stringify(f));
      return;
    }
    console.log(`Upload of ${rows.toLocaleString("en-US")} rows (${f.points.toLocaleString("en-US")} points) with GET /api/datasets every ${GET_EVERY_MS} ms`);
    console.log(`  import             ${f.importSeconds} s`);
    console.log(`  GET /api/datasets  ${f.gets} answered; waited median ${f.getMedianMs} ms, p99 ${f.getP99Ms} ms, longest ${f.getMaxMs} ms`);
    console.log(`  event loop         longest stall ${f.eventLoopMaxStallMs} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
