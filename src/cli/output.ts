import { DomainError } from '../errors/domain-errors';
import { SettingsError } from '../config/settings-error';
import { StoreUnavailableError } from '../store/store';

/** Prints a result: JSON for scripts with --json, readable lines otherwise. */
export function print(value: unknown, json: boolean, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
}

/**
 * Prints an error the way the user asked for output and sets a non-zero exit code:
 * 1 for a refused operation, 2 for an invalid configuration.
 */
export function fail(err: unknown, json: boolean): void {
  const known = err instanceof DomainError || err instanceof SettingsError || err instanceof StoreUnavailableError;
  const code = err instanceof DomainError ? err.code : err instanceof SettingsError ? 'invalid_settings' : err instanceof StoreUnavailableError ? 'internal_store_unavailable' : 'internal_error';
  const message = known ? (err as Error).message : `unexpected failure: ${err instanceof Error ? err.message : String(err)}`;
  const field = err instanceof DomainError ? err.field : undefined;
  process.stderr.write(json ? JSON.stringify({ error: code, message, ...(field ? { field } : {}) }) + '\n' : `error: ${message}\n`);
  process.exitCode = err instanceof SettingsError ? 2 : 1;
}

/** Formats rows as aligned columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
