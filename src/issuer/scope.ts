import { InvalidScope } from '../errors/oauth-errors';

/** Splits a space-delimited scope string (RFC 6749 §3.3) into its distinct tokens. */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scope)) {
    throw new InvalidScope('scope must be space-separated tokens of printable ASCII');
  }
  return [...new Set(scope.split(' '))];
}
