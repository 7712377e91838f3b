/* hello.c: make bench's C peer of hello.nano (tests/bench/native.sh). */
#include <stdio.h>

int main(void) {
    puts("hello, world");
    return 0;
}
