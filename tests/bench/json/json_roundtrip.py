# json_roundtrip.py: the peer of json_roundtrip.nano run: parse FILE with Python's json module,
# print it back, parse that and print it again; check the two texts, then print the counts of
# each kind of value in the same line as json_roundtrip.nano.
import json
import sys

def count(v, c):
    if v is None: c[0] += 1
    elif isinstance(v, bool): c[1] += 1
    elif isinstance(v, int): c[2] += 1
    elif isinstance(v, float): c[3] += 1
    elif isinstance(v, str): c[4] += 1
    elif isinstance(v, list):
        c[5] += 1
        for x in v: count(x, c)
    else:
        c[6] += 1
        for x in v.values(): count(x, c)

with open(sys.argv[1], "rb") as f:
    text = f.read().decode("utf-8", "surrogateescape")
once = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
value = json.loads(once)
if json.dumps(value, ensure_ascii=False, separators=(",", ":")) != once:
    sys.exit("json_roundtrip.py: the second round differs")
c = [0] * 7
count(value, c)
print("json null %d bool %d int %d float %d string %d array %d object %d" % tuple(c))
