-- loop: integer arithmetic in two nested loops (the peer of programs/loop.nano).
local function mix(rounds)
  local s = 1
  for i = 0, rounds - 1 do
    local j = 0
    while j < 1000 do
      s = (s * 37 + i * j + j % 11) % 999983
      j = j + 1
    end
  end
  return s
end

local rounds = tonumber(arg[1]) or 8000
print(string.format("loop %d", mix(rounds)))
