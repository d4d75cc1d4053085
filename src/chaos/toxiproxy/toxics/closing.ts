/**
 * Toxics that end connections: timeout, slow_close, reset_peer, limit_data.
 */
import { type Chunk, Stage, type StageInit, type ChunkSink } from './stage.ts';

/**
 * `timeout` {timeout} ms: drops all data and closes both sides after `timeout` ms without a
 * chunk (an idle timer, reset by each chunk, running from when the toxic starts on the
 * connection). 0 = never; removing the toxic closes the connections it held.
 */
export class TimeoutStage extends Stage {
  constructor(init: StageInit, next: ChunkSink) {
    super(init, next);
    if (this.active) this.arm();
  }

  protected onPush(chunk: Chunk): void {
    this.host.dropped(chunk.data.length);
    this.arm();
  }

  protected override onEnd(): void {
    this.finish();
  }

  protected override onUpdate(): void {
    this.arm();
  }

  override remove(): void {
    if (this.active) this.finish();
    this.dispose();
  }

  private arm(): void {
    const timeoutMs = this.attributes['timeout'] ?? 0;
    if (timeoutMs > 0) this.setTimer(timeoutMs, () => this.finish());
    else this.clearTimer();
  }
}

/** `slow_close` {delay} ms: data unchanged; end-of-stream is held for `delay`. */
export class SlowCloseStage extends Stage {
  protected onPush(chunk: Chunk): void {
    this.next.push(chunk);
  }

  protected override onEnd(): void {
    this.setTimer(this.attributes['delay'] ?? 0, () => this.finish());
  }
}

/**
 * `reset_peer` {timeout} ms: the first chunk (or end-of-stream) is dropped, then after `timeout`
 * both sockets are reset. Connections that were already open when the toxic was added are closed
 * with FIN instead, as in Toxiproxy (only sockets it set up with linger 0 can be reset).
 */
export class ResetPeerStage extends Stage {
  private triggered = false;

  protected onPush(chunk: Chunk): void {
    this.host.dropped(chunk.data.length);
    this.trigger();
  }

  protected override onEnd(): void {
    this.trigger();
  }

  protected override flush(): void {
    if (this.triggered) this.fire();
    else super.flush();
  }

  /**
   * Restarted (update, or a toxic added after it): nothing to release. Toxiproxy's reset_peer
   * cannot be interrupted once a chunk has triggered it (it sleeps, then resets), so a pending
   * reset still happens; an untriggered one keeps waiting for its first chunk.
   */
  protected override onInterrupt(): void {}

  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    this.setTimer(this.attributes['timeout'] ?? 0, () => this.fire());
  }

  private fire(): void {
    this.clearTimer();
    this.done = true;
    if (this.fromConnectionStart) this.host.reset();
    else this.host.close();
  }
}

/**
 * `limit_data` {bytes}: forwards up to `bytes` on this connection and direction (counted from when
 * the toxic was added), then closes both sides.
 */
export class LimitDataStage extends Stage {
  private sentBytes = 0;

  protected onPush(chunk: Chunk): void {
    const limitBytes = this.attributes['bytes'] ?? 0;
    const remainingBytes = Math.max(0, limitBytes - this.sentBytes);
    let data = chunk.data;
    if (data.length > remainingBytes) {
      this.host.dropped(data.length - remainingBytes);
      data = data.subarray(0, remainingBytes);
    }
    if (data.length > 0) {
      this.sentBytes += data.length;
      this.next.push(data === chunk.data ? chunk : { data, stampMs: chunk.stampMs });
    }
    if (limitBytes - this.sentBytes <= 0) this.finish();
  }
}
