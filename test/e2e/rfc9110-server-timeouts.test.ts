// One backend (SQLite) only: a slow client times out before its request is read, so before any store access.
import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { configWith } from '../helpers/config-copy';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';

/**
 * Sends `head` at once, then one byte of `dribble` every `everyMs`, until the server closes the
 * connection or the dribble runs out. Resolves with what the server sent and how many bytes of
 * the dribble went out. The assertion is on the count, not on a clock: a server that enforces a
 * 300 ms timeout closes long before 60 bytes at 100 ms each; one with Node's defaults (60 s for
 * the headers, checked every 30 s) never does within them.
 */
function dribble(port: number, head: string, drip: string, everyMs: number): Promise<{ answer: string; sent: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ answer, sent, closed });
    };
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent >= drip.length) return finish(false);
        socket.write(drip[sent++]);
      }, everyMs);
    });
  });
}

/**
 * RFC 9110 §15.5.9 (408 Request Timeout): the gateway's server gives a client a bounded time to
 * send its headers and its request (issue 7 item 12, slowloris).
 */
describe('RFC 9110 §15.5.9: the gateway times out slow clients', function () {
  this.timeout(60_000);
  let gw: GatewayProcess;

  before(async () => {
    const dir = configWith('system.config.yml', (t) => t.replace('    cacheMs: 500\n', '    cacheMs: 500\n    server:\n      headersTimeoutMs: 300\n      requestTimeoutMs: 600\n'));
    expect(fs.readFileSync(path.join(dir, 'system.config.yml'), 'utf8')).to.contain('headersTimeoutMs: 300');
    gw = await startGateway({ PORTCULLIS_CONFIG_DIR: dir });
  });
  after(() => gw?.stop());

  it('answers 408 and closes a connection whose headers arrive one byte at a time (slowloris)', async () => {
    const { answer, sent, closed } = await dribble(Number(gw.env.PORT), 'GET /echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: ' + 'a'.repeat(52), 100);
    expect(closed, `the server kept the connection for all ${sent} bytes`).to.equal(true);
    expect(sent).to.be.below(60);
    expect(answer).to.match(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).to.match(/\r\nConnection: close\r\n/i);
  });

  it('answers 408 and closes a connection whose body arrives one byte at a time', async () => {
    const head = 'POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 80\r\n\r\n';
    const { answer, sent, closed } = await dribble(Number(gw.env.PORT), head, 'grant_type=client_credentials&client_id=' + 'a'.repeat(40), 100);
    expect(closed, `the server kept the connection for all ${sent} bytes`).to.equal(true);
    expect(sent).to.be.below(80);
    expect(answer).to.match(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('still serves a client that sends its request at once', async () => {
    const res = await fetch(`${gw.baseUrl}/echo/x`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="portcullis"');
  });
});
