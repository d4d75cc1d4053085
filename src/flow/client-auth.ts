/**
 * How the client authenticates at the token endpoint, and optional DPoP proofs of possession
 * (RFC 9449). The implementations (secrets, signed assertions, DPoP keys) come with the target
 * (src/target/client-auth.ts); the flow only asks them for the parts of a token request.
 */
import { formValue } from './http.ts';

/** The client-authentication part of one token-endpoint request. */
export interface ClientCredentials {
  /** Encoded form fields to append, each starting with `&` (e.g. `&client_id=…`); may be empty. */
  form: string;
  /** Headers to add (e.g. `authorization: Basic …`). */
  headers?: Readonly<Record<string, string>>;
  /** The secrets in this request (client secret, assertion): scrubbed from what the flow records. */
  secrets?: readonly string[];
}

/** A token-endpoint authentication method. */
export interface ClientAuth {
  readonly method: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  readonly clientId: string;
  /** The parts for one request to `tokenEndpoint` (a signed assertion is fresh every time). */
  credentials(tokenEndpoint: URL): ClientCredentials | Promise<ClientCredentials>;
  /** Every secret this method handles or produced, for scrubbing outputs (tests scan them). */
  secrets(): string[];
}

/** Signs DPoP proofs for one key pair. */
export interface DpopSigner {
  readonly alg: string;
  /** A proof JWT for `htm` `htu` (URL without query or fragment), with the server's nonce when it asked for one. */
  proof(htm: string, htu: URL, nonce?: string): Promise<string>;
}

/**
 * Public client (`token_endpoint_auth_method: none`): only `client_id` in the form.
 *
 * @example
 * const auth = publicClient('tokenstorm');
 */
export function publicClient(clientId: string): ClientAuth {
  const parts: ClientCredentials = { form: `&client_id=${formValue(clientId)}` };
  return { method: 'none', clientId, credentials: () => parts, secrets: () => [] };
}
