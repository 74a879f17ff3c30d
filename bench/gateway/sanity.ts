import { request } from '../common/http';
import { log, type BenchContext } from './context';
import { TARGETS, tokenFor, tokensFor, WARM_TARGETS, type Identity, type Target, type Tokens } from './targets';

/** The client id in the local JWKS issuer's tokens (setup.ts), which the guard passes upstream. */
export const FOREIGN_CLIENT_ID = 'bench-foreign-client';

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`sanity check failed: ${message}`);
}

export function decodeJwtPart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Same token with one signature character changed (not the last one, whose low bits may be unused). */
export function tamperSignature(token: string): string {
  const parts = token.split('.');
  const sig = parts[2];
  const i = Math.floor(sig.length / 2);
  parts[2] = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
  return parts.join('.');
}

/**
 * Every pipeline must work before it is measured, and still work after: a benchmark of a broken
 * pipeline is worthless. Each answers 200 with the token from the echo upstream; the guard passes
 * the verified identity upstream (foreign: the other issuer's client); guard, foreign and egjwt answer 401 without a token and with a tampered
 * signature; noauth answers 200 without one. The cold targets share their warm one's pipeline:
 * a few of their distinct tokens must be accepted too. Returns the identity headers the guard added.
 */
export async function sanityCheck(ctx: BenchContext, tokens: Tokens, clientId: string): Promise<Identity> {
  let identity: Identity | undefined;
  for (const t of WARM_TARGETS) {
    const bearer = { authorization: `Bearer ${tokenFor(t, tokens)}` };
    const bad = { authorization: `Bearer ${tamperSignature(tokenFor(t, tokens))}` };
    const url = ctx.gatewayUrl + t.path;
    const ok = await request(url, { headers: bearer });
    assert(ok.status === 200, `${t.name}: GET ${t.path} with the token -> 200 (got ${ok.status} ${ok.text.slice(0, 200)})`);
    assert(ok.json && ok.json.upstream === 'echo' && ok.json.path === t.path, `${t.name}: answered by the echo upstream (got ${ok.text.slice(0, 200)})`);
    if (t.name === 'guard') {
      const seen = ok.json.identity as Identity | undefined;
      assert(seen?.['x-portcullis-client-id'] === clientId, `guard: the upstream saw the verified identity headers (got ${JSON.stringify(seen)})`);
      identity = seen;
    }
    if (t.name === 'foreign') {
      const seen = ok.json.identity as Identity | undefined;
      assert(seen?.['x-portcullis-client-id'] === FOREIGN_CLIENT_ID, `foreign: the upstream saw the foreign token's client (got ${JSON.stringify(seen)})`);
    }
    if (!t.auth) {
      const anonymous = await request(url);
      assert(anonymous.status === 200, `${t.name}: GET ${t.path} without a token -> 200 (got ${anonymous.status})`);
      continue;
    }
    const none = await request(url);
    assert(none.status === 401, `${t.name}: GET ${t.path} without a token -> 401 (got ${none.status})`);
    const forged = await request(url, { headers: bad });
    assert(forged.status === 401, `${t.name}: GET ${t.path} with a tampered signature -> 401 (got ${forged.status})`);
  }
  assert(identity, 'the guard target was checked');
  for (const t of TARGETS.filter((x) => x.cold && ctx.settings.targets.includes(x.name))) await checkColdTokens(ctx, t, tokensFor(t, tokens), clientId);
  log('sanity checks passed: noauth 200 with and without the token; guard, foreign and egjwt 200 with it, 401 without it and with a bad signature; cold tokens accepted');
  return identity;
}

/** The first, middle and last of a cold target's tokens answer 200 with the expected client upstream (the guard's). */
async function checkColdTokens(ctx: BenchContext, t: Target, list: string[], clientId: string): Promise<void> {
  const expected = t.pipeline === 'foreign' ? FOREIGN_CLIENT_ID : clientId;
  for (const i of [...new Set([0, Math.floor(list.length / 2), list.length - 1])]) {
    const ok = await request(ctx.gatewayUrl + t.path, { headers: { authorization: `Bearer ${list[i]}` } });
    assert(ok.status === 200 && ok.json?.upstream === 'echo', `${t.name}: GET ${t.path} with cold token #${i} -> 200 from echo (got ${ok.status} ${ok.text.slice(0, 200)})`);
    if (t.pipeline === 'egjwt') continue;
    const seen = ok.json.identity as Identity | undefined;
    assert(seen?.['x-portcullis-client-id'] === expected, `${t.name}: cold token #${i}: the upstream saw client ${expected} (got ${JSON.stringify(seen)})`);
  }
}
