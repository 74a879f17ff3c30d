import { expect } from 'chai';
import { Forbidden } from '../../src/admin/admin-authorization';
import { classifyError, type ErrorSurface } from '../../src/errors/classify-error';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../../src/errors/domain-errors';
import { FieldChecks, InvalidFields } from '../../src/errors/field-problems';
import * as oauthErrors from '../../src/errors/oauth-errors';
import {
  AccessDenied, ConsentRequired, ContentTooLarge, InsufficientScope, InvalidClient, InvalidGrant, InvalidRequest, InvalidScope,
  InvalidToken, LoginRequired, MalformedCredentials, MethodNotAllowed, MissingToken, NotFound, OAuthError, ServerError, SlowDown,
  TemporarilyUnavailable, UnauthorizedClient, UnsupportedContentEncoding, UnsupportedGrantType, UnsupportedResponseType, UnsupportedTokenType,
} from '../../src/errors/oauth-errors';
import { StoreUnavailableError } from '../../src/errors/store-unavailable-error';
import { StoreUnavailableError as StoreReExport } from '../../src/store/store';

const endpoint = { surface: 'endpoint' as const, realm: 'portcullis' };
const resource = { surface: 'resource' as const, realm: 'portcullis' };
const adminApi = { surface: 'admin-api' as const, realm: 'portcullis' };

/** Every protocol error class, an instance, and what it is at an issuer endpoint. */
const PROTOCOL: Array<{ name: string; error: OAuthError; status: number; code: string; headers?: Record<string, string> }> = [
  { name: 'InvalidRequest', error: new InvalidRequest('grant_type is required'), status: 400, code: 'invalid_request' },
  { name: 'MethodNotAllowed', error: new MethodNotAllowed('/oauth2/token accepts only POST', 'POST'), status: 405, code: 'invalid_request', headers: { Allow: 'POST' } },
  { name: 'MalformedCredentials', error: new MalformedCredentials('malformed Bearer credentials'), status: 400, code: 'invalid_request' },
  { name: 'ContentTooLarge', error: new ContentTooLarge(), status: 413, code: 'invalid_request', headers: { Connection: 'close' } },
  { name: 'UnsupportedContentEncoding', error: new UnsupportedContentEncoding(), status: 415, code: 'invalid_request', headers: { 'Accept-Encoding': 'identity' } },
  { name: 'InvalidClient', error: new InvalidClient('client authentication failed'), status: 401, code: 'invalid_client', headers: { 'WWW-Authenticate': 'Basic realm="portcullis", charset="UTF-8"' } },
  { name: 'InvalidGrant', error: new InvalidGrant('the authorization code is invalid'), status: 400, code: 'invalid_grant' },
  { name: 'UnauthorizedClient', error: new UnauthorizedClient('this client may not use client_credentials'), status: 400, code: 'unauthorized_client' },
  { name: 'UnsupportedGrantType', error: new UnsupportedGrantType('unsupported grant_type'), status: 400, code: 'unsupported_grant_type' },
  { name: 'UnsupportedResponseType', error: new UnsupportedResponseType('only response_type=code is supported'), status: 400, code: 'unsupported_response_type' },
  { name: 'InvalidScope', error: new InvalidScope('unknown scope: billing:read'), status: 400, code: 'invalid_scope' },
  { name: 'AccessDenied', error: new AccessDenied('the user denied access'), status: 403, code: 'access_denied' },
  { name: 'InvalidToken', error: new InvalidToken('the access token expired', 'expired'), status: 401, code: 'invalid_token' },
  { name: 'InsufficientScope', error: new InsufficientScope('this request needs the echo:write permission', 'echo:write'), status: 403, code: 'insufficient_scope' },
  { name: 'MissingToken', error: new MissingToken('an access token is required'), status: 401, code: 'unauthorized' },
  { name: 'UnsupportedTokenType', error: new UnsupportedTokenType('unsupported token type'), status: 400, code: 'unsupported_token_type' },
  { name: 'LoginRequired', error: new LoginRequired('the user is not signed in'), status: 400, code: 'login_required' },
  { name: 'ConsentRequired', error: new ConsentRequired('the user has not allowed this app yet'), status: 400, code: 'consent_required' },
  { name: 'TemporarilyUnavailable', error: new TemporarilyUnavailable('the guard is not available'), status: 503, code: 'temporarily_unavailable', headers: { 'Retry-After': '5' } },
  { name: 'ServerError', error: new ServerError('The server could not complete the request.'), status: 500, code: 'server_error' },
  { name: 'NotFound', error: new NotFound('nothing is served at this path'), status: 404, code: 'not_found' },
  { name: 'SlowDown', error: new SlowDown('too many failed client authentications', 17), status: 429, code: 'slow_down', headers: { 'Retry-After': '17' } },
];

describe('classifyError: the one mapping of any thrown value to a response', () => {
  it('this table covers every error class of oauth-errors.ts (a new class must say what it becomes)', () => {
    const classes = Object.entries(oauthErrors)
      .filter(([name, value]) => typeof value === 'function' && name !== 'OAuthError' && value.prototype instanceof OAuthError)
      .map(([name]) => name);
    expect(PROTOCOL.map((p) => p.name)).to.have.members(classes);
  });

  describe('protocol errors at an issuer endpoint: their own status, code, description and headers', () => {
    for (const p of PROTOCOL) {
      it(`${p.name} -> ${p.status} ${p.code}`, () => {
        const answer = classifyError(p.error, endpoint);
        expect(answer).to.deep.include({ status: p.status, error: p.code, error_description: p.error.description, headers: p.headers ?? {} });
        expect(answer.field).to.equal(undefined);
        expect(answer.log).to.equal(p.status >= 500 ? 'error' : 'none');
      });
    }
  });

  it('InsufficientScope names its scope; InvalidToken carries its refusal reason for the access log', () => {
    expect(classifyError(new InsufficientScope('needs echo:write', 'echo:write'), endpoint).scope).to.equal('echo:write');
    expect(classifyError(new InsufficientScope('no route rule allows this request', ''), endpoint)).to.not.have.property('scope');
    expect(classifyError(new InvalidToken('the access token expired', 'expired'), resource).reason).to.equal('expired');
    expect(classifyError(new InvalidRequest('x'), resource)).to.not.have.property('reason');
  });

  it('a description leaves within RFC 6749 §5.2 characters and 200 of them', () => {
    const answer = classifyError(new InvalidRequest('bad "value" \\ é\u0000' + 'x'.repeat(500)), endpoint);
    expect(answer.error_description).to.match(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
    expect(answer.error_description).to.have.length(200);
  });

  describe('at a protected resource (RFC 6750 §3): a Bearer challenge on every client error', () => {
    it('no credentials: realm only, no error code', () => {
      expect(classifyError(new MissingToken('an access token is required'), resource).headers).to.deep.equal({ 'WWW-Authenticate': 'Bearer realm="portcullis"' });
    });
    it('invalid_token, invalid_request, insufficient_scope: the code and the description (and the scope)', () => {
      expect(classifyError(new InvalidToken('the access token expired', 'expired'), resource).headers['WWW-Authenticate'])
        .to.equal('Bearer realm="portcullis", error="invalid_token", error_description="the access token expired"');
      expect(classifyError(new InvalidRequest('more than one Authorization header'), resource).headers['WWW-Authenticate'])
        .to.equal('Bearer realm="portcullis", error="invalid_request", error_description="more than one Authorization header"');
      expect(classifyError(new InsufficientScope('this request needs the echo:write permission', 'echo:write'), resource).headers['WWW-Authenticate'])
        .to.equal('Bearer realm="portcullis", error="insufficient_scope", error_description="this request needs the echo:write permission", scope="echo:write"');
    });
    it('the realm is quoted safely; a 5xx has no challenge', () => {
      expect(classifyError(new MissingToken('x'), { surface: 'resource', realm: 'my "api"\u00e9' }).headers['WWW-Authenticate']).to.equal('Bearer realm="my api"');
      expect(classifyError(new StoreUnavailableError('get', new Error('ECONNREFUSED')), resource).headers).to.deep.equal({ 'Retry-After': '5' });
      expect(classifyError(new Error('boom'), resource).headers).to.deep.equal({});
    });
  });

  describe('domain errors', () => {
    const DOMAIN: Array<[string, DomainError, number, string?]> = [
      ['ValidationError', new ValidationError('redirectUris', 'redirect URIs must be https'), 422, 'redirectUris'],
      ['NotFoundError', new NotFoundError('app', 'abc'), 404],
      ['ConflictError', new ConflictError('the username is taken'), 409],
      ['Forbidden (admin service)', new Forbidden('only a super admin can change a super admin'), 403],
      ['DomainError csrf', new DomainError('csrf', 'missing or wrong X-CSRF-Token header'), 403],
      ['DomainError invalid_json', new DomainError('invalid_json', 'the request body must be a JSON object'), 400],
      ['DomainError of any other rule', new DomainError('last_super_admin', 'the last super admin stays'), 422],
    ];
    for (const [name, err, status, field] of DOMAIN) {
      it(`${name} -> ${status} ${err.code} on the admin API and the admin pages alike`, () => {
        for (const surface of ['admin-api', 'admin-page'] as const) {
          const answer = classifyError(err, { surface, realm: 'portcullis' });
          expect(answer, surface).to.deep.equal({ status, error: err.code, error_description: err.message, ...(field ? { field } : {}), headers: {}, log: 'none' });
        }
      });
    }
    it('several invalid fields (FieldChecks): 422 invalid_field, `field` the first, `fields` every problem, the description all of them', () => {
      const checks = new FieldChecks();
      checks.check(() => {
        throw new ValidationError('name', 'name is required');
      });
      expect(checks.check(() => 'kept')).to.equal('kept');
      checks.check(() => {
        throw new InvalidFields([{ field: 'redirectUris', message: 'wildcards are not allowed: https://*.x/cb' }, { field: 'redirectUris', message: 'not an absolute URI: /cb' }]);
      });
      let thrown: unknown;
      try {
        checks.throwIfAny();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.be.instanceOf(InvalidFields);
      for (const surface of ['admin-api', 'admin-page'] as const) {
        expect(classifyError(thrown, { surface, realm: 'portcullis' })).to.deep.equal({
          status: 422, error: 'invalid_field', field: 'name',
          error_description: 'name is required; wildcards are not allowed: https://*.x/cb; not an absolute URI: /cb',
          fields: [
            { field: 'name', error_description: 'name is required' },
            { field: 'redirectUris', error_description: 'wildcards are not allowed: https://*.x/cb' },
            { field: 'redirectUris', error_description: 'not an absolute URI: /cb' },
          ],
          headers: {}, log: 'none',
        });
      }
    });
    it('one problem stays a plain ValidationError; none throws nothing; anything else is rethrown at once', () => {
      const one = new FieldChecks();
      one.check(() => {
        throw new ValidationError('email', 'email must be a valid address');
      });
      expect(() => one.throwIfAny()).to.throw(ValidationError).that.satisfies((e: unknown) => !(e instanceof InvalidFields));
      expect(() => new FieldChecks().throwIfAny()).to.not.throw();
      expect(() => new FieldChecks().check(() => {
        throw new TypeError('a bug');
      })).to.throw(TypeError);
    });
    it('messages keep the quotes that name a plain value (no RFC 6749 character set outside the protocol)', () => {
      expect(classifyError(new NotFoundError('app', 'abc'), adminApi).error_description).to.equal('app "abc" does not exist');
    });
    for (const surface of ['endpoint', 'resource', 'page'] as const) {
      it(`at ${surface} a domain error was not expected: a detail-free, logged 500`, () => {
        const answer = classifyError(new ValidationError('name', 'name is secret-ish'), { surface, realm: 'portcullis' });
        expect(answer).to.deep.include({ status: 500, error: 'server_error', error_description: 'The server could not complete the request.', log: 'error' });
      });
    }
  });

  it('the store unavailable: 503 temporarily_unavailable, Retry-After 5, logged, no store message; the store re-exports the same class', () => {
    expect(StoreReExport).to.equal(StoreUnavailableError);
    const answer = classifyError(new StoreUnavailableError('get', new Error('connect ECONNREFUSED 127.0.0.1:6379')), endpoint);
    expect(answer).to.deep.equal({
      status: 503, error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; try again shortly', headers: { 'Retry-After': '5' }, log: 'error',
    });
  });

  describe('unknown values: 500 server_error, a generic description, logged, never a stack', () => {
    const secret = new TypeError('Cannot read properties of undefined (reading "secretHash") at /srv/app/src/x.ts:12');
    for (const [label, thrown] of [['an Error', secret], ['a string', 'boom'], ['undefined', undefined], ['null', null], ['an object', { stack: 'at x.ts:1' }]] as const) {
      it(label, () => {
        for (const surface of ['endpoint', 'resource', 'admin-api', 'page', 'admin-page'] as ErrorSurface[]) {
          const answer = classifyError(thrown, { surface, realm: 'portcullis' });
          expect(answer, surface).to.deep.equal({ status: 500, error: 'server_error', error_description: 'The server could not complete the request.', headers: {}, log: 'error' });
        }
      });
    }
  });

  describe('at the admin API: a Bearer challenge on credential failures only', () => {
    it('no credentials: realm only; malformed credentials: the full RFC 6750 challenge', () => {
      expect(classifyError(new MissingToken('sign in as an admin or send a bearer token'), adminApi).headers).to.deep.equal({ 'WWW-Authenticate': 'Bearer realm="portcullis"' });
      expect(classifyError(new MalformedCredentials('malformed Bearer credentials'), adminApi).headers)
        .to.deep.equal({ 'WWW-Authenticate': 'Bearer realm="portcullis", error="invalid_request", error_description="malformed Bearer credentials"' });
    });
    it('invalid_token: the code only (the body has the description)', () => {
      expect(classifyError(new InvalidToken('the access token was revoked', 'revoked'), adminApi).headers).to.deep.equal({ 'WWW-Authenticate': 'Bearer realm="portcullis", error="invalid_token"' });
    });
    it('any other error: no challenge (a malformed path, a 404, a 422)', () => {
      expect(classifyError(new InvalidRequest('malformed request path'), adminApi).headers).to.deep.equal({});
      expect(classifyError(new NotFoundError('app', 'x'), adminApi).headers).to.deep.equal({});
      expect(classifyError(new ContentTooLarge(), adminApi).headers).to.deep.equal({ Connection: 'close' });
    });
  });

  describe('on a page: no challenge, and a refusal is 400 unless its status says more', () => {
    for (const surface of ['page', 'admin-page'] as const) {
      it(surface, () => {
        const at = { surface };
        expect(classifyError(new InvalidClient('client authentication failed'), at)).to.deep.include({ status: 400, error: 'invalid_client', headers: {} });
        expect(classifyError(new AccessDenied('the user denied access'), at).status).to.equal(400);
        expect(classifyError(new InvalidToken('x'), at)).to.deep.include({ status: 400, headers: {} });
        expect(classifyError(new ContentTooLarge(), at)).to.deep.include({ status: 413, headers: { Connection: 'close' } });
        expect(classifyError(new UnsupportedContentEncoding(), at).status).to.equal(415);
        expect(classifyError(new SlowDown('wait', 9), at)).to.deep.include({ status: 429, headers: { 'Retry-After': '9' } });
        expect(classifyError(new MethodNotAllowed('no', 'POST'), at).status).to.equal(400);
        expect(classifyError(new StoreUnavailableError('get', 'down'), at)).to.deep.include({ status: 503, error: 'temporarily_unavailable', headers: { 'Retry-After': '5' } });
        expect(classifyError(new Error('boom'), at)).to.deep.include({ status: 500, error: 'server_error' });
      });
    }
  });
});
