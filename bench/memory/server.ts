/**
 * The guard measured by the memory suite, in a process of its own (started by run.ts with
 * bench/issuer/heap-preload.js, which answers SIGWINCH with the heap after a full GC): the plain
 * Express guard of the compiled library (dist/index.js, `Portcullis.open` +
 * `portcullis.guard({ application }).middleware()`) in front of a tiny handler, and a control
 * port answering the token cache's hit and miss counters (the runtime's own metrics) and, on
 * /caches, the sizes of the runtime's LRU caches (cache-sizes.ts).
 * argv[2]: JSON { settings (raw), port, controlPort }. Prints `ready <port> <controlPort>`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Portcullis, resolveSettings } from '../../dist/index';
import { createLogger } from '../../dist/logging/logger';
import { lruCacheSizes } from './cache-sizes';
import { APPLICATION, PATH } from './guard-settings';

interface Args {
  settings: Record<string, unknown>;
  port: number;
  controlPort: number;
}

function listen(handler: http.RequestListener, port: number): Promise<http.Server> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A counter's value from the runtime's registry (prom-client), 0 when absent. */
async function counter(portcullis: Portcullis, name: string): Promise<number> {
  const metric = portcullis.metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const values = (await metric.get()).values;
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as Args;
  const portcullis = await Portcullis.open(resolveSettings(args.settings, process.cwd()), { logger: createLogger('error') });
  await portcullis.trustedIssuers.start();
  const app = express();
  app.disable('x-powered-by');
  app.get(PATH, portcullis.guard({ application: APPLICATION }).middleware(), (_req, res) => void res.json({ ok: true }));
  const server = await listen(app as unknown as http.RequestListener, args.port);
  const control = await listen((req, res) => {
    if (req.url === '/caches') {
      res.setHeader('content-type', 'application/json');
      return void res.end(JSON.stringify(lruCacheSizes(portcullis)));
    }
    void Promise.all([counter(portcullis, 'portcullis_token_cache_hits_total'), counter(portcullis, 'portcullis_token_cache_misses_total')]).then(([hits, misses]) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ hits, misses }));
    });
  }, args.controlPort);
  console.log(`ready ${(server.address() as AddressInfo).port} ${(control.address() as AddressInfo).port}`);
  const stop = async () => {
    server.closeAllConnections();
    control.closeAllConnections();
    await portcullis.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
