import type { PortcullisSettings } from '../config/settings';
import { Portcullis } from '../runtime/portcullis';

interface Held {
  key: string;
  ready: Promise<Portcullis>;
}

let held: Held | undefined;

/**
 * The plugin's one runtime per process. Express Gateway re-runs the plugin's `init()` on every
 * config reload: the same settings reuse the open runtime (no second SQLite handle, no second
 * set of timers); changed settings open a new runtime and close the old one once it is replaced.
 */
export function runtimeFor(settings: PortcullisSettings, options: { serveMetrics?: boolean } = {}): Promise<Portcullis> {
  const key = JSON.stringify(settings);
  if (held?.key === key) return held.ready;
  const previous = held;
  const ready = Portcullis.open(settings, { serveMetrics: options.serveMetrics });
  held = { key, ready };
  if (previous) {
    ready.then(
      () => previous.ready.then((old) => old.close()).catch(() => undefined),
      () => undefined,
    );
  }
  return ready;
}

/** Resolves once the current runtime is open; rejects if it could not open (start-up must fail). */
export function whenReady(): Promise<Portcullis> {
  if (!held) return Promise.reject(new Error('the Portcullis plugin was not loaded; check plugins.portcullis in system.config.yml'));
  return held.ready;
}

/** Closes the runtime (graceful shutdown, tests). */
export async function closeRuntime(): Promise<void> {
  const current = held;
  held = undefined;
  if (current) await (await current.ready.catch(() => undefined))?.close();
}
