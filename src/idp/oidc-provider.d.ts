/**
 * The slice of oidc-provider 9's API the embedded IdP uses. The package ships no type
 * declarations; these cover only what src/idp/ calls, checked against lib/provider.js.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The parts of a koa context the IdP middleware touches. */
  export interface KoaContext {
    req: IncomingMessage;
    res: ServerResponse;
    method: string;
    path: string;
    querystring: string;
    status: number;
    body: unknown;
    type: string;
    respond?: boolean;
    set(name: string, value: string): void;
    /** True when the request's content-type matches. */
    is(type: string): string | false | null;
    response: { get(name: string): string };
  }

  export type KoaNext = () => Promise<unknown>;

  /** An error oidc-provider throws or emits (`errors.OIDCProviderError`). */
  export interface ProviderError extends Error {
    error?: string;
    error_description?: string;
    error_detail?: string;
    status?: number;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Record<string, unknown> };
    params: Record<string, unknown>;
    grantId?: string;
    session?: { accountId?: string };
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(fn: (ctx: KoaContext, next: KoaNext) => unknown): this;
    on(event: string, listener: (ctx: KoaContext, err: ProviderError) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    Grant: new (init: { accountId: string; clientId: string }) => GrantInstance;
  }

  export default Provider;
}
