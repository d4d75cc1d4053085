/**
 * What a Keycloak test needs: the base URL of the Keycloak the global setup started, or — when it
 * could not start — a failure under CI=true (the reason in the message) and a skip locally.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, inject } from 'vitest';

/** The realm file the tests and scenarios/keycloak.ts use. */
export const REALM_FILE = resolve(import.meta.dirname, '../../scenarios/keycloak/realm-tokenstorm.json');
export const REDIRECT_URI = 'http://127.0.0.1/callback';

const info = inject('keycloak');

/** True when the Keycloak tests should be skipped (not CI, Keycloak not available). */
export const skipKeycloak = info.baseUrl === null && process.env.CI !== 'true';
if (skipKeycloak) process.stderr.write(`skipping Keycloak tests: ${info.error}\n`);

/** Base URL (http://127.0.0.1:PORT); throws (fails the test file) when Keycloak is not there. */
export function keycloakBaseUrl(): string {
  if (info.baseUrl === null) throw new Error(info.error ?? 'Keycloak was not started');
  return info.baseUrl;
}

/** Fails the file in beforeAll with the reason when Keycloak did not start (only reached when not skipped). */
export function requireKeycloak(): void {
  beforeAll(() => {
    keycloakBaseUrl();
  });
}

/** The issuer of a realm. */
export function issuerOf(realm: string): string {
  return `${keycloakBaseUrl()}/realms/${realm}`;
}

/** A test user's password, read from the realm file (users are `<name>` / `<name>-password`). */
export function passwordOf(username: string): string {
  const realm = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as { users: Array<{ username: string; credentials: Array<{ value: string }> }> };
  const user = realm.users.find((u) => u.username === username);
  if (!user?.credentials[0]) throw new Error(`no user ${username} in ${REALM_FILE}`);
  return user.credentials[0].value;
}

/** How long the global setup took to have Keycloak ready, ms (0 when an external one was used). */
export const keycloakStartMs = info.startMs;
