/**
 * Express Gateway formats its debug messages on every request even when the log level hides them
 * (about 17 µs each, a measurable share of a proxied request: bench/README.md). Levels the loggers
 * will not print become no-ops; LOG_LEVEL=debug keeps them.
 */
export function quietDisabledGatewayLogs(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loggers = require('express-gateway/lib/logger') as Record<string, { isLevelEnabled?: (l: string) => boolean } & Record<string, unknown>>;
  for (const logger of Object.values(loggers)) {
    if (typeof logger?.isLevelEnabled !== 'function') continue;
    for (const level of ['debug', 'verbose', 'silly']) {
      if (!logger.isLevelEnabled(level)) logger[level] = () => logger;
    }
  }
}
