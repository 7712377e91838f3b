# strings: building, concatenating and comparing strings (the peer of programs/strings.nano).
import sys


def key(i):
    return "key" + str(i * 7919 % 100003)


def compare(a, b):
    return (a > b) - (a < b)


def run(rounds):
    check = less = 0
    prev = prev_line = ""
    for r in range(rounds):
        line = ""
        for j in range(40):
            k = key(r * 40 + j)
            if compare(k, prev) < 0:
                less += 1
            if k == prev:
                check += 1
            line = line + k + ","
            prev = k
        n = len(line)
        check = (check * 7 + n + ord(line[r % n]) + compare(line, prev_line) + 1) % 1000000007
        prev_line = line
    return "%d %d" % (check, less)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 16000
    print("strings " + run(rounds))


main()
