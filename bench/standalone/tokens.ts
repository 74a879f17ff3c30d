import { randomBytes } from 'node:crypto';
import type { FakeIssuer } from '../../test/helpers/fake-issuer';
import { AUDIENCE, OPAQUE_AUDIENCE, SCOPE } from './contenders';

/** What the load generator needs: the warm token, the cold ones, the opaque ones. */
export interface Tokens {
  warm: string;
  cold: string[];
  opaque: string[];
}

/** An RFC 9068 access token of the JWT issuer, accepted by all four JWT contenders. */
const claims = (i: number) => ({ sub: `user-${i}`, client_id: 'bench-client', aud: AUDIENCE, scope: SCOPE });

/**
 * Signs one warm token and `count` distinct cold ones (RS256, one hour, so none expires in a run),
 * and registers `opaqueCount` opaque tokens at the introspection issuer.
 */
export async function makeTokens(jwt: FakeIssuer, opaque: FakeIssuer, count: number, opaqueCount: number): Promise<Tokens> {
  const warm = await jwt.sign(claims(0), { ttl: 3600 });
  const cold: string[] = [];
  for (let i = 1; i <= count; i++) cold.push(await jwt.sign(claims(i), { ttl: 3600 }));
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const opaqueTokens: string[] = [];
  for (let i = 0; i < opaqueCount; i++) {
    const token = randomBytes(24).toString('base64url');
    opaque.opaque.set(token, { active: true, client_id: 'bench-client', sub: `user-${i}`, aud: OPAQUE_AUDIENCE, scope: SCOPE, exp, iss: opaque.issuer });
    opaqueTokens.push(token);
  }
  return { warm, cold, opaque: opaqueTokens };
}

/** The same token with its signature's first character changed: every contender must refuse it. */
export function tamper(token: string): string {
  const dot = token.lastIndexOf('.');
  const c = token[dot + 1] === 'A' ? 'B' : 'A';
  return `${token.slice(0, dot + 1)}${c}${token.slice(dot + 2)}`;
}
