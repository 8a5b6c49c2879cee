/**
 * Relaxed SIMD is used where the runtime has it and the plain SIMD kernels stand in where it does
 * not, with the same results. The fallback is shown in real Node processes started with V8's
 * relaxed SIMD explicitly off (Node 20's default).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { bestKernels, enableRelaxedSimd, resolveKernels, type KernelName } from "../../../lib/tensor";
import { relaxedSimdSupported, simdSupported } from "../../../lib/tensor/wasm/features";

const root = path.resolve(import.meta.dirname, "../../..");
const url = (p: string): string => pathToFileURL(path.join(root, p)).href;

/** Runs a child Node process on lib/tensor and lib/nn; returns what it reports. */
function child(v8Flag: string, steps: string): {
  supported: boolean; before: KernelName; enabled: boolean | null; name: KernelName; predErr: number; gradErr: number;
} {
  const script = `
    const t = await import(${JSON.stringify(url("lib/tensor/index.ts"))});
    const nn = await import(${JSON.stringify(url("lib/nn/index.ts"))});
    const out = { supported: t.relaxedSimdSupported(), before: t.kernels.name, enabled: null };
    ${steps}
    out.name = t.kernels.name;
    // one training step's prediction and gradient on the set in use, then on the reference
    const run = () => {
      const net = nn.createNetwork({ kind: "many-to-one", cell: "lstm", inputSize: 2, hiddenSize: 24, numLayers: 2, outputSize: 1 }, t.mulberry32(1));
      const rng = t.mulberry32(2), B = 9, T = 6;
      const x = Float32Array.from({ length: B * T * 2 }, () => t.normal(rng)), y = Float32Array.from({ length: B }, () => t.normal(rng));
      const g = new Float32Array(B);
      const pred = Array.from(net.forward({ size: B, seqLen: T, x }, true));
      nn.mseLoss(net.forward({ size: B, seqLen: T, x }, true), y, g);
      net.params.zeroGrad();
      net.backward(g);
      return { pred, grad: Array.from(net.params.grad) };
    };
    const err = (a, b) => { let d = 0, m = 0; for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); } return d / Math.max(1, m); };
    const used = run();
    t.useKernels("typescript");
    const ref = run();
    out.predErr = err(used.pred, ref.pred);
    out.gradErr = err(used.grad, ref.grad);
    console.log(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, [v8Flag, "--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
}

describe("choosing between relaxed SIMD and plain SIMD", () => {
  it("falls back along relaxed → plain SIMD → TypeScript, whatever is missing", () => {
    const without = (missing: KernelName[]) => (n: KernelName): boolean => !missing.includes(n);
    expect(bestKernels(without([]))).toBe("wasm-relaxed");
    expect(bestKernels(without(["wasm-relaxed"]))).toBe("wasm-simd");
    expect(bestKernels(without(["wasm-relaxed", "wasm-simd"]))).toBe("typescript");
    expect(resolveKernels("wasm-relaxed", without(["wasm-relaxed"]))).toBe("wasm-simd");
    expect(resolveKernels("wasm-simd", without(["wasm-relaxed"]))).toBe("wasm-simd");
    expect(resolveKernels("typescript", without([]))).toBe("typescript");
  });

  it("detects the features with WebAssembly.validate, and enableRelaxedSimd turns relaxed SIMD on in this process", () => {
    expect(simdSupported()).toBe(true);
    expect(enableRelaxedSimd()).toBe(true);
    expect(relaxedSimdSupported()).toBe(true);
    expect(relaxedSimdSupported(() => false)).toBe(false);
    expect(relaxedSimdSupported(null)).toBe(false);
  });

  it.each([
    { process: "without relaxed SIMD", flag: "--no-experimental-wasm-relaxed-simd", supported: false, name: "wasm-simd" },
    { process: "started with relaxed SIMD", flag: "--experimental-wasm-relaxed-simd", supported: true, name: "wasm-relaxed" },
  ])("a process $process runs the $name kernels, with the reference's results", ({ flag, supported, name }) => {
    const r = child(flag, "");
    expect(r.supported).toBe(supported);
    expect(r.name).toBe(name);
    expect(r.predErr).toBeLessThan(1e-5);
    expect(r.gradErr).toBeLessThan(1e-4);
  });

  it("enableRelaxedSimd turns it on at run time and upgrades the default set", () => {
    const r = child("--no-experimental-wasm-relaxed-simd", "out.enabled = t.enableRelaxedSimd();");
    expect(r.before).toBe("wasm-simd");
    expect(r.enabled).toBe(true);
    expect(r.name).toBe("wasm-relaxed");
    expect(r.gradErr).toBeLessThan(1e-4);
  });

  it("enableRelaxedSimd keeps a set chosen with useKernels", () => {
    const r = child("--no-experimental-wasm-relaxed-simd", `t.useKernels("wasm-simd"); out.enabled = t.enableRelaxedSimd();`);
    expect(r.enabled).toBe(true);
    expect(r.name).toBe("wasm-simd");
  });
});
