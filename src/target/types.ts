/**
 * A target is the identity provider a run is pointed at. Each kind (the embedded IdP, a remote
 * issuer via discovery, later Keycloak or a scripted target) is one file implementing
 * {@link TargetKind} plus one line in ./registry.ts. The run only asks a target for what the
 * data flow needs: where the issuer is, which client and user to use, how to log in, and which
 * faults it can apply to itself.
 */
import type { TargetActuators } from '../chaos/actuators/types.ts';
import type { ClientAuth, DpopSigner } from '../flow/client-auth.ts';
import type { LoginDriver } from '../flow/login-driver.ts';
import type { ReportTargetKind } from '../report/schema.ts';
import type { RunPlan } from '../scenario/types.ts';

/** The client and user the flows use (the parts of the target discovery does not tell). */
export interface TargetClient {
  clientId: string;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
}

/** An opened target; disposing it stops what it started. */
export interface Target extends AsyncDisposable {
  readonly kind: ReportTargetKind;
  /** Issuer URL without a trailing slash (discovery is read from here). */
  readonly issuer: string;
  readonly client: TargetClient;
  readonly login: LoginDriver;
  /** How the client authenticates at the token endpoint. */
  readonly clientAuth: ClientAuth;
  /** DPoP proof signer when the scenario asks for DPoP; null otherwise. */
  readonly dpop: DpopSigner | null;
  /** Push authorization requests first (RFC 9126). */
  readonly par: boolean;
  /** Faults this target applies to itself (clock, modes). */
  readonly actuators: TargetActuators;
  /**
   * Offset of the harness-side clock used for ID-token time checks, ms. A target whose clock cannot
   * be moved simulates a skew by moving this one the other way.
   */
  harnessSkewMs(): number;
  /** Target CPU time so far in µs, when it runs here (embedded); null when unknown. */
  cpuMicros(): Promise<number | null>;
  /**
   * Resolves with a reason when the target is gone for good mid-run (its process exited); never
   * resolves for targets that cannot tell. The run then stops with exit 3 and a partial report.
   */
  readonly lost: Promise<string>;
}

/** What a target kind may use besides the plan. */
export interface TargetOpenOptions {
  /** `--issuer` (overrides the scenario's target.issuer). */
  issuer: string | null;
  /** `--direct`: no fault proxies between the harness and the target. */
  direct: boolean;
  /** Worker pool that presigns client assertions and DPoP proofs; without it they are signed inline. */
  signing?: import('../pkce/presigned.ts').SigningPool;
  /** An already running embedded IdP to use instead of starting one (not stopped at the end). */
  embeddedIdp?: import('../idp/embedded-idp.ts').EmbeddedIdp;
  signal?: AbortSignal;
}

/** One kind of target. */
export interface TargetKind {
  readonly name: ReportTargetKind;
  /** True when this kind serves the plan and options (the first match in the registry wins). */
  accepts(plan: RunPlan, options: TargetOpenOptions): boolean;
  /** Checks what can be checked before anything starts; throws a usage error. */
  check?(plan: RunPlan, options: TargetOpenOptions): void;
  open(plan: RunPlan, options: TargetOpenOptions): Promise<Target>;
}
