import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const ENTRY = path.join(ROOT, "tests/integration/helpers/test-worker.ts");
/** The production entry (`npm run worker`). */
export const MAIN_ENTRY = path.join(ROOT, "workers/main.ts");

export interface WorkerHandle {
  proc: ChildProcess;
  id: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Fast timings for tests; every test can override. */
export const FAST_ENV: Record<string, string> = {
  TIDECAST_LEASE_MS: "3000",
  TIDECAST_HEARTBEAT_MS: "500",
  TIDECAST_POLL_MS: "100",
  TIDECAST_SCHEDULER_MS: "200",
  TIDECAST_RETRY_BASE_MS: "300",
  TIDECAST_WORKER_CONCURRENCY: "1",
  TIDECAST_SHUTDOWN_GRACE_MS: "5000",
};

/**
 * Spawns a real worker process (node + tsx on the test worker entry, the same loop as
 * workers/main.ts) against DATABASE_URL, and resolves once it printed READY.
 */
export async function spawnWorker(env: Record<string, string> = {}, entry = ENTRY, ready = /READY (\S+)/, netns?: string): Promise<WorkerHandle> {
  // In a network namespace, `ip netns exec` execs node itself: the pid is still the worker's.
  const [command, args] = netns
    ? ["ip", ["netns", "exec", netns, process.execPath, "--import", "tsx", entry]]
    : [process.execPath, ["--import", "tsx", entry]];
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...FAST_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker exited before READY:\n${out}`));
    });
  });
  return { proc, id, output: () => out, exited, kill: (signal = "SIGTERM") => void proc.kill(signal) };
}

/** Polls `probe` until it returns (or resolves to) a truthy value; throws after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  what = "condition",
  intervalMs = 50,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Stops every handle still running (afterEach). */
export async function stopAll(handles: WorkerHandle[]): Promise<void> {
  await Promise.all(
    handles.map(async (h) => {
      if (h.proc.exitCode === null && h.proc.signalCode === null) {
        h.kill("SIGKILL");
        await h.exited;
      }
    }),
  );
}
