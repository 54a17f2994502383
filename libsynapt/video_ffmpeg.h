/* video_ffmpeg.h - libavcodec, libswscale and libavformat, loaded on first use.
 *
 * Those three libraries pull in about 130 others (every codec, protocol and
 * hardware library Debian builds FFmpeg with). Loading and relocating them
 * takes 35-60 ms of CPU at every process start, 120 ms under ASan, which
 * a program that never touches a video stream (subset, merge, recover, a
 * Python loader of depth and poses) should not pay. So libsynapt does not link them: the functions it
 * calls are reached through the table below, filled with dlopen()/dlsym()
 * the first time a video path runs: libavcodec and libswscale for anything
 * that decodes, encodes or parses a stream's codec_config (vid_ff_load),
 * libavformat as well only to import or export a file (vid_ff_load_format).
 * libavutil (small, and what the tools' log routing needs) stays linked.
 *
 * Every file that includes this header calls these functions by their
 * usual names; the macros at the end turn each call into a call through the
 * table. The FFmpeg headers are included first, so their prototypes are
 * read before the macros exist; a file must not include another FFmpeg
 * header after this one (they are all here). A function missing from the
 * list fails at link time: libsynapt.so is linked with -z defs.
 *
 * The rule that keeps the table filled before a call: every way into
 * video_*.c from outside starts with VID_FF_NEED or VID_FF_NEED_FORMAT.
 * vid_config_parse and vid_config_build load; the public read functions
 * parse the codec_config (vid_config_parse) before anything else touches
 * FFmpeg; vid_import_run, synapt_video_export and synapt_movie_open load
 * libavformat too.
 * scripts/check-layout.sh holds the rest of libsynapt to calling only
 * those (and two functions that only free memory). Code that includes the internals and calls FFmpeg itself
 * (tests, benchmarks) defines VID_FF_DIRECT first and links FFmpeg. */
#ifndef SYNAPT_VIDEO_FFMPEG_H
#define SYNAPT_VIDEO_FFMPEG_H

#include <stddef.h>

#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

/* X(library, function): library 0 libavcodec, 1 libavformat, 2 libswscale */
#define VID_FF_FUNCTIONS(X) \
    X(0, av_bsf_alloc) X(0, av_bsf_free) X(0, av_bsf_get_by_name) X(0, av_bsf_init) \
    X(0, av_bsf_receive_packet) X(0, av_bsf_send_packet) X(0, av_new_packet) \
    X(0, av_packet_alloc) X(0, av_packet_clone) X(0, av_packet_free) \
    X(0, av_packet_free_side_data) X(0, av_packet_move_ref) X(0, av_packet_ref) \
    X(0, av_packet_rescale_ts) X(0, av_packet_unref) X(0, avcodec_alloc_context3) \
    X(0, avcodec_descriptor_get) X(0, avcodec_descriptor_get_by_name) \
    X(0, avcodec_find_decoder) X(0, avcodec_find_encoder) X(0, avcodec_find_encoder_by_name) \
    X(0, avcodec_flush_buffers) X(0, avcodec_free_context) X(0, avcodec_get_name) \
    X(0, avcodec_open2) X(0, avcodec_parameters_alloc) X(0, avcodec_parameters_copy) \
    X(0, avcodec_parameters_free) X(0, avcodec_parameters_from_context) X(0, avcodec_parameters_to_context) \
    X(0, avcodec_receive_frame) X(0, avcodec_receive_packet) X(0, avcodec_send_frame) \
    X(0, avcodec_send_packet) \
    X(1, av_find_input_format) X(1, av_guess_format) X(1, av_interleaved_write_frame) X(1, av_read_frame) X(1, av_write_trailer) \
    X(1, avformat_alloc_output_context2) X(1, avformat_close_input) \
    X(1, avformat_find_stream_info) X(1, avformat_free_context) X(1, avformat_new_stream) \
    X(1, avformat_open_input) X(1, avformat_query_codec) X(1, avformat_write_header) X(1, avio_closep) \
    X(1, avio_open) \
    X(2, sws_freeContext) X(2, sws_getCoefficients) X(2, sws_getColorspaceDetails) \
    X(2, sws_getContext) X(2, sws_scale) X(2, sws_setColorspaceDetails)

#define VID_FF_FIELD(lib, fn) __typeof__(fn) *fn;
typedef struct vid_ff_table {
    VID_FF_FUNCTIONS(VID_FF_FIELD)
} vid_ff_table;
#undef VID_FF_FIELD

extern vid_ff_table vid_ff;

/* Load libavcodec and libswscale and their functions above, once per
 * process (thread-safe). 0, or SYNAPT_E_UNSUPPORTED with a message naming
 * the library (or function) that could not be loaded; a failure is final. */
int vid_ff_load(char *err, size_t errsz);
/* The same, then libavformat too. */
int vid_ff_load_format(char *err, size_t errsz);

/* At the top of an entry point whose errors go to (err, errsz): return
 * the loader's error code, its message in err. */
#define VID_FF_RETURN_IF_(call)           \
    do {                                  \
        int vid_ff_rc_ = (call);          \
        if (vid_ff_rc_)                   \
            return vid_ff_rc_;            \
    } while (0)
#define VID_FF_NEED(err, errsz) VID_FF_RETURN_IF_(vid_ff_load((err), (errsz)))
#define VID_FF_NEED_FORMAT(err, errsz) VID_FF_RETURN_IF_(vid_ff_load_format((err), (errsz)))

#ifndef VID_FF_DIRECT
#define av_bsf_alloc (*vid_ff.av_bsf_alloc)
#define av_bsf_free (*vid_ff.av_bsf_free)
#define av_bsf_get_by_name (*vid_ff.av_bsf_get_by_name)
#define av_bsf_init (*vid_ff.av_bsf_init)
#define av_bsf_receive_packet (*vid_ff.av_bsf_receive_packet)
#define av_bsf_send_packet (*vid_ff.av_bsf_send_packet)
#define av_new_packet (*vid_ff.av_new_packet)
#define av_packet_alloc (*vid_ff.av_packet_alloc)
#define av_packet_clone (*vid_ff.av_packet_clone)
#define av_packet_free (*vid_ff.av_packet_free)
#define av_packet_free_side_data (*vid_ff.av_packet_free_side_data)
#define av_packet_move_ref (*vid_ff.av_packet_move_ref)
#define av_packet_ref (*vid_ff.av_packet_ref)
#define av_packet_rescale_ts (*vid_ff.av_packet_rescale_ts)
#define av_packet_unref (*vid_ff.av_packet_unref)
#define avcodec_alloc_context3 (*vid_ff.avcodec_alloc_context3)
#define avcodec_descriptor_get (*vid_ff.avcodec_descriptor_get)
#define avcodec_descriptor_get_by_name (*vid_ff.avcodec_descriptor_get_by_name)
#define avcodec_find_decoder (*vid_ff.avcodec_find_decoder)
#define avcodec_find_encoder (*vid_ff.avcodec_find_encoder)
#define avcodec_find_encoder_by_name (*vid_ff.avcodec_find_encoder_by_name)
#define avcodec_flush_buffers (*vid_ff.avcodec_flush_buffers)
#define avcodec_free_context (*vid_ff.avcodec_free_context)
#define avcodec_get_name (*vid_ff.avcodec_get_name)
#define avcodec_open2 (*vid_ff.avcodec_open2)
#define avcodec_parameters_alloc (*vid_ff.avcodec_parameters_alloc)
#define avcodec_parameters_copy (*vid_ff.avcodec_parameters_copy)
#define avcodec_parameters_free (*vid_ff.avcodec_parameters_free)
#define avcodec_parameters_from_context (*vid_ff.avcodec_parameters_from_context)
#define avcodec_parameters_to_context (*vid_ff.avcodec_parameters_to_context)
#define avcodec_receive_frame (*vid_ff.avcodec_receive_frame)
#define avcodec_receive_packet (*vid_ff.avcodec_receive_packet)
#define avcodec_send_frame (*vid_ff.avcodec_send_frame)
#define avcodec_send_packet (*vid_ff.avcodec_send_packet)
#define av_guess_format (*vid_ff.av_guess_format)
#define av_interleaved_write_frame (*vid_ff.av_interleaved_write_frame)
#define av_find_input_format (*vid_ff.av_find_input_format)
#define av_read_frame (*vid_ff.av_read_frame)
#define av_write_trailer (*vid_ff.av_write_trailer)
#define avformat_alloc_output_context2 (*vid_ff.avformat_alloc_output_context2)
#define avformat_close_input (*vid_ff.avformat_close_input)
#define avformat_find_stream_info (*vid_ff.avformat_find_stream_info)
#define avformat_free_context (*vid_ff.avformat_free_context)
#define avformat_new_stream (*vid_ff.avformat_new_stream)
#define avformat_open_input (*vid_ff.avformat_open_input)
#define avformat_query_codec (*vid_ff.avformat_query_codec)
#define avformat_write_header (*vid_ff.avformat_write_header)
#define avio_closep (*vid_ff.avio_closep)
#define avio_open (*vid_ff.avio_open)
#define sws_freeContext (*vid_ff.sws_freeContext)
#define sws_getCoefficients (*vid_ff.sws_getCoefficients)
#define sws_getColorspaceDetails (*vid_ff.sws_getColorspaceDetails)
#define sws_getContext (*vid_ff.sws_getContext)
#define sws_scale (*vid_ff.sws_scale)
#define sws_setColorspaceDetails (*vid_ff.sws_setColorspaceDetails)
#endif

#endif
