# hello.py: make bench's Python peer of hello.nano (tests/bench/native.sh).
print("hello, world")
