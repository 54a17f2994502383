#!/bin/sh
# The layout rules of README.md "Layout" (arrows, no include or call cycle,
# internal headers only with a reason, file sizes, what synapt-inspect
# links), checked by scripts/check-layout.sh against this tree and build.
. "$(dirname "$0")/../lib.sh"
out=$(sh scripts/check-layout.sh "$B" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^layout: ' | sed 's/^/  /'
if [ $rc -eq 0 ]; then
    pass layout
else
    fail layout "scripts/check-layout.sh found:"
    printf '%s\n' "$out" | grep '^layout: ' | sed 's/^/  /'
fi
finish
