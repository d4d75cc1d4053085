/**
 * Login drivers by name (scenario `target.login.driver`). The run looks its driver up here and
 * never switches on the name; a new driver is a file in this folder plus one line below.
 */
import type { LoginDriver } from '../../flow/login-driver.ts';
import { createFormLogin } from './form.ts';
import { createKeycloakLogin } from './keycloak.ts';
import { oidcProviderLogin } from './oidc-provider.ts';

/** Scenario `target.login` as validated (module resolved to an absolute path). */
export interface LoginOptions {
  driver: LoginDriverName;
  usernameField?: string;
  passwordField?: string;
  consentButton?: string;
  /** script driver: absolute path of the module exporting `login(ctx)`. */
  module?: string;
}

/** Makes a driver from the scenario's options (async: a script is bundled and imported). */
export interface LoginDriverFactory {
  /** Which of the optional settings apply (validation rejects the others). */
  readonly accepts: ReadonlyArray<'usernameField' | 'passwordField' | 'consentButton' | 'module'>;
  create(options: LoginOptions): LoginDriver | Promise<LoginDriver>;
}

const formFields = (o: LoginOptions) => ({
  ...(o.usernameField === undefined ? {} : { usernameField: o.usernameField }),
  ...(o.passwordField === undefined ? {} : { passwordField: o.passwordField }),
  ...(o.consentButton === undefined ? {} : { consentButton: o.consentButton }),
});

/** The registry. */
export const LOGIN_DRIVERS = {
  'oidc-provider': { accepts: [], create: () => oidcProviderLogin },
  form: { accepts: ['usernameField', 'passwordField', 'consentButton'], create: (o) => createFormLogin(formFields(o)) },
  keycloak: { accepts: ['usernameField', 'passwordField', 'consentButton'], create: (o) => createKeycloakLogin(formFields(o)) },
  script: {
    accepts: ['module'],
    create: (o) => {
      if (o.module === undefined) throw new Error('script login driver needs target.login.module');
      // Imported on use: the script driver bundles with esbuild through scenario/load.ts, which
      // validation (importing this registry for the names) must not pull in as a cycle.
      const file = o.module;
      return import('./script.ts').then((m) => m.loadScriptLogin(file));
    },
  },
} as const satisfies Record<string, LoginDriverFactory>;

/** A registered driver name. */
export type LoginDriverName = keyof typeof LOGIN_DRIVERS;

/** Driver names, for validation messages. */
export const LOGIN_DRIVER_NAMES = Object.keys(LOGIN_DRIVERS) as LoginDriverName[];

/**
 * Creates the driver a scenario names.
 *
 * @example
 * const login = await createLoginDriver({ driver: 'keycloak' });
 * const ctx: FlowContext = { ...rest, login };
 */
export async function createLoginDriver(options: LoginOptions): Promise<LoginDriver> {
  const factory: LoginDriverFactory = LOGIN_DRIVERS[options.driver];
  return factory.create(options);
}
