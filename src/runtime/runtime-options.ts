import type { Logger } from '../logging/logger';
import type { ChangeFeed } from '../store/change-feed';
import type { Store } from '../store/store';

/** How `Portcullis.open` may differ from what the settings say (tests, the CLI, the gateway). */
export interface RuntimeOptions {
  /** Use this store instead of opening the one the settings name (tests pass `:memory:`). */
  store?: Store;
  logger?: Logger;
  now?: () => number;
  /** How the guard's caches learn of changes; default: from the settings, or none with a given `store`. */
  changeFeed?: ChangeFeed;
  /**
   * Open the metrics listener if `metrics.enabled` (the gateway does; the CLI and in-process tests
   * do not, so they never take the port).
   */
  serveMetrics?: boolean;
}
