import path from 'node:path';

/**
 * Points Express Gateway at our two YAML files.
 *
 * Express Gateway reads `system.config.yml` and `gateway.config.yml` from `EG_CONFIG_DIR`, and
 * also insists on loading the JSON schemas of its own consumer models from `EG_CONFIG_DIR/models`.
 * Portcullis keeps its clients in its own store and never uses those models, so rather than ship
 * three unrelated JSON files in `config/` (kept YAML-only), we leave `EG_CONFIG_DIR` at Express
 * Gateway's own folder (which has the default models) and give its config loader the paths of our
 * YAML files, which it prefers over the folder (`this.systemConfigPath || path.join(...)`).
 */
export function useGatewayConfig(configDir: string): void {
  const egConfigModule = require.resolve('express-gateway/lib/config/config.js');
  process.env.EG_CONFIG_DIR = path.dirname(egConfigModule);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Config = require(egConfigModule) as { prototype: Record<string, string> };
  Config.prototype.systemConfigPath = path.join(configDir, 'system.config.yml');
  Config.prototype.gatewayConfigPath = path.join(configDir, 'gateway.config.yml');
}
