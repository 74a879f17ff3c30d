import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export const APPLICATION = 'api';
export const AUDIENCE = 'urn:bench:memory';
export const SCOPE = 'api:read';
export const ROLE = 'reader';
export const PATH = '/api/hello';

/**
 * Whether the compiled settings have a token cache budget (`tokenCache.maxMiB`), and its largest
 * allowed value: with it, the suite sets a budget that holds every token sent; without it the
 * cache holds what its fixed size allows, and the suite says how many that was.
 */
export function tokenCacheBudget(wantedMiB: number): number | undefined {
  try {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'config', 'settings.schema.json'), 'utf8')) as {
      properties?: { tokenCache?: { properties?: { maxMiB?: { maximum?: number } } } };
    };
    const maxMiB = schema.properties?.tokenCache?.properties?.maxMiB;
    if (!maxMiB) return undefined;
    return maxMiB.maximum !== undefined ? Math.min(wantedMiB, maxMiB.maximum) : wantedMiB;
  } catch {
    return undefined;
  }
}

export interface GuardSetup {
  sqlitePath: string;
  alg: 'RS256' | 'ES256';
  /** The trusted issuer, for the trusted cases. */
  trusted?: { issuer: string; jwksUri: string; alg: 'RS256' | 'ES256' };
  cacheMiB?: number;
}

/**
 * The raw settings (as an operator writes them) of the guard measured: application `api` whose
 * route needs `api:read`, granted by role `reader` (own tokens) or by scope (the trusted issuer's).
 * The same for the runtime that mints own tokens in the suite's process and for the guard's child.
 */
export function rawSettings(s: GuardSetup): Record<string, unknown> {
  return {
    issuer: 'http://127.0.0.1/portcullis-bench-memory',
    store: { type: 'sqlite', sqlitePath: s.sqlitePath },
    keys: { algorithm: s.alg },
    applications: {
      [APPLICATION]: {
        audience: AUDIENCE,
        roles: { [ROLE]: [SCOPE] },
        routes: [{ methods: ['GET'], path: '/api/**', permission: SCOPE }],
        ...(s.trusted ? { trustedIssuers: [s.trusted.issuer] } : {}),
      },
    },
    ...(s.trusted ? { trustedIssuers: [{ issuer: s.trusted.issuer, jwksUri: s.trusted.jwksUri, algorithms: [s.trusted.alg], permissions: 'scopes' }] } : {}),
    ...(s.cacheMiB ? { tokenCache: { maxMiB: s.cacheMiB } } : {}),
  };
}
