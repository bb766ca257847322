"""The libraries Redis preloads in its Lua states: cjson, cmsgpack, bit, struct.

cjson and cmsgpack are written in Lua (``CJSON``, ``CMSGPACK``) because their
output follows the iteration order of Lua tables, which only the Lua state
knows; ``bit`` and ``struct`` are thin Lua wrappers (argument checks with the
C libraries' error texts) around Python code (``bit_op``, ``struct_call``).
Each chunk is compiled as ``=redlet`` and returns its library table; errors
are raised at the level of the script's call, so that they read
``user_script:1: ...`` as the C libraries' ``luaL_error`` does.

Reimplementations of lua-cjson 2.1.0, lua-cmsgpack 0.4.0, LuaBitOp and
Roberto Ierusalimschy's struct library, written from their documented
behaviour and checked against redis-server.
"""
import math
import struct as _struct

# -- cjson ----------------------------------------------------------------------
CJSON = r"""
local py = ...
local type, tostring, tonumber, select, error, rawget, rawset, next, setmetatable, rawpcall, newproxy =
      type, tostring, tonumber, select, error, rawget, rawset, next, setmetatable, pcall, newproxy
local fmt, byte, char, sub, find, gsub, lower = string.format, string.byte, string.char,
      string.sub, string.find, string.gsub, string.lower
local concat = table.concat
local floor, huge = math.floor, math.huge

local null = newproxy(false)
local FAIL = {}
local function fail(msg) error({[FAIL] = msg}, 0) end
local function finish(ok, r)
  if ok then return r end
  -- called in tail position: level 2 is the script calling cjson
  if type(r) == 'table' and rawget(r, FAIL) then error(rawget(r, FAIL), 2) end
  error(r, 0)
end

local ESC = {}
for i = 0, 31 do ESC[char(i)] = fmt('\\u%04x', i) end
ESC['\b'] = '\\b'; ESC['\t'] = '\\t'; ESC['\n'] = '\\n'; ESC['\f'] = '\\f'; ESC['\r'] = '\\r'
ESC['"'] = '\\"'; ESC['\\'] = '\\\\'; ESC['/'] = '\\/'; ESC[char(127)] = '\\u007f'

local WS = {[' '] = true, ['\t'] = true, ['\r'] = true, ['\n'] = true}
local SINGLE = {['{'] = 'T_OBJ_BEGIN', ['}'] = 'T_OBJ_END', ['['] = 'T_ARR_BEGIN',
                [']'] = 'T_ARR_END', [':'] = 'T_COLON', [','] = 'T_COMMA'}
local UNKNOWN = {}
do
  local starts = 'fiInNt"+-0123456789'
  for i = 1, #starts do UNKNOWN[sub(starts, i, i)] = true end
end
local UNESC = {['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n',
               r = '\r', t = '\t'}

local function utf8(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xC0 + floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then
    return char(0xE0 + floor(cp / 4096), 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
  end
  return char(0xF0 + floor(cp / 262144), 0x80 + floor(cp / 4096) % 64,
              0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
end

local function new()
  local cfg = {sparse_convert = false, sparse_ratio = 2, sparse_safe = 10, encode_depth = 1000,
               decode_depth = 1000, precision = 14, encode_invalid = false,
               decode_invalid = true, keep_buffer = true}
  local M = {_NAME = 'cjson', _VERSION = '2.1.0', null = null}

  local function number(n)
    if n ~= n or n == huge or n == -huge then
      local ei = cfg.encode_invalid
      if ei == false then fail('Cannot serialise number: must not be NaN or Inf') end
      if ei == 'null' then return 'null' end
      if n ~= n then return 'NaN' end
      return n > 0 and 'Infinity' or '-Infinity'
    end
    return fmt('%.' .. cfg.precision .. 'g', n)
  end
  local function str(s) return '"' .. (gsub(s, '[%c"\\/]', ESC)) .. '"' end

  local out, on
  local function put(s) on = on + 1; out[on] = s end
  local function array_len(t)
    local max, items = 0, 0
    for k in next, t do
      if type(k) == 'number' and k >= 1 and floor(k) == k then
        if k > max then max = k end
        items = items + 1
      else
        return -1
      end
    end
    if cfg.sparse_ratio > 0 and max > items * cfg.sparse_ratio and max > cfg.sparse_safe then
      if not cfg.sparse_convert then fail('Cannot serialise table: excessively sparse array') end
      return -1
    end
    return max
  end
  local value
  value = function(v, depth)
    local t = type(v)
    if t == 'string' then put(str(v))
    elseif t == 'number' then put(number(v))
    elseif t == 'boolean' then put(v and 'true' or 'false')
    elseif t == 'nil' or v == null then put('null')
    elseif t == 'table' then
      depth = depth + 1
      if depth > cfg.encode_depth then fail(fmt('Cannot serialise, excessive nesting (%d)', depth)) end
      local len = array_len(v)
      if len > 0 then
        put('[')
        for i = 1, len do
          if i > 1 then put(',') end
          value(rawget(v, i), depth)
        end
        put(']')
      else
        put('{')
        local comma = false
        for k, x in next, v do
          if comma then put(',') else comma = true end
          local tk = type(k)
          if tk == 'string' then put(str(k))
          elseif tk == 'number' then put('"' .. number(k) .. '"')
          else fail(fmt('Cannot serialise %s: table key must be a number or string', tk)) end
          put(':')
          value(x, depth)
        end
        put('}')
      end
    else
      fail(fmt('Cannot serialise %s: type not supported', t))
    end
  end
  local function encode(v)
    out, on = {}, 0
    value(v, 0)
    local s = concat(out, '', 1, on)
    out = nil
    return s
  end
  function M.encode(...)
    if select('#', ...) ~= 1 then error("bad argument #1 to 'encode' (expected 1 argument)", 2) end
    return finish(rawpcall(encode, (...)))
  end

  -- decoding ------------------------------------------------------------------
  local s, len, pos, depth
  local tok_type, tok_value, tok_index
  local function settok(ty, v, index) tok_type, tok_value, tok_index = ty, v, index end
  local function invalid_number(p)
    local c = sub(s, p, p)
    if c == '+' then return true end
    if c == '-' then p = p + 1; c = sub(s, p, p) end
    if c == '0' then
      local c2 = sub(s, p + 1, p + 1)
      return lower(c2) == 'x' or find(c2, '^%d') ~= nil
    elseif c ~= '' and byte(c) <= 57 then
      return false
    end
    local w = lower(sub(s, p, p + 2))
    return w == 'inf' or w == 'nan'
  end
  -- the extent of the number strtod() would read at p
  local function strtod(p)
    local q = p
    local c = sub(s, q, q)
    if c == '+' or c == '-' then q = q + 1 end
    local rest = lower(sub(s, q, q + 7))
    local stop
    if sub(rest, 1, 8) == 'infinity' then stop = q + 7
    elseif sub(rest, 1, 3) == 'inf' then stop = q + 2
    elseif sub(rest, 1, 3) == 'nan' then
      stop = q + 2
      local _, e = find(s, '^%([%w_]*%)', q + 3)
      if e then stop = e end
    elseif sub(rest, 1, 2) == '0x' and find(s, '^%x', q + 2) or
           (sub(rest, 1, 3) == '0x.' and find(s, '^%x', q + 3)) then
      local _, e = find(s, '^0[xX]%x*', q)
      local _, e2 = find(s, '^%.%x*', e + 1)
      if e2 then e = e2 end
      local _, e3 = find(s, '^[pP][+-]?%d+', e + 1)
      stop = e3 or e
    else
      local _, e = find(s, '^%d+', q)
      local _, e2 = find(s, '^%.%d*', (e or q - 1) + 1)
      if not e and not (e2 and e2 > q) then return nil end
      stop = e2 or e
      local _, e3 = find(s, '^[eE][+-]?%d+', stop + 1)
      if e3 then stop = e3 end
    end
    return tonumber(sub(s, p, stop)), stop + 1
  end
  local function next_token()
    local c
    while true do
      c = sub(s, pos, pos)
      if not WS[c] then break end
      pos = pos + 1
    end
    local index = pos
    if c == '' or c == '\0' then return settok('T_END', nil, index) end
    local single = SINGLE[c]
    if single then pos = pos + 1; return settok(single, nil, index) end
    if not UNKNOWN[c] then return settok('T_ERROR', 'invalid token', index) end
    if c == '"' then
      local parts, np = {}, 0
      local p = pos + 1
      while true do
        local q = find(s, '["\\%z]', p)
        if not q then return settok('T_ERROR', 'unexpected end of string', len + 1) end
        if q > p then np = np + 1; parts[np] = sub(s, p, q - 1) end
        local ch = sub(s, q, q)
        if ch == '"' then pos = q + 1; break end
        if ch == '\0' then return settok('T_ERROR', 'unexpected end of string', q) end
        local e = sub(s, q + 1, q + 1)
        if e == 'u' then
          local h = sub(s, q + 2, q + 5)
          local cp = #h == 4 and find(h, '^%x%x%x%x$') and tonumber(h, 16)
          local used = 6
          if cp and cp >= 0xD800 and cp < 0xE000 then
            local lo = nil
            if cp < 0xDC00 and sub(s, q + 6, q + 7) == '\\u' then
              local h2 = sub(s, q + 8, q + 11)
              lo = #h2 == 4 and find(h2, '^%x%x%x%x$') and tonumber(h2, 16)
              if lo and (lo < 0xDC00 or lo >= 0xE000) then lo = nil end
            end
            if lo then cp = (cp - 0xD800) * 1024 + (lo - 0xDC00) + 0x10000; used = 12
            else cp = nil end
          end
          if not cp then return settok('T_ERROR', 'invalid unicode escape code', q) end
          np = np + 1; parts[np] = utf8(cp)
          p = q + used
        else
          local r = UNESC[e]
          if not r then return settok('T_ERROR', 'invalid escape code', q) end
          np = np + 1; parts[np] = r
          p = q + 2
        end
      end
      return settok('T_STRING', concat(parts, '', 1, np), index)
    end
    local function numtok()
      local n, e = strtod(pos)
      if not n then return settok('T_ERROR', 'invalid number', index) end
      pos = e
      return settok('T_NUMBER', n, index)
    end
    if c == '-' or find(c, '^%d') then
      if not cfg.decode_invalid and invalid_number(pos) then
        return settok('T_ERROR', 'invalid number', index)
      end
      return numtok()
    end
    if sub(s, pos, pos + 3) == 'true' then pos = pos + 4; return settok('T_BOOLEAN', true, index) end
    if sub(s, pos, pos + 4) == 'false' then pos = pos + 5; return settok('T_BOOLEAN', false, index) end
    if sub(s, pos, pos + 3) == 'null' then pos = pos + 4; return settok('T_NULL', nil, index) end
    if cfg.decode_invalid and invalid_number(pos) then return numtok() end
    return settok('T_ERROR', 'invalid token', index)
  end
  local function parse_error(expected)
    local found = tok_type == 'T_ERROR' and tok_value or tok_type
    fail(fmt('Expected %s but found %s at character %d', expected, found, tok_index))
  end
  local function descend()
    depth = depth + 1
    if depth > cfg.decode_depth then
      fail(fmt('Found too many nested data structures (%d) at character %d', depth, pos - 1))
    end
  end
  local process
  local function object()
    descend()
    local t = {}
    next_token()
    if tok_type == 'T_OBJ_END' then depth = depth - 1; return t end
    while true do
      if tok_type ~= 'T_STRING' then parse_error('object key string') end
      local k = tok_value
      next_token()
      if tok_type ~= 'T_COLON' then parse_error('colon') end
      next_token()
      rawset(t, k, process())
      next_token()
      if tok_type == 'T_OBJ_END' then depth = depth - 1; return t end
      if tok_type ~= 'T_COMMA' then parse_error('comma or object end') end
      next_token()
    end
  end
  local function array()
    descend()
    local t = {}
    next_token()
    if tok_type == 'T_ARR_END' then depth = depth - 1; return t end
    local i = 1
    while true do
      rawset(t, i, process())
      i = i + 1
      next_token()
      if tok_type == 'T_ARR_END' then depth = depth - 1; return t end
      if tok_type ~= 'T_COMMA' then parse_error('comma or array end') end
      next_token()
    end
  end
  process = function()
    local ty = tok_type
    if ty == 'T_STRING' or ty == 'T_NUMBER' or ty == 'T_BOOLEAN' then return tok_value end
    if ty == 'T_OBJ_BEGIN' then return object() end
    if ty == 'T_ARR_BEGIN' then return array() end
    if ty == 'T_NULL' then return null end
    parse_error('value')
  end
  local function decode(text)
    if #text >= 2 and (sub(text, 1, 1) == '\0' or sub(text, 2, 2) == '\0') then
      fail('JSON parser does not support UTF-16 or UTF-32')
    end
    s, len, pos, depth = text, #text, 1, 0
    next_token()
    local v = process()
    next_token()
    if tok_type ~= 'T_END' then parse_error('the end') end
    s = nil
    return v
  end
  function M.decode(...)
    local n = select('#', ...)
    if n ~= 1 then error("bad argument #1 to 'decode' (expected 1 argument)", 2) end
    local text = ...
    local tt = type(text)
    if tt == 'number' then text = tostring(text)
    elseif tt ~= 'string' then
      error("bad argument #1 to 'decode' (string expected, got " .. tt .. ")", 2)
    end
    return finish(rawpcall(decode, text))
  end

  -- configuration ---------------------------------------------------------------
  local function int_arg(fname, n, v, lo, hi)
    local x = tonumber(v)
    if not x or x < lo or x > hi or floor(x) ~= x then
      error(fmt("bad argument #%d to '%s' (expected integer between %d and %d)", n, fname, lo, hi), 3)
    end
    return x
  end
  local function bool_arg(fname, n, v, extra)
    if v == true or v == false then return v end
    if extra and v == extra then return v end
    if v == 'on' then return true elseif v == 'off' then return false end
    error(fmt("bad argument #%d to '%s' (invalid option '%s')", n, fname, tostring(v)), 3)
  end
  function M.encode_sparse_array(...)
    local n = select('#', ...)
    local a, b, c = ...
    if n >= 1 and a ~= nil then cfg.sparse_convert = bool_arg('encode_sparse_array', 1, a) end
    if n >= 2 and b ~= nil then cfg.sparse_ratio = int_arg('encode_sparse_array', 2, b, 0, 2147483647) end
    if n >= 3 and c ~= nil then cfg.sparse_safe = int_arg('encode_sparse_array', 3, c, 0, 2147483647) end
    return cfg.sparse_convert, cfg.sparse_ratio, cfg.sparse_safe
  end
  function M.encode_max_depth(v)
    if v ~= nil then cfg.encode_depth = int_arg('encode_max_depth', 1, v, 1, 2147483647) end
    return cfg.encode_depth
  end
  function M.decode_max_depth(v)
    if v ~= nil then cfg.decode_depth = int_arg('decode_max_depth', 1, v, 1, 2147483647) end
    return cfg.decode_depth
  end
  function M.encode_number_precision(v)
    if v ~= nil then cfg.precision = int_arg('encode_number_precision', 1, v, 1, 14) end
    return cfg.precision
  end
  function M.encode_keep_buffer(v)
    if v ~= nil then cfg.keep_buffer = bool_arg('encode_keep_buffer', 1, v) end
    return cfg.keep_buffer
  end
  function M.encode_invalid_numbers(v)
    if v ~= nil then cfg.encode_invalid = bool_arg('encode_invalid_numbers', 1, v, 'null') end
    return cfg.encode_invalid
  end
  function M.decode_invalid_numbers(v)
    if v ~= nil then cfg.decode_invalid = bool_arg('decode_invalid_numbers', 1, v) end
    return cfg.decode_invalid
  end
  M.new = new
  return M
end

return new()
"""

# -- cmsgpack ---------------------------------------------------------------------
CMSGPACK = r"""
local py = ...
local type, tostring, tonumber, select, error, rawget, rawset, next, rawpcall, unpack =
      type, tostring, tonumber, select, error, rawget, rawset, next, pcall, unpack
local byte, char, sub = string.byte, string.char, string.sub
local concat = table.concat
local floor, huge = math.floor, math.huge
local pack_double, unpack_float = py.pack_double, py.unpack_float

local FAIL = {}
local function fail(msg) error({[FAIL] = msg}, 0) end

local function be(n, k)
  local b = {}
  for i = k, 1, -1 do
    local r = n % 256
    b[i] = char(r)
    n = (n - r) / 256
  end
  return concat(b)
end
local function be64(n)
  local hi = floor(n / 4294967296)
  local lo = n - hi * 4294967296
  if hi < 0 then hi = hi + 4294967296 end
  return be(hi, 4) .. be(lo, 4)
end
local function enc_int(n)
  if n >= 0 then
    if n <= 127 then return char(n) end
    if n <= 0xff then return '\204' .. char(n) end
    if n <= 0xffff then return '\205' .. be(n, 2) end
    if n <= 0xffffffff then return '\206' .. be(n, 4) end
    return '\207' .. be64(n)
  end
  if n >= -32 then return char(256 + n) end
  if n >= -128 then return '\208' .. char(256 + n) end
  if n >= -32768 then return '\209' .. be(65536 + n, 2) end
  if n >= -2147483648 then return '\210' .. be(4294967296 + n, 4) end
  return '\211' .. be64(n)
end

local out, on
local function put(s) on = on + 1; out[on] = s end
local encode
local function is_array(t)
  local count, max = 0, 0
  for k in next, t do
    if type(k) ~= 'number' or k <= 0 or floor(k) ~= k or k > 2147483647 then return false end
    if k > max then max = k end
    count = count + 1
  end
  return max == count
end
encode = function(v, level)
  local t = type(v)
  if t == 'table' and level == 16 then t = 'nil' end
  if t == 'boolean' then put(v and '\195' or '\194')
  elseif t == 'number' then
    if v == floor(v) and v >= -9223372036854775808 and v < 9223372036854775808 then
      put(enc_int(v))
    else
      put(pack_double(v))
    end
  elseif t == 'string' then
    local n = #v
    if n < 32 then put(char(0xa0 + n))
    elseif n <= 0xff then put('\217' .. char(n))
    elseif n <= 0xffff then put('\218' .. be(n, 2))
    else put('\219' .. be(n, 4)) end
    put(v)
  elseif t == 'table' then
    if is_array(v) then
      local n = #v
      if n <= 15 then put(char(0x90 + n))
      elseif n <= 0xffff then put('\220' .. be(n, 2))
      else put('\221' .. be(n, 4)) end
      for i = 1, n do encode(rawget(v, i), level + 1) end
    else
      local n = 0
      for _ in next, v do n = n + 1 end
      if n <= 15 then put(char(0x80 + n))
      elseif n <= 0xffff then put('\222' .. be(n, 2))
      else put('\223' .. be(n, 4)) end
      for k, x in next, v do
        encode(k, level + 1)
        encode(x, level + 1)
      end
    end
  else
    put('\192')
  end
end

local M = {_NAME = 'cmsgpack', _VERSION = 'lua-cmsgpack 0.4.0',
           _COPYRIGHT = 'Copyright (C) 2012, Salvatore Sanfilippo',
           _DESCRIPTION = 'MessagePack C implementation for Lua'}

local function pack_all(n, ...)
  out, on = {}, 0
  for i = 1, n do encode((select(i, ...)), 0) end
  local s = concat(out, '', 1, on)
  out = nil
  return s
end
function M.pack(...)
  local n = select('#', ...)
  if n == 0 then error("bad argument #0 to 'pack' (MessagePack pack needs input.)", 2) end
  local ok, r = rawpcall(pack_all, n, ...)
  if ok then return r end
  error(r, 0)
end

-- decoding ---------------------------------------------------------------------
local s, len, p     -- p: next byte (1-based)
local EOF, BAD = {}, {}
local function need(k) if p + k - 1 > len then error(EOF, 0) end end
local function uint(k)
  need(k)
  local n = 0
  for i = p, p + k - 1 do n = n * 256 + byte(s, i) end
  p = p + k
  return n
end
local function sint(k)
  local n = uint(k)
  local half = 2 ^ (8 * k - 1)
  if n >= half then n = n - 2 * half end
  return n
end
local decode
local function raw(k) need(k); local v = sub(s, p, p + k - 1); p = p + k; return v end
local function array(n)
  local t = {}
  for i = 1, n do t[i] = decode() end
  return t
end
local function map(n)
  local t = {}
  for _ = 1, n do
    local k = decode()
    local v = decode()
    if k ~= nil and k == k then t[k] = v end
  end
  return t
end
decode = function()
  need(1)
  local c = byte(s, p)
  p = p + 1
  if c < 0x80 then return c end
  if c >= 0xe0 then return c - 256 end
  if c >= 0xa0 and c < 0xc0 then return raw(c - 0xa0) end
  if c >= 0x90 and c < 0xa0 then return array(c - 0x90) end
  if c >= 0x80 and c < 0x90 then return map(c - 0x80) end
  if c == 0xc0 then return nil end
  if c == 0xc2 then return false end
  if c == 0xc3 then return true end
  if c == 0xcc then return uint(1) end
  if c == 0xcd then return uint(2) end
  if c == 0xce then return uint(4) end
  if c == 0xcf then
    need(8)
    local hi, lo = uint(4), uint(4)
    return hi * 4294967296 + lo
  end
  if c == 0xd0 then return sint(1) end
  if c == 0xd1 then return sint(2) end
  if c == 0xd2 then return sint(4) end
  if c == 0xd3 then
    need(8)
    local hi, lo = sint(4), uint(4)
    return hi * 4294967296 + lo
  end
  if c == 0xca then return unpack_float(raw(4)) end
  if c == 0xcb then return unpack_float(raw(8)) end
  if c == 0xc4 or c == 0xd9 then return raw(uint(1)) end
  if c == 0xc5 or c == 0xda then return raw(uint(2)) end
  if c == 0xc6 or c == 0xdb then return raw(uint(4)) end
  if c == 0xdc then return array(uint(2)) end
  if c == 0xdd then return array(uint(4)) end
  if c == 0xde then return map(uint(2)) end
  if c == 0xdf then return map(uint(4)) end
  p = p - 1
  error(BAD, 0)
end

local function unpack_full(data, limit, offset)
  local all = limit == 0 and offset == 0
  if offset < 0 or limit < 0 then
    fail(string.format('Invalid request to unpack with offset of %d and limit of %d.', offset, #data))
  elseif offset > #data then
    fail(string.format('Start offset %d greater than input length %d.', offset, #data))
  end
  if all then limit = 2147483647 end
  s, len, p = data, #data, offset + 1
  local res, n = {}, 0
  while p <= len and n < limit do
    local ok, v = rawpcall(decode)
    if not ok then
      s = nil
      if v == EOF then fail('Missing bytes in input.') end
      if v == BAD then fail('Bad data format in input.') end
      error(v, 0)
    end
    n = n + 1
    res[n] = v
  end
  local left = len - p + 1
  s = nil
  if all then return n, res end
  return n, res, left == 0 and -1 or (len - left)
end

-- called in tail position: level 2 is the script calling cmsgpack
local function finish(ok, n, res, off)
  if not ok then
    if type(n) == 'table' and rawget(n, FAIL) then error(rawget(n, FAIL), 2) end
    error(n, 0)
  end
  if off == nil then return unpack(res, 1, n) end
  return off, unpack(res, 1, n)
end
local function str_arg(fname, v, n)
  local tv = type(v)
  if tv == 'string' then return v end
  if tv == 'number' then return tostring(v) end
  error("bad argument #1 to '" .. fname .. "' (string expected, got " ..
        (n < 1 and 'no value' or tv) .. ')', 3)
end
local function int_arg(fname, i, v, n, default)
  if v == nil then
    if default then return default end
  end
  local x = tonumber(v)
  if x == nil then
    error("bad argument #" .. i .. " to '" .. fname .. "' (number expected, got " ..
          (n < i and 'no value' or type(v)) .. ')', 3)
  end
  if x >= 0 then return floor(x) end
  return -floor(-x)
end
function M.unpack(...)
  local data = str_arg('unpack', (...), select('#', ...))
  return finish(rawpcall(unpack_full, data, 0, 0))
end
function M.unpack_one(...)
  local n = select('#', ...)
  local data, off = ...
  data = str_arg('unpack_one', data, n)
  off = int_arg('unpack_one', 2, off, n, 0)
  return finish(rawpcall(unpack_full, data, 1, off))
end
function M.unpack_limit(...)
  local n = select('#', ...)
  local data, limit, off = ...
  data = str_arg('unpack_limit', data, n)
  limit = int_arg('unpack_limit', 2, limit, n)
  off = int_arg('unpack_limit', 3, off, n, 0)
  return finish(rawpcall(unpack_full, data, limit, off))
end
return M
"""

# -- bit ----------------------------------------------------------------------------
BIT = r"""
local py = ...
local type, tonumber, select, error, unpack = type, tonumber, select, error, unpack
local op = py.bit_op
local function check(name, i, n, v)
  local x = tonumber(v)
  if x == nil then
    error("bad argument #" .. i .. " to '" .. name .. "' (number expected, got " ..
          (i > n and 'no value' or type(v)) .. ')', 3)
  end
  return x
end
local M = {}
local function variadic(name)
  M[name] = function(...)
    local n = select('#', ...)
    local a = {...}
    a[1] = check(name, 1, n, a[1])
    for i = n, 2, -1 do a[i] = check(name, i, n, a[i]) end
    return op(name, unpack(a, 1, n > 0 and n or 1))
  end
end
local function fixed(name, count)
  M[name] = function(...)
    local n = select('#', ...)
    local a = {...}
    for i = 1, count do a[i] = check(name, i, n, a[i]) end
    return op(name, unpack(a, 1, count))
  end
end
variadic('band'); variadic('bor'); variadic('bxor')
fixed('tobit', 1); fixed('bnot', 1); fixed('bswap', 1)
fixed('lshift', 2); fixed('rshift', 2); fixed('arshift', 2); fixed('rol', 2); fixed('ror', 2)
function M.tohex(...)
  local n = select('#', ...)
  local x, w = ...
  x = check('tohex', 1, n, x)
  if n >= 2 then w = check('tohex', 2, n, w) else w = 8 end
  return op('tohex', x, w)
end
return M
"""

# -- struct ----------------------------------------------------------------------
STRUCT = r"""
local py = ...
local select, error, type = select, error, type
local call = py.struct_call
-- called in tail position: level 2 is the script calling struct
local function results(ok, ...)
  if ok then return ... end
  error((...), 2)
end
local M = {}
function M.pack(...) return results(call('pack', select('#', ...), ...)) end
function M.unpack(...) return results(call('unpack', select('#', ...), ...)) end
function M.size(...) return results(call('size', select('#', ...), ...)) end
return M
"""


# -- Python halves --------------------------------------------------------------------
def _tobit(n):
    """LuaBitOp's argument conversion: round to an integer (2^52+2^51 trick),
    keep the low 32 bits."""
    if n != n or n in (math.inf, -math.inf):
        bits = _struct.unpack("<Q", _struct.pack("<d", n + 6755399441055744.0))[0]
    else:
        bits = _struct.unpack("<Q", _struct.pack("<d", float(n) + 6755399441055744.0))[0]
    return bits & 0xFFFFFFFF


def _sbits(b):
    b &= 0xFFFFFFFF
    return b - 0x100000000 if b & 0x80000000 else b


def bit_op(name, *args):
    name = name.decode() if isinstance(name, bytes) else name
    b = [_tobit(a) for a in args]
    x = b[0]
    if name == "band":
        for y in b[1:]:
            x &= y
    elif name == "bor":
        for y in b[1:]:
            x |= y
    elif name == "bxor":
        for y in b[1:]:
            x ^= y
    elif name == "tobit":
        pass
    elif name == "bnot":
        x = ~x
    elif name == "bswap":
        x = int.from_bytes(x.to_bytes(4, "little"), "big")
    elif name == "tohex":
        n = _sbits(b[1])
        digits = "0123456789abcdef"
        if n < 0:
            n = -n
            digits = digits.upper()
        if n > 8:
            n = 8
        out = []
        for _ in range(n):
            out.append(digits[x & 15])
            x >>= 4
        return "".join(reversed(out)).encode()
    else:
        n = b[1] & 31
        if name == "lshift":
            x = x << n
        elif name == "rshift":
            x = x >> n
        elif name == "arshift":
            x = _sbits(x) >> n
        elif name == "rol":
            x = (x << n) | (x >> (32 - n)) if n else x
        elif name == "ror":
            x = (x >> n) | (x << (32 - n)) if n else x
    return float(_sbits(x))


def pack_double(d):
    """cmsgpack: a float32 when the value survives the round trip, else a float64."""
    try:
        f = _struct.unpack(">f", _struct.pack(">f", d))[0]
    except OverflowError:
        f = None
    if f is not None and f == d:
        return b"\xca" + _struct.pack(">f", d)
    return b"\xcb" + _struct.pack(">d", d)


def unpack_float(b):
    return _struct.unpack(">f" if len(b) == 4 else ">d", b)[0]


# struct ---------------------------------------------------------------------------
_MAXINTSIZE = 32
_MAXALIGN = 8
_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "f": 4, "d": 8, "x": 1}


class StructError(Exception):
    pass


def _lua_type(v, present=True):
    if not present:
        return "no value"
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (bytes, str)):
        return "string"
    if isinstance(v, (int, float)):
        return "number"
    try:
        import lupa.lua51 as _l
        return _l.lua_type(v) or "userdata"
    except Exception:
        return "userdata"


def _lua_tonumber(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, bytes):
        t = v.strip(b" \t\n\r\f\v")
        try:
            low = t.lower().lstrip(b"+-")
            if low.startswith(b"0x"):
                n = int(t, 16)
                return float(n)
            return float(t)
        except ValueError:
            return None
    return None


def _num_to_str(v):
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e15:
            return b"%d" % int(v)
        return (b"%.14g" % v)
    return b"%d" % v


def struct_call(name, nargs, *args):
    """struct.pack/unpack/size; returns (True, results...) or (False, message)."""
    name = name.decode() if isinstance(name, bytes) else name
    args = list(args) + [None] * max(0, nargs - len(args))
    try:
        if name == "pack":
            return (True, _pack(nargs, args))
        if name == "unpack":
            return (True,) + tuple(_unpack(nargs, args))
        return (True, _size(nargs, args))
    except StructError as e:
        return (False, str(e).encode())


def _arg_error(n, fname, msg):
    raise StructError("bad argument #%d to '%s' (%s)" % (n, fname, msg))


def _check_string(nargs, args, i, fname, mark_nil=False):
    present = i <= nargs
    v = args[i - 1] if present else None
    if isinstance(v, bytes):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _num_to_str(v)
    got = _lua_type(v, present or (mark_nil and i == nargs + 1))
    _arg_error(i, fname, "string expected, got %s" % got)


def _check_number(nargs, args, i, fname):
    present = i <= nargs
    v = args[i - 1] if present else None
    n = _lua_tonumber(v) if present else None
    if n is None:
        # pack pushes a nil right after its arguments
        got = _lua_type(v, present or i == nargs + 1)
        _arg_error(i, fname, "number expected, got %s" % got)
    return n


class _Fmt:
    def __init__(self, fmt, fname):
        self.s = fmt.decode("latin-1")
        self.i = 0
        self.fname = fname
        self.little = True
        self.align = 1

    def more(self):
        return self.i < len(self.s)

    def next_opt(self):
        c = self.s[self.i]
        self.i += 1
        return c

    def getnum(self, default):
        if self.i >= len(self.s) or not self.s[self.i].isdigit():
            return default
        a = 0
        while self.i < len(self.s) and self.s[self.i].isdigit():
            a = a * 10 + int(self.s[self.i])
            if a > 2147483647:
                raise StructError("integral size overflow")
            self.i += 1
        return a

    def optsize(self, opt):
        if opt in _SIZES:
            return _SIZES[opt]
        if opt == "c":
            return self.getnum(1)
        if opt in "iI":
            sz = self.getnum(4)
            if sz > _MAXINTSIZE:
                raise StructError("integral size %d is larger than limit of %d" % (sz, _MAXINTSIZE))
            return sz
        return 0

    def toalign(self, length, opt, size):
        if size == 0 or opt == "c":
            return 0
        if size > self.align:
            size = self.align
        return (size - (length & (size - 1))) & (size - 1)

    def control(self, opt):
        if opt == " ":
            return
        if opt == ">":
            self.little = False
        elif opt == "<":
            self.little = True
        elif opt == "=":
            self.little = True
        elif opt == "!":
            a = self.getnum(_MAXALIGN)
            if a == 0 or a & (a - 1):
                raise StructError("alignment %d is not a power of 2" % a)
            self.align = a
        else:
            _arg_error(1, self.fname, "invalid format option '%s'" % opt)


def _pack(nargs, args):
    f = _Fmt(_check_string(nargs, args, 1, "pack"), "pack")
    out = bytearray()
    arg = 2
    while f.more():
        opt = f.next_opt()
        size = f.optsize(opt)
        pad = f.toalign(len(out), opt, size)
        out += b"\0" * pad
        if opt in "bBhHlLTiI":
            n = _check_number(nargs, args, arg, "pack")
            arg += 1
            try:
                value = int(n) & 0xFFFFFFFFFFFFFFFF
            except (OverflowError, ValueError):
                value = 1 << 63
            value &= (1 << (8 * size)) - 1 if size else 0
            out += value.to_bytes(size, "little" if f.little else "big") if size else b""
        elif opt == "x":
            out += b"\0"
        elif opt in "fd":
            n = float(_check_number(nargs, args, arg, "pack"))
            arg += 1
            code = ("<" if f.little else ">") + opt
            try:
                out += _struct.pack(code, n)
            except OverflowError:
                out += _struct.pack(code, math.copysign(math.inf, n))
        elif opt in "cs":
            s = _check_string(nargs, args, arg, "pack", mark_nil=True)
            arg += 1
            if size == 0:
                size = len(s)
            if len(s) < size:
                _arg_error(arg, "pack", "string too short")
            out += s[:size]
            if opt == "s":
                out += b"\0"
        else:
            f.control(opt)
    return bytes(out)


def _unpack(nargs, args):
    f = _Fmt(_check_string(nargs, args, 1, "unpack"), "unpack")
    data = _check_string(nargs, args, 2, "unpack")
    ld = len(data)
    init = 1
    if nargs >= 3 and args[2] is not None:
        init = _check_number(nargs, args, 3, "unpack")
        init = int(init)
    pos = init - 1
    if pos < 0 or pos > ld:
        _arg_error(3, "unpack", "offset must be 1 or greater")
    results = []
    while f.more():
        opt = f.next_opt()
        size = f.optsize(opt)
        pos += f.toalign(pos, opt, size)
        if not (size <= ld and pos <= ld - size):
            _arg_error(2, "unpack", "data string too short")
        if opt in "bBhHlLTiI":
            chunk = data[pos:pos + size]
            if size > 8:     # a 64-bit accumulator keeps 8 of the bytes
                chunk = chunk[:8] if f.little else chunk[-8:]
            v = int.from_bytes(chunk, "little" if f.little else "big")
            if opt.islower() and size:
                # the C sign mask, shift count taken modulo 64 as x86 does
                mask = (0xFFFFFFFFFFFFFFFF << ((size * 8 - 1) % 64)) & 0xFFFFFFFFFFFFFFFF
                if v & mask:
                    v |= mask
                if v & (1 << 63):
                    v -= 1 << 64
            results.append(float(v))
        elif opt == "x":
            pass
        elif opt in "fd":
            code = ("<" if f.little else ">") + opt
            results.append(_struct.unpack(code, data[pos:pos + size])[0])
        elif opt == "c":
            if size == 0:
                prev = results[-1] if results else None
                if not isinstance(prev, (int, float)) and _lua_tonumber(prev) is None:
                    raise StructError("format 'c0' needs a previous size")
                size = int(_lua_tonumber(prev))
                results.pop()
                if not (size <= ld and pos <= ld - size):
                    _arg_error(2, "unpack", "data string too short")
            results.append(data[pos:pos + size])
        elif opt == "s":
            e = data.find(b"\0", pos)
            if e < 0:
                raise StructError("unfinished string in data")
            size = e - pos + 1
            results.append(data[pos:e])
        else:
            f.control(opt)
        pos += size
    results.append(pos + 1)
    return results


def _size(nargs, args):
    f = _Fmt(_check_string(nargs, args, 1, "size"), "size")
    pos = 0
    while f.more():
        opt = f.next_opt()
        size = f.optsize(opt)
        pos += f.toalign(pos, opt, size)
        if opt == "s":
            _arg_error(1, "size", "option 's' has no fixed size")
        elif opt == "c" and size == 0:
            _arg_error(1, "size", "option 'c0' has no fixed size")
        if not opt.isalnum():
            f.control(opt)
        pos += size
    return pos
