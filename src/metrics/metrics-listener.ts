import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger';
import type { PortcullisMetrics } from './portcullis-metrics';

/** The `metrics` settings. */
export interface MetricsSettings {
  enabled: boolean;
  host: string;
  port: number;
}

/** One holder's use of the listener: close it when the runtime closes. */
export interface MetricsListener {
  /** Where it listens (the bound address and port). */
  readonly address: AddressInfo;
  close(): Promise<void>;
}

interface Shared {
  server: http.Server;
  ready: Promise<AddressInfo>;
  holders: number;
}

/** How long a closing listener waits for a scrape in progress before it drops the connection. */
const CLOSE_GRACE_MS = 1000;

/** Listeners by `host:port`: a reload that opens a new runtime before closing the old one reuses it. */
const listeners = new Map<string, Shared>();

/**
 * The metrics endpoint on a listener of its own, apart from the gateway's port, so scraping never
 * goes through the pipelines and the metrics are not reachable from where the APIs are. Loopback by
 * default (`metrics.host`). It serves `GET /metrics` (and HEAD) in the Prometheus text format;
 * any other path is 404, another method on `/metrics` 405 with `Allow` (RFC 9110 §15.5.6).
 *
 * Shared per address within the process: each runtime holds it, and it closes when the last
 * holder closes (Express Gateway's reload opens the new runtime before it closes the old one).
 */
export async function openMetricsListener(metrics: PortcullisMetrics, settings: MetricsSettings, logger?: Logger): Promise<MetricsListener> {
  const key = `${settings.host}:${settings.port}`;
  let shared = listeners.get(key);
  if (!shared) {
    const server = http.createServer((req, res) => answer(metrics, req, res, logger));
    // Scrapers are local and quick: a slow or idle connection is not held for long.
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    server.keepAliveTimeout = 5_000;
    const ready = new Promise<AddressInfo>((resolve, reject) => {
      let listening = false;
      server.on('error', (err: NodeJS.ErrnoException) => {
        if (listening) return logger?.error('metrics listener failed', { cause: err.code ?? err.message });
        listeners.delete(key);
        reject(new Error(`the metrics listener could not listen on ${key}: ${err.code ?? err.message}; set plugins.portcullis.metrics.port or metrics.host, or metrics.enabled: false`));
      });
      server.listen(settings.port, settings.host, () => {
        listening = true;
        resolve(server.address() as AddressInfo);
      });
    });
    shared = { server, ready, holders: 0 };
    listeners.set(key, shared);
  }
  const address = await shared.ready;
  shared.holders++;
  if (shared.holders === 1) logger?.info('metrics listening', { address: address.address, port: address.port, path: '/metrics' });
  const held = shared;
  let closed = false;
  return {
    address,
    close: async () => {
      if (closed) return;
      closed = true;
      if (--held.holders > 0) return;
      listeners.delete(key);
      await new Promise<void>((resolve) => {
        held.server.close(() => resolve());
        held.server.closeIdleConnections();
        // A scrape in progress gets a moment to finish; a connection that lingers does not hold up shutdown.
        setTimeout(() => held.server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
    },
  };
}

function answer(metrics: PortcullisMetrics, req: http.IncomingMessage, res: http.ServerResponse, logger?: Logger): void {
  const path = (req.url ?? '/').split('?')[0];
  const text = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  };
  if (path !== '/metrics') return text(404, 'not found: metrics are served at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed: use GET\n', { Allow: 'GET, HEAD' });
  metrics.scrape().then(
    ({ contentType, body }) => {
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    (err: unknown) => {
      logger?.error('metrics collection failed', { cause: err instanceof Error ? err.message : String(err) });
      text(500, 'metrics collection failed\n');
    },
  );
}

/** Where a listener serves the metrics (`http://127.0.0.1:9464/metrics`), if it is open. */
export function metricsUrlOf(listener: MetricsListener | undefined): string | undefined {
  const bound = listener?.address;
  if (!bound) return undefined;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return `http://${host}:${bound.port}/metrics`;
}
