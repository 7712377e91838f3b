# loop: integer arithmetic in two nested loops (the peer of programs/loop.nano).
import sys


def mix(rounds):
    s = 1
    for i in range(rounds):
        j = 0
        while j < 1000:
            s = (s * 37 + i * j + j % 11) % 999983
            j += 1
    return s


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    print("loop %d" % mix(rounds))


main()
