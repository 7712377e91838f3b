-- structs: many small immutable records (the peer of programs/structs.nano): tables with
-- named fields, a new one for every value.
local function advance(b, t)
  local vel = { x = (b.vel.x + b.mass + t % 7) % 1009, y = (b.vel.y * 3 + 1) % 1013 }
  local pos = { x = (b.pos.x + vel.x) % 100003, y = (b.pos.y + vel.y) % 100019 }
  return { pos = pos, vel = vel, mass = b.mass }
end

local function start(i)
  return { pos = { x = i, y = 2 * i }, vel = { x = i % 5, y = i % 3 }, mass = i % 4 + 1 }
end

local function checksum(bodies)
  local c = 0
  for _, b in ipairs(bodies) do
    c = (c * 31 + b.pos.x + b.pos.y * 3 + b.vel.x + b.vel.y + b.mass) % 1000000007
  end
  return c
end

local function run(steps)
  local bodies = {}
  for i = 0, 99 do
    bodies[i + 1] = start(i)
  end
  for t = 0, steps - 1 do
    for i = 1, 100 do
      bodies[i] = advance(bodies[i], t)
    end
  end
  return checksum(bodies)
end

local steps = tonumber(arg[1]) or 8000
print(string.format("structs %d", run(steps)))
