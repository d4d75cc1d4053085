/**
 * vitest globalSetup of the `real-toxiproxy` project: starts the real Toxiproxy 2.12 server that
 * scripts/ci/toxiproxy.sh installed (from its cache, no download here) on 127.0.0.1 on a free port,
 * hands its URL to the test files (`inject('toxiproxyUrl')`), and stops it after the run.
 *
 * vitest.config.ts only adds the project when the binary exists, or when CI=true — then a missing
 * binary fails the run here with the command that installs it.
 */
import type { TestProject } from 'vitest/node';
import { startRealToxiproxy } from '../../src/bench/real-toxiproxy.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the real Toxiproxy for this run ('' in projects without one). */
    toxiproxyUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRealToxiproxy();
  project.provide('toxiproxyUrl', server.url);
  return () => server.stop();
}
