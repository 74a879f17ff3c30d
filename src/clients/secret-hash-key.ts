import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store';

/**
 * The key for hashing client secrets. Ops may supply it (`PORTCULLIS_SECRET_HASH_KEY`, base64, at
 * least 32 bytes) to keep it out of the database; otherwise one is generated on first start and
 * kept in the store so every node and the CLI share it.
 */
export async function loadSecretHashKey(store: Store, fromEnv = process.env.PORTCULLIS_SECRET_HASH_KEY): Promise<Buffer> {
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length < 32) throw new Error('PORTCULLIS_SECRET_HASH_KEY must be at least 32 bytes of base64');
    return key;
  }
  await store.create('meta', 'secret-hash-key', { key: randomBytes(32).toString('base64') });
  const record = await store.get<{ key: string }>('meta', 'secret-hash-key');
  if (!record) throw new Error('could not read the secret hash key');
  return Buffer.from(record.value.key, 'base64');
}
