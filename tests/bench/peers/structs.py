# structs: many small immutable records (the peer of programs/structs.nano): classes with
# __slots__, a new object for every value.
import sys


class Vec2:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Body:
    __slots__ = ("pos", "vel", "mass")

    def __init__(self, pos, vel, mass):
        self.pos = pos
        self.vel = vel
        self.mass = mass


def advance(b, t):
    vel = Vec2((b.vel.x + b.mass + t % 7) % 1009, (b.vel.y * 3 + 1) % 1013)
    pos = Vec2((b.pos.x + vel.x) % 100003, (b.pos.y + vel.y) % 100019)
    return Body(pos, vel, b.mass)


def start(i):
    return Body(Vec2(i, 2 * i), Vec2(i % 5, i % 3), i % 4 + 1)


def checksum(bodies):
    c = 0
    for b in bodies:
        c = (c * 31 + b.pos.x + b.pos.y * 3 + b.vel.x + b.vel.y + b.mass) % 1000000007
    return c


def run(steps):
    bodies = [start(i) for i in range(100)]
    for t in range(steps):
        for i in range(100):
            bodies[i] = advance(bodies[i], t)
    return checksum(bodies)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    print("structs %d" % run(steps))


main()
