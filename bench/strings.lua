-- strings: building, slicing and comparing strings. For i below N (the first argument, default
-- 1,000,000) builds the key "item-<i % 977>-<i>", compares its first 8 characters with a constant
-- and the key with the one before, and keeps those first 8 characters; then joins them with
-- commas, takes a 5-character slice every 7 characters of the result, and replaces "item" by "it"
-- in it. Prints the counts and lengths.
local function main()
  local n = tonumber(arg[1]) or 1000000
  local heads = {}
  local same, descending, total = 0, 0, 0
  local prev = ""
  for i = 0, n - 1 do
    local key = "item-" .. (i % 977) .. "-" .. i
    local head = key:sub(1, 8)
    if head == "item-12-" then same = same + 1 end
    if key < prev then descending = descending + 1 end
    prev = key
    total = total + #key
    heads[#heads + 1] = head
  end
  local joined = table.concat(heads, ",")
  local found = 0
  local k = 1
  while k + 4 <= #joined do
    if joined:sub(k, k + 4) == "item-" then found = found + 1 end
    k = k + 7
  end
  local shorter = joined:gsub("item", "it")
  print(string.format("%d %d %d %d %d %d", same, descending, total, #joined, found, #shorter))
end

main()
