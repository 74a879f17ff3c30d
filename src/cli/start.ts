import type { Server } from 'node:http';
import { checkEnvironment } from '../startup/environment-check';
import { expressGatewaySchemaProblems } from '../startup/express-gateway-schemas';
import { knownPolicies, loadGatewayConfig } from '../startup/load-gateway-config';
import { loadSettings, readSystemConfig } from '../config/load-settings';
import { checkPipelines } from '../startup/pipeline-check';
import { SettingsError } from '../config/settings';
import { applyEnvironmentDefaults } from '../config/environment';
import { useGatewayConfig } from '../runtime/express-gateway-config';
import { closeServer, GracefulShutdown } from '../runtime/graceful-shutdown';
import { quietDisabledGatewayLogs } from '../runtime/quiet-gateway-logs';
import { startEchoUpstream } from '../sample/echo-upstream';
import { StoreUnavailableError } from '../store/store';

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
  // Validate everything first, before Express Gateway is loaded and before anything is opened,
  // written or bound: Express Gateway would only log the first problem and go on, and a refusal
  // after the store was opened would leave a signing key behind.
  const envProblems = checkEnvironment(process.env, { sampleUpstream: options.sampleUpstream });
  if (envProblems.length) throw new SettingsError(`invalid environment: ${envProblems.join('; ')}`);
  const system = readSystemConfig();
  const systemProblems = expressGatewaySchemaProblems('system', system.doc, system.file);
  if (systemProblems.length) throw new SettingsError(`invalid system configuration: ${systemProblems.join('; ')}`);
  const settings = loadSettings();
  const gateway = loadGatewayConfig(process.env.PORTCULLIS_CONFIG_DIR!);
  const pipelineProblems = checkPipelines(gateway.config, settings, { gateway: gateway.file, system: system.file }, knownPolicies(system.doc?.plugins));
  if (pipelineProblems.length) throw new SettingsError(`invalid gateway configuration: ${pipelineProblems.join('; ')}`);
  // Open the store and load (or make) the keys before anything listens: a store that cannot be
  // opened stops start-up here with nothing bound. The plugin's init() reuses this runtime (the
  // same settings give the same one, runtime-holder.ts).
  const { runtimeFor, whenReady, closeRuntime } = await import('../plugin/runtime-holder');
  await runtimeFor(settings, { serveMetrics: true }).catch((err: unknown) => {
    if (err instanceof SettingsError) throw err;
    throw new StoreUnavailableError('open', err, `cannot open the ${settings.store.type} store; nothing was started`);
  });
  let echo: Server | undefined;
  if (options.sampleUpstream) {
    const echoPort = Number(process.env.PORTCULLIS_ECHO_PORT ?? 8081);
    process.env.PORTCULLIS_ECHO_URL ??= `http://127.0.0.1:${echoPort}`;
    echo = await startEchoUpstream(echoPort);
    process.stderr.write(`sample echo API listening on 127.0.0.1:${echoPort}\n`);
  }
  useGatewayConfig(process.env.PORTCULLIS_CONFIG_DIR!);
  // Loaded only now: Express Gateway reads its configuration when it is first required.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const eg = require('express-gateway')();
  quietDisabledGatewayLogs();
  const [servers, admin] = (await eg.run()) as [{ app?: Server; httpsApp?: Server }, Server | undefined];
  const portcullis = await whenReady();
  const metrics = portcullis.metricsUrl;
  if (metrics) process.stderr.write(`Prometheus metrics at ${metrics}\n`);
  // SIGTERM (Kubernetes, systemd, docker stop) and SIGINT (Ctrl-C): see docs/ops-guide.md#graceful-shutdown.
  const shutdown = new GracefulShutdown({ ...portcullis.settings.shutdown, logger: portcullis.logger });
  if (servers.app) shutdown.drain('gateway http', servers.app);
  if (servers.httpsApp) shutdown.drain('gateway https', servers.httpsApp);
  if (admin) shutdown.drain('Express Gateway admin', admin);
  // The upstream only once the gateway's requests to it are done; the store last.
  if (echo) shutdown.onClose('sample echo API', () => closeServer(echo));
  shutdown.onClose('store', () => closeRuntime());
  shutdown.installSignalHandlers();
  process.stderr.write(`Portcullis issuer ${portcullis.settings.issuer} ready\n`);
  if (options.json) {
    process.stdout.write(JSON.stringify({ status: 'ready', issuer: portcullis.settings.issuer, port: Number(process.env.PORT), ...(metrics ? { metrics } : {}) }) + '\n');
  }
}
