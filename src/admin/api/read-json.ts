import type { NextFunction, Request, Response } from 'express';
import { readBody } from '../../http/read-body';
import { hasDuplicateNames } from './duplicate-names';

/** Admin API bodies are small JSON objects. */
export const MAX_JSON_BYTES = 64 * 1024;

/** The body was not JSON (malformed, or not an object or array at the top), or repeats a name; a message says which, when it is not the default. */
export class InvalidJson extends Error {}

/**
 * Reads an `application/json` body into `req.body` through the product's one body reader, so a
 * body over 64 KiB is the same `ContentTooLarge` (413) as everywhere, in both framings. Other
 * content types leave `req.body` an empty object, and an empty body is `{}`.
 */
export async function readJson(req: Request, _res: Response, next: NextFunction): Promise<void> {
  req.body = {};
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!hasBody || type !== 'application/json') return next();
  try {
    const text = await readBody(req, MAX_JSON_BYTES);
    if (text.trim() === '') return next();
    // Only an object or an array at the top, like body-parser's `strict`.
    if (!/^\s*[{[]/.test(text)) throw new InvalidJson();
    try {
      req.body = JSON.parse(text);
    } catch {
      throw new InvalidJson();
    }
    // Like a repeated form parameter (read-form.ts): one name, one value.
    if (hasDuplicateNames(text)) throw new InvalidJson('the request body has the same field name twice in one object');
    next();
  } catch (err) {
    next(err);
  }
}
