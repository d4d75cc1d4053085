/**
 * Workload kinds by scenario `mode`. To add one (refresh, client_credentials, probes): write a
 * {@link WorkloadKind} in its own file and add it here.
 */
import { TokenstormError } from '../../errors.ts';
import { clientCredentialsWorkload } from './client-credentials.ts';
import { flowWorkload } from './flow.ts';
import { refreshWorkload } from './refresh.ts';
import { tokenWorkload } from './token.ts';
import type { Workload, WorkloadEnv, WorkloadKind } from './types.ts';

/** The registry. */
export const WORKLOADS: Readonly<Record<string, WorkloadKind>> = {
  [flowWorkload.name]: flowWorkload,
  [tokenWorkload.name]: tokenWorkload,
  [refreshWorkload.name]: refreshWorkload,
  [clientCredentialsWorkload.name]: clientCredentialsWorkload,
};

/**
 * Creates the plan's workload.
 *
 * @example
 * await using workload = createWorkload({ plan, ctx });
 */
export function createWorkload(env: WorkloadEnv): Workload {
  const kind = WORKLOADS[env.plan.mode];
  if (!kind) throw new TokenstormError('ERR_SCENARIO_INVALID', `mode ${env.plan.mode} has no workload`);
  return kind.create(env);
}
