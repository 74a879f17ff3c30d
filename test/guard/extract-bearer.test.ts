import http from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import { bearerForLookup, extractBearer } from '../../src/guard/extract-bearer';
import { isB64Token } from '../../src/tokens/b64token';

/** A parsed request as Node hands it over: the parsed and the raw headers, and the URL. */
function request(authorization: string[] | undefined, url = '/api'): http.IncomingMessage {
  const req = new http.IncomingMessage(new Socket());
  req.url = url;
  req.rawHeaders = ['host', 'api.test', ...(authorization ?? []).flatMap((a) => ['Authorization', a])];
  req.headers = authorization?.length ? { host: 'api.test', authorization: authorization[0] } : { host: 'api.test' };
  return req;
}

/** What a call returned, or the error it threw (class and description). */
function outcome(f: () => string | undefined): { value?: string; error?: string } {
  try {
    return { value: f() };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

describe('guard/extract-bearer', () => {
  // Every shape of header the two readings must agree on: the cached lookup may skip the
  // characters' check only because whatever it returns for a malformed header is never remembered.
  const headers: Array<[string, string[] | undefined, string?]> = [
    ['a plain token', [`Bearer ${JWT}`]],
    ['the scheme in lower case', [`bearer ${JWT}`]],
    ['the scheme in mixed case', [`BeArEr ${JWT}`]],
    ['several spaces before and after', [`Bearer   ${JWT}   `]],
    ['padding', ['Bearer abc==']],
    ['every b64token character', ['Bearer AZaz09-._~+/==']],
    ['a space inside the token', ['Bearer abc def']],
    ['padding inside the token', ['Bearer ab=cd']],
    ['a tab after the scheme', [`Bearer\t${JWT}`]],
    ['a trailing tab', [`Bearer ${JWT}\t`]],
    ['no space after the scheme', [`Bearer${JWT}`]],
    ['the scheme alone', ['Bearer']],
    ['the scheme and a space', ['Bearer ']],
    ['another scheme', ['Basic YTpi']],
    ['a longer scheme name', [`Bearerx ${JWT}`]],
    ['non-ASCII characters', ['Bearer tökén']],
    ['no header', undefined],
    ['two headers', [`Bearer ${JWT}`, `Bearer ${JWT}`]],
    ['a token in the query too', [`Bearer ${JWT}`], `/api?access_token=${JWT}`],
    ['a token in the query only', undefined, `/api?access_token=${JWT}`],
  ];

  for (const [name, authorization, url] of headers) {
    it(`reads ${name} as extractBearer does, or leaves it to extractBearer`, () => {
      const full = outcome(() => extractBearer(request(authorization, url)));
      const lookup = outcome(() => bearerForLookup(request(authorization, url)));
      if (lookup.error !== undefined) {
        // Where the token was sent: refused the same way by both.
        expect(lookup.error).to.equal(full.error);
      } else if (full.value !== undefined) {
        expect(lookup.value).to.equal(full.value);
      } else {
        // A malformed header: whatever the lookup makes of it is no well-formed token, so no cache
        // holds it, and the miss goes to checkedBearer, which refuses it.
        expect(full.error).to.be.a('string');
        expect(lookup.value === undefined || !isB64Token(lookup.value), `${lookup.value} would be looked up`).to.equal(true);
      }
    });
  }
});
