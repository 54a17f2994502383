#!/bin/sh
# libavcodec, libavformat and libswscale are loaded on first video use
# (libsynapt/video_ffmpeg.h). With a libavcodec that cannot serve (an empty
# library of that name first on LD_LIBRARY_PATH), commands that never touch
# video work as before, and one that must read a video stream stops with a
# line naming the file and the library, exit status 1, and leaves nothing.
. "$(dirname "$0")/../lib.sh"
need_built bin/synapt-synth bin/synapt-subset bin/synapt-merge bin/synapt-recover bin/synapt-audit \
    bin/synapt-inspect
command -v cc > /dev/null 2>&1 || skip_all "needs cc to build a stand-in libavcodec"

soname=$(readelf -d "$B/bin/synapt-synth" 2>/dev/null | grep -o 'libavcodec\.so\.[0-9]*' | head -n 1)
[ -n "$soname" ] || fatal soname "synapt-synth does not link libavcodec"
mkdir -p "$T/fake"
echo 'int synapt_test_not_ffmpeg;' > "$T/fake/f.c"
cc -shared -fPIC -o "$T/fake/$soname" "$T/fake/f.c" || fatal fake_lib "could not build $soname"

synapt-synth -q -o "$T/in.synapt" --classes 2 --clips-per-class 2 --frames 12 --size 32x32 ||
    fatal synth "synapt-synth failed"
nofx() { LD_LIBRARY_PATH="$T/fake" "$@"; }

# no video touched: whole clips copied, a file recovered, versions printed
run subset_whole nofx synapt-subset "$T/in.synapt" -o "$T/sub.synapt" --label walk
if expect_rc subset_whole 0 && synapt-inspect --verify "$T/sub.synapt" > /dev/null 2>&1; then
    pass subset_whole_clips_without_ffmpeg
fi
run merge nofx synapt-merge "$T/in.synapt" "$T/sub.synapt" -o "$T/merged.synapt" --on-duplicate rename
expect_rc merge 0 && pass merge_without_ffmpeg
run recover nofx synapt-recover "$T/in.synapt" -o "$T/rec.synapt"
expect_rc recover 0 && pass recover_without_ffmpeg

# audit samples RGB frames: without the library it says why, once, and
# goes on with the checks that need no picture
run audit nofx synapt-audit "$T/in.synapt" -o "$T/audit" --fail-on none
if expect_rc audit 0; then
    if [ "$(grep -c "video needs FFmpeg's" "$T/audit.err")" = 1 ] && [ -f "$T/audit/report.json" ]; then
        pass audit_says_why_once
    else
        fail audit_says_why_once "stderr: $(head -c 600 "$T/audit.err")"
    fi
fi

# inspect reads no video unless asked for a preview movie
run inspect nofx synapt-inspect "$T/in.synapt"
expect_rc inspect 0 && has "$T/inspect.out" "h264" && pass inspect_without_ffmpeg
run movie nofx synapt-inspect --clip walk_0000 --preview "$T/p.mp4" "$T/in.synapt"
if expect_rc movie 1; then
    if [ "$(lines "$T/movie.err")" = 1 ] && has "$T/movie.err" "p.mp4" && has "$T/movie.err" "$soname" &&
       [ ! -e "$T/p.mp4" ] && [ -z "$(ls -a "$T" | grep 'tmp-')" ]; then
        pass preview_movie_names_missing_library
    else
        fail preview_movie_names_missing_library "stderr: $(cat "$T/movie.err"); left: $(ls -a "$T")"
    fi
fi

# a frame-exact cut must read the video's codec_config: one clear line
run cut nofx synapt-subset "$T/in.synapt" -o "$T/cut.synapt" --frames 2:6
if expect_rc cut 1; then
    if [ "$(lines "$T/cut.err")" = 1 ] && has "$T/cut.err" "cut.synapt" &&
       has "$T/cut.err" "video needs FFmpeg's" && has "$T/cut.err" "$soname"; then
        pass cut_names_missing_library
    else
        fail cut_names_missing_library "stderr: $(cat "$T/cut.err")"
    fi
    if [ ! -e "$T/cut.synapt" ] && [ -z "$(ls -a "$T" | grep -i 'tmp\|part')" ]; then
        pass cut_leaves_nothing
    else
        fail cut_leaves_nothing "$(ls -a "$T")"
    fi
fi

# and with the real libraries the same cut works
run cut_real synapt-subset "$T/in.synapt" -o "$T/cut.synapt" --frames 2:6
expect_rc cut_real 0 && synapt-inspect --verify "$T/cut.synapt" > /dev/null 2>&1 && pass cut_with_ffmpeg
finish
