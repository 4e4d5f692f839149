-- A minimal round-robin scheduler with channels, written in Lua itself: the counterpart of
-- CoLang's built-in scheduler and of Python's asyncio event loop, shared by pingpong.lua,
-- spawn.lua and chan.lua, which load it with dofile (a one-time cost of microseconds).
--   * A task is a coroutine. The ready queue is first-in first-out; `run()` resumes the task at
--     its front until the queue is empty.
--   * `spawn(f, ...)` appends a new task that will run f(...) and returns its handle.
--   * `pass()` gives up the turn (back of the ready queue): CoLang's bare `yield` in a task,
--     Python's `await asyncio.sleep(0)`.
--   * `join(t)` waits until task t has finished and returns its result.
--   * `channel(capacity)` is a buffered channel: `ch:send(v)` waits while it is full, `ch:recv()`
--     waits while it is empty and returns nil once it is closed and drained, `ch:close()`.
--     Waiting tasks are served first-come first-served.
--   * Waking a task appends it to the ready queue and the waker keeps running, as in CoLang.
local Queue = {}
Queue.__index = Queue
local function queue() return setmetatable({first = 1, last = 0}, Queue) end
function Queue:push(v) local last = self.last + 1; self.last = last; self[last] = v end
function Queue:pop()
  local first = self.first
  if first > self.last then return nil end
  local v = self[first]
  self[first] = nil
  self.first = first + 1
  return v
end
function Queue:size() return self.last - self.first + 1 end

local unpack = table.unpack or unpack   -- Lua 5.4 or LuaJIT (5.1)
local ready = queue()
local current = nil

local function spawn(f, ...)
  local t = {co = coroutine.create(f), args = {n = select('#', ...), ...}, done = false, result = nil,
             joiners = queue()}
  ready:push(t)
  return t
end

local function run()
  local t = ready:pop()
  while t do
    current = t
    local ok, result
    local args = t.args
    if args then
      t.args = nil
      ok, result = coroutine.resume(t.co, unpack(args, 1, args.n))
    else
      ok, result = coroutine.resume(t.co)
    end
    if not ok then error(result, 0) end
    if coroutine.status(t.co) == "dead" then
      t.done, t.result = true, result
      local j = t.joiners:pop()
      while j do ready:push(j); j = t.joiners:pop() end
    end
    t = ready:pop()
  end
end

local function pass()
  ready:push(current)
  coroutine.yield()
end

local function join(t)
  if not t.done then
    t.joiners:push(current)
    coroutine.yield()
  end
  return t.result
end

local Channel = {}
Channel.__index = Channel
local function channel(capacity)
  return setmetatable({buffer = queue(), capacity = capacity, closed = false,
                       senders = queue(), receivers = queue()}, Channel)
end
function Channel:send(v)
  if self.closed then error("send on closed channel") end
  while self.buffer:size() >= self.capacity do
    self.senders:push(current)
    coroutine.yield()
  end
  self.buffer:push(v)
  local r = self.receivers:pop()
  if r then ready:push(r) end
end
function Channel:recv()
  while self.buffer:size() == 0 do
    if self.closed then return nil end
    self.receivers:push(current)
    coroutine.yield()
  end
  local v = self.buffer:pop()
  local s = self.senders:pop()
  if s then ready:push(s) end
  return v
end
function Channel:close()
  self.closed = true
  local r = self.receivers:pop()
  while r do ready:push(r); r = self.receivers:pop() end
end

return {spawn = spawn, run = run, pass = pass, join = join, channel = channel}
