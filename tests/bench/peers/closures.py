# closures: the peer of programs/closures.nano: 16 adders from a factory applied through map,
# filter and reduce with capturing functions, a counter closure, a chain of 64 composed adders.
import sys
from functools import reduce


def make_adder(n):
    return lambda x: x + n


def compose(f, g):
    return lambda x: g(f(x))


def make_counter():
    cell = [0]

    def count():
        cell[0] += 1
        return cell[0]
    return count


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
    xs = [(i * 7919) % 1000 for i in range(n)]
    adders = [make_adder(i) for i in range(16)]
    k = 3
    mapped = list(map(lambda v: adders[v % 16](v * k), xs))
    evens = list(filter(lambda v: v % 2 == 0, mapped))
    h = reduce(lambda acc, v: (acc * 31 + v) % 1000000007, evens, 0)
    counter = make_counter()
    c = 0
    for _ in range(n):
        c = counter()
    chain = lambda x: x
    for _ in range(64):
        chain = compose(chain, make_adder(1))
    s = 0
    for i in range(n // 16):
        s += chain(i)
    print("closures %d %d %d" % (h, c, s))


main()
