import os from 'node:os';
import type { Actor } from '../admin/admin-authorization';
import type { AdminRuntime } from '../runtime/admin-runtime';
import type { Portcullis } from '../runtime/portcullis';
import type { RuntimeOptions } from '../runtime/runtime-options';
import type { PortcullisSettings } from '../config/settings';
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
 *
 * The runtime opened is the admin one (admin-runtime.ts): the store, clients, users, roles, keys
 * and the admin operations, without the issuer, the guards or the metrics, so that a command
 * loads neither jose nor prom-client nor jwks-rsa. `withFullRuntime` opens the whole runtime.
 */
export function withRuntime(json: boolean, action: (p: AdminRuntime) => Promise<void>): Promise<void> {
  return opened(json, action, (settings, options) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AdminRuntime } = require('../runtime/admin-runtime') as typeof import('../runtime/admin-runtime');
    return AdminRuntime.open(settings, options);
  });
}

/** As withRuntime, with the whole runtime: for the commands that use a guard (`explain`). */
export function withFullRuntime(json: boolean, action: (p: Portcullis) => Promise<void>): Promise<void> {
  return opened(json, action, (settings, options) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Portcullis } = require('../runtime/portcullis') as typeof import('../runtime/portcullis');
    return Portcullis.open(settings, options);
  });
}

async function opened<R extends AdminRuntime>(json: boolean, action: (p: R) => Promise<void>, open: (settings: PortcullisSettings, options: RuntimeOptions) => Promise<R>): Promise<void> {
  let runtime: R | undefined;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { loadSettings } = require('../config/load-settings') as typeof import('../config/load-settings');
    const { applyEnvironmentDefaults } = require('../config/environment') as typeof import('../config/environment');
    const { createLogger } = require('../logging/logger') as typeof import('../logging/logger');
    /* eslint-enable @typescript-eslint/no-require-imports */
    applyEnvironmentDefaults();
    runtime = await open(loadSettings(), { logger: createLogger('warn') });
    await action(runtime);
  } catch (err) {
    fail(err, json);
  } finally {
    await runtime?.close();
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
