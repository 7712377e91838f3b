#!/bin/sh
# nano_virt: the self-hosted compiler, the bootstrap's fixpoint (nano_virt.nvm, beside this
# script), run by nano_vm.  Installed as bin/nano_virt by `make` (and in PREFIX/lib/nanovm/bin/,
# linked from PREFIX/bin/, by `make install`).  Reached through a symbolic link or from any
# directory, it finds its files by its own real path.
self=$(readlink -f -- "$0" 2>/dev/null) || self=$0
[ -n "$self" ] || self=$0
here=$(dirname -- "$self")
exec "$here/nano_vm" "$here/nano_virt.nvm" "$@"
