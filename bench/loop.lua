-- loop: a while loop of integer arithmetic. Prints the sum of (i*i) % 7 for i in 0..N-1
-- (N from the first argument, default 20,000,000).
local function main()
  local n = tonumber(arg[1]) or 20000000
  local total = 0
  local i = 0
  while i < n do
    total = total + (i * i) % 7
    i = i + 1
  end
  print(total)
end

main()
