import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { covariatesFor, forecastCsv, parseOptions, type SeriesForecast } from "../../../scripts/cli/forecast";
import type { SeriesInput } from "../../../lib/forecast";

const root = path.resolve(import.meta.dirname, "../../..");
/** The CLI as `npm run cli` runs it: from its bundle (scripts/run-cli.mjs). */
function cli(args: string[]) {
  return spawnSync(process.execPath, ["scripts/run-cli.mjs", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
}
/** The CLI from its TypeScript sources, through tsx. */
function cliFromSources(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/cli.ts", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
}

describe("forecast CLI", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-cli-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const csv = path.join(dir, "in.csv");
  const rows = ["series,date,value"];
  for (const name of ["a", "b"])
    for (let i = 0; i < 48; i++) {
      const d = new Date(Date.UTC(2010, i, 1)).toISOString().slice(0, 10);
      rows.push(`${name},${d},${(name === "a" ? 100 : 50) + i + 10 * Math.sin((2 * Math.PI * i) / 12)}`);
    }
  fs.writeFileSync(csv, rows.join("\n") + "\n");

  it("writes a long CSV with one row per series and step, intervals following --level", () => {
    const out = path.join(dir, "out.csv");
    const components = path.join(dir, "components.csv");
    const r = cli(["forecast", csv, "--horizon", "3", "--model", "gru", "--epochs", "2", "--hidden", "4", "--level", "90", "--seed", "7", "--threads", "1", "--out", out, "--components", components]);
    expect(r.status, r.stderr).toBe(0);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("series,date,step,forecast,lo90,hi90");
    expect(lines).toHaveLength(1 + 2 * 3);
    expect(lines[1].startsWith("a,2014-01-01,1,")).toBe(true);
    const [, , , f, lo, hi] = lines[1].split(",").map(Number);
    expect(lo).toBeLessThanOrEqual(f);
    expect(f).toBeLessThanOrEqual(hi);
    expect(r.stderr).toContain("wrote 2 series");
    // --components: the networks' own forecast; an explicit model's forecast is exactly that
    const comp = fs.readFileSync(components, "utf8").trim().split("\n");
    expect(comp[0]).toBe("series,date,step,component,forecast");
    expect(comp).toHaveLength(1 + 2 * 3);
    expect(comp.slice(1).map((l) => l.split(",")[3])).toEqual(Array(6).fill("neural"));
    expect(comp.slice(1).map((l) => l.split(",")[4])).toEqual(lines.slice(1).map((l) => l.split(",")[3]));
  });

  it("forecasts the same on worker threads as on the calling thread (--threads 1 runs the tasks inline), from the bundle and from the sources", () => {
    const args = ["forecast", csv, "--horizon", "3", "--model", "gru", "--epochs", "2", "--hidden", "4", "--seed", "7"];
    const inline = path.join(dir, "inline.csv"), threaded = path.join(dir, "threaded.csv"), sources = path.join(dir, "sources.csv");
    const a = cli([...args, "--threads", "1", "--out", inline]);
    expect(a.status, a.stderr).toBe(0);
    const b = cli([...args, "--threads", "2", "--out", threaded]);
    expect(b.status, b.stderr).toBe(0);
    // Two series on two threads: each thread loads the worker entry of its kind (pool.ts's workerEntry).
    expect(b.stderr).toContain("[2/2]");
    const c = cliFromSources([...args, "--threads", "2", "--out", sources]);
    expect(c.status, c.stderr).toBe(0);
    expect(fs.readFileSync(inline, "utf8").trim().split("\n")).toHaveLength(1 + 2 * 3);
    expect(fs.readFileSync(threaded, "utf8")).toBe(fs.readFileSync(inline, "utf8"));
    expect(fs.readFileSync(sources, "utf8")).toBe(fs.readFileSync(inline, "utf8"));
  });

  it("fails with exit code 2 and a plain message on bad arguments or input", () => {
    const missing = cli(["forecast", csv, "--out", path.join(dir, "x.csv")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("--horizon is required");
    const bad = cli(["forecast", path.join(dir, "nope.csv"), "--horizon", "3", "--out", path.join(dir, "x.csv")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("no such file");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const model = cli(["forecast", csv, "--horizon", "3", "--model", "transformer", "--out", path.join(dir, "x.csv")]);
    expect(model.status).toBe(2);
    expect(model.stderr).toContain("--model");
    // too short to forecast: the message says why (9 = 3 horizons of 3), under --quiet too
    const short = path.join(dir, "short.csv");
    fs.writeFileSync(short, "date,value\n2015-01-01,10\n2015-02-01,12\n2015-03-01,11\n2015-04-01,13\n2015-05-01,12\n");
    const tooShort = cli(["forecast", short, "--horizon", "3", "--quiet", "--out", path.join(dir, "x.csv")]);
    expect(tooShort.status).toBe(2);
    expect(tooShort.stderr).toMatch(/^warning: short: skipped: Series "short" has 5 points; at least 9 are needed/m);
    expect(tooShort.stderr).toMatch(/^error: No series could be forecast: .*5 points; at least 9 are needed/m);
  });

  it("warns of a series it skipped, even under --quiet, and forecasts the others", () => {
    const mixed = path.join(dir, "mixed.csv");
    const lines = fs.readFileSync(csv, "utf8").trim().split("\n");
    fs.writeFileSync(mixed, [...lines, "tiny,2010-01-01,1", "tiny,2010-02-01,2"].join("\n") + "\n");
    const out = path.join(dir, "mixed-out.csv");
    const r = cli(["forecast", mixed, "--horizon", "3", "--model", "gru", "--epochs", "2", "--hidden", "4", "--threads", "1", "--quiet", "--out", out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: tiny: skipped: Series "tiny" has 2 points/m);
    expect(fs.readFileSync(out, "utf8").trim().split("\n")).toHaveLength(1 + 2 * 3);
  });

  it("says under --quiet too what the parser left out of the file", () => {
    const noted = path.join(dir, "noted.csv");
    const rowsOf = Array.from({ length: 48 }, (_, i) => `${new Date(Date.UTC(2010, i, 1)).toISOString().slice(0, 10)},${100 + i + 10 * Math.sin((2 * Math.PI * i) / 12)},note ${i % 3}`);
    fs.writeFileSync(noted, ["date,sales,comment", ...rowsOf].join("\n") + "\n");
    const r = cli(["forecast", noted, "--horizon", "3", "--model", "gru", "--epochs", "2", "--hidden", "4", "--threads", "1", "--quiet", "--out", path.join(dir, "noted-out.csv")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: Column "comment" holds text, not numbers; it was not imported\.$/m);
  });

  it("warns on stderr, even under --quiet, when seasonal naive beat the forecast on its held-out window", () => {
    // An exactly repeating season: seasonal naive is exact on any window, a 2-epoch network is not.
    const periodic = path.join(dir, "periodic.csv");
    const pattern = [5, 9, 14, 20, 26, 31, 30, 24, 17, 11, 7, 4];
    const lines = ["date,p"];
    for (let i = 0; i < 72; i++) lines.push(`${new Date(Date.UTC(2000, i, 1)).toISOString().slice(0, 10)},${100 + pattern[i % 12]}`);
    fs.writeFileSync(periodic, lines.join("\n") + "\n");
    const r = cli(["forecast", periodic, "--horizon", "6", "--model", "gru", "--epochs", "2", "--hidden", "4", "--threads", "1", "--quiet", "--out", path.join(dir, "p.csv")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: p: on the held-out .*less accurate than seasonal naive/m);
    expect(r.stderr).not.toContain("Warning:"); // said once, by the line's own "warning:"
    // --quiet: nothing but the warning
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    // A global model: the group's note, then each series that lost on its validation window.
    const two = path.join(dir, "periodic2.csv");
    fs.writeFileSync(two, ["date,p,q", ...lines.slice(1).map((l) => `${l},${Number(l.split(",")[1]) * 2}`)].join("\n") + "\n");
    const g = cli(["forecast", two, "--horizon", "6", "--model", "gru", "--epochs", "2", "--hidden", "4", "--threads", "1", "--mode", "global", "--quiet", "--out", path.join(dir, "p2.csv")]);
    expect(g.status, g.stderr).toBe(0);
    const warnings = g.stderr.trim().split("\n");
    expect(warnings[0]).toMatch(/^warning: monthly: on its validation window the forecast was less accurate than seasonal naive for 2 series \(p, q\)/);
    expect(warnings.slice(1)).toEqual([expect.stringMatching(/^warning: p: .*validation window this forecast was less accurate than seasonal naive/), expect.stringMatching(/^warning: q: /)]);
  });

  it("warns on stderr, even under --quiet, of a value the classical methods read as a data error, naming its date", () => {
    const typo = path.join(dir, "typo.csv");
    const lines = ["date,sales"];
    for (let i = 0; i < 72; i++) lines.push(`${new Date(Date.UTC(2000, i, 1)).toISOString().slice(0, 10)},${(i === 30 ? 1000 : 1) * (200 + i + 20 * Math.sin((2 * Math.PI * i) / 12))}`);
    fs.writeFileSync(typo, lines.join("\n") + "\n");
    const r = cli(["forecast", typo, "--horizon", "6", "--model", "auto", "--epochs", "2", "--hidden", "4", "--threads", "1", "--quiet", "--out", path.join(dir, "typo-out.csv")]);
    expect(r.status, r.stderr).toBe(0);
    const value = lines[31].split(",")[1];
    expect(r.stderr).toMatch(new RegExp(`^warning: sales: the classical methods read 1 value .* as a data error .*: 2002-07-01 \\(${value}; about \\d+ expected\\)\\.$`, "m"));
  });

  it("--covariates gives each series of a wide file the others as covariates", () => {
    const wide = path.join(dir, "wide.csv");
    const lines = ["date,x,y"];
    let a = 0;
    const x: number[] = [];
    for (let i = 0; i < 90; i++) {
      a = 0.6 * a + Math.sin(i * 12.9898) * 2; // a deterministic wiggle
      x.push(50 + 5 * a);
      const d = new Date(Date.UTC(2021, 0, 1 + i)).toISOString().slice(0, 10);
      lines.push(`${d},${x[i].toFixed(3)},${i >= 3 ? x[i - 3].toFixed(3) : ""}`);
    }
    fs.writeFileSync(wide, lines.join("\n") + "\n");
    const out = path.join(dir, "wide-out.csv");
    const r = cli(["forecast", wide, "--covariates", "--horizon", "3", "--model", "gru", "--strategy", "direct", "--epochs", "2", "--hidden", "4", "--seed", "3", "--threads", "1", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("each with the other 1 as covariates");
    expect(r.stderr).toMatch(/y: gru with covariate x/);
    expect(r.stderr).toMatch(/x: gru with covariate y/);
    const rows = fs.readFileSync(out, "utf8").trim().split("\n");
    expect(rows).toHaveLength(1 + 2 * 3);
    expect(rows[1].startsWith("x,2021-04-01,1,")).toBe(true);
  });

  it("parses --covariates (off by default) and refuses it with --mode global", () => {
    expect(parseOptions([csv, "--horizon", "3", "--out", "o.csv"]).covariates).toBe(false);
    expect(parseOptions([csv, "--horizon", "3", "--out", "o.csv", "--covariates"]).covariates).toBe(true);
    expect(() => parseOptions([csv, "--horizon", "3", "--out", "o.csv", "--covariates", "--mode", "global"])).toThrow(/--covariates.*--mode global/);
    const mk = (name: string): SeriesInput => ({ name, timestamps: new Float64Array([1]), values: new Float64Array([1]), frequency: "daily", stepMs: 86_400_000 });
    const group = [mk("a"), mk("b"), mk("c")];
    expect(covariatesFor(group[1], group).map((c) => c.name)).toEqual(["a", "c"]);
  });

  it("writes formula-safe text cells, as the API's exports do, and numbers as numbers", () => {
    const forecast = (name: string): SeriesForecast => ({
      name,
      timestamps: [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2)],
      forecast: [-1.5, 2],
      intervals: [{ level: 80, lo: [-2.123456789012, 1], hi: [Infinity, 3] }],
      method: "gru",
    });
    const names = ['=HYPERLINK("http://x")', "@SUM(A1)", "+1", "-dash", "plain, comma", "failed", "absent"];
    const forecasts = new Map(names.slice(0, 5).map((n) => [n, forecast(n)] as const));
    forecasts.set("failed", { ...forecast("failed"), error: "too short" });
    const { text, written, skipped } = forecastCsv(names, forecasts, [80]);
    expect(text).toBe(
      [
        "series,date,step,forecast,lo80,hi80",
        `"'=HYPERLINK(""http://x"")",2024-01-01,1,-1.5,-2.123456789,`,
        `"'=HYPERLINK(""http://x"")",2024-01-02,2,2,1,3`,
        "'@SUM(A1),2024-01-01,1,-1.5,-2.123456789,",
        "'@SUM(A1),2024-01-02,2,2,1,3",
        "'+1,2024-01-01,1,-1.5,-2.123456789,",
        "'+1,2024-01-02,2,2,1,3",
        "'-dash,2024-01-01,1,-1.5,-2.123456789,",
        "'-dash,2024-01-02,2,2,1,3",
        '"plain, comma",2024-01-01,1,-1.5,-2.123456789,',
        '"plain, comma",2024-01-02,2,2,1,3',
      ].join("\n") + "\n",
    );
    expect([written, skipped]).toEqual([5, ["failed", "absent"]]);
  });
});
