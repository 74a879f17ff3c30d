import { PACKAGE_DIR } from './environment';

/**
 * The installation folder: relative paths in the settings (the SQLite file under `data/`) are
 * resolved against it, so the server and the CLI find the same files from any working directory.
 * `PORTCULLIS_HOME` overrides it.
 */
export function installationHome(): string {
  return process.env.PORTCULLIS_HOME ?? PACKAGE_DIR;
}
