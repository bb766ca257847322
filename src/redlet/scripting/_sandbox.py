"""The Lua side of the scripting engine: sandbox, ``redis`` library, conversions.

``SANDBOX`` is compiled once per Lua state as the chunk ``=redlet`` (internal
frames are recognised by that name and skipped when an error is located in
the user's code).  It is called with a table of Python callbacks and the mode
(``"eval"`` or ``"function"``) and returns a table of entry points.  After it
ran, the state's global table is a read-only proxy:

* reading a global that does not exist raises "Script attempted to access
  nonexistent global variable", writing any global (or a field of a library
  table) raises "Attempt to modify a readonly table", as Redis 7.0 does with
  its patched Lua VM.  The real tables stay reachable through ``next``,
  ``pairs``, ``rawget``, which are wrapped to see through the proxies.
* chunks (scripts, libraries, ``loadstring`` in scripts) get the proxy as
  their environment; the state's own globals stay untouched for lupa.
* everything Redis removes is absent (``os``, ``io``, ``print``, ``require``,
  ``loadfile``, ``dofile``, ``debug``, ``setfenv``, ``getfenv``, ``newproxy``).

Script results are converted to RESP bytes here (``convert``), with Redis'
rules (``luaReplyToRedisReply``): numbers are truncated to integers, ``false``
is a null, tables are arrays up to their first nil unless they carry an
``err``, ``ok``, ``double``, ``big_number``, ``verbatim_string``, ``map`` or
``set`` field.  The nesting limit of Redis' C stack (8000 slots) is modelled
so that self-referencing tables end the same way.

A count hook calls ``py.tick()`` every ``HOOK_COUNT`` instructions (also in
coroutines the script creates): Python watches the time, serves other
clients once the script is busy and answers whether the script must stop
(SCRIPT KILL, FUNCTION LOAD timeout, shutdown).
"""

SANDBOX = r"""
local py, mode, HOOK_COUNT, VERSION, VERSION_NUM = ...

local type, tostring, tonumber, select, error, rawget, rawset, rawequal, next, pairs, ipairs =
      type, tostring, tonumber, select, error, rawget, rawset, rawequal, next, pairs, ipairs
local setmetatable, getmetatable, xpcall, rawpcall, unpack, loadstring, load, setfenv, newproxy =
      setmetatable, getmetatable, xpcall, pcall, unpack, loadstring, load, setfenv, newproxy
local assert, collectgarbage, gcinfo = assert, collectgarbage, gcinfo
local string, table, math, coroutine = string, table, math, coroutine
local fmt, gsub, sub, find, byte, char, srep = string.format, string.gsub, string.sub,
      string.find, string.byte, string.char, string.rep
local concat, insert, remove, sort = table.concat, table.insert, table.remove, table.sort
local floor, huge = math.floor, math.huge
local getinfo, sethook = debug.getinfo, debug.sethook
local co_create, co_resume = coroutine.create, coroutine.resume

local INTERNAL = '=redlet'
local RO = 'Attempt to modify a readonly table'

-- read-only proxies --------------------------------------------------------
local real = setmetatable({}, {__mode = 'k'})     -- proxy -> the table it shows
local function deny() error(RO, 2) end
local FROZEN = {}                                  -- what getmetatable shows
real[FROZEN] = {}
setmetatable(FROZEN, {__newindex = deny, __metatable = false})

local function readonly(t, view)
  local p = {}
  real[p] = t
  setmetatable(p, {__index = t, __newindex = deny, __metatable = view or FROZEN})
  return p
end

local function given(n, ...)
  if select('#', ...) < n then return 'no value' end
  return type((select(n, ...)))
end
local function argerror(n, fname, msg)
  error(fmt("bad argument #%d to '%s' (%s)", n, fname, msg), 3)
end

local function s_next(...)
  local t, k = ...
  if type(t) ~= 'table' then argerror(1, 'next', 'table expected, got ' .. given(1, ...)) end
  return next(real[t] or t, k)
end
local function s_pairs(...)
  local t = ...
  if type(t) ~= 'table' then argerror(1, 'pairs', 'table expected, got ' .. given(1, ...)) end
  return s_next, t, nil
end
local function s_rawget(...)
  local t, k = ...
  if type(t) ~= 'table' then argerror(1, 'rawget', 'table expected, got ' .. given(1, ...)) end
  if select('#', ...) < 2 then argerror(2, 'rawget', 'value expected') end
  return rawget(real[t] or t, k)
end
local function s_rawset(...)
  local t, k, v = ...
  if type(t) ~= 'table' then argerror(1, 'rawset', 'table expected, got ' .. given(1, ...)) end
  if select('#', ...) < 2 then argerror(2, 'rawset', 'value expected') end
  if select('#', ...) < 3 then argerror(3, 'rawset', 'value expected') end
  if real[t] then error(RO, 0) end
  return rawset(t, k, v)
end
local function s_setmetatable(...)
  local t, mt = ...
  if type(t) ~= 'table' then
    argerror(1, 'setmetatable', 'table expected, got ' .. given(1, ...))
  end
  local tm = type(mt)
  if select('#', ...) < 2 or (tm ~= 'nil' and tm ~= 'table') then
    argerror(2, 'setmetatable', 'nil or table expected')
  end
  if real[t] then error(RO, 0) end
  local ok, e = rawpcall(setmetatable, t, mt)
  if not ok then error(e, 2) end
  return t
end
local function t_insert(t, ...)
  if real[t] then error(RO, 0) end
  return insert(t, ...)
end
local function t_remove(t, ...)
  if real[t] then error(RO, 0) end
  return remove(t, ...)
end
local function t_sort(t, ...)
  if real[t] then error(RO, 0) end
  return sort(t, ...)
end

-- redis.pcall-aware pcall: an error table becomes its message (Redis 7.0)
local function pcall_done(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    local tm = type(m)
    if tm == 'string' or tm == 'number' then return false, m end
  end
  return false, e
end
local function s_pcall(f, ...)
  return pcall_done(rawpcall(f, ...))
end

-- the count hook and coroutines --------------------------------------------
local tick = py.tick
local hook
hook = function()
  local a = tick()
  if a ~= 0 then
    local i = getinfo(2, 'S')
    if i and i.source == INTERNAL then return end
    -- from now on every line raises: pcall cannot swallow the kill
    sethook(hook, 'l')
    if a == 2 then error({err = 'ERR FUNCTION LOAD timeout'}) end
    error({err = 'ERR Script killed by user with SCRIPT KILL...'})
  end
end

local function s_create(f)
  local co = co_create(f)
  sethook(co, hook, '', HOOK_COUNT)
  return co
end
local function pack(...) return {n = select('#', ...), ...} end
local function s_wrap(f)
  local co = s_create(f)
  return function(...)
    local r = pack(co_resume(co, ...))
    if r[1] then return unpack(r, 2, r.n) end
    local e = r[2]
    if type(e) == 'string' then error(e, 2) end
    error(e, 0)
  end
end

-- errors: where in the user's code --------------------------------------------
local function handler(err)
  sethook()
  local level = 2
  local i = getinfo(level, 'Sl')
  if i and i.what == 'C' then level = 3; i = getinfo(level, 'Sl') end
  while i and i.source == INTERNAL do level = level + 1; i = getinfo(level, 'Sl') end
  if type(err) ~= 'table' then
    err = tostring(err)
    if i then err = (gsub(err, '^redlet:%d+:', i.short_src .. ':' .. i.currentline .. ':')) end
    err = {err = 'ERR ' .. err}
  end
  if i then
    err.source = i.source
    err.line = i.currentline
  end
  return err
end

-- Redis -> Lua error tables (luaPushErrorBuff) ---------------------------------
local function trim(s) return (gsub(gsub(s, '^[\r\n]+', ''), '[\r\n]+$', '')) end
local function error_text(s)
  if sub(s, 1, 1) ~= '-' then s = '-' .. s end
  local sp = find(s, ' ', 1, true)
  if not sp then return 'ERR ' .. trim(sub(s, 2)) end
  return sub(s, 2, sp - 1) .. ' ' .. trim(sub(s, sp + 1))
end

-- Lua -> RESP -----------------------------------------------------------------
local resp = 2            -- redis.setresp()
local caller3 = false     -- the caller speaks RESP3
local buf, bn
local LIMIT = 8000
local function emit(s) bn = bn + 1; buf[bn] = s end
local function null() if caller3 then emit('_\r\n') else emit('$-1\r\n') end end
local function clean(s) return (gsub(s, '[\r\n]', ' ')) end
local INT_MIN = '-9223372036854775808'
local function integer(n)
  if n ~= n or n >= 9223372036854775808 or n < -9223372036854775808 then return INT_MIN end
  return fmt('%d', n)
end
local function double(d)
  local s
  if d == huge then s = 'inf' elseif d == -huge then s = '-inf' else s = fmt('%.17g', d) end
  if caller3 then emit(',' .. s .. '\r\n') else emit('$' .. #s .. '\r\n' .. s .. '\r\n') end
end

local conv
conv = function(v, pos)
  if pos + 4 > LIMIT then emit('-ERR reached lua stack limit\r\n') return end
  local t = type(v)
  if t == 'string' then
    emit('$' .. #v .. '\r\n'); emit(v); emit('\r\n')
  elseif t == 'number' then
    emit(':' .. integer(v) .. '\r\n')
  elseif t == 'boolean' then
    if resp == 2 then
      if v then emit(':1\r\n') else null() end
    elseif caller3 then
      emit(v and '#t\r\n' or '#f\r\n')
    else
      emit(v and ':1\r\n' or ':0\r\n')
    end
  elseif t == 'table' then
    local x = rawget(v, 'err')
    if type(x) == 'string' then emit('-' .. clean(x) .. '\r\n') return end
    x = rawget(v, 'ok')
    if type(x) == 'string' then emit('+' .. clean(x) .. '\r\n') return end
    x = rawget(v, 'double')
    if type(x) == 'number' then double(x) return end
    x = rawget(v, 'big_number')
    if type(x) == 'string' then
      x = clean(x)
      if caller3 then emit('(' .. x .. '\r\n') else emit('$' .. #x .. '\r\n' .. x .. '\r\n') end
      return
    end
    x = rawget(v, 'verbatim_string')
    if type(x) == 'table' then
      local f, s = rawget(x, 'format'), rawget(x, 'string')
      if type(f) == 'string' and type(s) == 'string' then
        if caller3 then emit('=' .. (#s + 4) .. '\r\n' .. sub(f .. '   ', 1, 3) .. ':')
        else emit('$' .. #s .. '\r\n') end
        emit(s); emit('\r\n')
        return
      end
    end
    x = rawget(v, 'map')
    if type(x) == 'table' then
      bn = bn + 1
      local slot, n = bn, 0
      for k, val in next, x do
        conv(k, pos + 4); conv(val, pos + 3); n = n + 1
      end
      buf[slot] = caller3 and ('%' .. n .. '\r\n') or ('*' .. (2 * n) .. '\r\n')
      return
    end
    x = rawget(v, 'set')
    if type(x) == 'table' then
      bn = bn + 1
      local slot, n = bn, 0
      for k in next, x do conv(k, pos + 3); n = n + 1 end
      buf[slot] = (caller3 and '~' or '*') .. n .. '\r\n'
      return
    end
    bn = bn + 1
    local slot, n = bn, 0
    while true do
      local e = rawget(v, n + 1)
      if e == nil then break end
      conv(e, pos + 1)
      n = n + 1
    end
    buf[slot] = '*' .. n .. '\r\n'
  else
    null()
  end
end

local function convert(v)
  buf, bn = {}, 0
  conv(v, 2)
  local out = concat(buf, '', 1, bn)
  buf = nil
  return out
end

local funcname = '?'
local function outcome(ok, r)
  sethook()
  if ok then
    if type(r) == 'table' then
      local e = rawget(r, 'err')
      if type(e) == 'string' then return rawget(r, 'ignore_error_stats_update') and 'E' or 'e', e end
    end
    return 'r', convert(r)
  end
  if type(r) ~= 'table' then
    return 'e', 'ERR Error running script ' .. funcname .. ', ' .. sub(tostring(r), 1, 100) .. ' '
  end
  local msg, src, line = r.err, r.source, r.line
  local tm = type(msg)
  if tm ~= 'string' and tm ~= 'number' then msg = 'ERR unknown error' end
  msg = tostring(msg)
  local ts, tl = type(src), type(line)
  if (ts == 'string' or ts == 'number') and (tl == 'string' or tl == 'number') then
    msg = msg .. ' script: ' .. funcname .. ', on ' .. tostring(src) .. ':' .. tostring(line) .. '.'
  end
  -- 'E': an error of a command the script called, already in the error stats
  return rawget(r, 'ignore_error_stats_update') and 'E' or 'e', msg
end

-- the redis library -------------------------------------------------------------
local E_NOARGS = 'ERR Please specify at least one argument for this redis lib call'
local E_ARGTYPE = 'ERR Lua redis lib command arguments must be strings or integers'
local function prepare(...)
  local n = select('#', ...)
  if n == 0 then return nil, E_NOARGS end
  local a = {...}
  for i = 1, n do
    local x = a[i]
    local tx = type(x)
    if tx == 'number' then a[i] = fmt('%.17g', x)
    elseif tx ~= 'string' then return nil, E_ARGTYPE end
  end
  return a, n
end

local pycall = py.call
local function redis_call(...)
  local a, n = prepare(...)
  if not a then error({err = n}) end
  local ok, v = pycall(unpack(a, 1, n))
  if ok then return v end
  error({err = error_text(v), ignore_error_stats_update = true})
end
local function redis_pcall(...)
  local a, n = prepare(...)
  if not a then return {err = n} end
  local ok, v = pycall(unpack(a, 1, n))
  if ok then return v end
  return {err = error_text(v), ignore_error_stats_update = true}
end

local function trunc(n)
  n = tonumber(n) or 0
  if n ~= n then return -2147483648 end
  if n >= 0 then return floor(n) end
  return -floor(-n)
end

local function redis_setresp(...)
  if select('#', ...) ~= 1 then error({err = 'ERR redis.setresp() requires one argument.'}) end
  local r = trunc((...))
  if r ~= 2 and r ~= 3 then error({err = 'ERR RESP version must be 2 or 3.'}) end
  resp = r
  py.setresp(r)
end

local function redis_log(...)
  local n = select('#', ...)
  if n < 2 then error({err = 'ERR redis.log() requires two arguments or more.'}) end
  local level = ...
  if tonumber(level) == nil then
    error({err = 'ERR First argument must be a number (log level).'})
  end
  level = trunc(level)
  if level < 0 or level > 3 then error({err = 'ERR Invalid debug level.'}) end
  local parts, np = {}, 0
  for i = 2, n do
    local x = (select(i, ...))
    local tx = type(x)
    if tx == 'string' or tx == 'number' then np = np + 1; parts[np] = tostring(x) end
  end
  py.log(level, concat(parts, ' '))
end

local function redis_sha1hex(...)
  if select('#', ...) ~= 1 then error({err = 'ERR wrong number of arguments'}) end
  local s = ...
  local ts = type(s)
  if ts == 'number' then s = tostring(s) elseif ts ~= 'string' then s = '' end
  return py.sha1hex(s)
end

local WRONG = 'ERR wrong number or type of arguments'
local function redis_error_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return {err = WRONG} end
  return {err = error_text(s)}
end
local function redis_status_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return {err = WRONG} end
  return {ok = s}
end

local function redis_set_repl(...)
  if select('#', ...) ~= 1 then error({err = 'ERR redis.set_repl() requires two arguments.'}) end
  local f = trunc((...))
  if f ~= 0 and f ~= 1 and f ~= 2 and f ~= 3 then
    error({err = 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.'})
  end
  py.set_repl(f)
end

local function redis_acl_check_cmd(...)
  local a, n = prepare(...)
  if not a then error({err = n}) end
  local ok, v = py.acl_check(unpack(a, 1, n))
  if ok then return v end
  error({err = v})
end

local function redis_table(api)
  local r = {
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REDIS_VERSION = VERSION, REDIS_VERSION_NUM = VERSION_NUM,
  }
  for k, v in next, api do r[k] = v end
  return r
end

local RUN_LIB = {
  call = redis_call, pcall = redis_pcall, setresp = redis_setresp, log = redis_log,
  sha1hex = redis_sha1hex, error_reply = redis_error_reply,
  status_reply = redis_status_reply, set_repl = redis_set_repl,
  acl_check_cmd = redis_acl_check_cmd,
  REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
}
if mode == 'eval' then
  RUN_LIB.replicate_commands = function() return true end
  RUN_LIB.breakpoint = function() return false end
  RUN_LIB.debug = function() end
end

-- the globals ---------------------------------------------------------------------
local function missing(t, k)
  local tk = type(k)
  if tk ~= 'string' and tk ~= 'number' then
    error('Second argument to luaProtectedTableError must be a string or number', 2)
  end
  error(fmt("Script attempted to access nonexistent global variable '%s'", tostring(k)), 2)
end
local function api_table() return setmetatable({}, {__index = missing}) end

local string_p = readonly(string)
local table_lib = {}
for k, v in next, table do table_lib[k] = v end
table_lib.insert, table_lib.remove, table_lib.sort = t_insert, t_remove, t_sort
local libs = {
  string = string_p, table = readonly(table_lib), math = readonly(math),
  coroutine = readonly({create = s_create, wrap = s_wrap, resume = co_resume,
                        running = coroutine.running, status = coroutine.status,
                        yield = coroutine.yield}),
  bit = readonly(py.libs.bit), struct = readonly(py.libs.struct),
  cjson = readonly(py.libs.cjson), cmsgpack = readonly(py.libs.cmsgpack),
}
-- strings index the read-only string library; their metatable is hidden
local smt = getmetatable('')
smt.__index = string_p
smt.__metatable = readonly({__index = string_p})

-- chunks compiled by scripts see the sandbox, never the real globals
local G
local function s_loadstring(...)
  local f, err = loadstring(...)
  if f then setfenv(f, G) end
  return f, err
end
local function s_load(...)
  local f, err = load(...)
  if f then setfenv(f, G) end
  return f, err
end

local RUN = api_table()
local base = {
  assert = assert, collectgarbage = collectgarbage, error = error, gcinfo = gcinfo,
  getmetatable = getmetatable, ipairs = ipairs, load = s_load, loadstring = s_loadstring,
  next = s_next, pairs = s_pairs, pcall = s_pcall, rawequal = rawequal, rawget = s_rawget,
  rawset = s_rawset, select = select, setmetatable = s_setmetatable, tonumber = tonumber,
  tostring = tostring, type = type, unpack = unpack, xpcall = xpcall, _VERSION = _VERSION,
}
for k, v in next, base do rawset(RUN, k, v) end
for k, v in next, libs do rawset(RUN, k, v) end
rawset(RUN, 'redis', readonly(redis_table(RUN_LIB)))
if mode == 'eval' then rawset(RUN, '__redis__err__handler', handler) end

local G_mt = {__newindex = deny, __metatable = FROZEN}
G = setmetatable({}, G_mt)
rawset(RUN, '_G', G)
local LOAD
local function use(api) real[G] = api; G_mt.__index = api end
use(RUN)

local entry = {}

function entry.compile(body, chunkname)
  local f, err = loadstring(body, chunkname)
  if not f then return nil, err end
  setfenv(f, G)
  return f, nil
end

function entry.run_eval(f, name, nkeys, resp3, ...)
  local all, total = {...}, select('#', ...)
  local keys, argv = {}, {}
  for i = 1, nkeys do keys[i] = all[i] end
  for i = nkeys + 1, total do argv[i - nkeys] = all[i] end
  rawset(RUN, 'KEYS', keys)
  rawset(RUN, 'ARGV', argv)
  resp, caller3, funcname = 2, resp3, name
  sethook(hook, '', HOOK_COUNT)
  return outcome(xpcall(f, handler))
end

function entry.run_function(cb, name, nkeys, resp3, ...)
  local all, total = {...}, select('#', ...)
  local keys, argv = {}, {}
  for i = 1, nkeys do keys[i] = all[i] end
  for i = nkeys + 1, total do argv[i - nkeys] = all[i] end
  resp, caller3, funcname = 2, resp3, name
  sethook(hook, '', HOOK_COUNT)
  return outcome(xpcall(function() return cb(keys, argv) end, handler))
end

if mode == 'function' then
  local FLAGS = {['no-writes'] = 1, ['allow-oom'] = 2, ['allow-stale'] = 4,
                 ['no-cluster'] = 8, ['allow-cross-slot-keys'] = 16}
  local function fail(msg) error({err = 'ERR ' .. msg}) end
  local function str(v)
    local tv = type(v)
    if tv == 'string' then return v end
    if tv == 'number' then return tostring(v) end
    return nil
  end
  local function read_flags(t)
    local f, j = 0, 1
    while true do
      local x = t[j]
      if x == nil then break end
      x = str(x)
      local bit = x and FLAGS[string.lower(x)]
      if not bit then return nil end
      if f % (bit * 2) < bit then f = f + bit end
      j = j + 1
    end
    return f
  end
  local function register(...)
    local n = select('#', ...)
    local name, cb, flags, desc = nil, nil, 0, nil
    if n == 1 then
      local t = ...
      if type(t) ~= 'table' then
        fail('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
      end
      for k, v in next, t do
        k = str(k)
        if not k then fail('named argument key given to redis.register_function is not a string') end
        k = string.lower(k)
        if k == 'function_name' then
          name = str(v)
          if not name then fail('function_name argument given to redis.register_function must be a string') end
        elseif k == 'description' then
          desc = str(v)
          if not desc then fail('description argument given to redis.register_function must be a string') end
        elseif k == 'callback' then
          if type(v) ~= 'function' then fail('callback argument given to redis.register_function must be a function') end
          cb = v
        elseif k == 'flags' then
          if type(v) ~= 'table' then fail('flags argument to redis.register_function must be a table representing function flags') end
          flags = read_flags(v)
          if not flags then fail('unknown flag given') end
        else
          fail('unknown argument given to redis.register_function')
        end
      end
      if not name then fail('redis.register_function must get a function name argument') end
      if not cb then fail('redis.register_function must get a callback argument') end
    elseif n == 2 then
      name, cb = ...
      name = str(name)
      if not name then fail('first argument to redis.register_function must be a string') end
      if type(cb) ~= 'function' then fail('second argument to redis.register_function must be a function') end
    else
      fail('wrong number of arguments to redis.register_function')
    end
    local ok, msg = py.register(name, cb, flags, desc)
    if not ok then fail(msg) end
  end
  LOAD = api_table()
  rawset(LOAD, 'redis', readonly(redis_table({log = redis_log, register_function = register})))

  -- runs a library's code with only the loading API visible (its
  -- redis.register_function calls reach py.register); returns 'ok', or
  -- 'c' (compile error) / 'e' (error while loading) and a message
  function entry.load_library(body)
    local f, err = loadstring(body, '@user_function')
    if not f then return 'c', err end
    setfenv(f, G)
    use(LOAD)
    sethook(hook, '', HOOK_COUNT)
    local ok, r = xpcall(f, handler)
    sethook()
    use(RUN)
    if ok then return 'ok' end
    if type(r) == 'table' then
      local m = r.err
      if type(m) == 'string' or type(m) == 'number' then return 'e', tostring(m) end
      return 'e', 'ERR unknown error'
    end
    return 'e', 'ERR ' .. tostring(r)
  end
end

entry.null = py.libs.cjson.null
return entry
"""
