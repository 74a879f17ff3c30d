import { expect } from 'chai';
import type { Response } from 'supertest';
import { expectNoInternals } from './wire-expect';

/**
 * RFC 6750 §3.1 `invalid_token` at a protected resource (the guard, userinfo): 401, the code and
 * the description in both the challenge and the JSON body, `no-store`, nothing internal.
 */
export function expectInvalidToken(res: Response, description?: RegExp): void {
  expect(res.status, res.text).to.equal(401);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.body.error, res.text).to.equal('invalid_token');
  expect(res.body.error_description).to.be.a('string').and.not.be.empty;
  expect(res.headers['www-authenticate']).to.equal(`Bearer realm="portcullis", error="invalid_token", error_description="${res.body.error_description}"`);
  if (description) expect(res.body.error_description).to.match(description);
  expectNoInternals(res.text);
}

/** The admin API's `invalid_token`: 401, a Bearer challenge, `{error, error_description, request_id}`. */
export function expectAdminInvalidToken(res: Response, description?: RegExp): void {
  expect(res.status, res.text).to.equal(401);
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.headers['www-authenticate']).to.match(/^Bearer realm="portcullis", error="invalid_token"/);
  expect(res.body.error, res.text).to.equal('invalid_token');
  expect(res.body.error_description).to.be.a('string').and.not.be.empty;
  if (description) expect(res.body.error_description).to.match(description);
  expectNoInternals(res.text);
}
