import type { Server } from 'node:http';
import type { PortcullisSettings } from '../config/settings';

export type ServerTimeouts = PortcullisSettings['server'];

/**
 * Sets the timeouts of a gateway server before it listens. Without them, Node waits 60 s for the
 * headers and 300 s for the request, but checks only every 30 s, so a client that sends one header
 * byte every few seconds (slowloris) holds a connection for minutes; a few hundred such clients
 * exhaust the gateway. RFC 9110 §15.5.9: a server that gives up waiting answers 408 (Node does,
 * then closes the connection).
 */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  // Node enforces headersTimeout and requestTimeout only when it sweeps its connections, every
  // connectionsCheckingInterval ms (30 s by default); it reads the interval when the server starts
  // listening, so it must be set here, before listen(). A quarter of the headers timeout (at most
  // 1 s) keeps the overshoot small at the cost of one cheap sweep per interval.
  (server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.max(25, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4)));
}

interface GatewayServers {
  bootstrap(app: unknown): { httpServer: Server | null; httpsServer: Server | null };
}

let current: ServerTimeouts | undefined;

/**
 * Makes Express Gateway apply `timeouts` to the http and https servers it creates. Express Gateway
 * creates them with `http.createServer(app)` after every plugin's init() and offers no option, so
 * its `bootstrap` is wrapped (once; a later call only changes the values for servers created
 * afterwards: a running server keeps its timeouts until restart).
 */
export function useServerTimeouts(timeouts: ServerTimeouts): void {
  const wrap = current === undefined;
  current = timeouts;
  if (!wrap) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const servers = require('express-gateway/lib/gateway/server') as GatewayServers;
  const original = servers.bootstrap;
  servers.bootstrap = (app) => {
    const created = original(app);
    for (const server of [created.httpServer, created.httpsServer]) if (server) applyServerTimeouts(server, current!);
    return created;
  };
}
