#!/bin/sh
# The compiler's opcode constants (stage1/isa.nano) are generated from the ISA table; this
# fails when someone changes isa/isa.def or isa/traps.def without regenerating them.
cd "$(dirname "$0")/../.." || exit 1
echo "1..1"
if sh stage1/gen_isa.sh | cmp -s - stage1/isa.nano; then
    echo "ok 1 - stage1/isa.nano matches isa/isa.def and isa/traps.def"
else
    echo "not ok 1 - stage1/isa.nano is stale: run 'sh stage1/gen_isa.sh > stage1/isa.nano'"
    exit 1
fi
