/* fuzz_vscan.c - libFuzzer target for the copy-mode header scan
 * (libsynapt/video_scan.c): H.264 parameter sets, slice headers, NAL
 * framing (avcC length prefixes and Annex B start codes), MJPEG markers, VP9
 * superframe indexes and frame headers, MPEG-4 VOL/VOP headers (B-VOP
 * order, the VOP count of the unpacking check) and the timestamp checks,
 * fed with arbitrary packets.
 *
 * The scanner is internal to the library (no public entry point reaches it
 * without libavformat demuxing a file first, which would spend the fuzzer's
 * time in FFmpeg), so this harness includes video_internal.h directly.
 *
 *   input = u8 codec (low 2 bits: 0 H.264, 1 MJPEG, 2 VP9, 3 MPEG-4 Part 2)
 *           | u8 video_delay (low 4 bits)
 *           | record...        the first record is the extradata
 *   record = u16 length (little endian) | u8 flags (bit 0 key, bit 1 discard)
 *           | i8 pts step | length bytes (cut short at the end of the input)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"       /* white box: sy_mem, the allocator the scanner takes */
#include "video_internal.h" /* white box: the header scanner (vid_scan_*) is private */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    sy_mem mem;
    sy_mem_init(&mem, NULL);
    vid_params p;
    memset(&p, 0, sizeof p);
    static const enum AVCodecID ids[4] = { AV_CODEC_ID_H264, AV_CODEC_ID_MJPEG, AV_CODEC_ID_VP9,
                                           AV_CODEC_ID_MPEG4 };
    p.codec_id = ids[data[0] & 3];
    p.video_delay = data[1] & 15;
    size_t i = 2;
    int first = 1;
    vid_scan *s = NULL;
    uint64_t n = 0;
    int64_t pts = 0;
    while (i + 4 <= size) {
        size_t len = (size_t)data[i] | ((size_t)data[i + 1] << 8);
        unsigned flags = data[i + 2];
        int step = (int8_t)data[i + 3];
        i += 4;
        if (len > size - i)
            len = size - i;
        /* a copy of exactly len bytes, so ASan sees reads past the packet */
        uint8_t *pk = malloc(len ? len : 1);
        if (!pk)
            break;
        memcpy(pk, data + i, len);
        i += len;
        if (first) {
            p.extradata = pk;
            p.extradata_size = (int)len;
            first = 0;
            if (vid_scan_create(&s, &mem, &p) < 0 || !s) {
                free(pk);
                return 0;
            }
            /* what the import would read instead of probing */
            vid_h264_info info;
            int nobot;
            if (vid_scan_h264_info(s, &info, &nobot) == 1 && ((info.vui && info.sar_den == 0) || info.level_idc > 255))
                abort();
            free(pk);
            p.extradata = NULL;
            continue;
        }
        pts += step;
        int vops;
        if (p.codec_id == AV_CODEC_ID_MPEG4)
            vid_scan_m4v_frames(s, pk, len, &vops); /* the unpacking check's VOP count */
        vid_scan_packet(s, pk, len, (flags & 4) ? SYNAPT_PTS_NONE : pts, flags & 1, (flags & 2) != 0);
        free(pk);
        n++;
    }
    if (s) {
        (void)vid_scan_stable(s);
        uint64_t *map = NULL;
        if (vid_scan_finish(s, &map, n) == 1) {
            /* a proven map is a permutation of the packets */
            uint8_t *seen = calloc(n ? n : 1, 1);
            for (uint64_t k = 0; seen && k < n; k++) {
                if (map[k] >= n || seen[map[k]])
                    abort();
                seen[map[k]] = 1;
            }
            free(seen);
        }
        sy_free(&mem, map);
        vid_scan_free(s);
    }
    return 0;
}
