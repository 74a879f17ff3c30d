import path from 'node:path';

/** The folder of the installed Portcullis package (where `dist/`, `plugins/` and `config/` are). */
export const PACKAGE_DIR = path.resolve(__dirname, '..', '..');

/**
 * Fills the environment the YAML files read, for the server and the CLI alike, so both see the
 * same settings: the config folder, the port, and an issuer URL that matches the port.
 */
export function applyEnvironmentDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.PORTCULLIS_PACKAGE_DIR = PACKAGE_DIR;
  env.PORTCULLIS_CONFIG_DIR ??= path.join(PACKAGE_DIR, 'config');
  env.PORT ??= '8080';
  env.PORTCULLIS_ISSUER ??= `http://localhost:${env.PORT}`;
}
