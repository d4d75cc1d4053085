// Synchronous HTTP for the stand-in k6/http (k6's http.get/post block the VU): the request runs in
// a worker thread with node:http; the caller blocks on Atomics.wait and reads the answer with
// receiveMessageOnPort. No redirects are followed (the script asks for `redirects: 0`).
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

export interface SyncResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  durationMs: number;
  errorCode: string | null;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, flag } = workerData;
port.on('message', (req) => {
  const started = performance.now();
  const done = (res) => { port.postMessage(res); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
  const r = http.request(req.url, { method: req.method, headers: req.headers, timeout: req.timeoutMs }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), durationMs: performance.now() - started, errorCode: null }));
    res.on('error', (e) => done({ status: 0, headers: {}, body: '', durationMs: performance.now() - started, errorCode: e.code || 'ERR' }));
  });
  r.on('timeout', () => r.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  r.on('error', (e) => done({ status: 0, headers: {}, body: '', durationMs: performance.now() - started, errorCode: e.code || 'ERR' }));
  if (req.body !== null) r.write(req.body);
  r.end();
});
`;

let state: { worker: Worker; port: MessagePort; flag: Int32Array } | null = null;

function ensure(): NonNullable<typeof state> {
  if (state) return state;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, { eval: true, workerData: { port: port2, flag }, transferList: [port2] });
  worker.unref();
  state = { worker, port: port1, flag };
  return state;
}

/** Sends one request and blocks until the answer (or a 30 s deadline). */
export function syncRequest(req: { method: string; url: string; headers: Record<string, string>; body: string | null; timeoutMs: number }): SyncResponse {
  const s = ensure();
  Atomics.store(s.flag, 0, 0);
  s.port.postMessage(req);
  const waited = Atomics.wait(s.flag, 0, 0, Math.max(req.timeoutMs, 1000) + 5000);
  const msg = receiveMessageOnPort(s.port);
  if (waited === 'timed-out' || !msg) return { status: 0, headers: {}, body: '', durationMs: req.timeoutMs, errorCode: 'ETIMEDOUT' };
  return msg.message as SyncResponse;
}

/** Stops the worker (end of a test file). */
export async function closeSyncHttp(): Promise<void> {
  if (state) await state.worker.terminate();
  state = null;
}
