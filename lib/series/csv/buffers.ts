/**
 * Growable typed arrays for the streaming pass: one slot per row, doubled when full, so a
 * million-row file costs a few reallocations instead of a million boxed numbers. Read `.a`
 * directly in hot loops (only its first `length` slots the caller wrote mean anything).
 */

export class GrowableF64 {
  a: Float64Array;
  constructor(capacity: number) {
    this.a = new Float64Array(Math.max(capacity, 16));
  }
  /** Makes room for at least n slots, keeping the contents. */
  grow(n: number): void {
    if (n <= this.a.length) return;
    const b = new Float64Array(Math.max(n, this.a.length * 2));
    b.set(this.a);
    this.a = b;
  }
}

export class GrowableI32 {
  a: Int32Array;
  constructor(capacity: number) {
    this.a = new Int32Array(Math.max(capacity, 16));
  }
  /** Makes room for at least n slots, keeping the contents. */
  grow(n: number): void {
    if (n <= this.a.length) return;
    const b = new Int32Array(Math.max(n, this.a.length * 2));
    b.set(this.a);
    this.a = b;
  }
}
