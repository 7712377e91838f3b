-- sort: an in-place quicksort of pseudo-random ints (the peer of programs/sort.nano): the same
-- generator, median-of-three pivot, Hoare partition, recursion into the smaller part, insertion
-- sort below 16 elements.  The array is 1-based.
local floor = math.floor

local function random_array(n)
  local a, x = {}, 12345
  for i = 1, n do
    x = (x * 48271) % 2147483647
    a[i] = x
  end
  return a
end

local function insertion_sort(a, lo, hi)
  for i = lo + 1, hi do
    local v = a[i]
    local j = i - 1
    while j >= lo and a[j] > v do
      a[j + 1] = a[j]
      j = j - 1
    end
    a[j + 1] = v
  end
end

local function order3(a, lo, mid, hi)
  if a[mid] < a[lo] then
    a[mid], a[lo] = a[lo], a[mid]
  end
  if a[hi] < a[mid] then
    a[hi], a[mid] = a[mid], a[hi]
    if a[mid] < a[lo] then
      a[mid], a[lo] = a[lo], a[mid]
    end
  end
end

local function partition(a, lo, hi, pivot)
  local i, j = lo - 1, hi + 1
  while true do
    i = i + 1
    while a[i] < pivot do
      i = i + 1
    end
    j = j - 1
    while a[j] > pivot do
      j = j - 1
    end
    if i >= j then
      return j
    end
    a[i], a[j] = a[j], a[i]
  end
end

local function quicksort(a, lo, hi)
  while hi - lo >= 16 do
    local mid = lo + floor((hi - lo) / 2)
    order3(a, lo, mid, hi)
    local p = partition(a, lo, hi, a[mid])
    if p - lo < hi - p then
      quicksort(a, lo, p)
      lo = p + 1
    else
      quicksort(a, p + 1, hi)
      hi = p
    end
  end
  insertion_sort(a, lo, hi)
end

local n = tonumber(arg[1]) or 300000
local a = random_array(n)
quicksort(a, 1, n)
local h, k = 0, 0
for i = 1, n do
  h = (h * 31 + a[i] % 1000003) % 1000000007
  if i > 1 and a[i - 1] <= a[i] then
    k = k + 1
  end
end
print(string.format("sort %d %d", h, k))
