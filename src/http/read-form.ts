import type { IncomingMessage } from 'node:http';
import { excerptList } from '../errors/error-description';
import { InvalidRequest } from '../errors/oauth-errors';
import { readBody } from './read-body';

/** Form bodies of the protocol endpoints are small; anything larger is refused before parsing. */
const MAX_BODY_BYTES = 16 * 1024;

/** Request parameters, each present at most once. */
export type FormParams = ReadonlyMap<string, string>;

/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, §4.1.3).
 * RFC 6749 §3.1: parameters sent without a value are treated as omitted, and a parameter must not
 * appear more than once; a repeated one is an `invalid_request` naming it.
 */
export async function readForm(req: IncomingMessage, repeated?: Set<string>): Promise<FormParams> {
  return parseParams(await readFormValues(req), repeated);
}

/** The raw form, for HTML forms whose checkboxes repeat a name (admin pages). */
export async function readFormValues(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new InvalidRequest('the request body must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams(await readBody(req, MAX_BODY_BYTES));
}

/** "parameter x must not be repeated", naming the parameters only when they are plain names. */
export function repeatedMessage(names: readonly string[]): string {
  const named = excerptList(names);
  return named ? `parameter ${named.replace(/ /g, ', ')} must not be repeated` : 'a parameter must not be repeated';
}

/**
 * Turns query or body parameters into a map, refusing repeats and dropping empty values. With
 * `repeated`, a repeat is recorded there (first value kept) for the caller to refuse later: the
 * authorization endpoint must first know whether it may redirect the error (RFC 6749 §4.1.2.1).
 */
export function parseParams(search: URLSearchParams, repeated?: Set<string>): FormParams {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of search) {
    if (seen.has(name) && repeated) {
      repeated.add(name);
      continue;
    }
    if (seen.has(name)) throw new InvalidRequest(repeatedMessage([name]));
    seen.add(name);
    if (value !== '') params.set(name, value);
  }
  return params;
}
