-- pingpong: two tasks pass a counter back and forth over two channels of capacity 1,
-- N round trips (N from the first argument, default 200,000). Prints the final counter (2N).

-- The task scheduler (spawn, run, pass, join, channel) is in sched.lua, beside this file.
local sched = dofile((arg[0]:match("^(.*/)") or "") .. "sched.lua")
local spawn, run, pass, join, channel = sched.spawn, sched.run, sched.pass, sched.join, sched.channel

local function ping(n, out, inbox)
  local ball = 0
  for _ = 1, n do
    out:send(ball + 1)
    ball = inbox:recv()
  end
  return ball
end

local function pong(n, inbox, out)
  for _ = 1, n do out:send(inbox:recv() + 1) end
end

local function main(n)
  local to_pong, to_ping = channel(1), channel(1)
  local p = spawn(ping, n, to_pong, to_ping)
  spawn(pong, n, to_pong, to_ping)
  print(join(p))
end

spawn(main, tonumber(arg[1]) or 200000)
run()
