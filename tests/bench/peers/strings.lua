-- strings: building, concatenating and comparing strings (the peer of programs/strings.nano).
local function key(i)
  return "key" .. tostring(i * 7919 % 100003)
end

local function compare(a, b)
  if a < b then
    return -1
  elseif a == b then
    return 0
  end
  return 1
end

local function run(rounds)
  local check, less = 0, 0
  local prev, prev_line = "", ""
  for r = 0, rounds - 1 do
    local line = ""
    for j = 0, 39 do
      local k = key(r * 40 + j)
      if compare(k, prev) < 0 then
        less = less + 1
      end
      if k == prev then
        check = check + 1
      end
      line = line .. k .. ","
      prev = k
    end
    local n = #line
    check = (check * 7 + n + line:byte(r % n + 1) + compare(line, prev_line) + 1) % 1000000007
    prev_line = line
  end
  return string.format("%d %d", check, less)
end

local rounds = tonumber(arg[1]) or 16000
print("strings " .. run(rounds))
