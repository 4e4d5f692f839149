-- gen: a generator. A coroutine yields 0..N-1 (N from the first argument, default 5,000,000);
-- a for loop sums them. Prints the sum.
local function count(n)
  local i = 0
  while i < n do
    coroutine.yield(i)
    i = i + 1
  end
end

local function main()
  local n = tonumber(arg[1]) or 5000000
  local total = 0
  for x in coroutine.wrap(function() count(n) end) do total = total + x end
  print(total)
end

main()
