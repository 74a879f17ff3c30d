import express from 'express';
import { resolveSettings, type PortcullisSettings } from '../../src/config/settings';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { createLogger } from '../../src/logging/logger';
import { Portcullis, type GuardPolicyOptions } from '../../src/runtime/portcullis';
import { storeBackend, type StoreBackend } from './each-store';

export const ISSUER = 'http://issuer.test';

/** Two applications, so "a token for another application" can be tested. */
export const TEST_APPLICATIONS = {
  echo: {
    audience: 'urn:portcullis:application:echo',
    roles: { 'echo-reader': ['echo:read'], 'echo-writer': ['echo:write'] },
    routes: [
      { methods: ['GET', 'HEAD'], path: '/echo/**', permission: 'echo:read' },
      { methods: ['POST', 'PUT', 'PATCH', 'DELETE'], path: '/echo/**', permission: 'echo:write' },
    ],
  },
  billing: {
    audience: 'urn:portcullis:application:billing',
    roles: { 'billing-reader': ['billing:read'] },
    routes: [{ methods: ['GET'], path: '/billing/**', permission: 'billing:read' }],
  },
};

/** Validated settings for tests; `overrides` are merged over the defaults before validation. */
export function testSettings(overrides: Record<string, unknown> = {}): PortcullisSettings {
  return resolveSettings({ issuer: ISSUER, store: { sqlitePath: ':memory:' }, applications: TEST_APPLICATIONS, ...overrides }, process.cwd());
}

export interface TestServer {
  portcullis: Portcullis;
  /** issuer endpoints + `/echo/**` and `/billing/**` behind guards, answering with what they saw */
  app: express.Express;
  now: { ms: number };
  close(): Promise<void>;
}

export interface TestServerOptions {
  settings?: PortcullisSettings;
  guard?: Partial<GuardPolicyOptions>;
  accessLog?: (line: string) => void;
  /** The backend (from {@link eachStore}); default: in-memory SQLite. */
  store?: StoreBackend;
}

const SQLITE = storeBackend('sqlite');

/**
 * A real Portcullis runtime on a fresh, empty store of the given backend with a controllable
 * clock (the store's expiry follows it too), mounted in a plain Express app the way the guard is
 * used outside Express Gateway.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const now = { ms: Date.now() };
  const settings = options.settings ?? testSettings();
  const portcullis = await Portcullis.open(settings, {
    store: await (options.store ?? SQLITE).open(() => now.ms),
    now: () => now.ms,
    logger: createLogger('error', () => undefined),
  });
  const app = express();
  // First, as the gateway plugin does: client address, request id, access log (if on).
  app.use(portcullis.requestContext(options.accessLog));
  app.use(portcullisRouter(portcullis));
  for (const application of ['echo', 'billing']) {
    app.use(`/${application}`, portcullis.guard({ application, ...options.guard }).middleware());
    app.all(`/${application}*`, (req, res) => {
      const identity = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-portcullis-')));
      res.json({ method: req.method, path: req.originalUrl, identity, authorization: req.headers.authorization ?? null, headers: req.headers });
    });
  }
  return { portcullis, app, now, close: () => portcullis.close() };
}

/** Creates a service client and returns its id and secret. */
export async function createServiceClient(server: TestServer, application = 'echo', roles = ['echo-reader']) {
  const { client, clientSecret } = await server.portcullis.clients.create({ name: 'test client', application, roles });
  return { clientId: client.clientId, clientSecret: clientSecret! };
}
