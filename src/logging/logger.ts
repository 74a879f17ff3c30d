/**
 * A tiny structured logger: one JSON object per line on stderr. Levels follow the usual order;
 * `PORTCULLIS_LOG_LEVEL` (error|warn|info|debug, default info) sets the threshold.
 * Callers must never pass secrets, tokens or keys: log ids, not credentials.
 */
const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** Creates a logger that writes JSON lines to `write` (stderr by default). */
export function createLogger(
  level: LogLevel = (process.env.PORTCULLIS_LOG_LEVEL as LogLevel) ?? 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info;
  const emit = (lvl: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] > threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, message, ...fields }));
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}
