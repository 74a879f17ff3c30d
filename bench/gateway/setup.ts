import { createPublicKey } from 'node:crypto';
import { FakeIssuer } from '../../test/helpers/fake-issuer';
import { createClient, fetchJwk, getToken } from './client';
import { mintOwnTokens, signForeignTokens } from './cold-tokens';
import { writeGatewayConfig, writeSystemConfig } from './config-files';
import type { BenchContext } from './context';
import { startEcho, startGateway, stopGateway, type Gateway } from './gateway';
import { assert, decodeJwtPart, FOREIGN_CLIENT_ID } from './sanity';
import type { Tokens } from './targets';

export interface RunningBench {
  gw: Gateway;
  /** The one token every warm target's requests carry, the foreign target's token, and the cold targets' distinct ones. */
  tokens: Tokens;
  /** The local JWKS issuer of the foreign target (stop it after the gateway). */
  foreignIssuer: FakeIssuer;
  clientId: string;
}

/**
 * Brings up the gateway measured, all four pipelines in one process. The jwt pipeline needs
 * Portcullis' public key in its YAML, and the key is created by the first start: so a first start
 * without it creates the client and reads a token and the JWKS, then the real one starts on the
 * same SQLite file (same key) with the key converted to an SPKI PEM. The foreign target's issuer
 * (the tests' own, JWKS and RS256 signing) runs in this process, up before the gateway starts.
 * The cold targets' tokens (BENCH_TOKENS of each issuer) are minted last, on the gateway measured.
 */
export async function startBench(ctx: BenchContext): Promise<RunningBench> {
  const foreignIssuer = await FakeIssuer.start();
  const { audience } = writeSystemConfig(ctx.configDir, ctx.sqlitePath, ['noauth'], foreignIssuer.issuer);
  writeGatewayConfig(ctx.configDir, { port: ctx.port, echoUrl: ctx.echoUrl });
  // Stopped with the rest of the run's processes (ctx.procs).
  await startEcho(ctx);
  const bootstrap = await startGateway(ctx, 'bootstrap');
  const client = await createClient(ctx);
  const firstToken = await getToken(ctx, client);
  const header = decodeJwtPart(firstToken, 0);
  const claims = decodeJwtPart(firstToken, 1);
  assert(header.alg === 'RS256', `the token is RS256 (got ${String(header.alg)})`);
  assert(claims.iss === ctx.issuer, `token iss is ${ctx.issuer} (got ${String(claims.iss)})`);
  assert(claims.aud === audience || (Array.isArray(claims.aud) && claims.aud.includes(audience)), `token aud is ${audience} (got ${JSON.stringify(claims.aud)})`);
  const jwk = await fetchJwk(ctx, header.kid);
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  await stopGateway(ctx, bootstrap);

  writeSystemConfig(ctx.configDir, ctx.sqlitePath, ['noauth', 'egjwt'], foreignIssuer.issuer);
  writeGatewayConfig(ctx.configDir, { port: ctx.port, echoUrl: ctx.echoUrl, jwt: { pem, audience, issuer: ctx.issuer } });
  const gw = await startGateway(ctx, 'bench');
  const token = await getToken(ctx, client);
  assert(decodeJwtPart(token, 0).kid === header.kid, 'the token is signed by the key the jwt policy was configured with');
  // Shaped as Portcullis's own (RFC 9068, same audience and scope), lives as long as the bench.
  const foreignClaims = { sub: FOREIGN_CLIENT_ID, client_id: FOREIGN_CLIENT_ID, aud: audience, scope: String(claims.scope ?? 'echo:read') };
  const foreign = await foreignIssuer.sign(foreignClaims, { ttl: 3600 });
  // Only what the targets measured need: 11,000 RS256 tokens take a few seconds to mint or sign.
  const wanted = ctx.settings.targets;
  const ownCold = wanted.includes('guard-cold') || wanted.includes('egjwt-cold') ? await mintOwnTokens(ctx, client, ctx.settings.coldTokens) : [];
  const foreignCold = wanted.includes('foreign-cold') ? await signForeignTokens(foreignIssuer, foreignClaims, ctx.settings.coldTokens) : [];
  return { gw, tokens: { own: token, foreign, ownCold, foreignCold }, foreignIssuer, clientId: client.clientId };
}
