"use strict";
// conveyor-client/redis: the rate-limit store protocol over Redis, for Node fleets that
// share one API key. CommonJS so that every Node the package supports can `require` it;
// redis.mjs re-exports this object.
//
// Each bucket is a sorted set (member = token id, score = the instant in ms at which the
// entry frees), a counter for ids and an epoch, all under one hash tag so Redis Cluster
// keeps them in one slot. The epoch names the bucket's memory: it is created (SET NX) with
// the first entry and lives exactly as long as the data, so a Redis that restarted empty or
// was flushed answers with a new one and the clients know to carry their usage back. Each call is one Lua script, so it is atomic, and it reads the time from
// Redis itself (`TIME`): every process sees one clock however far theirs drift. Every
// write sets PEXPIRE on both keys to the last entry's free instant, so an idle bucket
// vanishes on its own. The store only ever sees `bucket`, a hash, never the API key.
const { createHash, randomBytes } = require("node:crypto");
const { MAX_ENTRIES, MAX_ID_LEN, isId } = require("./limits.cjs");

// Shared prologue: the time in ms from Redis (Lua numbers are doubles, so ms since 1970
// are exact), expired entries pruned, and `touch`, which makes the three keys live exactly
// as long as the last entry.
const PROLOGUE = `
if redis.replicate_commands then redis.replicate_commands() end
local key, ctr, ek = KEYS[1], KEYS[2], KEYS[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local function touch()
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]
  if last then
    local ttl = math.ceil(tonumber(last) - now) + 1
    redis.call('PEXPIRE', key, ttl)
    redis.call('PEXPIRE', ctr, ttl)
    redis.call('PEXPIRE', ek, ttl)
  end
end
`;

// ARGV: want, limit, windowMs, holdMs, a fresh random epoch (used if the bucket has none),
// carry... Answers { retryInMs or -1, epoch, occupied, ids... } (occupied: entries in the
// window after the grant); ids are "<epoch>-<n>", so a settle
// of a token granted before a restart can never hit one granted after it.
const ACQUIRE = `${PROLOGUE}
local want, limit, window, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cap = window + hold
redis.call('SET', ek, ARGV[5], 'NX', 'PX', math.ceil(cap) + 1)
local epoch = redis.call('GET', ek)
local carry = {}
for i = 6, #ARGV do
  local c = tonumber(ARGV[i])
  if c > 0 then carry[#carry + 1] = math.min(c, cap) end
end
local granted = math.min(want, math.max(0, limit - redis.call('ZCARD', key) - #carry))
local n = #carry + granted
local out = { -1, epoch, 0 }
if n > 0 then
  local first = redis.call('INCRBY', ctr, n) - n
  for i = 1, n do
    local id = epoch .. '-' .. string.format('%d', first + i)
    if i <= #carry then
      redis.call('ZADD', key, now + carry[i], 'c' .. id)
    else
      redis.call('ZADD', key, now + cap, id)
      out[#out + 1] = id
    end
  end
end
touch()
out[3] = redis.call('ZCARD', key)
if granted < want then
  -- A token in flight frees one window after its settle, which may come at any moment:
  -- never send a client away for longer than a window.
  local earliest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or (now + window))
  out[1] = math.max(1, math.ceil(math.min(earliest, now + window) - now))
end
return out
`;

// ARGV: windowMs, ids... Unknown ids are added too: a lost entry must not free early.
const SETTLE = `${PROLOGUE}
local free = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', key, free, ARGV[i]) end
touch()
return 0
`;

// ARGV: ids... Never-sent tokens free at once; unknown ids are ignored.
const RELEASE = `${PROLOGUE}
for i = 1, #ARGV do redis.call('ZREM', key, ARGV[i]) end
touch()
return 0
`;


const script = (source) => ({ source, sha: createHash("sha1").update(source).digest("hex") });
const SCRIPTS = { acquire: script(ACQUIRE), settle: script(SETTLE), release: script(RELEASE) };

const isRecord = (v) => typeof v === "object" && v !== null;

/** Throws a TypeError naming `field` unless `ok`. */
function check(ok, field, rule) {
  if (!ok) throw new TypeError(`conveyor-client/redis: \`${field}\` must be ${rule}`);
}

function checkIds(ids, field) {
  check(Array.isArray(ids) && ids.length <= MAX_ENTRIES, field, `an array of at most ${MAX_ENTRIES} ids`);
  check(ids.every(isId), field, `hold strings of 1 to ${MAX_ID_LEN} characters`);
}

/** Calls a script the way `client` expects: node-redis (v4 and later) or ioredis. */
function runner(client) {
  if (typeof client.evalSha === "function" && typeof client.eval === "function") {
    // node-redis. While it reconnects it would queue commands until Redis returns; a
    // store call that cannot be answered now should fail now, so the client falls back.
    return {
      down: () => client.isOpen === true && client.isReady === false,
      evalSha: (s, keys, args) => client.evalSha(s.sha, { keys, arguments: args }),
      eval: (s, keys, args) => client.eval(s.source, { keys, arguments: args }),
    };
  }
  if (typeof client.evalsha === "function" && typeof client.eval === "function") {
    // ioredis: the same reasoning for its reconnecting and closed states.
    return {
      down: () => ["reconnecting", "close", "end"].includes(client.status),
      evalSha: (s, keys, args) => client.evalsha(s.sha, keys.length, ...keys, ...args),
      eval: (s, keys, args) => client.eval(s.source, keys.length, ...keys, ...args),
    };
  }
  throw new TypeError("conveyor-client/redis: `client` must be a node-redis or ioredis client");
}

/**
 * A rate-limit store (the `rateLimit.store` option of `ConveyorClient`) kept in Redis,
 * shared by every process that uses the same Redis and key.
 *
 * @param {object} client a connected node-redis (v4 or later) or ioredis client; the store
 *   never connects, closes or configures it
 * @param {{ prefix?: string }} [options] `prefix` starts every key (default "conveyor:rl:")
 * @returns {{ acquire(req: object): Promise<{ tokens: string[], retryInMs: number | null }>,
 *   settle(req: object): Promise<void>, release(req: object): Promise<void> }}
 */
function createRedisStore(client, { prefix = "conveyor:rl:" } = {}) {
  check(isRecord(client) || typeof client === "function", "client", "a node-redis or ioredis client");
  check(typeof prefix === "string" && prefix.length <= MAX_ID_LEN, "prefix", "a string");
  const redis = runner(client);

  /** Runs `name`'s script on `bucket`'s keys: EVALSHA, and EVAL once when Redis lacks it. */
  async function run(name, bucket, args) {
    if (redis.down()) throw new Error("conveyor-client/redis: the Redis client is not connected");
    const s = SCRIPTS[name];
    // The hash tag {bucket} puts both keys in one Redis Cluster slot.
    const keys = [`${prefix}{${bucket}}`, `${prefix}{${bucket}}:id`, `${prefix}{${bucket}}:epoch`];
    const strings = args.map(String);
    try {
      return await redis.evalSha(s, keys, strings);
    } catch (e) {
      if (!/NOSCRIPT/.test(String(e instanceof Error ? e.message : e))) throw e;
      return redis.eval(s, keys, strings); // EVAL also caches it for the next EVALSHA
    }
  }

  const positive = (v) => Number.isSafeInteger(v) && v >= 1 && v <= MAX_ENTRIES;
  const bucketOf = (req) => {
    check(isRecord(req), "req", "an object");
    check(isId(req.bucket), "bucket", `a string of 1 to ${MAX_ID_LEN} characters`);
    return req.bucket;
  };

  return {
    /** Records `carry`, then grants up to `want` tokens: `{ tokens, retryInMs, epoch, occupied }`. */
    async acquire(req) {
      const bucket = bucketOf(req);
      const { want, limit, windowMs, holdMs, carry = [] } = req;
      check(positive(want), "want", `a whole number from 1 to ${MAX_ENTRIES}`);
      check(Number.isSafeInteger(limit) && limit >= 1, "limit", "a whole number of at least 1");
      check(Number.isFinite(windowMs) && windowMs > 0, "windowMs", "a finite number greater than 0");
      check(Number.isFinite(holdMs) && holdMs >= 0, "holdMs", "a finite number of at least 0");
      check(Array.isArray(carry) && carry.length <= MAX_ENTRIES, "carry", `an array of at most ${MAX_ENTRIES} numbers`);
      check(carry.every(Number.isFinite), "carry", "hold finite numbers");
      const epoch = randomBytes(6).toString("hex");
      const reply = await run("acquire", bucket, [want, limit, windowMs, holdMs, epoch, ...carry]);
      if (!Array.isArray(reply)) throw new Error("conveyor-client/redis: unexpected reply from Redis");
      const [retry, current, occupied, ...tokens] = reply;
      return {
        tokens: tokens.map(String),
        retryInMs: Number(retry) < 0 ? null : Number(retry),
        epoch: String(current),
        occupied: Number(occupied),
      };
    },

    /** The responses to `tokens` arrived: each frees `windowMs` from now. */
    async settle(req) {
      const bucket = bucketOf(req);
      checkIds(req.tokens, "tokens");
      check(Number.isFinite(req.windowMs) && req.windowMs > 0, "windowMs", "a finite number greater than 0");
      if (req.tokens.length > 0) await run("settle", bucket, [req.windowMs, ...req.tokens]);
    },

    /** `tokens` were never sent: they free now. */
    async release(req) {
      const bucket = bucketOf(req);
      checkIds(req.tokens, "tokens");
      if (req.tokens.length > 0) await run("release", bucket, req.tokens);
    },
  };
}

module.exports = { createRedisStore };
