import { expect } from 'chai';
import net from 'node:net';
import { openMetricsListener } from '../../src/metrics/metrics-listener';
import { processMetrics } from '../../src/metrics/portcullis-metrics';
import { closeRuntime, runtimeFor } from '../../src/plugin/runtime-holder';
import { freePort } from '../helpers/gateway-process';
import { testSettings } from '../helpers/test-portcullis';

const status = (url: string) => fetch(url).then((r) => r.status, () => 'refused');

describe('metrics listener', () => {
  afterEach(() => closeRuntime());

  it('is shared by the holders of one address and closes with the last of them', async () => {
    const port = await freePort();
    const settings = { enabled: true, host: '127.0.0.1', port };
    const first = await openMetricsListener(processMetrics(), settings);
    const second = await openMetricsListener(processMetrics(), settings);
    expect(second.address.port).to.equal(port);
    await first.close();
    await first.close(); // closing twice releases once
    expect(await status(`http://127.0.0.1:${port}/metrics`)).to.equal(200);
    await second.close();
    expect(await status(`http://127.0.0.1:${port}/metrics`)).to.equal('refused');
  });

  it('survives a reload that opens a new runtime on the same port before the old one closes, and closes with the runtime', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/metrics`;
    const first = await runtimeFor(testSettings({ metrics: { port } }), { serveMetrics: true });
    expect(await status(url)).to.equal(200);
    // A reload with changed settings: a second runtime, the same registry, the same listener.
    const second = await runtimeFor(testSettings({ metrics: { port }, cacheMs: 100 }), { serveMetrics: true });
    expect(second).to.not.equal(first);
    expect(second.metrics).to.equal(first.metrics);
    expect(await status(url)).to.equal(200);
    const body = await (await fetch(url)).text();
    expect(body.match(/^# TYPE portcullis_guard_decisions_total counter$/gm)).to.have.length(1);
    await closeRuntime();
    expect(await status(url)).to.equal('refused');
  });

  it('is not opened when metrics.enabled is false, nor for a runtime that does not serve metrics (CLI, tests)', async () => {
    const port = await freePort();
    await runtimeFor(testSettings({ metrics: { port, enabled: false } }), { serveMetrics: true });
    expect(await status(`http://127.0.0.1:${port}/metrics`)).to.equal('refused');
    await closeRuntime();
    await runtimeFor(testSettings({ metrics: { port } }));
    expect(await status(`http://127.0.0.1:${port}/metrics`)).to.equal('refused');
  });

  it('refuses to open on a port another server holds, with a message naming the address and the setting', async () => {
    const port = await freePort();
    const squatter = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      const err = await openMetricsListener(processMetrics(), { enabled: true, host: '127.0.0.1', port }).then(() => undefined, (e: Error) => e);
      expect(err?.message).to.equal(`the metrics listener could not listen on 127.0.0.1:${port}: EADDRINUSE; set plugins.portcullis.metrics.port or metrics.host, or metrics.enabled: false`);
      // The failed attempt left nothing behind: once the port is free, it opens.
      squatter.close();
      await new Promise((resolve) => squatter.once('close', resolve));
      const listener = await openMetricsListener(processMetrics(), { enabled: true, host: '127.0.0.1', port });
      await listener.close();
    } finally {
      squatter.close();
    }
  });

  it('closes even while a client holds a connection open with a half-sent request', async () => {
    const port = await freePort();
    const listener = await openMetricsListener(processMetrics(), { enabled: true, host: '127.0.0.1', port });
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'); // no end of headers: the request is in progress
    const ended = new Promise((resolve) => socket.once('close', resolve));
    await listener.close();
    await ended;
    expect(await status(`http://127.0.0.1:${port}/metrics`)).to.equal('refused');
  });
});
