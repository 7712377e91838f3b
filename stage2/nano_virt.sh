#!/bin/sh
# nano_virt: the self-hosted compiler, the bootstrap's fixpoint (nano_virt.nvm, beside this
# script), run by nano_vm.  Installed as bin/nano_virt by `make`.
here=$(dirname "$0")
exec "$here/nano_vm" "$here/nano_virt.nvm" "$@"
