"""Lua scripts of the Redis board store (focushub.leaderboards.redis_store). Each runs
atomically inside Redis, which is what makes a rebuild and concurrent increments safe.

Visibility: a writer sends the id of its PostgreSQL transaction (pg_current_xact_id) with
each increment; a rebuild records the snapshot its aggregates were read in
(pg_current_snapshot, text `xmin:xmax:xip,...`). An increment is already counted by that
rebuild exactly when its transaction is visible in the snapshot, the same rule
PostgreSQL applies (xid < xmin, or xid < xmax and not in flight). xid8 values stay far
below 2^53, so Lua's numbers compare them exactly.
"""

VISIBLE = """
local function visible(xid, snap)
  if xid == '' or snap == nil or snap == false or snap == '' then return false end
  local xmin, xmax, xip = string.match(snap, '^(%d+):(%d+):(.*)$')
  local x = tonumber(xid)
  if x < tonumber(xmin) then return true end
  if x >= tonumber(xmax) then return false end
  for running in string.gmatch(xip, '%d+') do
    if tonumber(running) == x then return false end
  end
  return true
end
"""

# KEYS: building marker, then (live, snap, journal) per board.
# ARGV: xid ('' when unknown), member, journal ttl, then (delta, ttl) per board.
INCREMENT = VISIBLE + """
local xid, member, journal_ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local building = redis.call('EXISTS', KEYS[1]) == 1
for i = 0, (#KEYS - 1) / 3 - 1 do
  local live, snap, journal = KEYS[2 + 3 * i], KEYS[3 + 3 * i], KEYS[4 + 3 * i]
  local delta, ttl = ARGV[4 + 2 * i], tonumber(ARGV[5 + 2 * i])
  -- A rebuild that read a snapshot in which this transaction is visible already counted it.
  if not visible(xid, redis.call('GET', snap)) then
    if tonumber(redis.call('ZINCRBY', live, delta, member)) <= 0 then
      redis.call('ZREM', live, member)
    end
    if ttl > 0 then redis.call('EXPIRE', live, ttl) end
    -- During a rebuild, remember the increment: the rebuild replays those its snapshot missed.
    if building then
      redis.call('HINCRBY', journal, xid .. ':' .. member, delta)
      redis.call('EXPIRE', journal, journal_ttl)
    end
  end
end
return 1
"""

# KEYS: tmp (the freshly built board), live, journal, snap, building marker.
# ARGV: snapshot ('' when unknown), ttl, snap ttl, rebuild token, marker ttl.
SWAP = VISIBLE + """
local tmp, live, journal, snap = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local entries = redis.call('HGETALL', journal)
for i = 1, #entries, 2 do
  local xid, member = string.match(entries[i], '^(%d*):(.+)$')
  if not visible(xid, ARGV[1]) then
    redis.call('ZINCRBY', tmp, entries[i + 1], member)
  end
end
redis.call('ZREMRANGEBYSCORE', tmp, '-inf', 0)
redis.call('DEL', journal)
if redis.call('EXISTS', tmp) == 1 then
  redis.call('RENAME', tmp, live)
  redis.call('PERSIST', live)
  if tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', live, ARGV[2]) end
else
  redis.call('DEL', live)
end
if ARGV[1] ~= '' then redis.call('SET', snap, ARGV[1], 'EX', ARGV[3]) end
if redis.call('GET', KEYS[5]) == ARGV[4] then redis.call('EXPIRE', KEYS[5], ARGV[5]) end
return 1
"""

# KEYS: building marker, dirty users set. ARGV: rebuild token. Returns the dirty users.
FINISH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
local users = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
return users
"""

# KEYS: live. ARGV: start, stop, offset, user ('' for none). `start` is offset - 1 when the
# window includes the row before the page. Returns {window with scores, count above the
# page's first row (-1 if no page), user's score ('' if absent), count above it}.
READ = """
local key = KEYS[1]
local window = redis.call('ZREVRANGE', key, ARGV[1], ARGV[2], 'WITHSCORES')
local first = 1
if tonumber(ARGV[1]) < tonumber(ARGV[3]) then first = 3 end
local first_above = -1
if #window > first then
  first_above = redis.call('ZCOUNT', key, '(' .. window[first + 1], '+inf')
end
local mine, mine_above = '', -1
if ARGV[4] ~= '' then
  local score = redis.call('ZSCORE', key, ARGV[4])
  if score then
    mine = score
    mine_above = redis.call('ZCOUNT', key, '(' .. score, '+inf')
  end
end
return {window, first_above, mine, mine_above, redis.call('EXISTS', KEYS[2])}
"""
