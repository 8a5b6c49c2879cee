/**
 * The parameter store: every parameter of a network in one flat buffer `data`, its gradient in a
 * same-size `grad`, and named views (PyTorch names and shapes) over both. Optimizers, clipping,
 * serialization and the data-parallel trainer work on the flat buffers; layers hold views.
 */
import { allocFloats, type DType, type Floats } from "../tensor";

export interface ParamSpec {
  name: string;
  shape: number[];
}

export interface ParamEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export class ParamStore {
  readonly dtype: DType;
  readonly size: number;
  readonly data: Floats;
  readonly grad: Floats;
  readonly entries: readonly ParamEntry[];
  private readonly byName = new Map<string, ParamEntry>();

  /** Lays the specs out in order. `buffers` lets the data or grad live elsewhere (shared memory). */
  constructor(specs: readonly ParamSpec[], dtype: DType, buffers?: { data?: Floats; grad?: Floats }) {
    this.dtype = dtype;
    const entries: ParamEntry[] = [];
    let offset = 0;
    for (const s of specs) {
      if (this.byName.has(s.name)) throw new Error(`duplicate parameter name ${s.name}`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      const e: ParamEntry = { name: s.name, shape: [...s.shape], offset, size };
      entries.push(e);
      this.byName.set(s.name, e);
      offset += size;
    }
    this.entries = entries;
    this.size = offset;
    this.data = buffers?.data ?? allocFloats(dtype, offset);
    this.grad = buffers?.grad ?? allocFloats(dtype, offset);
    for (const [label, buf] of [["data", this.data], ["grad", this.grad]] as const) {
      if (buf.length !== offset) throw new Error(`parameter ${label} buffer has ${buf.length} values, expected ${offset}`);
      if ((buf instanceof Float64Array) !== (dtype === "float64")) throw new Error(`parameter ${label} buffer is not ${dtype}`);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): ParamEntry {
    const e = this.byName.get(name);
    if (!e) throw new Error(`no parameter named ${name}`);
    return e;
  }

  /** A live view of the parameter's values. */
  value(name: string): Floats {
    const e = this.entry(name);
    return this.data.subarray(e.offset, e.offset + e.size);
  }

  /** A live view of the parameter's gradient. */
  gradOf(name: string): Floats {
    const e = this.entry(name);
    return this.grad.subarray(e.offset, e.offset + e.size);
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  zeroGrad(): void {
    this.grad.fill(0);
  }

  /** Copies values in by name (e.g. PyTorch weights); the length must match. */
  set(name: string, values: ArrayLike<number>): void {
    const e = this.entry(name);
    if (values.length !== e.size) throw new Error(`parameter ${name} has ${e.size} values, got ${values.length}`);
    for (let i = 0; i < e.size; i++) this.data[e.offset + i] = values[i];
  }
}
