import { expect } from 'chai';
import { excerpt, excerptList, safeDescription } from '../../src/errors/error-description';

/** RFC 6749 §5.2: the last-line sanitiser of `error_description`, and the excerpts messages may quote. */
describe('error-description', () => {
  it('safeDescription keeps only %x20-21 / %x23-5B / %x5D-7E, collapsing what it drops', () => {
    expect(safeDescription('grant_type bogus"\\\t\u00e9\u0000\n<x> is not supported')).to.equal('grant_type bogus <x> is not supported');
    for (let code = 0; code < 0x110; code++) {
      expect(safeDescription(`a${String.fromCharCode(code)}b`)).to.match(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
    }
  });

  it('safeDescription limits the length to 200 and never returns an empty description', () => {
    expect(safeDescription('x'.repeat(5000))).to.have.length(200);
    expect(safeDescription('"\\\u00e9')).to.equal('the request is invalid');
  });

  it('excerpt quotes only short plain tokens; excerptList needs every value to be one', () => {
    expect(excerpt('echo:write')).to.equal('echo:write');
    for (const bad of ['a b', 'x"', '<script>', '\u00e9', 'a'.repeat(65), '']) expect(excerpt(bad), bad).to.equal(undefined);
    expect(excerptList(['a', 'b'])).to.equal('a b');
    expect(excerptList(['a', 'b', 'c', 'd', 'e'])).to.equal('a b c (and 2 more)');
    expect(excerptList(['a', '<b>'])).to.equal(undefined);
  });
});
