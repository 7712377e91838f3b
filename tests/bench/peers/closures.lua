-- closures: the peer of programs/closures.nano: 16 adders from a factory applied through map,
-- filter and reduce with capturing functions, a counter closure, a chain of 64 composed adders.
local function make_adder(n) return function(x) return x + n end end
local function compose(f, g) return function(x) return g(f(x)) end end
local function make_counter()
  local cell = 0
  return function() cell = cell + 1; return cell end
end
local function map(a, f) local r = {} for i = 1, #a do r[i] = f(a[i]) end return r end
local function filter(a, f) local r = {} for i = 1, #a do if f(a[i]) then r[#r + 1] = a[i] end end return r end
local function reduce(a, init, f) local acc = init for i = 1, #a do acc = f(acc, a[i]) end return acc end

local n = tonumber(arg[1]) or 300000
local xs = {}
for i = 0, n - 1 do xs[i + 1] = (i * 7919) % 1000 end
local adders = {}
for i = 0, 15 do adders[i + 1] = make_adder(i) end
local k = 3
local mapped = map(xs, function(v) return adders[v % 16 + 1](v * k) end)
local evens = filter(mapped, function(v) return v % 2 == 0 end)
local h = reduce(evens, 0, function(acc, v) return (acc * 31 + v) % 1000000007 end)
local counter = make_counter()
local c = 0
for i = 1, n do c = counter() end
local chain = function(x) return x end
for i = 1, 64 do chain = compose(chain, make_adder(1)) end
local s = 0
for i = 0, math.floor(n / 16) - 1 do s = s + chain(i) end
print(string.format("closures %d %d %d", h, c, s))
