import type { Application, RequestHandler } from 'express';
import { resolveSettings, settingsSchema } from '../config/settings';
import { TemporarilyUnavailable } from '../errors/oauth-errors';
import { sendError } from '../errors/send-error';
import { issuerRouter } from '../issuer/issuer-router';
import { guardPolicy } from '../policies/portcullis-guard';
import { installationHome } from '../runtime/home';
import { runtimeFor } from './runtime-holder';

/** What Express Gateway hands to a plugin's init() (the parts we use). */
interface PluginContext {
  settings: unknown;
  registerPolicy(policy: unknown): void;
  registerGatewayRoute(extend: (app: Application) => void): void;
}

/** Gateway apps our routes are mounted on; init() runs again on reload and must not stack routes. */
const mounted = new WeakSet<Application>();
let currentRoutes: Promise<RequestHandler> | undefined;

/**
 * The Express Gateway plugin: registers the `portcullis-guard` policy and mounts the issuer's
 * endpoints (discovery, JWKS, token) on the gateway's own HTTP server.
 */
export const manifest = {
  version: '1.2.0',
  schema: settingsSchema,
  init(context: PluginContext): void {
    const settings = resolveSettings(context.settings, installationHome());
    const runtime = () => runtimeFor(settings);
    const routes = runtime().then((p) => issuerRouter(p));
    routes.catch(() => undefined);
    currentRoutes = routes;
    context.registerPolicy(guardPolicy(settings, runtime));
    context.registerGatewayRoute((app) => {
      if (mounted.has(app)) return;
      mounted.add(app);
      // Always delegate to the newest router, so a reload swaps endpoints without re-mounting.
      app.use((req, res, next) => {
        currentRoutes!.then(
          (router) => router(req, res, next),
          () => sendError(req, res, new TemporarilyUnavailable('the issuer is not available'), { kind: 'endpoint', realm: settings.realm }),
        );
      });
    });
  },
};
