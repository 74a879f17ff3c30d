/**
 * RFC 6749 §5.2 and §4.1.2.1: `error_description` "MUST NOT include characters outside the set
 * %x20-21 / %x23-5B / %x5D-7E": printable ASCII without `"` and `\`. The same set is what an
 * RFC 6750 §3 quoted-string may hold. Messages are built without raw input (see `excerpt`); this
 * is the last line where a description is written: the JSON body, the `WWW-Authenticate`
 * challenge, the redirect query and the HTML error pages.
 */
const OUTSIDE_RFC6749 = /[^\x20-\x21\x23-\x5B\x5D-\x7E]+/g;
const MAX_DESCRIPTION = 200;

/** A description limited to RFC 6749 §5.2's characters and to 200 characters. */
export function safeDescription(text: string): string {
  const clean = text.replace(OUTSIDE_RFC6749, ' ').replace(/ {2,}/g, ' ').trim();
  if (!clean) return 'the request is invalid';
  return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION - 3)}...` : clean;
}

/**
 * A value from the request, fit to be named in an error message: only if it is a short token of
 * letters, digits and `_ - . : / +` (a scope, a parameter name, a prompt value); otherwise
 * `undefined`, and the message must say what is wrong without quoting it.
 */
export function excerpt(value: string, max = 64): string | undefined {
  return value.length <= max && /^[A-Za-z0-9_.:/+-]+$/.test(value) ? value : undefined;
}

/**
 * ` "value"` for a value of a request that `excerpt` lets a message quote, else `fallback` (the
 * message then says what is wrong without it): `unknown application${quotedExcerpt(name)}`.
 */
export function quotedExcerpt(value: unknown, fallback = ' of that name'): string {
  return typeof value === 'string' && excerpt(value) !== undefined ? ` ${JSON.stringify(value)}` : fallback;
}

/**
 * Up to three request values named in a message ("unknown scope: a b"), each through `excerpt`;
 * `undefined` when any of them may not be quoted, so the caller falls back to a generic message.
 */
export function excerptList(values: readonly string[]): string | undefined {
  const named = values.slice(0, 3).map((v) => excerpt(v));
  if (named.some((v) => v === undefined)) return undefined;
  return named.join(' ') + (values.length > 3 ? ` (and ${values.length - 3} more)` : '');
}
