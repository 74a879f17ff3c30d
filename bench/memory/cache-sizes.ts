/**
 * How many entries the runtime's LRU caches hold, found by walking the runtime's object graph
 * (own properties' values and Map values, no getters run) from the Portcullis instance: each
 * lru-cache instance's `size`, by the path that reached it. The memory suite reads it before and
 * after its first pass: the caches that grew by the tokens sent hold them. The token caches of
 * other issuers' tokens have no hit counter of their own, which is why this exists; it reads,
 * never changes, anything.
 */
export function lruCacheSizes(root: object, maxObjects = 200_000): Record<string, number> {
  const sizes: Record<string, number> = {};
  const seen = new Set<object>();
  const queue: Array<[unknown, string]> = [[root, 'portcullis']];
  while (queue.length && seen.size < maxObjects) {
    const [value, at] = queue.shift()!;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Promise) continue;
    if (isLruCache(value)) {
      const size = (value as { size?: unknown }).size;
      if (typeof size === 'number') sizes[at] = size;
      continue; // its entries are the tokens themselves
    }
    if (value instanceof Map) {
      for (const [k, v] of value) queue.push([v, `${at}[${String(k).slice(0, 60)}]`]);
      continue;
    }
    if (Array.isArray(value) && value.length > 1000) continue;
    for (const name of Object.getOwnPropertyNames(value)) {
      const d = Object.getOwnPropertyDescriptor(value, name);
      if (d && 'value' in d && d.value && typeof d.value === 'object') queue.push([d.value, `${at}.${name}`]);
    }
  }
  return sizes;
}

/** lru-cache's class by its shape (its published build is minified, so not by name). */
function isLruCache(value: object): boolean {
  const v = value as Record<string, unknown>;
  return typeof v.peek === 'function' && typeof v.purgeStale === 'function' && typeof v.set === 'function' && typeof v.size === 'number';
}

/**
 * The caches that grew between two readings, and the largest growth of one of them: the token
 * cache (others may grow per token too, e.g. revocation answers by jti, so they are not summed).
 */
export function grownBy(before: Record<string, number>, after: Record<string, number>): { added: number; caches: Record<string, number> } {
  const caches = Object.fromEntries(Object.keys(after).filter((k) => after[k] > (before[k] ?? 0)).map((k) => [k, after[k] - (before[k] ?? 0)]));
  return { added: Math.max(0, ...Object.values(caches)), caches };
}
