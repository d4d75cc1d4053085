/**
 * A token endpoint that always answers the same 200 JSON, in a child process so that the client
 * under test has the other core: for benchmarks the client is what is measured. It also serves a
 * discovery document (issuer = its own origin) and an empty key set, so that a whole
 * `tokenstorm run` in client_credentials mode can target it as an issuer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ access_token: 'x'.repeat(43), token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
let discovery = '';
const jwks = JSON.stringify({ keys: [] });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const out = req.url === '/.well-known/openid-configuration' ? discovery : req.url === '/jwks' ? jwks : body;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
server.listen(0, '127.0.0.1', () => {
  const issuer = 'http://127.0.0.1:' + server.address().port;
  discovery = JSON.stringify({ issuer, authorization_endpoint: issuer + '/auth', token_endpoint: issuer + '/token', jwks_uri: issuer + '/jwks', response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'], token_endpoint_auth_methods_supported: ['client_secret_post'], grant_types_supported: ['client_credentials'] });
  process.send(server.address().port);
});
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
