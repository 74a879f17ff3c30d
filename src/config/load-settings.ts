import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { installationHome } from './home';
import { resolveSettings, SettingsError, type PortcullisSettings } from './settings';

/**
 * Replaces `${VAR}` and `${VAR:-default}` as Express Gateway does when it reads its YAML, so the
 * CLI reads exactly the values the gateway reads.
 */
export function replaceEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$?\$\{([A-Za-z0-9_]+)(:-(.*?))?\}/g, (match, name: string, _d, fallback: string | undefined) => {
    if (match.startsWith('$$')) return match;
    if (Object.hasOwn(env, name)) return env[name] ?? '';
    // Fix: `fallback ?? 'null'` turned `${VAR:-}` into '' while Express Gateway (`if (defValue)`)
    // turns it into 'null', so the CLI and the gateway read different settings; match the gateway.
    return fallback || 'null';
  });
}

/** Reads `<configDir>/system.config.yml` as Express Gateway will (same variable replacement). */
export function readSystemConfig(configDir = process.env.PORTCULLIS_CONFIG_DIR ?? 'config'): { file: string; doc: { plugins?: Record<string, unknown> } | undefined } {
  const file = path.join(configDir, 'system.config.yml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SettingsError(`cannot read ${file}`);
  }
  // Fix: a YAML syntax error escaped as a plain YAMLException, so the CLI reported an "unexpected
  // failure" with exit code 1 instead of an invalid configuration (exit code 2).
  try {
    return { file, doc: yaml.load(replaceEnv(text)) as { plugins?: Record<string, unknown> } | undefined };
  } catch (err) {
    throw new SettingsError(`${file} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Reads `plugins.portcullis` from `<PORTCULLIS_CONFIG_DIR>/system.config.yml` and validates it. */
export function loadSettings(configDir = process.env.PORTCULLIS_CONFIG_DIR ?? 'config'): PortcullisSettings {
  const { file, doc } = readSystemConfig(configDir);
  const raw = doc?.plugins?.portcullis;
  if (!raw) throw new SettingsError(`${file} has no plugins.portcullis section`);
  return resolveSettings(raw, installationHome(), { file, at: 'plugins.portcullis' });
}
