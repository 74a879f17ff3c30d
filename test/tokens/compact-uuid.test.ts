import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { isCanonicalUuid, packUuid, unpackUuid } from '../../src/tokens/compact-uuid';

describe('a UUID jti kept as its 16 bytes (src/tokens/compact-uuid.ts)', () => {
  it('packs a canonical UUID into 16 characters and spells it back exactly', () => {
    for (let i = 0; i < 1000; i++) {
      const uuid = randomUUID();
      expect(isCanonicalUuid(uuid)).to.equal(true);
      const packed = packUuid(uuid);
      expect(packed).to.have.length(16);
      expect(Buffer.from(packed, 'latin1').toString('hex')).to.equal(uuid.replaceAll('-', ''));
      expect(unpackUuid(packed)).to.equal(uuid);
    }
  });

  it('only the canonical lower-case spelling is packed (anything else would not come back the same)', () => {
    const uuid = randomUUID();
    for (const other of [uuid.toUpperCase(), uuid.replaceAll('-', ''), `{${uuid}}`, ` ${uuid}`, `${uuid.slice(0, 35)}g`, 42, undefined]) {
      expect(isCanonicalUuid(other), String(other)).to.equal(false);
    }
  });
});
