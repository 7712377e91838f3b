#!/usr/bin/env bash
# scale.t: the compiler's time grows linearly (or as n log n) with the size of one function:
# generated programs with 20,000 lets in one body, 5,000 cond clauses, 5,000 match arms on an
# enum and on a union, a literal of a struct with 5,000 fields are compiled by bin/nano_virt.nvm under nano_vm --max-steps, a bound
# generous for linear time and far below what a quadratic path needs (the counts of steps are
# deterministic: no wall-clock limit).
. "$(dirname "$0")/../lib/tap.sh"
VM=${NANO_VM:-$ROOT/bin/nano_vm}
NVM=${NANO_VIRT_NVM:-$ROOT/bin/nano_virt.nvm}
need "$VM" "$NVM"

tail_main='fn main() -> int {\n    return 0\n}\n\nshadow main {\n    assert true\n}\n'
# compile NAME STEPS WHAT: compiles $t/NAME.nano within STEPS instructions
compile() {
    "$VM" --max-steps "$2" "$NVM" "$t/$1.nano" -o "$t/$1.nvm" > "$t/out" 2> "$t/err"; st=$?
    [ "$st" = 0 ] && [ -s "$t/$1.nvm" ]; ok $? "$3 compile in fewer than $2 steps" "$t/err"
}

awk 'BEGIN { print "fn f() -> int {"; for (i = 0; i < 20000; i++) printf "    let x%d: int = %d\n", i, i;
  print "    return x19999\n}\n\nshadow f {\n    assert (== (f) 19999)\n}" }' > "$t/lets.nano"
printf "$tail_main" >> "$t/lets.nano"
compile lets 300000000 "20,000 lets in one function"

awk 'BEGIN { print "fn f(x: int) -> int {\n    return (cond"; for (i = 0; i < 5000; i++) printf "        ((== x %d) %d)\n", i, i + 1;
  print "        (else 0))\n}\n\nshadow f {\n    assert (== (f 4999) 5000)\n}" }' > "$t/cond.nano"
printf "$tail_main" >> "$t/cond.nano"
compile cond 100000000 "5,000 cond clauses"

awk 'BEGIN { printf "enum E { V0"; for (i = 1; i < 5000; i++) printf ", V%d", i; print " }\n";
  print "fn f(e: E) -> int {\n    match e {"; for (i = 0; i < 5000; i++) printf "        V%d => { return %d }\n", i, i;
  print "    }\n}\n\nshadow f {\n    assert (== (f E.V4999) 4999)\n}" }' > "$t/enum.nano"
printf "$tail_main" >> "$t/enum.nano"
compile enum 100000000 "5,000 match arms on an enum"

awk 'BEGIN { printf "union U { V0 { x: int }"; for (i = 1; i < 5000; i++) printf ", V%d { x: int }", i; print " }\n";
  print "fn f(u: U) -> int {\n    return match u {"; for (i = 0; i < 5000; i++) printf "        V%d(v) => { (+ v.x %d) }\n", i, i;
  print "    }\n}\n\nshadow f {\n    assert (== (f U.V4999 { x: 1 }) 5000)\n}" }' > "$t/union.nano"
printf "$tail_main" >> "$t/union.nano"
compile union 150000000 "5,000 match arms on a union"

awk 'BEGIN { printf "struct S { f0: int"; for (i = 1; i < 5000; i++) printf ", f%d: int", i; print " }\n";
  printf "fn f() -> S {\n    return S { f0: 0"; for (i = 1; i < 5000; i++) printf ", f%d: %d", i, i; print " }\n}\n";
  print "shadow f {\n    assert (== (f).f4999 4999)\n}" }' > "$t/struct.nano"
printf "$tail_main" >> "$t/struct.nano"
compile struct 100000000 "a literal of a struct with 5,000 fields"

finish
