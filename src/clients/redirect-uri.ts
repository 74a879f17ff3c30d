import { ValidationError } from '../errors/domain-errors';
import { FieldChecks } from '../errors/field-problems';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** RFC 3986 §2.2-§2.3: unreserved, gen-delims and sub-delims; `%` is checked on its own (§2.1). */
const URI_CHARACTER = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]$/;

/**
 * What makes `value` not URI text, or undefined when every character is one of RFC 3986 §2's
 * (unreserved, reserved, `%` HEX HEX). Spaces, tabs, line breaks, controls, non-ASCII and
 * `<>"{}|\^\`` are not. This runs before `new URL()`, which silently strips leading and trailing
 * spaces and controls and drops tabs and line breaks anywhere, so a stored string and the URL it
 * parses to could differ. The answer names the problem and never echoes a control character.
 */
export function uriTextProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '%') {
      if (!/^%[0-9A-Fa-f]{2}$/.test(value.slice(i, i + 3))) return 'a % that does not start a percent-encoded byte (%XX)';
      continue;
    }
    if (URI_CHARACTER.test(c)) continue;
    if (/\s/.test(c) && (i === 0 || i === value.length - 1)) return 'leading or trailing whitespace';
    if (c === ' ') return 'a space (percent-encode it as %20)';
    if (c === '\t') return 'a tab';
    if (c === '\n' || c === '\r') return 'a line break';
    if (c < ' ' || c === '\x7f') return 'a control character';
    if (c > '\x7f') return 'a non-ASCII character (percent-encode it)';
    return `the character ${c} (percent-encode it)`;
  }
  return undefined;
}

/**
 * Checks a redirect URI as registered (RFC 9700 §4.1.1, RFC 8252 §7.3): absolute, no fragment
 * (RFC 6749 §3.1.2), only RFC 3986 characters, no wildcard, and https, except plain http on a
 * loopback host for native apps. The registered string is kept as typed: matching later
 * (`redirect-uri-match.ts`) compares strings, with only RFC 8252 §7.3's loopback port left free.
 */
export function checkRedirectUri(value: unknown, field = 'redirectUris'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) {
    throw new ValidationError(field, 'each redirect URI must be 1 to 2000 characters');
  }
  const problem = uriTextProblem(value);
  if (problem) throw new ValidationError(field, `a redirect URI must not contain ${problem} (RFC 3986)`);
  if (value.includes('*')) throw new ValidationError(field, `wildcards are not allowed: ${value}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, `not an absolute URI: ${value}`);
  }
  if (value.includes('#')) throw new ValidationError(field, `a redirect URI must not have a fragment: ${value}`);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw new ValidationError(field, `http is allowed only on loopback hosts; use https: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    // Private-use schemes (com.example.app:/callback) are how native apps receive redirects (RFC 8252 §7.1).
    if (!/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) {
      throw new ValidationError(field, `use https, loopback http, or a reverse-domain private scheme: ${value}`);
    }
  }
  if (url.username || url.password) throw new ValidationError(field, `a redirect URI must not contain credentials: ${value}`);
  return value;
}

/** Checks a CORS origin: `scheme://host[:port]`, nothing more. */
export function checkOrigin(value: unknown, field = 'allowedOrigins'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'each origin must be text');
  const problem = uriTextProblem(value);
  if (problem) throw new ValidationError(field, `an origin must not contain ${problem} (RFC 3986)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, `not an origin: ${value}`);
  }
  if (url.origin === 'null' || url.origin !== value) {
    throw new ValidationError(field, `an origin is scheme://host[:port] with no path or trailing slash: ${value}`);
  }
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) throw new ValidationError(field, `http origins are allowed only on loopback: ${value}`);
  return value;
}

/** Checks a list of redirect URIs for an interactive app: at least one, at most 20, no duplicates. */
export function checkRedirectUris(values: unknown, required: boolean): string[] {
  if (!Array.isArray(values)) throw new ValidationError('redirectUris', 'redirect URIs must be a list');
  // Every bad URI is reported, not only the first: the person fixing the list sees them all.
  const checks = new FieldChecks();
  const each = values.map((v) => checks.check(() => checkRedirectUri(v)));
  checks.throwIfAny();
  const checked = [...new Set(each as string[])];
  if (required && checked.length === 0) throw new ValidationError('redirectUris', 'at least one redirect URI is required');
  if (checked.length > 20) throw new ValidationError('redirectUris', 'at most 20 redirect URIs');
  return checked;
}
