import { basicAuth, FORM, formBody, request, type Answer } from '../common/http';
import { refreshTokensFor } from './load';
import { algOf, type Target } from './operations';

function fail(target: Target, what: string, res: Answer): never {
  throw new Error(`sanity check failed: ${target.name}: ${what} (got ${res.status} ${res.text.slice(0, 300)})`);
}

function jwtAlg(token: unknown): string | undefined {
  if (typeof token !== 'string' || token.split('.').length !== 3) return undefined;
  try {
    return (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { alg?: string }).alg;
  } catch {
    return undefined;
  }
}

/**
 * A benchmark of a broken endpoint is worthless: each target must answer one real request with
 * 200 and a token signed with the algorithm measured, and refuse the same request with a wrong
 * client secret (RFC 6749 §5.2: 401 invalid_client for Basic authentication). Run before and
 * after the measurements.
 */
export async function sanityCheck(target: Target): Promise<void> {
  const { issuer } = target;
  const wrongSecret = (id: string) => basicAuth(id, 'not-the-secret-' + 'x'.repeat(32));
  let body: string;
  let id: string;
  let secret: string;
  if (target.operation === 'cc-rs256' || target.operation === 'cc-es256') {
    body = formBody({ grant_type: 'client_credentials', ...issuer.ccParams(algOf(target.operation)) });
    ({ id, secret } = issuer.service);
  } else if (target.operation === 'code') {
    const [code] = await issuer.mintCodes(1);
    body = formBody({ grant_type: 'authorization_code', code, redirect_uri: issuer.web.redirectUri });
    ({ id, secret } = issuer.web);
  } else {
    const [token] = await refreshTokensFor(target, 1);
    body = formBody({ grant_type: 'refresh_token', refresh_token: token });
    ({ id, secret } = issuer.web);
  }
  // The wrong secret first: a refused request must not consume the code or the refresh token.
  const refused = await request(issuer.tokenUrl, { method: 'POST', headers: { authorization: wrongSecret(id), 'content-type': FORM }, body });
  if (refused.status !== 401 || refused.json?.error !== 'invalid_client') fail(target, 'a wrong client secret -> 401 invalid_client', refused);
  const ok = await request(issuer.tokenUrl, { method: 'POST', headers: { authorization: basicAuth(id, secret), 'content-type': FORM }, body });
  if (ok.status !== 200) fail(target, '200 with a token', ok);
  const alg = algOf(target.operation);
  if (jwtAlg(ok.json?.access_token) !== alg) fail(target, `the access token is a JWT signed ${alg}`, ok);
  if (target.operation === 'code' && (typeof ok.json?.refresh_token !== 'string' || jwtAlg(ok.json?.id_token) !== 'RS256')) fail(target, 'the code exchange returns a refresh token and an RS256 ID token', ok);
  if (target.operation === 'refresh') {
    const next = ok.json?.refresh_token;
    if (typeof next !== 'string' || body.includes(encodeURIComponent(next))) fail(target, 'the refresh returns a new (rotated) refresh token', ok);
  }
}
