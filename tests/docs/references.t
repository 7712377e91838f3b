#!/usr/bin/env bash
# references.t: every reference points into the repository.  No file of the repository (the
# tracked files, and new files not yet added, git's ignore rules aside) may mention the external
# design brief or a directory beside the checkout: the patterns below, written so that this file
# does not match them itself.  Outside a git work tree every file but build/ and bin/ is searched.
. "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
pattern='DESIG[N][.]md|[.][.]/share[d]'
plan 1
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    hits=$(git grep -n -I --untracked -E "$pattern" -- . 2>&1)
else
    hits=$(grep -rnI -E "$pattern" --exclude-dir=.git --exclude-dir=build --exclude-dir=bin . 2>&1)
fi
if [ -z "$hits" ]; then
    ok 0 "no file refers outside the repository"
else
    ok 1 "files refer outside the repository (cite the repository's own docs instead):" "$hits"
fi
finish
