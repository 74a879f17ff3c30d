import { expect } from 'chai';
import { guardedPaths } from '../../src/plugin/guarded-paths';

/** src/plugin/guarded-paths.ts: which raw paths a `portcullis-guard` pipeline's apiEndpoints cover. */
describe('guardedPaths (gateway.config.yml -> guarded raw paths)', () => {
  const config = {
    apiEndpoints: {
      echo: { host: '*', paths: ['/echo', '/echo/*'] },
      items: [{ path: '/items/:id' }, { paths: '/v2/items/:id?' }],
      regex: { pathRegex: '^/rx/[0-9]+$' },
      open: { paths: ['/public/*'] },
      everything: {},
    },
    pipelines: {
      echo: { apiEndpoints: ['echo'], policies: [{ 'portcullis-guard': [{ action: { application: 'echo' } }] }, { proxy: [] }] },
      items: { apiEndpoint: 'items', policies: [{ 'portcullis-guard': [] }] },
      regex: { apiEndpoints: ['regex'], policies: [{ 'portcullis-guard': [] }] },
      open: { apiEndpoints: ['open'], policies: [{ proxy: [] }] },
    },
  };
  const guarded = guardedPaths(config);

  it('covers the paths of pipelines that run the guard, with `%` escapes as ordinary characters', () => {
    for (const path of ['/echo', '/echo/', '/echo/%zz', '/echo/a/b%c0%ae', '/ECHO/x', '/items/%', '/items/1/', '/v2/items', '/v2/items/%ff', '/rx/12']) {
      expect(guarded(path), path).to.equal(true);
    }
  });

  it('does not cover other paths, nor pipelines without the guard', () => {
    for (const path of ['/echoes', '/public/%zz', '/items', '/items/1/2', '/rx/a', '/', '/nope/%zz']) {
      expect(guarded(path), path).to.equal(false);
    }
  });

  it('an apiEndpoint without paths covers everything; no config covers nothing', () => {
    const all = guardedPaths({ apiEndpoints: { everything: {} }, pipelines: { p: { apiEndpoints: 'everything', policies: [{ 'portcullis-guard': [] }] } } });
    expect(all('/anything/%zz')).to.equal(true);
    expect(guardedPaths(undefined)('/echo/%zz')).to.equal(false);
  });
});
