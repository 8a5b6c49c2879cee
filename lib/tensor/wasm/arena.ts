/**
 * Memory of one WebAssembly instance: a first-fit allocator over a WebAssembly.Memory that only
 * grows, for two kinds of blocks.
 *
 *   scratch: what one kernel call needs and nothing after it (packed weights, gradients of the
 *            step); one block per engine, reused by every call and grown on demand.
 *   caches:  what a layer's forward leaves for its backward. They are a cache in the strict sense:
 *            the arena keeps the most recently used ones up to `cacheBudget` bytes and evicts the
 *            least recently used beyond it; an evicted owner sees `holds(lease) === false` and
 *            recomputes its forward. So memory stays bounded without relying on garbage collection
 *            (finalizers never run inside a long synchronous training loop), and a network that is
 *            dropped simply ages out.
 *
 * Offsets are in bytes, 64-byte aligned (a cache line; the kernels' vector loads want 16). Growing
 * the memory replaces its ArrayBuffer: callers read `f32()` after allocating, never keep an old view.
 */

export interface Lease {
  readonly offset: number;
  readonly bytes: number;
}

interface CacheBlock extends Lease {
  lastUse: number;
}

const ALIGN = 64;
const PAGE = 65536;

export class Arena {
  private free: { start: number; end: number }[] = [];
  private readonly caches = new Set<CacheBlock>();
  private scratch: Lease | null = null;
  private clock = 0;
  private view: Float32Array;
  private top: number;

  constructor(readonly memory: WebAssembly.Memory, readonly cacheBudget: number, base = 0) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.view = new Float32Array(memory.buffer);
  }

  /** A float32 view of the whole memory (current after any allocation). */
  f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** The scratch block, at least `bytes` long; its contents do not survive the next call. */
  scratchBlock(bytes: number): number {
    if (this.scratch === null || this.scratch.bytes < bytes) {
      if (this.scratch !== null) this.release(this.scratch);
      this.scratch = this.allocate(Math.max(bytes, (this.scratch?.bytes ?? 0) * 1.25));
    }
    return this.scratch.offset;
  }

  /** A new cache block of `bytes`, evicting the least recently used ones beyond the budget. */
  cache(bytes: number): Lease {
    let held = bytes;
    for (const c of this.caches) held += c.bytes;
    while (held > this.cacheBudget && this.caches.size > 0) {
      let lru: CacheBlock | null = null;
      for (const c of this.caches) if (lru === null || c.lastUse < lru.lastUse) lru = c;
      if (lru === null) break;
      this.drop(lru);
      held -= lru.bytes;
    }
    const lease = this.allocate(bytes);
    const block: CacheBlock = { ...lease, lastUse: ++this.clock };
    this.caches.add(block);
    return block;
  }

  /** Whether a cache lease is still held (not evicted); marks it as just used. */
  holds(lease: Lease | null): boolean {
    if (lease === null || !this.caches.has(lease as CacheBlock)) return false;
    (lease as CacheBlock).lastUse = ++this.clock;
    return true;
  }

  /** Bytes of the cache blocks held now. */
  heldCacheBytes(): number {
    let n = 0;
    for (const c of this.caches) n += c.bytes;
    return n;
  }

  /** Gives a cache lease back early (its owner no longer needs it). */
  drop(lease: Lease): void {
    if (this.caches.delete(lease as CacheBlock)) this.release(lease);
  }

  private allocate(bytes: number): Lease {
    const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i];
      if (f.end - f.start < size) continue;
      const lease = { offset: f.start, bytes: size };
      f.start += size;
      if (f.start === f.end) this.free.splice(i, 1);
      return lease;
    }
    const offset = this.top;
    this.top += size;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / PAGE));
    return { offset, bytes: size };
  }

  /** Returns a block to the free list, merging it with its neighbours (and with the top). */
  private release(lease: Lease): void {
    let start = lease.offset, end = lease.offset + lease.bytes;
    const kept: { start: number; end: number }[] = [];
    for (const f of this.free) {
      if (f.end === start) start = f.start;
      else if (f.start === end) end = f.end;
      else kept.push(f);
    }
    if (end === this.top) this.top = start;
    else {
      kept.push({ start, end });
      kept.sort((a, b) => a.start - b.start);
    }
    this.free = kept;
  }
}
