-- spawn: N tasks (N from the first argument, default 100,000) each give up their turn 10
-- times and return their number; main joins them all. Prints the sum of the results.

-- The task scheduler (spawn, run, pass, join, channel) is in sched.lua, beside this file.
local sched = dofile((arg[0]:match("^(.*/)") or "") .. "sched.lua")
local spawn, run, pass, join, channel = sched.spawn, sched.run, sched.pass, sched.join, sched.channel

local function worker(k)
  for _ = 1, 10 do pass() end
  return k
end

local function main(n)
  local tasks = {}
  for k = 0, n - 1 do tasks[#tasks + 1] = spawn(worker, k) end
  local total = 0
  for _, t in ipairs(tasks) do total = total + join(t) end
  print(total)
end

spawn(main, tonumber(arg[1]) or 100000)
run()
