/**
 * `tokenstorm idp`: runs the embedded reference IdP in the foreground until Ctrl-C, so a person or
 * another tool (k6, a browser) can point at it.
 */
import type { Command } from 'commander';
import { TokenstormError } from '../errors.ts';
import { integerFlag } from './options.ts';
import { type EmbeddedIdp, IDP_MODE_NAMES, type IdpModeName, idpModeFromNames, startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { isIdpModeName } from '../idp/modes.ts';

/** Environment variable the standalone IdP takes its confidential clients' secret from. */
export const SECRET_ENV = 'TOKENSTORM_IDP_CLIENT_SECRET';

/** Parsed options of `tokenstorm idp`. */
export interface IdpCommandOptions {
  port: number;
  codeTtl: number;
  autoApprove: boolean;
  /** Fault modes from the start (default none). */
  mode?: IdpModeName[];
}

/**
 * Parses one `--mode` value (repeatable, or comma-separated) into mode names, or throws ERR_USAGE.
 *
 * @example
 * modeFlag('accept-plain,no-iss', []); // ['accept-plain', 'no-iss']
 */
export function modeFlag(raw: string, previous: IdpModeName[]): IdpModeName[] {
  const out = [...previous];
  for (const name of raw.split(',').map((n) => n.trim())) {
    if (!isIdpModeName(name)) {
      throw new TokenstormError('ERR_USAGE', `--mode must be one of ${IDP_MODE_NAMES.join(', ')} (got '${name}')`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * What `tokenstorm idp` prints once the IdP listens (no secrets: client ids and URLs only).
 *
 * @example
 * process.stdout.write(describeIdp(idp, 60));
 */
export function describeIdp(idp: EmbeddedIdp, codeTtlSec: number, modes: readonly IdpModeName[] = []): string {
  return [
    'tokenstorm idp: embedded reference IdP (oidc-provider) is running',
    `  issuer         ${idp.issuer}`,
    `  discovery      ${idp.issuer}/.well-known/openid-configuration`,
    `  client id      ${idp.clientId} (public, token_endpoint_auth_method none, PKCE S256 required)`,
    `  second client  ${idp.secondClientId}`,
    `  confidential   ${idp.clients.secretBasic.clientId} (client_secret_basic), ${idp.clients.secretPost.clientId} (client_secret_post): secret from ${SECRET_ENV} when set, else random and not shown`,
    `  private key    ${idp.clients.privateKeyJwt.clientId} (private_key_jwt; key made per process: use it through the embedded target of \`tokenstorm run\`)`,
    `  DPoP-bound     ${idp.clients.dpop.clientId} (public, tokens bound to a DPoP key)`,
    `  redirect uri   ${idp.redirectUri}`,
    `  users          ${idp.users.join(', ')} (any login name and any password are accepted)`,
    `  code ttl       ${codeTtlSec} s`,
    ...(modes.length > 0 ? [`  mode           ${modes.join(', ')} (DELIBERATELY BROKEN: for probe tests only)`] : []),
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/**
 * Starts the IdP, prints its coordinates and waits until `signal` aborts (SIGINT/SIGTERM from the
 * command) or the IdP process dies (then it throws ERR_TARGET_UNREACHABLE).
 */
export async function runIdp(options: IdpCommandOptions, signal: AbortSignal): Promise<void> {
  const secret = process.env[SECRET_ENV];
  const modes = options.mode ?? [];
  const idp = await startEmbeddedIdp({
    port: options.port,
    codeTtlSec: options.codeTtl,
    autoApprove: options.autoApprove,
    ...(secret ? { clientSecret: secret } : {}),
    mode: idpModeFromNames(modes),
  });
  process.stdout.write(describeIdp(idp, options.codeTtl, modes));
  // Nothing else keeps the event loop alive while we wait (the IdP child is unref'd).
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    const stopped = new Promise<'stopped'>((resolve) => {
      if (signal.aborted) resolve('stopped');
      signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const outcome = await Promise.race([stopped, idp.exited]);
    if (outcome !== 'stopped') {
      throw new TokenstormError(
        'ERR_TARGET_UNREACHABLE',
        `embedded IdP exited unexpectedly (code ${outcome.code}, signal ${outcome.signal})`,
      );
    }
  } finally {
    clearInterval(keepAlive);
    await idp.stop();
  }
  process.stdout.write('tokenstorm idp: stopped\n');
}

/** Registers `tokenstorm idp`. */
export function registerIdp(program: Command): void {
  program
    .command('idp')
    .description('run the embedded reference IdP (oidc-provider) on 127.0.0.1 until Ctrl-C')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', (v: string) => integerFlag(v, '--port', 0, 65535), 0)
    .option('--code-ttl <s>', 'authorization code lifetime in seconds', (v: string) => integerFlag(v, '--code-ttl', 1, 86_400), 60)
    .option('--auto-approve', 'skip the login and consent forms (one auto-approving interaction step)', false)
    .option('--mode <name>', `deliberately broken behaviour from the start, repeatable: ${IDP_MODE_NAMES.join(', ')}`, modeFlag, [])
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm idp                      # free port, prints the issuer
  $ tokenstorm idp --port 4000          # issuer http://127.0.0.1:4000
  $ tokenstorm idp --code-ttl 5         # codes expire after 5 s (expiry probes)
  $ tokenstorm idp --mode accept-any-verifier --mode no-iss   # a vulnerable IdP for 'tokenstorm probe'
  $ tokenstorm run scenarios/smoke.yaml --issuer http://127.0.0.1:4000`,
    )
    .action(async (options: IdpCommandOptions) => {
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      process.once('SIGHUP', onSignal);
      try {
        await runIdp(options, controller.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('SIGHUP', onSignal);
      }
    });
}
