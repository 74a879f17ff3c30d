import os from 'node:os';
import type { Actor } from '../admin/admin-authorization';
import { loadSettings } from '../config/load-settings';
import { applyEnvironmentDefaults } from '../config/environment';
import { Portcullis } from '../runtime/portcullis';
import { createLogger } from '../logging/logger';
import { fail } from './output';

/**
 * Runs a CLI action against the same settings and store the server uses, then closes the store.
 * Errors are printed (JSON with --json) and set a non-zero exit code.
 */
export async function withRuntime(json: boolean, action: (p: Portcullis) => Promise<void>): Promise<void> {
  let portcullis: Portcullis | undefined;
  try {
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
