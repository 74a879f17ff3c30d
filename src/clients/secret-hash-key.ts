import { randomBytes } from 'node:crypto';
import { SettingsError } from '../config/settings';
import type { Store } from '../store/store';

/** Standard base64 (RFC 4648 §4), padding optional: nothing else is silently dropped by the decoder. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * Parses `PORTCULLIS_SECRET_HASH_KEY`: undefined when it is not set; otherwise strict base64 of at
 * least 32 bytes, or a SettingsError. Node's decoder skips characters outside the alphabet, so a
 * mistyped value would silently become another (shorter) key: refuse instead. Pure, so it can run
 * before the store is opened or anything is written. The message never contains the value.
 */
export function parseSecretHashKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const name = 'PORTCULLIS_SECRET_HASH_KEY';
  if (value === '') throw new SettingsError(`${name}: is set but empty; set it to at least 32 bytes of base64, or unset it to keep a generated key in the store`);
  if (!BASE64.test(value)) throw new SettingsError(`${name}: is not standard base64 (A-Z a-z 0-9 + / and = padding); it must be at least 32 bytes of base64`);
  const key = Buffer.from(value, 'base64');
  if (key.length < 32) throw new SettingsError(`${name}: must be at least 32 bytes of base64; this value decodes to ${key.length} bytes`);
  return key;
}

/**
 * The key for hashing client secrets. Ops may supply it (`PORTCULLIS_SECRET_HASH_KEY`, base64, at
 * least 32 bytes) to keep it out of the database; otherwise one is generated on first start and
 * kept in the store so every node and the CLI share it.
 */
export async function loadSecretHashKey(store: Store, fromEnv = process.env.PORTCULLIS_SECRET_HASH_KEY): Promise<Buffer> {
  const supplied = fromEnv ? parseSecretHashKey(fromEnv) : undefined;
  if (supplied) return supplied;
  await store.create('meta', 'secret-hash-key', { key: randomBytes(32).toString('base64') });
  const record = await store.get<{ key: string }>('meta', 'secret-hash-key');
  if (!record) throw new Error('could not read the secret hash key');
  return Buffer.from(record.value.key, 'base64');
}
