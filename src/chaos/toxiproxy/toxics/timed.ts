/**
 * Toxics that delay or pace data: latency, bandwidth, slicer. All schedule against absolute
 * times so timer lateness never accumulates across chunks.
 */
import { type Chunk, randomInt, Stage } from './stage.ts';

interface Scheduled {
  chunk: Chunk;
  dueMs: number;
}

/**
 * `latency` {latency, jitter} ms: each chunk leaves at receive time + latency + uniform
 * [−jitter, jitter). Order is kept (a chunk never overtakes the one before it).
 */
export class LatencyStage extends Stage {
  private queue: Scheduled[] = [];

  private delayMs(): number {
    const latencyMs = this.attributes['latency'] ?? 0;
    const jitterMs = this.attributes['jitter'] ?? 0;
    return jitterMs > 0 ? latencyMs + randomInt(jitterMs * 2) - jitterMs : latencyMs;
  }

  protected onPush(chunk: Chunk): void {
    this.queue.push({ chunk, dueMs: chunk.stampMs + this.delayMs() });
    if (!this.timerPending) this.pump();
  }

  protected override onEnd(): void {
    if (!this.timerPending) this.pump();
  }

  protected override onUpdate(): void {
    for (const item of this.queue) item.dueMs = item.chunk.stampMs + this.delayMs();
    this.clearTimer();
    this.pump();
  }

  protected override flush(): void {
    this.clearTimer();
    const queue = this.queue;
    this.queue = [];
    for (const item of queue) this.next.push(item.chunk);
    if (this.ended) this.finish();
  }

  private pump(): void {
    this.clearTimer();
    const nowMs = performance.now();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.dueMs > nowMs) {
        this.setTimer(head.dueMs - nowMs, () => this.pump());
        return;
      }
      this.queue.shift();
      // A later toxic measures from when this one released the chunk: two latencies add up.
      head.chunk.stampMs = Math.max(head.chunk.stampMs, head.dueMs);
      this.next.push(head.chunk);
      if (this.done) return;
    }
    if (this.ended) this.finish();
  }
}

/**
 * `bandwidth` {rate} KB/s (1 KB = 1000 B): a chunk leaves once its bytes have "taken" their
 * transmit time; chunks larger than 100 ms worth are sent in 100 ms slices. Rate 0 stalls.
 */
export class BandwidthStage extends Stage {
  private queue: Chunk[] = [];
  private inFlight: Scheduled | undefined;
  /** When the simulated link becomes free again. */
  private freeAtMs = 0;

  protected onPush(chunk: Chunk): void {
    this.queue.push(chunk);
    if (!this.timerPending) this.pump();
  }

  protected override onEnd(): void {
    if (!this.timerPending) this.pump();
  }

  protected override onUpdate(): void {
    if (!this.timerPending) this.pump();
  }

  protected override flush(): void {
    this.clearTimer();
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    const queue = this.queue;
    this.queue = [];
    if (inFlight) this.next.push(inFlight.chunk);
    for (const chunk of queue) this.next.push(chunk);
    if (this.ended) this.finish();
  }

  private pump(): void {
    this.clearTimer();
    const nowMs = performance.now();
    for (;;) {
      if (this.inFlight) {
        if (this.inFlight.dueMs > nowMs) {
          this.setTimer(this.inFlight.dueMs - nowMs, () => this.pump());
          return;
        }
        const chunk = this.inFlight.chunk;
        this.inFlight = undefined;
        this.next.push(chunk);
        if (this.done) return;
      }
      const head = this.queue[0];
      if (head === undefined) break;
      const rateKBps = this.attributes['rate'] ?? 0;
      if (rateKBps <= 0) return; // stalled until the rate is updated or the toxic removed
      const sliceBytes = rateKBps * 100; // 100 ms worth
      let slice: Chunk;
      if (head.data.length <= sliceBytes) {
        slice = head;
        this.queue.shift();
      } else {
        slice = { data: head.data.subarray(0, sliceBytes), stampMs: head.stampMs };
        head.data = head.data.subarray(sliceBytes);
      }
      const startMs = Math.max(this.freeAtMs, slice.stampMs);
      this.freeAtMs = startMs + slice.data.length / rateKBps; // KB/s == bytes per ms
      this.inFlight = { chunk: slice, dueMs: this.freeAtMs };
    }
    if (this.ended) this.finish();
  }
}

/**
 * `slicer` {average_size, size_variation bytes, delay µs}: splits each chunk into pieces around
 * average ± variation with `delay` after each piece. Sub-millisecond delays are accumulated and
 * slept in whole milliseconds (the resolution of Node timers).
 */
export class SlicerStage extends Stage {
  private pieces: Chunk[] = [];
  private owedDelayUs = 0;

  protected onPush(chunk: Chunk): void {
    for (const data of this.split(chunk.data)) this.pieces.push({ data, stampMs: chunk.stampMs });
    if (!this.timerPending) this.pump();
  }

  protected override onEnd(): void {
    if (!this.timerPending) this.pump();
  }

  protected override flush(): void {
    this.clearTimer();
    const pieces = this.pieces;
    this.pieces = [];
    for (const piece of pieces) this.next.push(piece);
    if (this.ended) this.finish();
  }

  private split(data: Buffer): Buffer[] {
    const averageBytes = this.attributes['average_size'] ?? 0;
    const variationBytes = Math.max(0, this.attributes['size_variation'] ?? 0);
    if (averageBytes <= 0 || data.length - averageBytes <= variationBytes) return [data];
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < data.length) {
      const jitter = variationBytes > 0 ? randomInt(variationBytes * 2) - variationBytes : 0;
      const size = Math.min(Math.max(1, averageBytes + jitter), data.length - offset);
      out.push(data.subarray(offset, offset + size));
      offset += size;
    }
    return out;
  }

  private pump(): void {
    this.clearTimer();
    const delayUs = Math.max(0, this.attributes['delay'] ?? 0);
    while (this.pieces.length > 0) {
      this.next.push(this.pieces.shift()!);
      if (this.done) return;
      this.owedDelayUs += delayUs;
      if (this.owedDelayUs >= 1000) {
        const sleepMs = Math.floor(this.owedDelayUs / 1000);
        this.owedDelayUs -= sleepMs * 1000;
        this.setTimer(sleepMs, () => this.pump());
        return;
      }
    }
    if (this.ended) this.finish();
  }
}
