#!/bin/sh
# soname.sh CC PKG LIB: the soname that linking with `pkg-config --libs PKG`
# records for library LIB, the first NEEDED entry whose name starts with
# "libLIB": what a program linked with the package would load, and so what
# the tools dlopen instead (tools/h5/h5_dl.c, tools/import/matio_dl.c).
#   sh scripts/soname.sh cc hdf5 hdf5     -> libhdf5_serial.so.103 (Debian 12)
#   sh scripts/soname.sh cc matio matio   -> libmatio.so.11
# Prints nothing (and the build stops at a static assertion) when the
# package or the toolchain is missing.
set -u
cc=$1 pkg=$2 lib=$3
d=$(mktemp -d "${TMPDIR:-/tmp}/synapt-soname.XXXXXX") || exit 1
trap 'rm -rf "$d"' EXIT
printf 'int main(void) { return 0; }\n' > "$d/m.c"
# shellcheck disable=SC2046 # pkg-config's flags are words
$cc "$d/m.c" -o "$d/m" -Wl,--no-as-needed $(pkg-config --libs "$pkg" 2>/dev/null) 2>/dev/null || exit 0
readelf -d "$d/m" 2>/dev/null | sed -n "s/.*(NEEDED).*\[\(lib$lib[^]]*\)\].*/\1/p" | head -n 1
