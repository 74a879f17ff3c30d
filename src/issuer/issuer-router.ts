import express, { type Request, type Response, type Router } from 'express';
import { InvalidRequest } from '../errors/oauth-errors';
import { sendError } from '../errors/send-error';
import type { Portcullis } from '../runtime/portcullis';
import { ENDPOINT_PATHS, serverMetadata } from './discovery';
import { tokenEndpoint } from './token-endpoint';

/** Public, cacheable documents: a short max-age lets clients pick up rotated keys quickly. */
function sendDocument(res: Response, body: unknown, maxAge: number): void {
  res.status(200).set({ 'Cache-Control': `public, max-age=${maxAge}`, 'Access-Control-Allow-Origin': '*' }).json(body);
}

/**
 * The issuer's HTTP endpoints as one Express router: discovery (RFC 8414, OIDC Discovery),
 * the JWK Set, and the token endpoint.
 */
export function issuerRouter(portcullis: Portcullis): Router {
  const router = express.Router();
  const endpointSite = portcullis.errorSite('endpoint');
  const algorithms = [portcullis.settings.keys.algorithm];
  const metadata = () => serverMetadata(portcullis.settings.issuer, portcullis.grants, algorithms);

  router.get(ENDPOINT_PATHS.openidConfiguration, (_req, res) => sendDocument(res, metadata(), 300));
  router.get(ENDPOINT_PATHS.oauthServerMetadata, (_req, res) => sendDocument(res, metadata(), 300));
  router.get(ENDPOINT_PATHS.jwks, (_req, res) => {
    res.type('application/jwk-set+json');
    sendDocument(res, portcullis.keys.jwks(), 60);
  });
  router.post(ENDPOINT_PATHS.token, tokenEndpoint({ grants: portcullis.grants, clients: portcullis.clients, site: endpointSite }));
  router.all(ENDPOINT_PATHS.token, (req: Request, res: Response) => {
    res.set('Allow', 'POST');
    res.status(405);
    sendError(req, res, new MethodNotAllowed('the token endpoint accepts only POST'), endpointSite);
  });
  return router;
}

/** RFC 6749 §3.2: the token endpoint is POST only; answered 405 with the protocol's error body. */
class MethodNotAllowed extends InvalidRequest {
  override readonly status = 405;
}
