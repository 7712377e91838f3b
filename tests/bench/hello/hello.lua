-- hello.lua: make bench's Lua peer of hello.nano (tests/bench/native.sh).
print("hello, world")
