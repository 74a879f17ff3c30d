import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for EVALSHA. */
export interface LuaScript {
  source: string;
  sha: string;
}
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/*
 * Lua scripts. Shared ARGV conventions: `idxPrefix` is `p + 'idx:' + kind + ':'`, and the `idx`
 * hash field holds the record's indexes as a JSON object of strings (safe for cjson to decode).
 */

/**
 * create / put / cas. KEYS: record, ids set. ARGV: mode, expectedVersion, value JSON,
 * expiresAt ('' = never), indexes JSON, idxPrefix, id, now ('' = Redis's own expiry only), when
 * Redis drops the key ('' = expiresAt), then index name/value pairs. Returns the new version, or
 * -1 when create finds a live record or cas a different version. A record whose `exp` is before
 * `now` counts as absent (its version restarts at 1).
 */
export const WRITE_SCRIPT = luaScript(`
local mode, id, idxPrefix = ARGV[1], ARGV[7], ARGV[6]
local cur = redis.call('HGET', KEYS[1], 'ver')
local live = cur
if cur and ARGV[8] ~= '' then
  local exp = redis.call('HGET', KEYS[1], 'exp')
  if exp and tonumber(exp) < tonumber(ARGV[8]) then live = false end
end
if (mode == 'create' and live) or (mode == 'cas' and live ~= ARGV[2]) then return -1 end
local ver = 1
if live then ver = tonumber(live) + 1 end
if cur then
  for name, value in pairs(cjson.decode(redis.call('HGET', KEYS[1], 'idx') or '{}')) do
    redis.call('SREM', idxPrefix .. name .. ':' .. value, id)
  end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'ver', ver, 'idx', ARGV[5])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'exp', ARGV[4])
  redis.call('PEXPIREAT', KEYS[1], ARGV[9] ~= '' and ARGV[9] or ARGV[4])
end
redis.call('SADD', KEYS[2], id)
for i = 10, #ARGV, 2 do redis.call('SADD', idxPrefix .. ARGV[i] .. ':' .. ARGV[i + 1], id) end
return ver`);

/**
 * consume / delete. KEYS: record, ids set. ARGV: idxPrefix, id, now ('' = Redis's own expiry
 * only). Returns the value JSON, or nil when absent or expired before `now` (removed all the same).
 */
export const CONSUME_SCRIPT = luaScript(`
local h = redis.call('HMGET', KEYS[1], 'v', 'idx', 'exp')
if not h[1] then return false end
for name, value in pairs(cjson.decode(h[2] or '{}')) do
  redis.call('SREM', ARGV[1] .. name .. ':' .. value, ARGV[2])
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
if ARGV[3] ~= '' and h[3] and tonumber(h[3]) < tonumber(ARGV[3]) then return false end
return h[1]`);

/**
 * list / findBy. KEYS: an ids or index set. ARGV: record key prefix, now ('' = Redis's own expiry
 * only), then optionally the index name and value the records must still carry. Returns flat
 * [id, value, version, expiresAt|''], and removes members whose record expired (by Redis or
 * before `now`), vanished or was re-indexed.
 */
export const READ_SET_SCRIPT = luaScript(`
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HMGET', ARGV[1] .. id, 'v', 'ver', 'exp', 'idx')
  local keep = h[1] ~= false
  if keep and ARGV[2] ~= '' and h[3] then keep = tonumber(h[3]) >= tonumber(ARGV[2]) end
  if keep and ARGV[3] then keep = cjson.decode(h[4] or '{}')[ARGV[3]] == ARGV[4] end
  if keep then
    out[#out + 1] = id; out[#out + 1] = h[1]; out[#out + 1] = h[2]; out[#out + 1] = h[3] or ''
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return out`);

/**
 * increment. KEYS: the counter. ARGV: ttlMs, now ('' = Redis's clock), when Redis drops a new
 * counter (with `now`). INCR, and PEXPIRE when
 * the counter was just created, in one script so that no counter is ever left without its expiry.
 * Returns the new count.
 *
 * With `now` (a store given an injected clock: tests), the counter is a hash {n, exp} whose `exp`
 * is `now + ttlMs` on that clock, and a counter whose `exp` is before `now` starts again at 1,
 * as on SQLite; Redis still drops it, at the time the third argument names.
 */
export const INCREMENT_SCRIPT = luaScript(`
if ARGV[2] == '' then
  local n = redis.call('INCR', KEYS[1])
  if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
  return n
end
local now = tonumber(ARGV[2])
local exp = redis.call('HGET', KEYS[1], 'exp')
if exp and tonumber(exp) < now then
  redis.call('DEL', KEYS[1])
  exp = false
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
if not exp then
  redis.call('HSET', KEYS[1], 'exp', string.format('%d', now + tonumber(ARGV[1])))
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
return n`);
