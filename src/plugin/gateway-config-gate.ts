import { checkPipelines } from '../startup/pipeline-check';
import type { PortcullisSettings } from '../config/settings';

/** The parts of Express Gateway's loaded configuration that the plugin context exposes. */
export interface LoadedGatewayConfig {
  gatewayConfig?: Record<string, unknown>;
  gatewayConfigPath?: string;
  systemConfigPath?: string;
}

/**
 * The pipeline problems of the configuration Express Gateway loaded (at start, and again on every
 * hot reload of either YAML file, when it re-runs the plugin's init()). `portcullis start` checks
 * the same before Express Gateway is loaded; this covers a gateway started some other way.
 */
export function gatewayConfigProblems(config: LoadedGatewayConfig | undefined, settings: PortcullisSettings): string[] {
  if (!config?.gatewayConfig) return [];
  return checkPipelines(config.gatewayConfig, settings, {
    gateway: config.gatewayConfigPath ?? 'gateway.config.yml',
    system: config.systemConfigPath ?? 'system.config.yml',
  });
}
