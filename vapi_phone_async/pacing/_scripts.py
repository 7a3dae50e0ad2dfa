"""The Lua scripts of the Redis backend: each runs atomically on the server, against the
one hash that holds a client's pacing state (the fields of `PacingState`).

`reserve` and the flush of answers counted are `_state.reserve` and `_state.note` in Lua,
step for step (read them side by side); `snapshot` flushes, then returns the server's
time and the whole state, for `_state.throttled` to decide on in Python; `commit` writes
what it changed, unless another process committed first (a version field); `spend` takes
one retry's cost from the budget. Times are the Redis server's clock (`TIME`), so that
machines whose clocks differ still share one bucket. Every script that writes renews the
key's expiry.
"""

from __future__ import annotations

from ._state import MIN_RATE, SCALE, SLOTS

__all__ = ["COMMIT", "RESERVE", "SNAPSHOT", "SPEND"]

# KEYS[1]: the state's hash. ARGV[1..6], in every script but commit: the key's time to
# live (ms); answers counted since the last flush, those of them that were fresh, the
# epoch they were sent in, and those that earn budget; the budget's capacity and refill.
_PRELUDE = f"""
local key = KEYS[1]
local ttl = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local SLOTS = {SLOTS}

local function fmt(x) return string.format('%.17g', x) end

local s = {{}}
local function load(names)
  local values = redis.call('HMGET', key, unpack(names))
  for i, name in ipairs(names) do s[name] = tonumber(values[i]) or 0 end
end
local function save(names)
  local args = {{}}
  for _, name in ipairs(names) do
    args[#args + 1] = name
    args[#args + 1] = fmt(s[name])
  end
  redis.call('HSET', key, unpack(args))
  redis.call('PEXPIRE', key, ttl)
end

local NOTED = {{'noted_at', 'measuring_since', 'fresh_epoch', 'fresh', 'fresh_at', 'epoch',
  'tokens', 'has_tokens'}}
for i = 0, SLOTS - 1 do NOTED[#NOTED + 1] = 'c' .. i; NOTED[#NOTED + 1] = 'n' .. i end

-- _state.note, for the answers counted since the last flush; and the budget they earn.
local function flush()
  local answered, fresh, epoch = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local earned, capacity, refill = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  load(NOTED)
  if s.has_tokens == 0 then s.tokens = capacity; s.has_tokens = 1 end
  s.tokens = math.min(capacity, s.tokens + earned * refill)
  if answered > 0 then
    if now - s.noted_at > 1.0 then s.measuring_since = now end
    s.noted_at = now
    local slot = math.floor(now * SLOTS)
    local index = slot % SLOTS
    if s['n' .. index] ~= slot then s['n' .. index] = slot; s['c' .. index] = 0 end
    s['c' .. index] = s['c' .. index] + answered
    if fresh > 0 and epoch == s.epoch then
      if s.fresh_epoch ~= epoch then s.fresh_epoch = epoch; s.fresh = 0; s.fresh_at = now end
      s.fresh = s.fresh + fresh
    end
  end
  local changed = {{'tokens', 'has_tokens'}}
  if answered > 0 then changed = NOTED end
  save(changed)
end
"""

RESERVE = (
    _PRELUDE
    + f"""
-- _state.reserve. ARGV[8..12]: the client's rate limit and burst (0: none), the window
-- given (0: none), whether a pause is answered (1) instead of a start, and the delay
-- before which the start may not be (seconds).
local limit_rate, limit_burst = tonumber(ARGV[8]), tonumber(ARGV[9])
local window, honour, delay = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
flush()
load({{'pause_until', 'paused', 'limit_tat', 'tat', 'enabled', 'peak', 'recovery',
  'decreased_at', 'window', 'quota', 'window_index', 'window_sent'}})
if honour == 1 and s.pause_until > now then
  return {{'pause', fmt(s.pause_until - now), s.epoch, s.paused == 1 and 1 or 0, fmt(s.tokens)}}
end
local at = now + delay
local adaptive = math.huge
if s.enabled == 1 then
  local elapsed = now - s.decreased_at - s.recovery
  adaptive = math.max({SCALE} * elapsed * elapsed * elapsed + s.peak, {MIN_RATE})
end
if limit_rate > 0 then
  at = math.max(at, s.limit_tat - (limit_burst - 1) / limit_rate)
  s.limit_tat = math.max(s.limit_tat, at) + 1 / limit_rate
end
if adaptive < math.huge then
  at = math.max(at, s.tat)
  s.tat = math.max(s.tat, at) + 1 / adaptive
end
local over = 0
if window == 0 then window = s.window end
if window > 0 then
  local index = math.floor(at / window)
  if index ~= s.window_index then s.window_index = index; s.window_sent = 0 end
  if s.quota > 0 and s.window_sent >= s.quota then over = 1 end
  s.window_sent = s.window_sent + 1
end
save({{'limit_tat', 'tat', 'window_index', 'window_sent'}})
return {{'go', fmt(at - now), s.epoch, over, fmt(s.tokens)}}
"""
)

SNAPSHOT = (
    _PRELUDE
    + """
flush()
local state = redis.call('HGETALL', key)
return {clock[1], clock[2], state}
"""
)

SPEND = (
    _PRELUDE
    + """
-- ARGV[8]: the retry's cost. Returns whether it was taken, and the tokens left.
local cost = tonumber(ARGV[8])
flush()
local taken = 0
if s.tokens >= cost then
  s.tokens = s.tokens - cost
  taken = 1
  save({'tokens'})
end
return {taken, fmt(s.tokens)}
"""
)

COMMIT = """
-- KEYS[1]: the state's hash. ARGV[1]: the version the changes were decided on;
-- ARGV[2]: the key's time to live (ms); then field, value pairs. Written only if no
-- other commit came between: returns 1 if written, 0 if not.
local key = KEYS[1]
local version = tonumber(redis.call('HGET', key, 'version')) or 0
if version ~= tonumber(ARGV[1]) then return 0 end
local args = {'version', version + 1}
for i = 3, #ARGV do args[#args + 1] = ARGV[i] end
redis.call('HSET', key, unpack(args))
redis.call('PEXPIRE', key, tonumber(ARGV[2]))
return 1
"""
