import type { FakeIssuer } from '../../test/helpers/fake-issuer';
import { getToken, type Client } from './client';
import { log, type BenchContext } from './context';
import { assert, decodeJwtPart } from './sanity';

/** Token requests in flight at once while minting: enough to be quick, few enough not to queue. */
const MINT_CONCURRENCY = 8;

/**
 * `count` distinct access tokens of one service client by client_credentials, minted before
 * anything is measured (each has its own jti; the token endpoint's rate limit is off in the
 * bench's config). They live `tokens.accessTokenTtl` (an hour in the shipped config).
 */
export async function mintOwnTokens(ctx: BenchContext, client: Client, count: number): Promise<string[]> {
  const started = Date.now();
  const tokens: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      tokens.push(await getToken(ctx, client));
    }
  };
  await Promise.all(Array.from({ length: Math.min(MINT_CONCURRENCY, count) }, worker));
  assertDistinct('own', tokens, count);
  log(`minted ${count} distinct tokens of client ${client.clientId} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tokens;
}

/**
 * `count` distinct tokens of the local JWKS issuer, with the warm foreign token's claims and a jti
 * each (RS256 signatures are deterministic: same claims in the same second would be one token).
 */
export async function signForeignTokens(issuer: FakeIssuer, claims: Record<string, unknown>, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await issuer.sign({ ...claims, jti: `bench-cold-${i}` }, { ttl: 3600 }));
  assertDistinct('foreign', tokens, count);
  return tokens;
}

/** A cold run of repeated tokens would measure a warmer cache than it claims. */
function assertDistinct(kind: string, tokens: string[], count: number): void {
  assert(tokens.length === count, `${kind}: ${count} cold tokens (got ${tokens.length})`);
  assert(new Set(tokens).size === count, `${kind}: the ${count} cold tokens are distinct`);
  const jtis = new Set(tokens.map((t) => decodeJwtPart(t, 1).jti));
  assert(jtis.size === count, `${kind}: each cold token has its own jti (${jtis.size} distinct of ${count})`);
}
