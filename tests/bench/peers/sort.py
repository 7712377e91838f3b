# sort: an in-place quicksort of pseudo-random ints (the peer of programs/sort.nano): the same
# generator, median-of-three pivot, Hoare partition, recursion into the smaller part, insertion
# sort below 16 elements.
import sys


def random_array(n):
    a = [0] * n
    x = 12345
    for i in range(n):
        x = (x * 48271) % 2147483647
        a[i] = x
    return a


def insertion_sort(a, lo, hi):
    for i in range(lo + 1, hi + 1):
        v = a[i]
        j = i - 1
        while j >= lo and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


def order3(a, lo, mid, hi):
    if a[mid] < a[lo]:
        a[mid], a[lo] = a[lo], a[mid]
    if a[hi] < a[mid]:
        a[hi], a[mid] = a[mid], a[hi]
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]


def partition(a, lo, hi, pivot):
    i = lo - 1
    j = hi + 1
    while True:
        i += 1
        while a[i] < pivot:
            i += 1
        j -= 1
        while a[j] > pivot:
            j -= 1
        if i >= j:
            return j
        a[i], a[j] = a[j], a[i]


def quicksort(a, lo, hi):
    while hi - lo >= 16:
        mid = lo + (hi - lo) // 2
        order3(a, lo, mid, hi)
        p = partition(a, lo, hi, a[mid])
        if p - lo < hi - p:
            quicksort(a, lo, p)
            lo = p + 1
        else:
            quicksort(a, p + 1, hi)
            hi = p
    insertion_sort(a, lo, hi)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
    a = random_array(n)
    quicksort(a, 0, n - 1)
    h = k = 0
    for i in range(n):
        h = (h * 31 + a[i] % 1000003) % 1000000007
        if i > 0 and a[i - 1] <= a[i]:
            k += 1
    print("sort %d %d" % (h, k))


main()
