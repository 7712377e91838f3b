-- sieve: the sieve of Eratosthenes over a table of booleans (the peer of programs/sieve.nano).
-- flags[k] stands for the number k; 0 and 1 are never looked at.
local function summary(limit)
  local flags = {}
  for k = 1, limit - 1 do
    flags[k] = true
  end
  local p = 2
  while p * p < limit do
    if flags[p] then
      for m = p * p, limit - 1, p do
        flags[m] = false
      end
    end
    p = p + 1
  end
  local count, sum = 0, 0
  for k = 2, limit - 1 do
    if flags[k] then
      count = count + 1
      sum = sum + k
    end
  end
  return string.format("%d %d", count, sum)
end

local limit = tonumber(arg[1]) or 3000000
print("sieve " .. summary(limit))
