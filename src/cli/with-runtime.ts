import os from 'node:os';
import type { Actor } from '../admin/admin-authorization';
import type { Portcullis } from '../runtime/portcullis';
import { fail } from './output';

/**
 * Runs a CLI action against the same settings and store the server uses, then closes the store.
 * Errors are printed (JSON with --json) and set a non-zero exit code.
 *
 * The runtime, the settings loader and the logger are imported here, when an action runs, not
 * when the command line is built: `portcullis --help` and the parsing of every command then load
 * only commander and the command definitions, and a command loads only what its store needs
 * (docs/ops-guide.md#command-line-reference, bench/cli/). Command files import types only from
 * the runtime and reach it through this function.
 */
export async function withRuntime(json: boolean, action: (p: Portcullis) => Promise<void>): Promise<void> {
  let portcullis: Portcullis | undefined;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { loadSettings } = require('../config/load-settings') as typeof import('../config/load-settings');
    const { applyEnvironmentDefaults } = require('../config/environment') as typeof import('../config/environment');
    const { Portcullis } = require('../runtime/portcullis') as typeof import('../runtime/portcullis');
    const { createLogger } = require('../logging/logger') as typeof import('../logging/logger');
    /* eslint-enable @typescript-eslint/no-require-imports */
    applyEnvironmentDefaults();
    portcullis = await Portcullis.open(loadSettings(), { logger: createLogger('warn') });
    await action(portcullis);
  } catch (err) {
    fail(err, json);
  } finally {
    await portcullis?.close();
  }
}

/**
 * The command line acts with full power (whoever can run it can read the database anyway), and
 * its actions are audited under the operating-system user that ran them.
 */
export function cliActor(): Actor {
  const user = os.userInfo().username;
  return { type: 'cli', id: user, name: `cli:${user}`, adminRole: 'super-admin', from: 'cli' };
}
