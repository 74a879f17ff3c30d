import { Portcullis, resolveSettings } from '../../dist/index';
import { createLogger } from '../../dist/logging/logger';
import { APPLICATION, AUDIENCE, ROLE, SCOPE, rawSettings, type GuardSetup } from './guard-settings';
import type { JwksIssuer } from './jwks-issuer';

/**
 * `count` distinct tokens of Portcullis itself: the runtime opened in this process on the guard's
 * SQLite file (so its signing key is the one the guard's process will load) creates a service
 * client of `api` with role `reader`, and its AccessTokenIssuer (`runtime.tokens.issue`, what the
 * client-credentials grant calls) signs a token per call, a jti each. Outside the guard's process,
 * so the tokens are not in the heap measured.
 */
export async function mintOwnTokens(setup: GuardSetup, count: number): Promise<string[]> {
  const runtime = await Portcullis.open(resolveSettings(rawSettings(setup), process.cwd()), { logger: createLogger('error') });
  try {
    const { client } = await runtime.clients.create({ name: 'bench-memory', application: APPLICATION, roles: [ROLE] });
    const one = async () => (await runtime.tokens.issue({ clientId: client.clientId, subject: client.clientId, audience: AUDIENCE, roles: client.roles })).token;
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 256) tokens.push(...(await Promise.all(Array.from({ length: Math.min(256, count - i) }, one))));
    return tokens;
  } finally {
    await runtime.close();
  }
}

/** `count` distinct tokens of the trusted issuer, shaped as an RFC 9068 access token for `api`. */
export function signTrustedTokens(issuer: JwksIssuer, count: number): Promise<string[]> {
  return issuer.sign(count, { sub: 'bench-memory-user', client_id: 'bench-memory-client', aud: AUDIENCE, scope: SCOPE });
}

/** A cache of repeated tokens would measure less than it claims. */
export function assertDistinct(tokens: string[], count: number): void {
  if (tokens.length !== count || new Set(tokens).size !== count) throw new Error(`expected ${count} distinct tokens, got ${new Set(tokens).size} of ${tokens.length}`);
}
