import { expect } from 'chai';
import { InsufficientScope } from '../../src/errors/oauth-errors';
import { checkAccess, isPublic } from '../../src/guard/access-check';
import type { RouteAccess } from '../../src/guard/route-rule';

const needs = (...anyOf: string[][]): RouteAccess => ({ kind: 'permissions', anyOf });
const PUBLIC: RouteAccess = { kind: 'public' };
const DENY: RouteAccess = { kind: 'deny' };

function refusal(needed: RouteAccess[], granted: string[]): InsufficientScope {
  try {
    checkAccess(needed, new Set(granted));
  } catch (err) {
    expect(err).to.be.instanceOf(InsufficientScope);
    return err as InsufficientScope;
  }
  throw new Error('expected a refusal');
}

describe('route access check (src/guard/access-check.ts)', function () {
  it('one permission: granted passes, else names it (description and RFC 6750 scope)', function () {
    checkAccess([needs(['echo:read'])], new Set(['echo:read']));
    const err = refusal([needs(['echo:write'])], ['echo:read']);
    expect(err.message).to.equal('this request needs the echo:write permission');
    expect(err.scope).to.equal('echo:write');
  });

  it('AND within an alternative: every permission of it is needed', function () {
    checkAccess([needs(['a', 'b'])], new Set(['a', 'b', 'c']));
    const err = refusal([needs(['a', 'b'])], ['a']);
    expect(err.message).to.equal('this request needs the a and b permissions');
    expect(err.scope).to.equal('a b');
  });

  it('OR between alternatives: any one of them is enough', function () {
    const rule = needs(['admin'], ['write', 'own']);
    checkAccess([rule], new Set(['admin']));
    checkAccess([rule], new Set(['write', 'own']));
    const err = refusal([rule], ['write']);
    expect(err.message).to.equal('this request needs the admin permission, or the write and own permissions');
    expect(err.scope).to.equal('admin');
  });

  it('an alternative without permissions: any token of the application', function () {
    checkAccess([needs([])], new Set());
  });

  it('every matched rule must be met (other readings of the path)', function () {
    checkAccess([needs(['a']), needs(['b'])], new Set(['a', 'b']));
    expect(refusal([needs(['a']), needs(['b'])], ['a']).scope).to.equal('b');
  });

  it('no rule, or a rule that denies: refused without a scope', function () {
    for (const needed of [[], [DENY], [needs(['a']), DENY], [{ kind: 'permissions', anyOf: [] } as RouteAccess]]) {
      const err = refusal(needed, ['a']);
      expect(err.message).to.equal('no route rule allows this request');
      expect(err.scope).to.equal('');
    }
  });

  it('public: only when some rule matched and every matched rule is public', function () {
    expect(isPublic([PUBLIC])).to.equal(true);
    expect(isPublic([PUBLIC, PUBLIC])).to.equal(true);
    expect(isPublic([])).to.equal(false);
    expect(isPublic([PUBLIC, needs(['a'])])).to.equal(false);
    expect(isPublic([PUBLIC, DENY])).to.equal(false);
    // A public rule among protected readings is met by any token.
    checkAccess([PUBLIC, needs(['a'])], new Set(['a']));
  });
});
