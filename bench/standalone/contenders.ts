import express from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { Portcullis, resolveSettings } from '../../dist/index';
import { createLogger } from '../../dist/logging/logger';

/** The audience of the tokens every contender checks, and the one route they guard. */
export const AUDIENCE = 'urn:bench:api';
export const OPAQUE_AUDIENCE = 'urn:bench:opaque-api';
export const PATH = '/api/hello';
export const SCOPE = 'api:read';

/** Contender names, in measuring order (rounds alternate it). */
export const CONTENDERS = ['guard', 'oauth2-bearer', 'express-jwt', 'noauth', 'guard-introspect'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export const LABELS: Record<ContenderName, string> = {
  guard: '(a) Portcullis guard, trusted issuer (JWKS)',
  'oauth2-bearer': '(b) express-oauth2-jwt-bearer',
  'express-jwt': '(c) express-jwt + jwks-rsa',
  noauth: '(d) no auth',
  'guard-introspect': '(e) Portcullis guard, opaque token, introspection',
};

/** The same tiny handler behind every contender. */
const hello: express.RequestHandler = (_req, res) => void res.json({ ok: true });

/** Errors of the libraries become a bare 401, as the guard answers (no stack traces in the hot path). */
const unauthorized: express.ErrorRequestHandler = (err, _req, res, _next) => void res.status(err.status ?? 401).json({ error: 'invalid_token' });

function app(guard?: express.RequestHandler): express.Express {
  const a = express();
  a.disable('x-powered-by');
  if (guard) a.get(PATH, guard, hello);
  else a.get(PATH, hello);
  a.use(unauthorized);
  return a;
}

export interface Issuers {
  /** Signs the JWTs of (a)-(d). */
  jwt: { issuer: string; base: string };
  /** Answers the introspection of (e). */
  opaque: { issuer: string; base: string; introspectionClient: { id: string; secret: string } };
}

/**
 * One Express app per contender, all in this process, in front of the same handler. The guard is
 * Portcullis's plain Express API as it ships (`dist/index.js`, built by `npm run build`: what users run, not the TypeScript through tsx) with the JWT issuer as a trusted issuer of
 * application `api`, and the opaque-token issuer (introspection) as the one of `opaque`.
 */
export async function buildContenders(issuers: Issuers, introspectionCacheSeconds: number) {
  const settings = resolveSettings({
    issuer: 'http://127.0.0.1/portcullis-bench',
    store: { sqlitePath: ':memory:' },
    trustedIssuers: [
      { issuer: issuers.jwt.issuer, permissions: 'scopes' },
      {
        issuer: issuers.opaque.issuer,
        permissions: 'scopes',
        introspection: { clientId: issuers.opaque.introspectionClient.id, clientSecret: issuers.opaque.introspectionClient.secret, cacheSeconds: introspectionCacheSeconds },
      },
    ],
    applications: {
      api: { audience: AUDIENCE, roles: { reader: [SCOPE] }, routes: [{ methods: ['GET'], path: '/api/**', permission: SCOPE }], trustedIssuers: [issuers.jwt.issuer] },
      opaque: { audience: OPAQUE_AUDIENCE, roles: { reader: [SCOPE] }, routes: [{ methods: ['GET'], path: '/api/**', permission: SCOPE }], trustedIssuers: [issuers.opaque.issuer] },
    },
  }, process.cwd());
  const portcullis = await Portcullis.open(settings, { logger: createLogger('error', () => undefined) });
  await portcullis.trustedIssuers.start();

  const jwksUri = `${issuers.jwt.base}/jwks`;
  const apps: Record<ContenderName, express.Express> = {
    guard: app(portcullis.guard({ application: 'api' }).middleware()),
    'oauth2-bearer': app(auth({ issuer: issuers.jwt.issuer, jwksUri, audience: AUDIENCE, tokenSigningAlg: 'RS256' })),
    'express-jwt': app(expressjwt({
      secret: jwksRsa.expressJwtSecret({ jwksUri, cache: true, rateLimit: true }) as never,
      algorithms: ['RS256'],
      audience: AUDIENCE,
      issuer: issuers.jwt.issuer,
    })),
    noauth: app(),
    'guard-introspect': app(portcullis.guard({ application: 'opaque' }).middleware()),
  };
  return { apps, close: () => portcullis.close() };
}
