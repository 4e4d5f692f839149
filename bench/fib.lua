-- fib: recursive calls. Prints fib(N), N from the first argument (default 33).
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local function main()
  local n = tonumber(arg[1]) or 33
  print(fib(n))
end

main()
