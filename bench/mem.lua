-- mem: memory per suspended coroutine. Creates N coroutines (N from the first argument,
-- default 1,000,000), runs each to its first yield and keeps them all in a list.
-- Prints the sum of the values they yielded.
local function body(k)
  coroutine.yield(k)
end

local function main()
  local n = tonumber(arg[1]) or 1000000
  local held = {}
  local total = 0
  for i = 0, n - 1 do
    local co = coroutine.create(body)
    local _, v = coroutine.resume(co, i)
    total = total + v
    held[#held + 1] = co
  end
  print(total)
end

main()
