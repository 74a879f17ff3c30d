import type autocannon from 'autocannon';
import { basicAuth, FORM, formBody, request } from '../common/http';
import { algOf, type Target } from './operations';

/** autocannon options for one run of a target, everything but url and connections. */
export type RunPlan = Omit<autocannon.Options, 'url' | 'connections'>;

/** Makes the requests of one target's runs; code and refresh keep their single-use state here. */
export interface LoadGenerator {
  /** Options for a run of about `seconds` at `estimatedRate` req/s (codes are minted beforehand). */
  plan(seconds: number, estimatedRate: number): Promise<RunPlan>;
}

function tokenRequestHeaders(target: Target, secret = target.issuer.web.secret): Record<string, string> {
  return { authorization: basicAuth(target.issuer.web.id, secret), 'content-type': FORM };
}

/** Exchanges fresh codes over HTTP: refresh tokens as a client gets them. */
export async function refreshTokensFor(target: Target, n: number): Promise<string[]> {
  const codes = await target.issuer.mintCodes(n);
  const tokens: string[] = [];
  for (const code of codes) {
    const res = await request(target.issuer.tokenUrl, {
      method: 'POST',
      headers: tokenRequestHeaders(target),
      body: formBody({ grant_type: 'authorization_code', code, redirect_uri: target.issuer.web.redirectUri }),
    });
    if (res.status !== 200 || typeof res.json?.refresh_token !== 'string') throw new Error(`${target.name}: code exchange for a refresh token failed: ${res.status} ${res.text.slice(0, 300)}`);
    tokens.push(res.json.refresh_token);
  }
  return tokens;
}

export function loadGenerator(target: Target, connections: number): LoadGenerator {
  const { issuer } = target;
  switch (target.operation) {
    case 'cc-rs256':
    case 'cc-es256': {
      const body = formBody({ grant_type: 'client_credentials', ...issuer.ccParams(algOf(target.operation)) });
      const headers = { authorization: basicAuth(issuer.service.id, issuer.service.secret), 'content-type': FORM };
      return { plan: async (seconds) => ({ method: 'POST', headers, body, duration: seconds }) };
    }
    case 'code': {
      // Each code works once: mint as many as the run will use and run for that many requests
      // (`estimatedRate` is the best rate seen so far for the target, so a run lasts at least
      // about `seconds`); autocannon builds one request ahead per connection, hence the extra codes.
      return {
        async plan(seconds, estimatedRate) {
          const amount = Math.max(connections * 10, Math.ceil(estimatedRate * seconds));
          const codes = await issuer.mintCodes(amount + 2 * connections);
          const headers = tokenRequestHeaders(target);
          const setupRequest = (req: autocannon.Request): autocannon.Request => {
            const code = codes.pop() ?? 'exhausted';
            return { ...req, method: 'POST', headers, body: formBody({ grant_type: 'authorization_code', code, redirect_uri: issuer.web.redirectUri }) };
          };
          return { amount, requests: [{ setupRequest }] };
        },
      };
    }
    case 'refresh': {
      // Each refresh token works once and its answer carries the next one: a shared pool, each
      // request takes a token and its answer puts the successor back. The pool holds two per
      // connection, topped up before each run (a run ends with one request built ahead per
      // connection, whose token is never sent).
      const pool: string[] = [];
      return {
        async plan(seconds) {
          const missing = 2 * connections - pool.length;
          if (missing > 0) pool.push(...(await refreshTokensFor(target, missing)));
          const headers = tokenRequestHeaders(target);
          const setupRequest = (req: autocannon.Request): autocannon.Request => {
            const token = pool.shift() ?? 'exhausted';
            return { ...req, method: 'POST', headers, body: formBody({ grant_type: 'refresh_token', refresh_token: token }) };
          };
          const onResponse = (status: number, body: string) => {
            if (status !== 200) return;
            try {
              const next = (JSON.parse(body) as { refresh_token?: unknown }).refresh_token;
              if (typeof next === 'string') pool.push(next);
            } catch {
              // counted as a failure by the status check of the run
            }
          };
          return { duration: seconds, requests: [{ setupRequest, onResponse }] };
        },
      };
    }
  }
}
