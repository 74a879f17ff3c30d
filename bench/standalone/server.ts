/**
 * The contenders' process (started by main.ts, so that the load generator does not share their
 * event loop): two local issuers, the five Express apps on 127.0.0.1, and a control port that
 * answers the issuers' request counts. Writes the ports and the tokens to the file named by argv[2],
 * then prints `ready`. argv[3]: the settings, as JSON.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import type express from 'express';
import { FakeIssuer } from '../../test/helpers/fake-issuer';
import { buildContenders, CONTENDERS, type ContenderName } from './contenders';
import { makeTokens } from './tokens';
import { readSettings, type StandaloneSettings } from './settings';

const HOST = '127.0.0.1';

function listen(handler: http.RequestListener | express.Express, port: number): Promise<http.Server> {
  const server = http.createServer(handler as http.RequestListener);
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server));
  });
}

async function main(): Promise<void> {
  // The parent's settings (argv[3]): `npm run bench` gives the suite defaults of its own.
  const settings = process.argv[3] ? (JSON.parse(process.argv[3]) as StandaloneSettings) : readSettings();
  const jwt = await FakeIssuer.start();
  const opaque = await FakeIssuer.start();
  const tokens = await makeTokens(jwt, opaque, settings.tokens, Math.min(settings.tokens, 100));
  const { apps, close } = await buildContenders({ jwt, opaque }, settings.introspectionCacheSeconds);
  const servers: http.Server[] = [];
  const ports = {} as Record<ContenderName, number>;
  for (const [i, name] of CONTENDERS.entries()) {
    const server = await listen(apps[name], settings.portBase ? settings.portBase + i : 0);
    servers.push(server);
    ports[name] = (server.address() as AddressInfo).port;
  }
  const control = await listen((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ introspectionRequests: opaque.introspectionRequests, jwksFetches: jwt.jwksFetches }));
  }, settings.portBase ? settings.portBase + CONTENDERS.length : 0);
  writeFileSync(process.argv[2], JSON.stringify({ ports, control: (control.address() as AddressInfo).port, tokens }));
  console.log('ready');

  const stop = async () => {
    for (const s of [...servers, control]) s.closeAllConnections();
    await close();
    await Promise.all([jwt.close(), opaque.close()]);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
