-- chan: a producer task sends 0..N-1 (N from the first argument, default 1,000,000) through a
-- channel of capacity 100, then closes it; main receives until it is closed. Prints the sum.

-- The task scheduler (spawn, run, pass, join, channel) is in sched.lua, beside this file.
local sched = dofile((arg[0]:match("^(.*/)") or "") .. "sched.lua")
local spawn, run, pass, join, channel = sched.spawn, sched.run, sched.pass, sched.join, sched.channel

local function producer(n, ch)
  for i = 0, n - 1 do ch:send(i) end
  ch:close()
end

local function main(n)
  local ch = channel(100)
  spawn(producer, n, ch)
  local total = 0
  local v = ch:recv()
  while v ~= nil do
    total = total + v
    v = ch:recv()
  end
  print(total)
end

spawn(main, tonumber(arg[1]) or 1000000)
run()
