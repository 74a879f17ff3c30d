import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { replaceEnv } from '../config/load-settings';
import { expressGatewaySchemaProblems } from './express-gateway-schemas';
import { SettingsError } from '../config/settings';

/** The parts of gateway.config.yml that Portcullis checks (Express Gateway's own shape). */
export interface GatewayConfig {
  apiEndpoints?: Record<string, unknown>;
  policies?: string[];
  pipelines?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Reads `<configDir>/gateway.config.yml` as Express Gateway will (same `${VAR:-default}`
 * replacement) and checks it against Express Gateway's schema, before Express Gateway is loaded.
 */
export function loadGatewayConfig(configDir: string): { file: string; config: GatewayConfig } {
  const file = path.join(configDir, 'gateway.config.yml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SettingsError(`cannot read ${file}`);
  }
  let config: unknown;
  try {
    config = yaml.load(replaceEnv(text));
  } catch (err) {
    throw new SettingsError(`${file} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!config || typeof config !== 'object') throw new SettingsError(`${file}: must be a YAML mapping with http, apiEndpoints, policies and pipelines`);
  const problems = expressGatewaySchemaProblems('gateway', config, file);
  if (problems.length) throw new SettingsError(`invalid gateway configuration: ${problems.join('; ')}`);
  return { file, config: config as GatewayConfig };
}

/**
 * The policies a gateway with only the Portcullis plugin can resolve: Express Gateway's own (one
 * folder each in lib/policies) and `portcullis-guard`. Undefined when `system.config.yml` loads
 * other plugins, which may register more.
 */
export function knownPolicies(plugins: Record<string, unknown> | undefined): Set<string> | undefined {
  if (Object.keys(plugins ?? {}).some((name) => name !== 'portcullis')) return undefined;
  const dir = path.dirname(require.resolve('express-gateway/lib/policies/index.js'));
  const core = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  return new Set([...core, 'portcullis-guard']);
}
