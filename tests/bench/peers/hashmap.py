# hashmap: dicts with int and with string keys (the peer of programs/hashmap.nano): inserts,
# then lookups that test for the key before reading it.
import sys


def int_key(i):
    return i * 7919 % 1000003


def str_key(i):
    return "s" + str(i * 31 % 1000003)


def fill_and_look_up(n, key):
    m = {}
    for i in range(n):
        m[key(i)] = i
    c = 0
    for j in range(2 * n):
        k = key(j)
        if k in m:
            c = (c * 3 + m[k]) % 1000000007
        else:
            c += 1
    return (c * 7 + len(m)) % 1000000007


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500000
    a = fill_and_look_up(n, int_key)
    b = fill_and_look_up(n // 4, str_key)
    print("hashmap %d %d" % (a, b))


main()
