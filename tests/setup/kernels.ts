/**
 * Test processes run the kernels the product's processes run: relaxed SIMD on (the worker process
 * and the CLI enable it at start-up, see lib/tensor/relaxed-simd.ts). Vitest runs each test file in
 * a forked process whose main thread loads this first. Tests that need another kernel set select it
 * with useKernels; the fallback without relaxed SIMD is tested in a child process
 * (tests/unit/tensor/relaxed-simd.test.ts).
 */
import { enableRelaxedSimd } from "../../lib/tensor";

if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled in the test process (needs Node 20 with V8's relaxed SIMD flag, or Node 22+)");
