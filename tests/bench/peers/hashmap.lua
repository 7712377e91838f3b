-- hashmap: tables with int and with string keys (the peer of programs/hashmap.nano): inserts,
-- then lookups that test for the key before reading it.
local function int_key(i)
  return i * 7919 % 1000003
end

local function str_key(i)
  return "s" .. tostring(i * 31 % 1000003)
end

local function fill_and_look_up(n, key)
  local m, size = {}, 0
  for i = 0, n - 1 do
    local k = key(i)
    if m[k] == nil then
      size = size + 1
    end
    m[k] = i
  end
  local c = 0
  for j = 0, 2 * n - 1 do
    local k = key(j)
    if m[k] ~= nil then
      c = (c * 3 + m[k]) % 1000000007
    else
      c = c + 1
    end
  end
  return (c * 7 + size) % 1000000007
end

local n = tonumber(arg[1]) or 500000
local a = fill_and_look_up(n, int_key)
local b = fill_and_look_up(math.floor(n / 4), str_key)
print(string.format("hashmap %d %d", a, b))
