"use client";

import { useEffect, useMemo, useState } from "react";
import type { AnatomyMember, ModelAnatomy as Anatomy } from "@/lib/forecast/anatomy";
import { formatNumber, formatTs } from "../../_lib/format";
import { Heatmap } from "../charts/Heatmap";
import { AttributionChart, InputWindowChart, type WindowSeries } from "../charts/WindowCharts";
import { ATTRIBUTION_CAPTION, GATES, cellEquations, hiddenCaption, weightsCaption, type Cell } from "./text";

type AnatomyAnswer = Anatomy & { runId: number; seriesId: number };

const CELL_LABEL: Record<Cell, string> = { rnn: "RNN", lstm: "LSTM", gru: "GRU" };
const FEATURE_COLORS: Record<string, string> = {
  value: "#0b6bcb",
  "season sin": "#d9480f",
  "season cos": "#f08c00",
  "month sin": "#7b2cbf",
  "month cos": "#b197fc",
  "weekday sin": "#1d7a46",
  "weekday cos": "#8ce99a",
  step: "#495057",
};
const COVARIATE_COLORS = ["#c2255c", "#0c8599", "#5c940d", "#e67700"];

function featureColor(name: string, i: number): string {
  return FEATURE_COLORS[name] ?? COVARIATE_COLORS[i % COVARIATE_COLORS.length];
}

function memberLabel(m: AnatomyMember, index: number): string {
  if (m.kind === "statistical") return `${m.name} (statistical: no network to look inside)`;
  const unused = m.usedInForecast ? "" : ", not used in the forecast";
  return `Network ${index + 1}: ${CELL_LABEL[m.cell]} ${m.strategy}, lookback ${m.lookback}, ${m.hiddenSize} units${m.layers > 1 ? ` × ${m.layers} layers` : ""}${unused}`;
}

async function fetchAnatomy(runId: number, member: string | null, origin: number | null): Promise<AnatomyAnswer> {
  const q = new URLSearchParams();
  if (member !== null) q.set("member", member);
  if (origin !== null) q.set("origin", String(origin));
  const res = await fetch(`/api/runs/${runId}/anatomy${q.size ? `?${q}` : ""}`, { cache: "no-store" });
  const body = (await res.json().catch(() => null)) as (AnatomyAnswer & { error?: { code?: string; message?: string } }) | null;
  if (!res.ok || !body) throw new AnatomyUnavailable(body?.error?.message ?? `The server answered ${res.status}.`, body?.error?.code === "NO_NEURAL_MODEL");
  return body;
}

/** Why the model cannot be opened; `noNetwork` when the run trained none (auto on a constant series), which is no fault. */
class AnatomyUnavailable extends Error {
  constructor(message: string, readonly noNetwork: boolean) {
    super(message);
  }
}

const fmt = (v: number) => formatNumber(v, 4);
const pct = (gap: number | null) => (gap === null ? "—" : gap < 1e-4 ? "< 0.01%" : `${(gap * 100).toFixed(2)}%`);

/** Rows of a gate's block of a [G·H][n] matrix, as heatmap columns: values[x][y] = block[y][x]. */
function blockColumns(rows: number[][], from: number, H: number): number[][] {
  const n = rows[0]?.length ?? 0;
  return Array.from({ length: n }, (_, x) => Array.from({ length: H }, (_, y) => rows[from + y][x]));
}

/**
 * The "Model anatomy" panel of the series page: inside one neural member of the selected run's
 * model, for the window its forecast was made from (or an earlier one): the input window, the
 * hidden state and gates per step, the shared weights per gate, and which inputs drove each
 * forecast step (integrated gradients), each with a caption in plain words and the equations.
 */
export function ModelAnatomy(props: { runId: number | null; status: string | null; frequency: string }) {
  return (
    <section className="panel" aria-label="Model anatomy">
      <h2>Model anatomy{props.runId !== null ? ` · run #${props.runId}` : ""}</h2>
      <AnatomyBody {...props} />
    </section>
  );
}

function AnatomyBody({ runId, status, frequency }: { runId: number | null; status: string | null; frequency: string }) {
  const [member, setMember] = useState<string | null>(null);
  const [origin, setOrigin] = useState<number | null>(null);
  const [originDraft, setOriginDraft] = useState<number | null>(null);
  const [layer, setLayer] = useState(0);
  const [gate, setGate] = useState<string>("");
  const [weightGate, setWeightGate] = useState<string>("");
  const [step, setStep] = useState<number | "all">(0);
  const [data, setData] = useState<AnatomyAnswer | null>(null);
  const [error, setError] = useState("");
  const [noNetwork, setNoNetwork] = useState(false);
  const [loading, setLoading] = useState(false);
  const ready = runId !== null && status === "succeeded";

  // The origin slider settles before it asks the server.
  const shownOrigin = data?.origin ?? null;
  useEffect(() => {
    if (originDraft === null || originDraft === shownOrigin) return;
    const t = setTimeout(() => setOrigin(originDraft), 250);
    return () => clearTimeout(t);
  }, [originDraft, shownOrigin]);

  useEffect(() => {
    if (!ready || runId === null) return;
    let cancelled = false;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a fetch: its state is set when the request answers, not during the effect
    setLoading(true);
    fetchAnatomy(runId, member, origin).then(
      (a) => {
        if (cancelled) return;
        setData(a);
        setError("");
        setLoading(false);
        setOriginDraft(a.origin);
      },
      (err: Error) => {
        if (cancelled) return;
        setError(err.message);
        setNoNetwork(err instanceof AnatomyUnavailable && err.noNetwork);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [ready, runId, member, origin]);

  const cell = (data?.cell ?? "lstm") as Cell;
  const gates = GATES[cell];
  const gateKey = gates.some((g) => g.key === gate) ? gate : (gates[0]?.key ?? "");
  const weightGates = data ? data.layers[0].weights.gates : [];
  const weightKey = weightGates.includes(weightGate) ? weightGate : (weightGates[0] ?? "");
  const layerIndex = data && layer < data.layers.length ? layer : 0;
  const L = data?.layers[layerIndex];

  const stepLabels = useMemo(() => (data ? data.timestamps.map((ts) => formatTs(ts, frequency)) : []), [data, frequency]);
  const unitLabels = useMemo(() => (data ? Array.from({ length: data.hiddenSize }, (_, j) => String(j)) : []), [data]);

  const hidden = useMemo(() => (L ? L.h : []), [L]);
  const gateValues = useMemo(() => (L ? (gateKey === "c" ? (L.c ?? []) : (L.gates[gateKey] ?? [])) : []), [L, gateKey]);

  const weights = useMemo(() => {
    if (!data || !L) return null;
    const H = data.hiddenSize;
    const w = L.weights;
    const q = Math.max(0, w.gates.indexOf(weightKey));
    const from = q * H;
    const inputs = layerIndex === 0 ? data.featureNames : Array.from({ length: H }, (_, j) => `h${layerIndex}·${j}`);
    const bias = Array.from({ length: H }, (_, y) => w.b[from + y]);
    const columns = [...blockColumns(w.Wx, from, H), ...blockColumns(w.Wh, from, H), bias];
    const labels = [...inputs.map((n) => `x:${n}`), ...Array.from({ length: H }, (_, j) => `h:${j}`), "b"];
    if (cell === "gru" && weightKey === "n" && w.bhn) {
      columns.push(w.bhn);
      labels.push("b_hn");
    }
    return { columns, labels, separators: [inputs.length, inputs.length + H], inputCount: inputs.length };
  }, [data, L, weightKey, layerIndex, cell]);

  const attribution = useMemo(() => {
    if (!data) return null;
    const T = data.steps, K = data.horizon;
    const ks = step === "all" ? Array.from({ length: K }, (_, k) => k) : [Math.min(step, K - 1)];
    const series: WindowSeries[] = data.featureNames.map((name, f) => ({
      name,
      color: featureColor(name, f),
      values: Array.from({ length: T }, (_, t) => ks.reduce((s, k) => s + data.attributions[k][t][f], 0)),
    }));
    const sum = ks.reduce((s, k) => s + data.integration.sums[k], 0);
    const fx = ks.reduce((s, k) => s + data.fx[k], 0);
    const fb = ks.reduce((s, k) => s + data.fbaseline[k], 0);
    const gap = fx - fb === 0 ? null : Math.abs(sum - (fx - fb)) / Math.abs(fx - fb);
    return { series, sum, fx, fb, gap, all: step === "all", k: ks[0] };
  }, [data, step]);

  const inputSeries = useMemo(
    (): WindowSeries[] =>
      data ? data.featureNames.map((name, f) => ({ name, color: featureColor(name, f), values: data.inputs.map((r) => r[f]), minor: data.featureKinds[f] === "time" || data.featureKinds[f] === "position" })) : [],
    [data],
  );

  if (!ready) {
    return (
      <p className="subtle">
        {runId === null
          ? "Select a run that has finished to look inside its model."
          : `Run #${runId} is ${status ?? "not finished"}: its model can be opened once it has succeeded.`}
      </p>
    );
  }
  if (error && !data && noNetwork) return <p className="subtle">Run #{runId} trained no network, so there is no model to look inside (see the run&apos;s note).</p>;
  if (error && !data) {
    return (
      <p className="error-box" role="alert">
        {error}
      </p>
    );
  }
  if (!data || !L || !weights || !attribution) return <p className="subtle">Opening the model of run #{runId}…</p>;

  const H = data.hiddenSize;
  const gateInfo = gates.find((g) => g.key === gateKey);
  const weightInfo = gates.find((g) => g.key === weightKey);
  const stepDate = (k: number) => formatTs(data.forecastTimestamps[k], frequency);
  const originDate = formatTs(data.timestamps[data.timestamps.length - 1], frequency);
  const stepName = attribution.all ? "all forecast steps together" : `forecast step ${attribution.k + 1} (${stepDate(attribution.k)})`;

  return (
    <div className="tc-anatomy" aria-busy={loading}>
      <div className="tc-anatomy-controls row">
        {data.members.length > 1 && (
          <label className="tc-field">
            <span>Member</span>
            <select value={data.member} onChange={(e) => setMember(e.target.value)}>
              {data.members.map((m, i) => (
                <option key={m.id} value={m.id} disabled={m.kind === "statistical"}>
                  {memberLabel(m, i)}
                </option>
              ))}
            </select>
          </label>
        )}
        {data.numLayers > 1 && (
          <label className="tc-field">
            <span>Layer</span>
            <select value={layerIndex} onChange={(e) => setLayer(Number(e.target.value))}>
              {data.layers.map((_, k) => (
                <option key={k} value={k}>
                  Layer {k + 1}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="tc-field tc-origin">
          <span>
            Window ends at <strong>{originDate}</strong>
            {data.origin === data.origins.forecast ? " (the forecast's window)" : ""}
          </span>
          <input
            type="range"
            min={data.origins.first}
            max={data.origins.last}
            value={originDraft ?? data.origin}
            onChange={(e) => setOriginDraft(Number(e.target.value))}
            aria-valuetext={originDate}
          />
        </label>
        {data.origin !== data.origins.forecast && (
          <button type="button" className="btn secondary small" onClick={() => setOriginDraft(data.origins.forecast)}>
            Back to the forecast&apos;s window
          </button>
        )}
        {loading && <span className="subtle tc-small">Updating…</span>}
      </div>
      <p className="subtle tc-small tc-note">
        {CELL_LABEL[cell]} {data.strategy} · {data.steps}-step window · {H} units{data.numLayers > 1 ? ` × ${data.numLayers} layers` : ""} · {data.combinationNote}
      </p>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}

      <figure className="tc-figure tc-anatomy-view">
        <h3 className="tc-h3">The input window</h3>
        <InputWindowChart labels={stepLabels} series={inputSeries} ariaLabel="Input window chart" describedBy="anatomy-input-caption" yTitle="model units" height={200} />
        <figcaption id="anatomy-input-caption" className="subtle tc-small tc-note">
          What the network read, step by step, in its own units: the value and the position features ({data.featureNames.slice(1).join(", ") || "none"}) that
          tell it where each step sits in the season and in the window. {data.scaling.description}
        </figcaption>
      </figure>

      <div className="tc-anatomy-grid">
        <figure className="tc-figure tc-anatomy-view">
          <h3 className="tc-h3">Hidden state h_t</h3>
          <Heatmap
            values={hidden}
            xLabels={stepLabels}
            yLabels={unitLabels}
            xTitle="window step"
            yTitle="unit"
            scale="signed"
            ariaLabel="Hidden state heatmap"
            valueName="hidden state"
            describedBy="anatomy-hidden-caption"
            describe={(x, y, v) => `${stepLabels[x]} · unit ${y}: h = ${v.toPrecision(4)}`}
          />
          <figcaption id="anatomy-hidden-caption" className="subtle tc-small tc-note">
            {hiddenCaption(cell, layerIndex, data.numLayers, data.steps)}
            <code className="tc-eq">{cell === "rnn" ? cellEquations("rnn", data.nonlinearity)[0] : cellEquations(cell).slice(-1)[0]}</code>
          </figcaption>
        </figure>

        <figure className="tc-figure tc-anatomy-view">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <h3 className="tc-h3">Gate activations</h3>
            {gates.length > 0 && (
              <label className="tc-small">
                Gate{" "}
                <select value={gateKey} onChange={(e) => setGate(e.target.value)} aria-label="Gate">
                  {gates.map((g) => (
                    <option key={g.key} value={g.key}>
                      {g.label}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          {gates.length > 0 && gateInfo ? (
            <Heatmap
              values={gateValues}
              xLabels={stepLabels}
              yLabels={unitLabels}
              xTitle="window step"
              yTitle="unit"
              scale={gateInfo.scale}
              ariaLabel="Gate activations heatmap"
              valueName={gateInfo.label}
              describedBy="anatomy-gate-caption"
              describe={(x, y, v) => `${stepLabels[x]} · unit ${y}: ${gateInfo.key} = ${v.toPrecision(4)}`}
            />
          ) : (
            <p className="subtle">A plain RNN has no gates: its hidden state is all there is.</p>
          )}
          <figcaption id="anatomy-gate-caption" className="subtle tc-small tc-note">
            {gateInfo ? `The ${gateInfo.label}: ${gateInfo.words}. ` : ""}
            {cell === "lstm" ? "The LSTM computes, in this order (the rows of W_x and W_h are i, f, g, o):" : cell === "gru" ? "The GRU computes, in this order (the rows of W_x and W_h are r, z, n):" : ""}
            {cellEquations(cell, data.nonlinearity).map((eq) => (
              <code key={eq} className="tc-eq">
                {eq}
              </code>
            ))}
          </figcaption>
        </figure>

        <figure className="tc-figure tc-anatomy-view">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <h3 className="tc-h3">Shared weights W_x, W_h, b</h3>
            {weightGates.length > 0 && (
              <label className="tc-small">
                Gate{" "}
                <select value={weightKey} onChange={(e) => setWeightGate(e.target.value)} aria-label="Weights of gate">
                  {weightGates.map((g) => (
                    <option key={g} value={g}>
                      {gates.find((x) => x.key === g)?.label ?? g}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          <Heatmap
            values={weights.columns}
            xLabels={weights.labels}
            yLabels={unitLabels}
            xTitle="W_x (inputs) | W_h (previous hidden state) | bias"
            yTitle="unit"
            scale="signed"
            ariaLabel="Recurrent weights heatmap"
            valueName="weights"
            describedBy="anatomy-weights-caption"
            separators={weights.separators}
            describe={(x, y, v) => `unit ${y} · ${weights.labels[x]}: ${v.toPrecision(4)}`}
          />
          <figcaption id="anatomy-weights-caption" className="subtle tc-small tc-note">
            {weightsCaption(cell, weightInfo ? weightInfo.key : null)} <strong>{data.parameters.note}</strong>
          </figcaption>
        </figure>

        <figure className="tc-figure tc-anatomy-view">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <h3 className="tc-h3">What drove the forecast</h3>
            <label className="tc-small">
              Forecast step{" "}
              <select value={String(step)} onChange={(e) => setStep(e.target.value === "all" ? "all" : Number(e.target.value))} aria-label="Forecast step">
                {data.forecastTimestamps.map((_, k) => (
                  <option key={k} value={k}>
                    Step {k + 1} ({stepDate(k)})
                  </option>
                ))}
                <option value="all">All steps</option>
              </select>
            </label>
          </div>
          <AttributionChart labels={stepLabels} series={attribution.series} ariaLabel="Input attribution chart" describedBy="anatomy-attribution-caption" yTitle="attribution (model units)" height={300} />
          <p className="tc-identity tc-small" role="note" aria-label="Completeness">
            Σ attributions = <strong>{fmt(attribution.sum)}</strong> &nbsp;=&nbsp; f(x) − f(baseline) = {fmt(attribution.fx)} − {attribution.fb < 0 ? `(${fmt(attribution.fb)})` : fmt(attribution.fb)} ={" "}
            <strong>{fmt(attribution.fx - attribution.fb)}</strong> &nbsp;(gap {pct(attribution.gap)}, {data.integration.points} points)
          </p>
          <figcaption id="anatomy-attribution-caption" className="subtle tc-small tc-note">
            {ATTRIBUTION_CAPTION} Shown: {stepName}. {data.baselineNote} f is the forecast in model units relative to the window&apos;s reference
            {data.scaling.windowNorm !== "none" ? ` (z = ${fmt(data.scaling.reference)})` : ""}; the attributions of each step add up to its f(x) − f(baseline) exactly, up to the integration rule&apos;s error.
          </figcaption>
        </figure>
      </div>
    </div>
  );
}
