#!/bin/sh
# stage.sh NAME COMMAND...: runs one stage of the build and prints its name and wall time, so
# that `make` reads as the bootstrap it is.  Fails when the command fails.
name=$1
shift
start=$(date +%s%N)
"$@" || { echo "make: stage '$name' failed" >&2; exit 1; }
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf '%-52s %4d.%03d s\n' "$name" $((ms / 1000)) $((ms % 1000))
