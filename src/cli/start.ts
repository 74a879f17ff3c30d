import { loadSettings } from '../config/load-settings';
import { applyEnvironmentDefaults } from '../runtime/environment';
import { useGatewayConfig } from '../runtime/express-gateway-config';
import { quietDisabledGatewayLogs } from '../runtime/quiet-gateway-logs';
import { startEchoUpstream } from '../sample/echo-upstream';

export interface StartOptions {
  /** Also run the sample echo API the sample config protects. */
  sampleUpstream: boolean;
  /** Announce readiness as a JSON line on stdout. */
  json?: boolean;
}

/**
 * Starts Express Gateway with the Portcullis plugin from any working directory, and waits until
 * the issuer is really ready (store open, keys loaded): if it is not, the process exits non-zero
 * instead of running a gateway that cannot authenticate anyone.
 */
export async function start(options: StartOptions): Promise<void> {
  applyEnvironmentDefaults();
  // Validate our settings first: Express Gateway would only log the first problem and go on.
  loadSettings();
  if (options.sampleUpstream) {
    const echoPort = Number(process.env.PORTCULLIS_ECHO_PORT ?? 8081);
    process.env.PORTCULLIS_ECHO_URL ??= `http://127.0.0.1:${echoPort}`;
    await startEchoUpstream(echoPort);
    process.stderr.write(`sample echo API listening on 127.0.0.1:${echoPort}\n`);
  }
  useGatewayConfig(process.env.PORTCULLIS_CONFIG_DIR!);
  // Loaded only now: Express Gateway reads its configuration when it is first required.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gateway = require('express-gateway')();
  quietDisabledGatewayLogs();
  await gateway.run();
  const { whenReady } = await import('../plugin/runtime-holder');
  const portcullis = await whenReady();
  process.stderr.write(`Portcullis issuer ${portcullis.settings.issuer} ready\n`);
  if (options.json) {
    process.stdout.write(JSON.stringify({ status: 'ready', issuer: portcullis.settings.issuer, port: Number(process.env.PORT) }) + '\n');
  }
}
