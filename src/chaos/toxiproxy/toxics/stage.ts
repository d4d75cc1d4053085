/**
 * The building block of a toxic chain: one stage per toxic per connection direction. Data moves
 * as chunks (one per socket read) stamped with their receive time, so time-based toxics schedule
 * against when the bytes arrived, not when the stage got to them (Toxiproxy does the same).
 */

/** One socket read on its way through a chain. */
export interface Chunk {
  data: Buffer;
  /** `performance.now()` when the bytes were read, or when a time-based stage released them. */
  stampMs: number;
}

/** Where a stage sends its output: the next stage or the link's socket writer. */
export interface ChunkSink {
  push(chunk: Chunk): void;
  /** End-of-stream; follows every chunk pushed before it. */
  end(): void;
}

/** What a stage may do to the connection it sits in. */
export interface StageHost {
  /** Bytes a stage threw away, so the link's count of held bytes (its back-pressure) stays right. */
  dropped(sizeBytes: number): void;
  /** Closes both sockets with FIN now. */
  close(): void;
  /** Resets both sockets (RST) now. */
  reset(): void;
}

/** Integer attributes of a toxic, by their Toxiproxy JSON names. */
export type ToxicAttributes = Record<string, number>;

/** Everything a stage is built from. */
export interface StageInit {
  host: StageHost;
  attributes: ToxicAttributes;
  /** Outcome of the toxicity draw: an inactive stage passes data through untouched. */
  active: boolean;
  /** True when the toxic existed when the connection opened (reset_peer only resets those). */
  fromConnectionStart: boolean;
}

/**
 * Base of every stage. Subclasses hold data only while `active`; `flush` must hand everything
 * held to `next` at once (order kept) and pass on an end-of-stream that was waiting behind it.
 */
export abstract class Stage implements ChunkSink {
  /** Read at every output (never captured) because removing a neighbour rewires it. */
  next: ChunkSink;
  protected readonly host: StageHost;
  protected attributes: ToxicAttributes;
  protected active: boolean;
  protected readonly fromConnectionStart: boolean;
  /** End-of-stream has arrived from upstream of this stage. */
  protected ended = false;
  /** End-of-stream has been passed on; anything arriving later is dropped. */
  protected done = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(init: StageInit, next: ChunkSink) {
    this.next = next;
    this.host = init.host;
    this.attributes = init.attributes;
    this.active = init.active;
    this.fromConnectionStart = init.fromConnectionStart;
  }

  push(chunk: Chunk): void {
    if (this.done) {
      this.host.dropped(chunk.data.length);
    } else if (this.active) {
      this.onPush(chunk);
    } else {
      this.next.push(chunk);
    }
  }

  end(): void {
    if (this.done || this.ended) return;
    this.ended = true;
    if (this.active) this.onEnd();
    else this.finish();
  }

  /**
   * Toxiproxy 2.12 interrupts and restarts a toxic when it is updated or when a toxic is added
   * (or removed) right after it in the same direction: what it holds is released at once (an
   * interrupted latency toxic passes its chunk on without the delay), its toxicity is drawn
   * again and its timers start over. `attributes` are the (possibly new) attributes.
   */
  restart(attributes: ToxicAttributes, active: boolean): void {
    const wasActive = this.active;
    this.attributes = attributes;
    this.active = active;
    if (this.done) return;
    if (wasActive) this.onInterrupt();
    if (active && !this.done) this.onUpdate(wasActive);
  }

  /** The toxic is interrupted: release what is held (default: everything, at once). */
  protected onInterrupt(): void {
    this.flush();
  }

  /** The toxic was deleted: release what is held now, then the link unlinks this stage. */
  remove(): void {
    if (!this.done) this.flush();
    this.dispose();
  }

  /** The connection is gone: stop every timer. */
  dispose(): void {
    this.clearTimer();
  }

  protected abstract onPush(chunk: Chunk): void;

  /** End-of-stream reached an active stage; default: pass it on after whatever is held. */
  protected onEnd(): void {
    this.flush();
  }

  /** Attributes changed while active (or the stage just became active). */
  protected onUpdate(_wasActive: boolean): void {}

  /** Hands everything held to `next` at once and passes a waiting end-of-stream on. */
  protected flush(): void {
    this.clearTimer();
    if (this.ended) this.finish();
  }

  /** Passes end-of-stream on exactly once. */
  protected finish(): void {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    this.next.end();
  }

  protected setTimer(delayMs: number, fn: () => void): void {
    this.clearTimer();
    // setTimeout has 1 ms resolution and usually fires up to ~1 ms late, which a 50 ms latency
    // toxic would show as 51–52 ms. So: a timer for all but the last 1–2 ms, then event-loop turns
    // (setImmediate) until the due time — never early, rarely more than a few tenths of a ms late.
    const dueMs = performance.now() + delayMs;
    const schedule = (leftMs: number): void => {
      this.timer = leftMs > 2 ? setTimeout(fire, Math.floor(leftMs - 1)) : setImmediate(fire);
    };
    const fire = (): void => {
      const leftMs = dueMs - performance.now();
      if (leftMs > 0) {
        schedule(leftMs);
        return;
      }
      this.timer = undefined;
      fn();
    };
    // Always asynchronous, even for a zero delay: callers may be inside their own pump.
    schedule(delayMs);
  }

  protected clearTimer(): void {
    if (this.timer !== undefined) {
      // clearTimeout does not cancel an Immediate, nor clearImmediate a Timeout.
      if ('hasRef' in this.timer && 'refresh' in this.timer) clearTimeout(this.timer);
      else clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
  }

  protected get timerPending(): boolean {
    return this.timer !== undefined;
  }
}

/** `noop`: passes everything through. */
export class NoopStage extends Stage {
  protected onPush(chunk: Chunk): void {
    this.next.push(chunk);
  }
}

/** Integer in [0, n) like Go's rand.Int63n. */
export function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}
