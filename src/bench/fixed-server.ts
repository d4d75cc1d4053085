/**
 * A token endpoint that always answers the same 200 JSON, in a child process so that the client
 * under test has the other core: for benchmarks the client is what is measured.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ access_token: 'x'.repeat(43), token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); });
}).listen(0, '127.0.0.1', function () { process.send(this.address().port); });
process.on('disconnect', () => process.exit(0));
`;

/**
 * Starts the server on 127.0.0.1 (port 0); kill the child to stop it.
 *
 * @example
 * const { child, port } = await startFixedServer(); … child.kill();
 */
export async function startFixedServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [port] = (await once(child, 'message')) as [number];
  return { child, port };
}
