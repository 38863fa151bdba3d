-- wrk load for the HTTP system test: each thread PUTs its own keys wrk:<thread>:<m>, m = 1 .. 20000 and
-- round again, so the keys are overwritten (and the replaced values' records freed) under load while
-- the arena never fills. The value depends on m only, as node_keys.py's value_of computes it: the key
-- and '|' repeated 1 + m % 50 times, so whichever round wrote a key last, its value is known.
local threads = 0
local KEYS_PER_THREAD = 20000

function setup(thread)
   thread:set("tid", threads)
   threads = threads + 1
end

local n = 0

function request()
   local m = n % KEYS_PER_THREAD + 1
   n = n + 1
   local key = "wrk:" .. tid .. ":" .. m
   return wrk.format("PUT", "/kv/" .. key, nil, string.rep(key .. "|", 1 + m % 50))
end
