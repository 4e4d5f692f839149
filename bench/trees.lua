-- trees: allocation and collection (binary-trees). Builds complete binary trees of depth up to N
-- (the first argument, default 15): a stretch tree of depth N + 1, one long-lived tree of depth
-- N, and for each depth d = 4, 6, ..., N, 2^(N - d + 4) short-lived trees of depth d. A node is
-- a table {left, right}; a leaf is {}. Prints the sum of the node counts of every tree.
local function make(depth)
  if depth == 0 then return {} end
  return { make(depth - 1), make(depth - 1) }
end

local function check(node)
  if node[1] == nil then return 1 end
  return 1 + check(node[1]) + check(node[2])
end

local function main()
  local n = tonumber(arg[1]) or 15
  local min_depth = 4
  local max_depth = math.max(min_depth + 2, n)
  local total = check(make(max_depth + 1))
  local long_lived = make(max_depth)
  for depth = min_depth, max_depth, 2 do
    local iterations = 2 ^ (max_depth - depth + min_depth)
    for _ = 1, iterations do total = total + check(make(depth)) end
  end
  total = total + check(long_lived)
  print(total)
end

main()
