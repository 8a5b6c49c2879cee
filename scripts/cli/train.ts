/**
 * `train --series ID [model flags] [--no-wait]`: queues a training run for a stored series, as
 * `POST /api/series/{id}/runs` does (the same training budget and queue limits), then follows it
 * epoch by epoch until it ends. Training itself happens in a worker (`npm start` or `npm run worker`).
 */
import { parseArgs } from "node:util";
import { CliError, type Command } from "./command";
import { openDatabase } from "./database";
import { MODEL_FLAG_OPTIONS, MODEL_FLAGS_USAGE, flagOf, intArg, modelConfigFromFlags } from "./model-flags";

const USAGE = `Usage: npm run cli -- train --series ID [options]

Queues a training run for a stored series (see "import") and shows its progress until it
ends. A worker must be running: "npm start" (app + worker) or "npm run worker".

Options:
  --series ID         the series to train on (required)
${MODEL_FLAGS_USAGE}
  --no-wait           queue the run and return at once
`;

const POLL_MS = 1000;
const NO_WORKER_HINT_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toPrecision(4));

async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...MODEL_FLAG_OPTIONS, series: { type: "string" }, "no-wait": { type: "boolean" } } });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { series: rawSeries, "no-wait": noWait, ...flags } = parsed.values;
  const seriesId = intArg("series", rawSeries);
  if (seriesId === undefined) throw new CliError(`--series is required.\n\n${USAGE}`);
  const config = modelConfigFromFlags(flags);
  const db = await openDatabase();
  const { requestRun } = await import("../../lib/runs/request");
  const { checkRunBudget } = await import("../../lib/runs/budget");
  const { queueFullMessage } = await import("../../lib/runs/limits");
  const { getRun } = await import("../../lib/runs/views");

  const noSeries = `Series ${seriesId} does not exist (see "npm run cli -- import").`;
  // The training budget the API applies (TIDECAST_MAX_TRAINING_COST, TIDECAST_MAX_TRAINING_MB).
  const budget = await checkRunBudget(db, seriesId, config);
  if (budget.kind === "no-series") throw new CliError(noSeries);
  if (budget.kind === "refused") throw new CliError(`${budget.message.replace(/^Invalid config: \w+: /, "")} (--${flagOf(budget.details.field)})`);
  const request = await requestRun(db, seriesId, config);
  if (request.kind === "no-series") throw new CliError(noSeries);
  if (request.kind === "queue-full") throw new CliError(queueFullMessage(request, seriesId));
  const runId = request.run.id;
  process.stdout.write(
    request.kind === "created" ? `Queued run ${runId} for series ${seriesId}.\n` : `An identical run (${runId}) is already queued or running; following it.\n`,
  );
  if (noWait) return 0;

  const started = Date.now();
  let printed = 0;
  let hinted = false;
  for (;;) {
    const view = await getRun(db, runId);
    if (!view) throw new CliError(`Run ${runId} disappeared (its dataset was deleted?).`, 1);
    const epochs = view.epochs ?? [];
    for (; printed < epochs.length; printed++) {
      const e = epochs[printed];
      const eta = view.progress.etaMs === null ? "" : `  eta ${Math.ceil(view.progress.etaMs / 1000)}s`;
      process.stderr.write(`  member ${e.member} epoch ${e.epoch}: train ${fmt(e.trainLoss)}  val ${fmt(e.valLoss)}  (${Math.round(e.ms)} ms)${eta}\n`);
    }
    if (view.status === "succeeded") {
      const metrics = view.metrics as { note?: string; model?: { smape?: number; mase?: number | null } } | null;
      process.stdout.write(`Run ${runId} succeeded: forecast ${view.forecastId}${view.isCurrent ? " (current)" : ""}.\n`);
      if (metrics?.model) process.stdout.write(`  holdout sMAPE ${fmt(metrics.model.smape)}  MASE ${fmt(metrics.model.mase)}\n`);
      if (metrics?.note) process.stdout.write(`  ${metrics.note}\n`);
      return 0;
    }
    if (view.status === "failed" || view.status === "cancelled") {
      process.stderr.write(`Run ${runId} ${view.status}${view.error ? `: ${view.error}` : "."}\n`);
      return 1;
    }
    if (!hinted && view.status === "queued" && Date.now() - started > NO_WORKER_HINT_MS) {
      hinted = true;
      process.stderr.write(`Run ${runId} is still queued: is a worker running? Start one with "npm run worker" (or "npm start").\n`);
    }
    await sleep(POLL_MS);
  }
}

const command: Command = { summary: "Queue a training run for a stored series and follow it", usage: USAGE, run };
export default command;
