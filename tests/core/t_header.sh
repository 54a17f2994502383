#!/bin/sh
# The public header must compile cleanly as C99 and as C++ (the STYLE card
# promises it), including the _INIT macros, which are the part most likely to
# break in C++ (designators, nested braces, narrowing).
. "$(dirname "$0")/../lib.sh"
CC=${CC:-cc}
CXX=${CXX:-c++}

cat > "$T/use.c" <<'EOF'
#include "synapt.h"
#include "synapt.h" /* the include guard must make a second include harmless */
int synapt_header_use(void);
int synapt_header_use(void)
{
    synapt_reader_options ro = SYNAPT_READER_OPTIONS_INIT;
    synapt_writer_options wo = SYNAPT_WRITER_OPTIONS_INIT;
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    synapt_stream_desc sd = SYNAPT_STREAM_DESC_INIT;
    synapt_limits lim = SYNAPT_LIMITS_DEFAULT_INIT;
    synapt_skeleton_info sk;
    (void)sk;
    return (int)ro.version + (int)wo.version + (int)cd.version + (int)sd.version
         + (int)(lim.max_streams_per_clip & 1) + SYNAPT_FORMAT_MAJOR;
}
EOF

if command -v "$CC" > /dev/null 2>&1; then
    check header_c99 "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -Ilibsynapt \
        -c "$T/use.c" -o "$T/c99.o"
    check header_c11 "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -Ilibsynapt \
        -c "$T/use.c" -o "$T/c11.o"
else
    skip header_c99 "no C compiler ($CC)"
fi
if command -v "$CXX" > /dev/null 2>&1; then
    check header_cxx11 "$CXX" -x c++ -std=c++11 -Wall -Wextra -Werror -pedantic \
        -Ilibsynapt -c "$T/use.c" -o "$T/cxx11.o"
    check header_cxx17 "$CXX" -x c++ -std=c++17 -Wall -Wextra -Werror -pedantic \
        -Ilibsynapt -c "$T/use.c" -o "$T/cxx17.o"
else
    skip header_cxx "no C++ compiler ($CXX)"
fi

finish
