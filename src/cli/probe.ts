/**
 * `tokenstorm probe [scenario]`: runs the security probe catalogue once against the embedded IdP
 * (or --issuer), prints a findings table, writes reports/<run-id>/ and exits 4 when a finding is
 * at or above --fail-on.
 */
import type { Command } from 'commander';
import { modeFlag } from './idp.ts';
import type { IdpModeName } from '../idp/modes.ts';

/** Exit code for security findings at or above --fail-on (DESIGN.md). */
export const EXIT_FINDINGS = 4;

/** Flags of `probe`. */
export interface ProbeFlags {
  issuer?: string;
  failOn: string;
  json?: boolean;
  quiet?: boolean;
  out: string;
  slow?: boolean;
  only?: string;
  except?: string;
  idpMode: IdpModeName[];
}

/** Registers `probe`. */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('run the PKCE security probes (P1–P14 and more) once against the embedded IdP or --issuer; exit 4 on findings')
    .argument('[scenario]', "scenario whose target, client and test user the probes use (default: smoke); its 'probes' section picks probes")
    .option('--issuer <url>', 'remote issuer to probe via discovery (loopback only); default: the embedded IdP')
    .option('--fail-on <severity>', 'exit 4 when a finding is at or above: critical, high, medium, low, info', 'high')
    .option('--json', 'print report.json to stdout (the table goes to stderr)')
    .option('--quiet', 'no table (errors only)')
    .option('--out <dir>', 'parent folder for reports/<run-id>/', 'reports')
    .option('--slow', 'allow probes that wait longer than the bound (P11 on a 60 s code lifetime)')
    .option('--only <ids>', 'comma-separated probe ids to run, e.g. P1,P8,iss')
    .option('--except <ids>', 'comma-separated probe ids to leave out')
    .option('--idp-mode <name>', 'embedded IdP only: start it deliberately broken (as tokenstorm idp --mode), repeatable', modeFlag, [])
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm probe                                     # all probes against the embedded IdP
  $ tokenstorm probe --issuer http://127.0.0.1:8080/realms/demo my-keycloak.yaml --fail-on medium
  $ tokenstorm probe --only P8,P9 --json > findings.json
  $ tokenstorm probe --idp-mode reusable-codes           # see what a finding looks like

Exit codes: 0 no finding at or above --fail-on, 4 security finding(s), 2 bad usage or input,
3 target unreachable.`,
    )
    // The probe machinery is loaded when the command runs, not with the CLI (every `run` would carry it).
    .action(async (scenario: string | undefined, flags: ProbeFlags) => (await import('./probe-action.ts')).runProbeCommand(scenario, flags));
}
