/**
 * Token mode's code bank: producers run the front half of the flow (authorize → login →
 * callback) to keep a stock of fresh authorization codes, so token exchanges can run at the
 * scheduled rate independent of login cost. Codes are short-lived (oidc-provider: 60 s by
 * default), so a code older than `maxAgeMs` is discarded, never redeemed.
 */
import type { Clock } from './clock.ts';

/** A banked item with the clock time it was obtained. */
export interface Banked<T> {
  item: T;
  obtainedAt: number;
}

/** Options for {@link CodeBank}. */
export interface CodeBankOptions<T> {
  clock: Clock;
  /** Codes to keep in stock. */
  size: number;
  /** Codes older than this are discarded. */
  maxAgeMs: number;
  /** Concurrent producers. */
  producers: number;
  /** Produces one item, or null when producing failed (already recorded by the producer). */
  produce: () => Promise<T | null>;
  /** Pause after a failed production, so a broken IdP is not hammered by producers, ms. */
  backoffMs?: number;
}

/**
 * A FIFO of fresh codes with producers that refill it.
 *
 * @example
 * const bank = new CodeBank({ clock: systemClock, size: 256, maxAgeMs: 30_000, producers: 8, produce });
 * bank.start(); await bank.filled(10_000); const c = bank.take();
 */
export class CodeBank<T> {
  private readonly opts: CodeBankOptions<T>;
  private readonly items: Banked<T>[] = [];
  private head = 0;
  private running = false;
  private active = 0;
  private idle: Array<() => void> = [];
  private stopped: Promise<void> | null = null;
  /** Codes thrown away because they got too old before use. */
  discardedStale = 0;
  /** Takes that found the bank empty. */
  empties = 0;
  /** Failed productions. */
  failures = 0;

  constructor(opts: CodeBankOptions<T>) {
    this.opts = opts;
  }

  /** Codes in stock (stale ones included until the next take). */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Starts the producers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.opts.producers; i++) void this.producer();
  }

  private async producer(): Promise<void> {
    this.active++;
    try {
      while (this.running) {
        if (this.size >= this.opts.size) {
          await new Promise<void>((r) => this.idle.push(r));
          continue;
        }
        let item: T | null;
        try {
          item = await this.opts.produce();
        } catch {
          // Shutting down (pool closed) or a harness bug: never an unhandled rejection.
          item = null;
        }
        if (!this.running) break;
        if (item === null) {
          this.failures++;
          await new Promise<void>((r) => this.opts.clock.setTimer(r, this.opts.backoffMs ?? 50));
          continue;
        }
        this.items.push({ item, obtainedAt: this.opts.clock.now() });
      }
    } finally {
      this.active--;
    }
  }

  private wakeProducers(): void {
    const idle = this.idle;
    this.idle = [];
    for (const r of idle) r();
  }

  /** Removes the head code (compacting now and then) and lets the producers refill its slot. */
  private shift(): Banked<T> {
    const b = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as Banked<T>;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.wakeProducers();
    return b;
  }

  /** True when a fresh code is in stock; stale ones at the head are discarded (and counted) first. */
  hasStock(): boolean {
    const now = this.opts.clock.now();
    while (this.size > 0 && now - this.items[this.head]!.obtainedAt > this.opts.maxAgeMs) {
      this.shift();
      this.discardedStale++;
    }
    return this.size > 0;
  }

  /** The oldest code that is still fresh, or undefined (counted) when none is. */
  take(): T | undefined {
    if (!this.hasStock()) {
      this.empties++;
      return undefined;
    }
    return this.shift().item;
  }

  /** Resolves when the bank holds `size` codes, `timeoutMs` passed or `signal` aborted; returns the stock. */
  async filled(timeoutMs: number, signal?: AbortSignal): Promise<number> {
    const deadline = this.opts.clock.now() + timeoutMs;
    while (this.size < this.opts.size && this.opts.clock.now() < deadline && !signal?.aborted) {
      await new Promise<void>((r) => this.opts.clock.setTimer(r, 20));
    }
    return this.size;
  }

  /** Stops producing; resolves when the producers in flight have ended. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.running = false;
      this.wakeProducers();
      this.stopped = (async () => {
        while (this.active > 0) await new Promise<void>((r) => this.opts.clock.setTimer(r, 10));
      })();
    }
    return this.stopped;
  }
}
