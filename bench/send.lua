-- send: a push pipeline, source -> even filter -> summing sink. The source sends 0..N-1
-- (N from the first argument, default 3,000,000) into the filter with coroutine.resume; the
-- filter sends the even values on to the sink, which yields its running total. Prints the sum
-- of the evens.

-- The sink: adds up what it receives; each yield hands back the total so far.
local function summer()
  local total = 0
  while true do
    local v = coroutine.yield(total)
    total = total + v
  end
end

-- The filter: passes even values on to the next stage.
local function evens(target)
  while true do
    local v = coroutine.yield()
    if v % 2 == 0 then coroutine.resume(target, v) end
  end
end

local function source(n, target)
  for i = 0, n - 1 do coroutine.resume(target, i) end
end

local function main()
  local n = tonumber(arg[1]) or 3000000
  local sink = coroutine.create(summer)
  local stage = coroutine.create(evens)
  coroutine.resume(sink)            -- prime both stages: run to the first yield
  coroutine.resume(stage, sink)
  source(n, stage)
  local _, total = coroutine.resume(sink, 0)  -- the total so far
  print(total)
end

main()
