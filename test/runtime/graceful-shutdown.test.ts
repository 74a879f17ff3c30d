import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/logging/logger';
import { closeOnShutdown, GracefulShutdown } from '../../src/runtime/graceful-shutdown';

const quiet = createLogger('error', () => undefined);

async function listening(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('graceful shutdown (src/runtime/graceful-shutdown.ts)', () => {
  it('closes what was registered, then its own list, in order, after the servers drained; exit code 0', async () => {
    const { server } = await listening((_req, res) => res.end());
    const order: string[] = [];
    const shutdown = new GracefulShutdown({ delayMs: 0, graceMs: 1000, logger: quiet }).drain('test', server);
    shutdown.onClose('sample upstream', () => order.push('sample upstream')).onClose('store', async () => order.push('store'));
    closeOnShutdown('metrics listener', () => order.push('metrics listener'));
    expect(await shutdown.run('test')).to.equal(0);
    expect(order.slice(-3)).to.deep.equal(['metrics listener', 'sample upstream', 'store']);
    expect(server.listening).to.equal(false);
  });

  it('something that fails to close is logged and makes the exit code 1; the rest is still closed', async () => {
    const lines: string[] = [];
    const closed: string[] = [];
    const shutdown = new GracefulShutdown({ delayMs: 0, graceMs: 1000, logger: createLogger('error', (l) => lines.push(l)) });
    shutdown.onClose('broken', () => Promise.reject(new Error('boom'))).onClose('store', () => closed.push('store'));
    expect(await shutdown.run('test')).to.equal(1);
    expect(closed).to.deep.equal(['store']);
    expect(lines.join('\n')).to.contain('could not close').and.contain('boom');
  });

  it('an answer the app sends synchronously during the delay says Connection: close too', async () => {
    const { server, port } = await listening((_req, res) => res.end('sync'));
    const shutdown = new GracefulShutdown({ delayMs: 60_000, graceMs: 1000, logger: quiet }).drain('test', server);
    void shutdown.run('test');
    const connection = await new Promise<string | undefined>((resolve) => {
      http.get({ port, host: '127.0.0.1', agent: new http.Agent({ keepAlive: true }) }, (res) => {
        res.resume().on('end', () => resolve(res.headers.connection));
      });
    });
    expect(connection).to.equal('close');
    server.close();
  });

  it('a response in flight when it starts finishes, with Connection: close (RFC 9112 §9.6)', async () => {
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    let answer!: () => void;
    const { server, port } = await listening((_req, res) => {
      answer = () => res.end('done');
      release();
    });
    const shutdown = new GracefulShutdown({ delayMs: 0, graceMs: 5000, logger: quiet }).drain('test', server);
    const response = new Promise<{ body: string; connection?: string }>((resolve) => {
      http.get({ port, host: '127.0.0.1', agent: new http.Agent({ keepAlive: true }) }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d)).on('end', () => resolve({ body, connection: res.headers.connection }));
      });
    });
    await arrived;
    const code = shutdown.run('test');
    answer();
    expect(await response).to.deep.equal({ body: 'done', connection: 'close' });
    expect(await code).to.equal(0);
  });
});
