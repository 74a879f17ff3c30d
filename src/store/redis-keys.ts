/**
 * The one place Redis key names are made.
 *
 * Two layouts, chosen by the connection mode:
 * - standalone and Sentinel (unchanged since the first Redis release, so an upgrade needs
 *   nothing): `p rec:<kind>:<id>`, `p ids:<kind>`, `p idx:<kind>:<name>:<value>`, and the
 *   counters of `increment` `p cnt:<kind>:<id>`.
 * - Redis Cluster: `p {<kind>}:rec:<id>`, `p {<kind>}:ids`, `p {<kind>}:idx:<name>:<value>`, and
 *   `p {cnt:<kind>:<id>}` (a counter is one key on its own: see `counter`).
 *
 * Why the hash tag is the kind (Redis Cluster specification, "Hash tags": only the text between
 * the first `{` and the next `}` is hashed): the Lua scripts of one write touch the record, the
 * kind's id set and the index sets of its values, and `list`/`findBy` read a set and then every
 * record it names. A set holds ids of every record of a kind, so a record and the sets that index
 * it can only share a slot if the whole kind does. A tag per record (kind + id) would scatter the
 * records away from their indexes (CROSSSLOT); one tag for everything would put the whole store on
 * one master. Per kind, the kinds (clients, users, codes, refresh tokens, sessions...) spread over
 * the masters, and each kind lives on one. The prefix stays outside the tag, so every key still
 * starts with `redisKeyPrefix` (backups, SCAN by prefix); deployments that share a cluster share
 * a kind's slot, which is harmless.
 *
 * Kinds are code constants and never contain `:`, `{` or `}`; ids and index values may contain
 * anything (they are after the tag, so they cannot move the slot).
 */
export interface RedisKeys {
  /** `KEYS[1]` of a record, and the prefix the scripts append ids to. */
  recordPrefix(kind: string): string;
  record(kind: string, id: string): string;
  /** The set of every id of `kind`, for `list`. */
  ids(kind: string): string;
  /** The prefix the scripts append `name:value` to, for index sets. */
  indexPrefix(kind: string): string;
  index(kind: string, name: string, value: string): string;
  /**
   * A counter of `increment` (one key, one script: no other key shares its slot), so in Cluster mode
   * it is tagged by itself and counters spread over the masters instead of piling on one.
   */
  counter(kind: string, id: string): string;
}

/** Key names under `prefix`; `hashTags` for Redis Cluster (see the file comment). */
export function redisKeys(prefix: string, hashTags: boolean): RedisKeys {
  const keys: RedisKeys = hashTags
    ? {
        recordPrefix: (kind) => `${prefix}{${kind}}:rec:`,
        record: (kind, id) => keys.recordPrefix(kind) + id,
        ids: (kind) => `${prefix}{${kind}}:ids`,
        indexPrefix: (kind) => `${prefix}{${kind}}:idx:`,
        index: (kind, name, value) => `${keys.indexPrefix(kind)}${name}:${value}`,
        counter: (kind, id) => `${prefix}{cnt:${kind}:${id}}`,
      }
    : {
        recordPrefix: (kind) => `${prefix}rec:${kind}:`,
        record: (kind, id) => keys.recordPrefix(kind) + id,
        ids: (kind) => `${prefix}ids:${kind}`,
        indexPrefix: (kind) => `${prefix}idx:${kind}:`,
        index: (kind, name, value) => `${keys.indexPrefix(kind)}${name}:${value}`,
        counter: (kind, id) => `${prefix}cnt:${kind}:${id}`,
      };
  return keys;
}
