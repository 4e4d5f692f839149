-- A keep-alive "hello world" HTTP/1.1 server in Lua 5.4 with LuaSocket: one coroutine per
-- connection, driven by a small loop over socket.select (the idea of copas, in ~80 lines).
--
--   lua5.4 bench/http/server.lua [PORT]       (default port 8084; needs apt-get install lua-socket)
--
-- Same behaviour as server.co: read the request line and the header lines up to an empty line,
-- answer with one send, go round again (keep-alive). Every socket is non-blocking
-- (settimeout(0)); an operation that would block yields ("read" or "write", socket) to the loop,
-- which resumes the coroutine when select says that socket is ready.
-- select(2) cannot watch descriptors >= FD_SETSIZE (1024): enough for wrk -c1000, not much more.

local socket = require("socket")

local RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nHello world\n"

local waiting_read = {}   -- socket -> the coroutine waiting until it can read
local waiting_write = {}  -- socket -> the coroutine waiting until it can write

-- Runs co until it waits on a socket (then remembers it) or ends.
local function step(co, ...)
  local ok, what, sock = coroutine.resume(co, ...)
  if not ok then
    io.stderr:write("error: ", tostring(what), "\n")
  elseif coroutine.status(co) ~= "dead" then
    if what == "read" then waiting_read[sock] = co else waiting_write[sock] = co end
  end
end

local function spawn(f, ...) step(coroutine.create(f), ...) end

-- One line without "\r\n" (LuaSocket's "*l" drops the CR), or nil when the peer has closed.
local function receive_line(sock)
  local partial = ""
  while true do
    local line, err, rest = sock:receive("*l", partial)
    if line then return line end
    if err ~= "timeout" then return nil end
    partial = rest
    coroutine.yield("read", sock)
  end
end

local function send_all(sock, data)
  local i = 1
  while i <= #data do
    local last, err, sent = sock:send(data, i)
    if last then
      i = last + 1
    elseif err == "timeout" then
      i = sent + 1
      coroutine.yield("write", sock)
    else
      return nil
    end
  end
  return true
end

local function handle(c)
  while true do
    local request_line = receive_line(c)
    if request_line == nil then break end
    local header
    repeat header = receive_line(c) until header == nil or header == ""
    if header == nil then break end           -- closed in the middle of a request
    if not send_all(c, RESPONSE) then break end
  end
  c:close()
end

local function serve(server)
  while true do
    local c, err = server:accept()
    if c then
      c:settimeout(0)
      spawn(handle, c)
    elseif err == "timeout" then
      coroutine.yield("read", server)
    end
  end
end

local port = tonumber(arg[1] or "8084")
local server = assert(socket.bind("127.0.0.1", port, 4096))
server:settimeout(0)
print("listening on 127.0.0.1:" .. port)
io.stdout:flush()
spawn(serve, server)

while true do
  local readers, writers = {}, {}
  for s in pairs(waiting_read) do readers[#readers + 1] = s end
  for s in pairs(waiting_write) do writers[#writers + 1] = s end
  local readable, writable = socket.select(readers, writers)
  for _, s in ipairs(writable) do
    local co = waiting_write[s]; waiting_write[s] = nil
    if co then step(co) end
  end
  for _, s in ipairs(readable) do
    local co = waiting_read[s]; waiting_read[s] = nil
    if co then step(co) end
  end
end
