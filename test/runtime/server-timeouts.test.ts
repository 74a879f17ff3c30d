import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { applyServerTimeouts } from '../../src/runtime/server-timeouts';

describe('server timeouts (src/runtime/server-timeouts.ts)', () => {
  it('sets the timeouts and a checking interval short enough to enforce them', () => {
    const server = http.createServer();
    applyServerTimeouts(server, { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 3000 });
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).to.deep.equal([2000, 4000, 3000]);
    expect((server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval).to.equal(500);
    applyServerTimeouts(server, { headersTimeoutMs: 60000, requestTimeoutMs: 60000, keepAliveTimeoutMs: 5000 });
    expect((server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval, 'at most 1 s').to.equal(1000);
  });

  it('a server it configured before listen answers a header dribble with 408 and closes (RFC 9110 §15.5.9)', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    applyServerTimeouts(server, { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 1000 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const answer = await new Promise<{ text: string; sent: number }>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let text = '';
        let sent = 0;
        let timer: NodeJS.Timeout | undefined;
        socket.on('data', (d) => (text += d));
        socket.on('error', () => undefined);
        socket.on('close', () => (clearInterval(timer), resolve({ text, sent })));
        socket.on('connect', () => {
          socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
          // 100 bytes at 50 ms: far more than a 200 ms timeout plus a 50 ms sweep.
          timer = setInterval(() => (sent++ < 100 ? socket.write('a') : (clearInterval(timer), socket.destroy())), 50);
        });
      });
      expect(answer.sent).to.be.below(100);
      expect(answer.text).to.match(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    } finally {
      server.close();
    }
  });
});
