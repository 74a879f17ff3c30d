import { createHash, createHmac, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  CLIENT_ID_PREFIX,
  generateClientId,
  generateSecret,
  hashSecret,
  SECRET_PREFIX,
  verifySecret,
} from '../../src/clients/client-secret';

describe('client secrets (src/clients/client-secret.ts)', function () {
  const key = randomBytes(32);

  describe('generateSecret', function () {
    it('has the pcs_ prefix and 256 bits of base64url after it (43 characters)', function () {
      expect(SECRET_PREFIX).to.equal('pcs_');
      for (let i = 0; i < 50; i++) {
        const secret = generateSecret();
        expect(secret.startsWith('pcs_')).to.equal(true);
        const body = secret.slice(4);
        expect(body).to.match(/^[A-Za-z0-9_-]{43}$/);
        expect(Buffer.from(body, 'base64url')).to.have.length(32);
      }
    });

    it('is unique and uses the whole alphabet (random, not a counter)', function () {
      const secrets = new Set(Array.from({ length: 2000 }, () => generateSecret()));
      expect(secrets.size).to.equal(2000);
      const chars = new Set([...secrets].join('').replaceAll('pcs_', ''));
      expect(chars.size).to.be.at.least(60);
    });
  });

  describe('generateClientId', function () {
    it('has the pcc_ prefix, 128 random bits, and is unique', function () {
      expect(CLIENT_ID_PREFIX).to.equal('pcc_');
      const ids = new Set(Array.from({ length: 1000 }, () => generateClientId()));
      expect(ids.size).to.equal(1000);
      for (const id of ids) expect(id).to.match(/^pcc_[A-Za-z0-9_-]{22}$/);
    });
  });

  describe('hashSecret', function () {
    it('is HMAC-SHA256 under the key, base64url', function () {
      const secret = generateSecret();
      const expected = createHmac('sha256', key).update(secret, 'utf8').digest('base64url');
      expect(hashSecret(secret, key)).to.equal(expected);
      expect(hashSecret(secret, key)).to.match(/^[A-Za-z0-9_-]{43}$/);
    });

    it('is deterministic for one key and differs per key (a copy of the database alone is not enough)', function () {
      const secret = generateSecret();
      const otherKey = randomBytes(32);
      expect(hashSecret(secret, key)).to.equal(hashSecret(secret, Buffer.from(key)));
      expect(hashSecret(secret, otherKey)).to.not.equal(hashSecret(secret, key));
      // Not a plain, unkeyed digest.
      expect(hashSecret(secret, key)).to.not.equal(createHash('sha256').update(secret).digest('base64url'));
    });

    it('never contains the secret', function () {
      const secret = generateSecret();
      const hash = hashSecret(secret, key);
      expect(hash).to.not.include(secret.slice(4));
      expect(hash).to.not.include(secret.slice(4, 20));
    });

    it('differs for secrets that differ in one character', function () {
      const secret = generateSecret();
      const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
      expect(hashSecret(flipped, key)).to.not.equal(hashSecret(secret, key));
    });
  });

  describe('verifySecret', function () {
    const secret = generateSecret();
    const stored = hashSecret(secret, key);

    it('accepts the right secret under the right key', function () {
      expect(verifySecret(secret, stored, key)).to.equal(true);
    });

    it('refuses a wrong, altered, truncated, extended or empty secret', function () {
      expect(verifySecret(generateSecret(), stored, key)).to.equal(false);
      expect(verifySecret(secret.slice(0, -1), stored, key)).to.equal(false);
      expect(verifySecret(secret + 'x', stored, key)).to.equal(false);
      expect(verifySecret(secret.slice(4), stored, key), 'without prefix').to.equal(false);
      expect(verifySecret(secret.toUpperCase(), stored, key)).to.equal(false);
      expect(verifySecret('pcs_', stored, key)).to.equal(false);
      expect(verifySecret('', stored, key)).to.equal(false);
      expect(verifySecret(' ' + secret, stored, key)).to.equal(false);
    });

    it('refuses the right secret under another key', function () {
      expect(verifySecret(secret, stored, randomBytes(32))).to.equal(false);
    });

    it('returns false (never throws) when the stored hash is short, empty or garbage', function () {
      // timingSafeEqual throws on different lengths: the length check must come first.
      expect(verifySecret(secret, stored.slice(0, 10), key)).to.equal(false);
      expect(verifySecret(secret, '', key)).to.equal(false);
      expect(verifySecret(secret, stored + stored, key)).to.equal(false);
      expect(verifySecret(secret, '!!!not base64!!!', key)).to.equal(false);
      expect(verifySecret('', '', key)).to.equal(false);
    });

    it('refuses presenting the stored hash itself as the secret', function () {
      expect(verifySecret(stored, stored, key)).to.equal(false);
    });
  });
});
