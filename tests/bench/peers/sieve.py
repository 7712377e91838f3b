# sieve: the sieve of Eratosthenes over a list of booleans (the peer of programs/sieve.nano).
import sys


def summary(limit):
    flags = [True] * max(limit, 2)
    flags[0] = flags[1] = False
    p = 2
    while p * p < limit:
        if flags[p]:
            for m in range(p * p, limit, p):
                flags[m] = False
        p += 1
    count = total = 0
    for k in range(2, limit):
        if flags[k]:
            count += 1
            total += k
    return "%d %d" % (count, total)


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 3000000
    print("sieve " + summary(limit))


main()
