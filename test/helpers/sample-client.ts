import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'portcullis.js');

/**
 * "The sample client": a tiny but real relying-party web app, as a developer integrating with
 * Portcullis would write it (node:http on 127.0.0.1, a free port). It knows nothing of the issuer
 * but its URL and its own credentials, and speaks only the protocol:
 *
 * - `GET /login` redirects the browser to `/oauth2/authorize` with response_type=code, a random
 *   state it remembers, a nonce, PKCE S256 and the configured scope;
 * - `GET /callback` checks the state (and the RFC 9207 `iss`), exchanges the code at
 *   `/oauth2/token` with client_secret_basic, verifies the ID token (signature against the JWK
 *   Set, iss, aud, nonce) and renders the outcome as JSON in `<pre id="result">`, or the
 *   `error`/`error_description` the issuer sent back when the user denied.
 *
 * The test reads the same outcome from `last` (including the raw token response).
 */
export interface SampleClientOptions {
  /** The issuer URL, exactly as the gateway advertises it (`http://localhost:<port>`). */
  issuer: string;
  /** Runs `portcullis <args>` against the gateway's database (GatewayProcess.cli). */
  cli: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  /** Space-separated scope asked at /login (default `openid profile offline_access`). */
  scope?: string;
  /** Display name on the consent screen. */
  name?: string;
  /** The application the app is linked to (default `echo`). */
  application?: string;
}

/** What the callback saw and did, also shown as JSON on the callback page. */
export interface CallbackResult {
  ok: boolean;
  state_matched: boolean;
  iss: string | null;
  iss_matched: boolean;
  error?: string;
  error_description?: string;
  /** HTTP status of the token endpoint's answer. */
  token_status?: number;
  token_response_keys?: string[];
  token_type?: string;
  scope?: string;
  expires_in?: number;
  access_token_claims?: JWTPayload;
  id_token_claims?: JWTPayload;
  /** The ID token verified: signature (JWK Set), iss, aud = client_id, nonce as sent. */
  id_token_verified?: boolean;
  id_token_error?: string;
  nonce_matched?: boolean;
}

export interface TokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

export interface SampleClient {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  loginUrl: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
  /** The outcome of the last callback, and the raw token response when a code was exchanged. */
  last?: { result: CallbackResult; tokenResponse?: TokenResponse };
  /** How many authorizations were started at /login and how many callbacks arrived. */
  counts: { logins: number; callbacks: number; tokenRequests: number };
  stop(): Promise<void>;
}

interface Pending {
  nonce: string;
  verifier: string;
}

const b64url = (bytes = 32) => randomBytes(bytes).toString('base64url');
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, result: unknown): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Sample client</title></head>
<body><h1 id="title">${escapeHtml(title)}</h1>
<pre id="result">${escapeHtml(JSON.stringify(result, null, 2))}</pre>
<p><a href="/login" id="login">Sign in again</a></p></body></html>`;
}

/** Starts the sample client on a free loopback port and registers it with `portcullis apps create`. */
export async function startSampleClient(options: SampleClientOptions): Promise<SampleClient> {
  const issuer = options.issuer.replace(/\/$/, '');
  const scope = options.scope ?? 'openid profile offline_access';
  const pending = new Map<string, Pending>();
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));

  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const redirectUri = `${baseUrl}/callback`;

  const created = await options.cli([
    'apps', 'create',
    '--name', options.name ?? 'Sample Client',
    '--application', options.application ?? 'echo',
    '--type', 'web',
    '--redirect-uri', redirectUri,
    '--json',
  ]);
  if (created.code !== 0) {
    server.close();
    throw new Error(`apps create failed (${created.code}): ${created.stderr || created.stdout}`);
  }
  const app = JSON.parse(created.stdout) as { client_id: string; client_secret: string };

  const client: SampleClient = {
    baseUrl,
    loginUrl: `${baseUrl}/login`,
    redirectUri,
    clientId: app.client_id,
    clientSecret: app.client_secret,
    counts: { logins: 0, callbacks: 0, tokenRequests: 0 },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const send = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  };

  async function exchange(code: string, verifier: string): Promise<{ status: number; body: TokenResponse }> {
    client.counts.tokenRequests++;
    const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
    const res = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    return { status: res.status, body: (await res.json()) as TokenResponse };
  }

  async function callback(url: URL, res: http.ServerResponse): Promise<void> {
    client.counts.callbacks++;
    const state = url.searchParams.get('state') ?? '';
    const remembered = pending.get(state);
    pending.delete(state);
    const iss = url.searchParams.get('iss');
    const result: CallbackResult = { ok: false, state_matched: remembered !== undefined, iss, iss_matched: iss === issuer };
    client.last = { result };
    if (!remembered) {
      result.error = 'state_mismatch';
      result.error_description = 'the state is not one this client sent';
      return send(res, 400, page('Sign-in failed', result));
    }
    if (!result.iss_matched) {
      // RFC 9207 §2.4: an answer naming another issuer (or none, when it is advertised) is refused.
      result.error = 'issuer_mismatch';
      return send(res, 400, page('Sign-in failed', result));
    }
    const error = url.searchParams.get('error');
    if (error) {
      result.error = error;
      result.error_description = url.searchParams.get('error_description') ?? undefined;
      return send(res, 200, page('Access was not granted', result));
    }
    const code = url.searchParams.get('code');
    if (!code) {
      result.error = 'missing_code';
      return send(res, 400, page('Sign-in failed', result));
    }
    const token = await exchange(code, remembered.verifier);
    client.last.tokenResponse = token.body;
    result.token_status = token.status;
    result.token_response_keys = Object.keys(token.body).sort();
    if (token.status !== 200 || !token.body.access_token) {
      result.error = token.body.error ?? 'token_request_failed';
      result.error_description = token.body.error_description;
      return send(res, 502, page('Token exchange failed', result));
    }
    result.token_type = token.body.token_type;
    result.scope = token.body.scope;
    result.expires_in = token.body.expires_in;
    result.access_token_claims = decodeJwt(token.body.access_token);
    if (token.body.id_token) {
      try {
        const { payload } = await jwtVerify(token.body.id_token, jwks, { issuer, audience: client.clientId });
        result.id_token_claims = payload;
        result.nonce_matched = payload.nonce === remembered.nonce;
        result.id_token_verified = result.nonce_matched;
      } catch (err) {
        result.id_token_verified = false;
        result.id_token_error = err instanceof Error ? err.message : String(err);
      }
    }
    result.ok = token.body.id_token === undefined || result.id_token_verified === true;
    send(res, result.ok ? 200 : 502, page(result.ok ? 'Signed in' : 'Sign-in failed', result));
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    if (req.method === 'GET' && url.pathname === '/login') {
      client.counts.logins++;
      const state = b64url();
      const entry: Pending = { nonce: b64url(), verifier: b64url(48) };
      pending.set(state, entry);
      const authorize = new URL(`${issuer}/oauth2/authorize`);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        scope,
        state,
        nonce: entry.nonce,
        code_challenge: createHash('sha256').update(entry.verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      res.writeHead(302, { Location: authorize.toString(), 'Cache-Control': 'no-store' });
      return res.end();
    }
    if (req.method === 'GET' && url.pathname === '/callback') {
      callback(url, res).catch((err) => {
        if (!res.headersSent) send(res, 500, page('Sample client error', { ok: false, error: String(err) }));
      });
      return;
    }
    send(res, 404, page('Not found', { ok: false, error: 'not_found' }));
  });

  return client;
}

/** Runs `portcullis <args>` with `input` on standard input (for `--password-stdin`). */
export function runCliWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input + '\n');
  });
}

export interface CreatedUser {
  user_id: string;
  username: string;
  name?: string;
  email?: string;
  password: string;
  roles: Record<string, string[]>;
}

/** `portcullis users create --password-stdin --json`, as an operator would, with roles like `echo:echo-reader`. */
export async function createUser(env: NodeJS.ProcessEnv, username: string, password: string, roles: string[], extra: string[] = []): Promise<CreatedUser> {
  const args = ['users', 'create', '--username', username, '--password-stdin', ...roles.flatMap((r) => ['--role', r]), ...extra, '--json'];
  const res = await runCliWithInput(args, env, password);
  if (res.code !== 0) throw new Error(`users create failed (${res.code}): ${res.stderr || res.stdout}`);
  return { ...(JSON.parse(res.stdout) as Omit<CreatedUser, 'password'>), password };
}
