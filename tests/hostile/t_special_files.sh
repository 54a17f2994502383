#!/bin/sh
# t_special_files.sh - a FIFO, a directory or a device where synapt-pack
# expects a file (the manifest, a video, each sidecar kind) gives one line
# naming it and exit 1 at once: never a hang waiting for a writer, never an
# endless read. Every command runs under `timeout` so a regression fails
# instead of stalling the suite.
. "$(dirname "$0")/../lib.sh"
need_cmd ffmpeg
need_cmd mkfifo
need_cmd timeout
need_built bin/synapt-pack

ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=32x32:rate=10" -frames:v 4 \
    -c:v libx264 -pix_fmt yuv420p "$T/v.mp4" || fatal special_files "ffmpeg could not make the test video"
for f in fifo.npy fifo.npz fifo.skeleton fifo.h5 fifo.mat fifo.txt fifo.json fifo.mp4 fifo.jsonl; do
    mkfifo "$T/$f" || fatal special_files "mkfifo failed"
done
mkdir "$T/dir.npy" "$T/dir.skeleton" "$T/dir.mp4"

# name | manifest key and value | what the one line must say
while IFS='|' read -r name kv want; do
    echo "{\"video\":\"v.mp4\",\"id\":\"a\",$kv}" > "$T/$name.jsonl"
    run "$name" timeout 20 synapt-pack -q -o "$T/$name.synapt" "$T/$name.jsonl"
    if [ "$rc" = 1 ] && grep -q "$want" "$T/$name.err" && [ "$(lines "$T/$name.err")" = 1 ] &&
       [ ! -e "$T/$name.synapt" ]; then
        pass "$name"
    else
        fail "$name" "exit $rc (124 = hung): $(cat "$T/$name.err")"
    fi
done <<'LIST'
fifo_npy|"pose2d":"fifo.npy"|fifo.npy: .*not a regular file
fifo_npz|"pose2d":"fifo.npz"|fifo.npz: .*not a regular file
fifo_skeleton|"pose3d":"fifo.skeleton"|fifo.skeleton: is a FIFO, not a regular file
fifo_h5_pose|"pose2d":"fifo.h5:/p"|fifo.h5: is a FIFO, not a regular file
fifo_h5_depth|"depth":"fifo.h5:/d"|fifo.h5: is a FIFO, not a regular file
fifo_mat|"pose2d":"fifo.mat"|fifo.mat: is a FIFO, not a regular file
fifo_frame_labels|"frame_labels":"fifo.txt"|fifo.txt: is a FIFO, not a regular file
dir_npy|"pose2d":"dir.npy"|dir.npy: .*not a regular file
dir_skeleton|"pose3d":"dir.skeleton"|dir.skeleton: is a directory, not a file
LIST

echo '{"video":"fifo.mp4"}' > "$T/fv.jsonl"
run fifo_video timeout 20 synapt-pack -q -o "$T/fv.synapt" "$T/fv.jsonl"
expect_rc fifo_video 1
check fifo_video_msg has "$T/fifo_video.err" "fifo.mp4: is a FIFO, not a regular file"
run fifo_video_arg timeout 20 synapt-pack -q -o "$T/fa.synapt" "$T/fifo.mp4"
expect_rc fifo_video_arg 1
check fifo_video_arg_msg has "$T/fifo_video_arg.err" "fifo.mp4: is a FIFO, not a regular file"
run fifo_manifest timeout 20 synapt-pack -q -o "$T/fm.synapt" "$T/fifo.jsonl"
expect_rc fifo_manifest 1
check fifo_manifest_msg has "$T/fifo_manifest.err" "fifo.jsonl: is a FIFO, not a regular file"
run fifo_hdf5_import timeout 20 synapt-pack -q --format hdf5 -o "$T/fh.synapt" "$T/fifo.h5"
expect_rc fifo_hdf5_import 1
if [ -c /dev/zero ]; then
    echo '{"video":"/dev/zero","id":"z"}' > "$T/dev.jsonl"
    run device_video timeout 20 synapt-pack -q --allow-outside-paths -o "$T/dev.synapt" "$T/dev.jsonl"
    expect_rc device_video 1
    check device_video_msg has "$T/device_video.err" "/dev/zero: is a device"
fi
finish
