import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';
import { resolveSettings, SettingsError, settingsSchema } from '../config/settings';
import { TemporarilyUnavailable } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import type { ReadinessReport } from '../health/readiness';
import { answerHealthProbe } from '../health/health-endpoints';
import { requestContext, type ContextMiddleware } from '../http/request-context';
import { portcullisRoutes, type PortcullisRoutes } from '../runtime/portcullis-router';
import { guardPolicy } from '../policies/portcullis-guard';
import { createLogger } from '../logging/logger';
import { shutdownStarted } from '../runtime/graceful-shutdown';
import { installationHome } from '../config/home';
import type { Portcullis } from '../runtime/portcullis';
import { useServerTimeouts } from '../runtime/server-timeouts';
import { gatewayConfigProblems, type LoadedGatewayConfig } from './gateway-config-gate';
import { guardedPaths, type GatewayConfig } from './guarded-paths';
import { installLastResort } from './last-resort-handler';
import { installTokenLane, type LaneHandler } from './token-lane';
import { checkRequestTarget } from './request-target-check';
import { runtimeFor } from './runtime-holder';

/** What Express Gateway hands to a plugin's init() (the parts we use). */
interface PluginContext {
  settings: unknown;
  registerPolicy(policy: unknown): void;
  registerGatewayRoute(extend: (app: Application) => void): void;
  /** Express Gateway's loaded configuration (absent in unit tests that fake the context). */
  config?: LoadedGatewayConfig;
}

/** Gateway apps our routes are mounted on; init() runs again on reload and must not stack routes. */
const mounted = new WeakSet<Application>();
let currentRoutes: Promise<RequestHandler> | undefined;
/** The newest router once it is open: a request then goes in at once, not one promise turn later. */
let currentRouter: RequestHandler | undefined;
/** The newest router's token endpoint once it is open, behind the request context (token-lane.ts). */
let currentLane: LaneHandler | undefined;
/** Which raw paths a guarded pipeline covers, from the newest gateway.config.yml. */
let currentGuarded: (path: string) => boolean = () => false;
/** Client address, request id and access log of every request, from the newest settings. */
let currentContext: ContextMiddleware | undefined;
/** How the gateway's last-resort answers are made: the newest runtime's site (its logger), once open. */
let currentSite: ErrorSite | undefined;
/** The newest init's runtime once it opened, or why there is none: what `/readyz` asks. */
let currentRuntime: { open?: Portcullis; failed?: string } = {};

/** The newest routes opened: requests go straight in from now on. */
function openLane({ router, token }: PortcullisRoutes): void {
  currentRouter = router;
  currentLane = (req, res) => currentContext!(req, res, () => void token(req, res));
}

/** Readiness of this process: not while shutting down, starting, or refusing its configuration. */
function readiness(): Promise<ReadinessReport> {
  if (shutdownStarted()) return Promise.resolve({ ready: false, checks: { shutdown: 'in_progress' } });
  const { open, failed } = currentRuntime;
  if (open) return open.readiness.report();
  return Promise.resolve({ ready: false, checks: { [failed ?? 'runtime']: failed ? 'failed' : 'in_progress' } });
}

/**
 * The Express Gateway plugin: registers the `portcullis-guard` policy and mounts the issuer's
 * endpoints (discovery, JWKS, token) on the gateway's own HTTP server.
 */
export const manifest = {
  version: '1.2.0',
  schema: settingsSchema,
  init(context: PluginContext): void {
    const settings = resolveSettings(context.settings, installationHome(), { file: context.config?.systemConfigPath ?? 'system.config.yml', at: 'plugins.portcullis' });
    // The metrics listener belongs to a real gateway (its loaded config), not to unit tests that fake the context.
    const runtime = () => runtimeFor(settings, { serveMetrics: context.config !== undefined });
    const opened = runtime().then((p) => portcullisRoutes(p));
    const routes = opened.then((r) => r.router);
    routes.catch(() => undefined);
    currentRoutes = routes;
    currentRouter = undefined;
    currentLane = undefined;
    opened.then((r) => routes === currentRoutes && openLane(r), () => undefined);
    // On reload the running runtime answers until the new one opened (it is closed only then).
    const held: typeof currentRuntime = { open: currentRuntime.open };
    currentRuntime = held;
    runtime().then((p) => (held.open = p), () => Object.assign(held, { open: undefined, failed: 'runtime' }));
    if (context.config) useServerTimeouts(settings.server);
    // An unsafe pipeline (proxy before the guard...) loaded some other way than `portcullis start`,
    // or by a hot reload: Express Gateway ignores a plugin that throws and would serve the new
    // pipelines anyway, so fail closed instead: every request gets 503 until the YAML is fixed.
    const problems = gatewayConfigProblems(context.config, settings);
    if (problems.length) {
      createLogger().error('refusing the gateway configuration: every request is answered 503 until it is fixed', { problems });
      currentRoutes = Promise.reject(new SettingsError(problems.join('; ')));
      currentRoutes.catch(() => undefined);
      currentRuntime = { failed: 'gatewayConfig' };
    }
    currentContext = requestContext(settings);
    currentGuarded = guardedPaths(context.config?.gatewayConfig as GatewayConfig | undefined);
    currentSite = { kind: 'endpoint', realm: settings.realm };
    // Only the newest init's runtime may set the site (an older one could open later on reload).
    runtime().then((p) => routes === currentRoutes && (currentSite = p.errorSite('endpoint')), () => undefined);
    context.registerPolicy(guardPolicy(settings, runtime));
    context.registerGatewayRoute((app) => {
      if (mounted.has(app)) return;
      mounted.add(app);
      // First of all, so every answer (the last-resort ones too) has its client, id and log line.
      app.use((req, res, next) => currentContext!(req, res, next));
      // Unrouted requests and uncaught errors get the product's JSON error, never Express's HTML page.
      installLastResort(app, () => currentSite!);
      // Ahead of all of it, the token endpoint's requests: the same context, then the endpoint.
      installTokenLane(app, () => currentLane);
      // The probes come first: never behind a guard, a pipeline or a request check, and answered
      // even while the runtime is opening or refused.
      app.use((req, res, next) => answerHealthProbe(req, res, readiness, currentSite!) || next());
      // Always delegate to the newest router, so a reload swaps endpoints without re-mounting.
      const route = (router: RequestHandler, req: Request, res: Response, next: NextFunction) =>
        router(req, res, (err?: unknown) => {
          if (err) return next(err);
          // Not an issuer path: check the path before the pipelines' routes try to decode it.
          if (checkRequestTarget(req, res, currentGuarded, currentSite!.realm)) next();
        });
      app.use((req, res, next) => {
        if (currentRouter) return route(currentRouter, req, res, next);
        currentRoutes!.then(
          (router) => route(router, req, res, next),
          () => sendError(req, res, new TemporarilyUnavailable('the issuer is not available'), { kind: 'endpoint', realm: settings.realm }),
        );
      });
    });
  },
};
