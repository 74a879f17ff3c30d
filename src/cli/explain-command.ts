import { Command } from 'commander';
import type { PortcullisSettings } from '../config/settings';
import { ValidationError } from '../errors/domain-errors';
import type { ExplainReport } from '../guard/explain/explain-request';
import type { GuardPolicyOptions } from '../runtime/guard-options';
import { print } from './output';
import { withFullRuntime } from './with-runtime';

/** The application whose audience the token names (unverified: only to pick the guard). */
function applicationOf(token: string, settings: PortcullisSettings): string {
  let aud: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { decodeJwt } = require('jose') as typeof import('jose');
    aud = decodeJwt(token).aud;
  } catch {
    throw new ValidationError('application', 'the token cannot be decoded, so it names no application: give --application');
  }
  const audiences = Array.isArray(aud) ? aud : [aud];
  const found = Object.entries(settings.applications).find(([, a]) => audiences.includes(a.audience));
  if (!found) throw new ValidationError('application', `the token's aud ${JSON.stringify(aud)} names no declared application: give --application`);
  return found[0];
}

/**
 * The guard parameters of the application's pipeline in gateway.config.yml (apiKey, leeway...),
 * so the report checks what that guard checks; the defaults when there is no such pipeline.
 */
function guardParams(application: string, pipeline: string | undefined): { params: Partial<GuardPolicyOptions>; from: string } {
  let pipelines: Record<string, unknown>;
  try {
    // Loaded only when explain runs (with-runtime.ts: the command line loads what a command needs).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadGatewayConfig } = require('../startup/load-gateway-config') as typeof import('../startup/load-gateway-config');
    pipelines = (loadGatewayConfig(process.env.PORTCULLIS_CONFIG_DIR ?? 'config').config.pipelines ?? {}) as Record<string, unknown>;
  } catch {
    return { params: {}, from: 'the default guard parameters (gateway.config.yml could not be read)' };
  }
  for (const [name, p] of Object.entries(pipelines)) {
    if (pipeline !== undefined && name !== pipeline) continue;
    const policies = ((p as { policies?: unknown[] })?.policies ?? []) as Array<Record<string, unknown>>;
    for (const entry of policies) {
      const steps = (entry?.['portcullis-guard'] ?? []) as Array<{ action?: Record<string, unknown> }>;
      for (const step of Array.isArray(steps) ? steps : []) {
        if (step?.action?.application === application) return { params: step.action as Partial<GuardPolicyOptions>, from: `the guard of pipeline ${name}` };
      }
    }
  }
  if (pipeline !== undefined) throw new ValidationError('pipeline', `pipeline ${JSON.stringify(pipeline)} has no portcullis-guard for ${application}`);
  return { params: {}, from: `the default guard parameters (no pipeline guards ${application})` };
}

/** `portcullis explain`: why the guard would allow or refuse one request (a report of every check). */
export function explainCommand(): Command {
  return new Command('explain')
    .description('why a request would be allowed or refused: runs every check of the guard and prints each with pass or fail and the reason')
    .requiredOption('--token <token>', 'the access token of the request')
    .requiredOption('--path <path>', 'the request path, e.g. /echo/items')
    .option('--method <method>', 'the request method', 'GET')
    .option('--application <name>', 'the application whose guard decides (default: the one the token names in aud)')
    .option('--api-key <key>', 'the API key the request carries (where the guard requires one)')
    .option('--pipeline <name>', 'take the guard parameters of this pipeline of gateway.config.yml (default: the first guarding the application)')
    .option('--json', 'print JSON')
    .action((opts) =>
      withFullRuntime(!!opts.json, async (p) => {
        const application = opts.application ?? applicationOf(opts.token, p.settings);
        if (!Object.hasOwn(p.settings.applications, application)) throw new ValidationError('application', `unknown application ${JSON.stringify(application)}`);
        const { params, from } = guardParams(application, opts.pipeline);
        const report = await p.guard({ ...params, application }).explain({ token: opts.token, method: opts.method, path: opts.path, apiKey: opts.apiKey });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { explainText } = require('../guard/explain/explain-request') as { explainText: (r: ExplainReport) => string };
        print({ ...report, guard_parameters: from }, !!opts.json, () => `${explainText(report)}\n(checked with ${from})`);
      }),
    );
}
