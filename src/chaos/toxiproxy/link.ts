/**
 * One proxied TCP connection: two links (client→upstream "upstream", upstream→client
 * "downstream"), each a chain of toxic stages between a source socket and a destination socket.
 *
 * With no toxics a link writes each read straight to the other socket (the fast path): no stamp,
 * no allocation, so the proxy adds well under a millisecond.
 */
import type { Socket } from 'node:net';
import { createStage } from './toxics/registry.ts';
import type { Chunk, ChunkSink, Stage, StageHost, ToxicAttributes } from './toxics/stage.ts';

/** Toxiproxy's stream names: upstream = client→server, downstream = server→client. */
export type Stream = 'upstream' | 'downstream';

/** A toxic as the API stores it. */
export interface ToxicSpec {
  name: string;
  type: string;
  stream: Stream;
  /** The stream as the client spelled it ("UPSTREAM"): Toxiproxy echoes it unchanged. */
  streamName: string;
  /** Changes on every create or update (even to the same values), so replicas see each restart. */
  revision: number;
  toxicity: number;
  attributes: ToxicAttributes;
}

/** Bytes held inside a chain before the source is paused (Toxiproxy bounds its channels too). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Upper bound on waiting for a FIN to flush before the socket is destroyed anyway. */
const CLOSE_FLUSH_LIMIT_MS = 10_000;

/** Ends `socket` (pending writes flushed, then FIN) and destroys it: no half-open sockets. */
export function closeGracefully(socket: Socket): void {
  if (socket.destroyed) return;
  socket.end();
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), CLOSE_FLUSH_LIMIT_MS);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
}

function draw(toxicity: number): boolean {
  return Math.random() < toxicity;
}

/** One direction of a connection. */
export class Link {
  readonly stream: Stream;
  private readonly conn: Connection;
  private readonly source: Socket;
  private readonly dest: Socket;
  private stages: Stage[] = [];
  /** The toxic behind each stage, same index. */
  private specs: ToxicSpec[] = [];
  private heldBytes = 0;
  private waitingDrain = false;
  private paused = false;
  private sourceEnded = false;
  private sinkEnded = false;
  private readonly sink: ChunkSink;
  private readonly stageHost: StageHost;

  constructor(conn: Connection, stream: Stream, source: Socket, dest: Socket, toxics: readonly ToxicSpec[]) {
    this.conn = conn;
    this.stream = stream;
    this.source = source;
    this.dest = dest;
    this.sink = {
      push: (chunk) => {
        this.heldBytes -= chunk.data.length;
        this.write(chunk.data);
        this.maybeResume();
      },
      end: () => this.chainEnded(),
    };
    this.stageHost = {
      dropped: (sizeBytes) => {
        this.heldBytes -= sizeBytes;
        this.maybeResume();
      },
      close: () => conn.close(),
      reset: () => conn.reset(),
    };
    for (const toxic of toxics) this.addToxic(toxic, true);
    source.on('data', this.onData);
    source.on('end', this.onSourceEnd);
    source.on('close', this.onSourceEnd);
    dest.on('drain', this.onDrain);
  }

  /**
   * Appends a stage for `toxic` (toxicity drawn now). On an open connection the stage before it
   * is restarted, as Toxiproxy interrupts the last toxic to re-wire its output.
   */
  addToxic(toxic: ToxicSpec, fromConnectionStart = false): void {
    const init = { host: this.stageHost, attributes: toxic.attributes, active: draw(toxic.toxicity), fromConnectionStart };
    const stage = createStage(toxic.type, init, this.sink);
    const last = this.stages.at(-1);
    if (last) {
      last.next = stage;
      if (!fromConnectionStart) this.restartAt(this.stages.length - 1);
    }
    this.stages.push(stage);
    this.specs.push(toxic);
  }

  /** Restarts the toxic's stage with its new attributes (held data released, toxicity redrawn). */
  updateToxic(toxic: ToxicSpec): void {
    const index = this.indexOf(toxic.name);
    if (index < 0) return;
    this.specs[index] = toxic;
    this.restartAt(index);
  }

  /**
   * Removes the stage: what it holds moves on at once, then the chain closes over the gap and the
   * stage before it is restarted (as in Toxiproxy).
   */
  removeToxic(name: string): void {
    const index = this.indexOf(name);
    const stage = this.stages[index];
    if (stage === undefined) return;
    stage.remove();
    this.stages.splice(index, 1);
    this.specs.splice(index, 1);
    const prev = this.stages[index - 1];
    if (prev) {
      prev.next = this.stages[index] ?? this.sink;
      this.restartAt(index - 1);
    }
  }

  private indexOf(name: string): number {
    return this.specs.findIndex((s) => s.name === name);
  }

  private restartAt(index: number): void {
    const spec = this.specs[index]!;
    this.stages[index]!.restart(spec.attributes, draw(spec.toxicity));
  }

  /** Stops all timers; the sockets are handled by the connection. */
  dispose(): void {
    this.sinkEnded = true;
    for (const stage of this.stages) stage.dispose();
    this.source.off('data', this.onData);
  }

  private readonly onData = (data: Buffer): void => {
    const head = this.stages[0];
    if (head === undefined) {
      this.write(data);
      return;
    }
    this.heldBytes += data.length;
    head.push({ data, stampMs: performance.now() } satisfies Chunk);
    if (!this.paused && this.heldBytes > HIGH_WATER_BYTES) this.pause();
  };

  private readonly onSourceEnd = (): void => {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    this.source.off('data', this.onData);
    const head = this.stages[0];
    if (head) head.end();
    else this.chainEnded();
  };

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.maybeResume();
  };

  private write(data: Buffer): void {
    if (this.sinkEnded || this.dest.destroyed || this.dest.writableEnded) return;
    if (!this.dest.write(data)) {
      this.waitingDrain = true;
      if (!this.paused) this.pause();
    }
  }

  private pause(): void {
    this.paused = true;
    this.source.pause();
  }

  private maybeResume(): void {
    if (this.paused && !this.waitingDrain && this.heldBytes <= HIGH_WATER_BYTES / 2) {
      this.paused = false;
      this.source.resume();
    }
  }

  /** End-of-stream came out of the chain: close the destination; the other direction follows. */
  private chainEnded(): void {
    if (this.sinkEnded) return;
    this.sinkEnded = true;
    this.conn.linkEnded(this, this.dest);
  }
}

/** Callbacks from a connection to its proxy. */
export interface ConnectionOwner {
  forget(conn: Connection): void;
}

/** A client socket, its upstream socket and the two links between them. */
export class Connection {
  private readonly owner: ConnectionOwner;
  private readonly client: Socket;
  private readonly upstream: Socket;
  private readonly links: Link[];
  private finished = false;

  constructor(owner: ConnectionOwner, client: Socket, upstream: Socket, toxics: readonly ToxicSpec[]) {
    this.owner = owner;
    this.client = client;
    this.upstream = upstream;
    const up = toxics.filter((t) => t.stream === 'upstream');
    const down = toxics.filter((t) => t.stream === 'downstream');
    this.links = [
      new Link(this, 'upstream', client, upstream, up),
      new Link(this, 'downstream', upstream, client, down),
    ];
    let closedSockets = 0;
    const onClose = (): void => {
      closedSockets += 1;
      if (closedSockets === 2) this.finish();
    };
    client.once('close', onClose);
    upstream.once('close', onClose);
  }

  link(stream: Stream): Link {
    return stream === 'upstream' ? this.links[0]! : this.links[1]!;
  }

  /** A direction's chain ended: close its destination (FIN after its data). */
  linkEnded(_link: Link, dest: Socket): void {
    closeGracefully(dest);
  }

  /** FIN on both sockets now (disable, delete, a timeout toxic, reset_peer on old connections). */
  close(): void {
    for (const link of this.links) link.dispose();
    closeGracefully(this.client);
    closeGracefully(this.upstream);
    this.finish();
  }

  /** RST on both sockets (reset_peer). */
  reset(): void {
    for (const link of this.links) link.dispose();
    for (const socket of [this.client, this.upstream]) {
      if (socket.destroyed) continue;
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }
    this.finish();
  }

  /** Immediate teardown (server shutdown). */
  destroy(): void {
    for (const link of this.links) link.dispose();
    this.client.destroy();
    this.upstream.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const link of this.links) link.dispose();
    this.owner.forget(this);
  }
}
