#!/bin/sh
# make install into a DESTDIR stage, then build a small program against the
# installed header and synapt.pc (relocated with pkg-config --define-prefix),
# linked once with the shared and once with the static library, run both on
# a real file, and check that make uninstall leaves no file behind.
# Also: the shared library has its soname and exports only synapt_* symbols.
# Prints PASS/FAIL/SKIP lines; tests/run.sh counts them.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-inspect
[ -f "$B/lib/libsynapt.a" ] || fatal t_install "$B/lib/libsynapt.a not built (make B=$B all)"
need_cmd pkg-config readelf nm
# a sanitizer build's library needs the sanitizer runtime in whatever links it
if nm "$B/lib/libsynapt.a" 2> /dev/null | grep -q '__asan_\|__ubsan_'; then
    skip_all "$B is a sanitizer build"
fi

D=$T/stage
if make -s --no-print-directory B="$B" install DESTDIR="$D" PREFIX=/usr > "$T/install.log" 2>&1; then
    pass "make install DESTDIR"
else
    fatal "make install DESTDIR" "$(tail -3 "$T/install.log" | tr '\n' '|')"
fi
for f in usr/include/synapt.h usr/lib/libsynapt.a usr/lib/libsynapt.so usr/lib/libsynapt.so.0 \
         usr/lib/pkgconfig/synapt.pc usr/bin/synapt-inspect usr/share/man/man1/synapt-inspect.1; do
    [ -e "$D/$f" ] || fail "installed files" "$f missing"
done

pc=$D/usr/lib/pkgconfig/synapt.pc
if grep -q '^prefix=/usr$' "$pc"; then pass "synapt.pc has the install PREFIX"
else fail "synapt.pc has the install PREFIX" "$(head -1 "$pc")"; fi

so=$(ls "$D"/usr/lib/libsynapt.so.*.*.* 2> /dev/null | head -1)
if readelf -d "$so" | grep -q 'SONAME.*\[libsynapt\.so\.0\]'; then pass "soname"
else fail "soname" "$(readelf -d "$so" | grep SONAME)"; fi
leak=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^synapt_' | head -5)
if [ -z "$leak" ]; then pass "only synapt_* exported"
else fail "only synapt_* exported" "$leak"; fi

cat > "$T/tiny.c" << 'EOF'
#include <stdio.h>
#include <synapt.h>
int main(int argc, char **argv)
{
    synapt_reader *r;
    char err[256];
    if (argc < 2 || synapt_reader_open2(&r, argv[1], NULL, err, sizeof err) != 0) {
        fprintf(stderr, "tiny: %s\n", argc < 2 ? "usage: tiny FILE" : err);
        return 1;
    }
    printf("%s %llu\n", synapt_version(), (unsigned long long)synapt_reader_clip_count(r));
    synapt_reader_close(r);
    return 0;
}
EOF
"$B/bin/synapt-synth" -q -o "$T/s.synapt" --classes 2 --clips-per-class 1 --frames 2 --rgb raw ||
    fail "fixture" "synapt-synth failed"

export PKG_CONFIG_PATH="$D/usr/lib/pkgconfig"
P="pkg-config --define-prefix"
CC=${CC:-cc}
libdir=$($P --variable=libdir synapt)
if [ "$libdir" != "$D/usr/lib" ]; then
    fail "synapt.pc relocates" "libdir '$libdir', expected $D/usr/lib"
fi
# shellcheck disable=SC2046
if $CC -std=c99 -Wall -Werror "$T/tiny.c" $($P --cflags --libs synapt) -Wl,-rpath,"$libdir" \
        -o "$T/tiny_shared" 2> "$T/cc1.err" &&
   [ "$("$T/tiny_shared" "$T/s.synapt")" = "$("$B/bin/synapt-inspect" --version | sed 's/.*libsynapt \([^,]*\),.*/\1/') 2" ] &&
   ldd "$T/tiny_shared" | grep -q "$libdir/libsynapt.so.0"; then
    pass "shared link via pkg-config"
else
    fail "shared link via pkg-config" "$(head -c 300 "$T/cc1.err")"
fi
# static libsynapt, its dependencies shared (their own static libraries are
# seldom installed): the Requires.private packages name them
# shellcheck disable=SC2046
if $CC -std=c99 -Wall -Werror "$T/tiny.c" $($P --cflags synapt) "$libdir/libsynapt.a" \
        $(pkg-config --libs $($P --print-requires-private synapt)) -lpthread -lm \
        -o "$T/tiny_static" 2> "$T/cc2.err" &&
   "$T/tiny_static" "$T/s.synapt" > /dev/null && ! ldd "$T/tiny_static" | grep -q libsynapt; then
    pass "static link"
else
    fail "static link" "$(head -c 300 "$T/cc2.err")"
fi

make -s --no-print-directory B="$B" uninstall DESTDIR="$D" PREFIX=/usr > "$T/uninstall.log" 2>&1
left=$(find "$D" ! -type d | head -5)
if [ -z "$left" ]; then pass "make uninstall leaves no file"
else fail "make uninstall leaves no file" "$left"; fi

finish
