/**
 * Express Gateway's log lines go to stderr (like ours), so stdout carries only what a command
 * prints for scripts (`portcullis start --json`).
 *
 * Express Gateway formats its debug messages on every request even when the log level hides them
 * (about 17 µs each, a measurable share of a proxied request: bench/README.md). Levels the loggers
 * will not print become no-ops; LOG_LEVEL=debug keeps them.
 */
const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

export function quietDisabledGatewayLogs(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loggers = require('express-gateway/lib/logger') as Record<string, { isLevelEnabled?: (l: string) => boolean; transports?: Array<{ stderrLevels?: Record<string, boolean> }> } & Record<string, unknown>>;
  for (const logger of Object.values(loggers)) {
    if (typeof logger?.isLevelEnabled !== 'function') continue;
    for (const transport of logger.transports ?? []) {
      if (transport.stderrLevels) transport.stderrLevels = Object.fromEntries(LEVELS.map((l) => [l, true]));
    }
    for (const level of ['debug', 'verbose', 'silly']) {
      if (!logger.isLevelEnabled(level)) logger[level] = () => logger;
    }
  }
}
