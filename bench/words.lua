-- words: string splitting, a table counting string keys, sorting. Makes a text of N words (the
-- first argument, default 3,000,000) of one to three syllables picked by a Park-Miller random
-- generator, splits it at spaces, counts each word in a table and sorts the distinct words.
-- Prints the number of words, of distinct words, the first and last distinct word and a weighted
-- sum of the counts in sorted order.
local SYLLABLES = { "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fu", "go", "hi", "ja", "po", "we" }
local floor = math.floor

local function main()
  local n = tonumber(arg[1]) or 3000000
  local state = 42
  local words = {}
  for i = 1, n do
    state = state * 48271 % 2147483647
    local word = SYLLABLES[state % 16 + 1]
    local more = floor(state / 16) % 4
    if more >= 2 then word = word .. SYLLABLES[floor(state / 64) % 16 + 1] end
    if more == 3 then word = word .. SYLLABLES[floor(state / 1024) % 16 + 1] end
    words[i] = word
  end
  local text = table.concat(words, " ")

  local counts = {}
  for w in text:gmatch("[^ ]+") do
    counts[w] = (counts[w] or 0) + 1
  end
  local distinct = {}
  for w in pairs(counts) do distinct[#distinct + 1] = w end
  table.sort(distinct)
  local weighted = 0
  for i, w in ipairs(distinct) do weighted = weighted + i * counts[w] end
  print(string.format("%d %d %s %s %d", n, #distinct, distinct[1], distinct[#distinct], weighted))
end

main()
