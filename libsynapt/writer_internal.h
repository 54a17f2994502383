/*
 * writer_internal.h - what the files of the write path share (writer.c,
 * writer_clip.c, writer_chunk.c); private to them.
 *
 * Functions returning int give 0 or a SYNAPT_E_* code with the writer's
 * message set; sy_wpoison also marks the writer unusable.
 */
#ifndef SYNAPT_WRITER_INTERNAL_H
#define SYNAPT_WRITER_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>
#include <zstd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "internal.h"

#define OUT_CAP (1u << 20)

typedef struct fmeta {
    uint32_t raw, flags;
    int64_t pts, dts;
} fmeta;

typedef struct wstream {
    char *name, *units, *codec_config;
    uint8_t *extradata;
    size_t extradata_size;
    int kind, dtype, codec;
    uint32_t ndim;
    uint64_t shape[4];
    uint32_t fps_num, fps_den;
    double scale;
    int skeleton, channels;
    int compression, filter, level;
    int depth_pick;           /* depth_rank: each chunk takes the smallest depth filter */
    int pose_pick;            /* pose, filter auto: the first chunk fixes the stream's filter */
    int packets;              /* codec != RAW: frames are packets (write_packet) */
    int pose;
    uint64_t frame_bytes;     /* fixed frame size; 0 for pose and packets */
    uint64_t person_bytes;    /* pose: J*C*4 */
    size_t elem;              /* filter element size */
    uint32_t width;           /* depth_med row length */
    uint32_t cap_frames;
    /* the chunk being filled */
    sy_buf raw;
    fmeta *fm;
    size_t fm_cap;
    uint32_t nfm;
    int pend_nonkey;
    /* totals */
    uint64_t entries, discards, video_frames;
    int video_frames_set;
    uint64_t stored, rawb;
    int has_pts;
    uint32_t max_persons;
    sy_buf chunks;            /* ChunkEntry encodings of this clip */
    uint64_t nchunks;
} wstream;

/* Open-addressing table keyed by a 64-bit hash; values are u32 with
 * UINT32_MAX marking a free slot. Equality beyond the hash is checked by
 * the caller's callback, so the keys themselves live in the index buffers. */
typedef struct htab {
    uint64_t *h;
    uint32_t *v;
    size_t cap, n;
} htab;

struct synapt_writer {
    sy_mem mem;
    char *path, *tmp;
    int fd;
    mode_t mode;              /* permission bits for PATH (creat()'s, under the umask) */
    int memory;               /* synapt_writer_create_memory: the file is `out`, never flushed */
    uint64_t mem_limit;       /* memory: the image may not grow past this (0 = no limit) */
    int rc;                   /* poisoned with this code when nonzero */
    char msg[SY_MSG_MAX];
    int level, deterministic, do_fsync, overwrite, derive_uuid, write_through;
    int depth_comp;              /* options' depth_compression (AUTO: none asked) */
    int depth_filt;              /* options' depth_filter (AUTO, or DEPTH_MED for 1.0 readers) */
    uint64_t features;        /* required_features bits the records written so far need */
    uint64_t target;
    uint32_t max_frames;
    uint64_t off;             /* logical file offset (written + buffered) */
    sy_buf out;
    ZSTD_CCtx *cctx;
    XXH3_state_t uuid_state;
    uint8_t *header_rec;      /* kept to patch the uuid at close */
    size_t header_len;
    /* the index, encoded */
    sy_buf clips, streams, chunks, labels, clip_labels, groups, strings;
    uint64_t nclips, nstreams, nchunks, nlabels, nclip_labels, ngroups;
    htab ids, label_tab, interned;
    /* the open clip */
    int in_clip;
    char *c_id, *c_split, *c_source, *c_meta;
    char **c_labels;
    uint32_t *c_label_ids;
    size_t c_nlabels;
    char **c_gkeys, **c_gvals;
    size_t c_ngroups;
    int c_synthetic;
    wstream *ws;
    size_t nws, ws_cap;
    /* frame-label names for copied clips (synapt_writer_set_label_rename) */
    synapt_label_rename_fn relabel;
    void *relabel_ctx;
    /* scratch */
    sy_buf rec, fbuf, tmpbuf, altbuf;   /* altbuf: a depth_ans chunk's zstd alternative */
};

#define CHECK_W(w) do { if (!(w)) return SYNAPT_E_INVALID_ARG; if ((w)->rc) return (w)->rc; } while (0)

/* ---- writer_cut.c ---- */

/* Translate frame-label ids of src (n values) into this writer's
 * vocabulary through the rename callback; *changed is set when a value
 * differs. Poisons nothing: errors are _CORRUPT (an id outside src's
 * vocabulary) with the message set, or add_label's. */
int sy_writer_relabel(synapt_writer *w, const synapt_reader *src, const char *clip_id, const char *stream,
                      int32_t *v, size_t n, int *changed);

/* ---- writer.c ---- */

/* Set the message ("path: text"); the writer stays usable. */
int sy_werr(synapt_writer *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A failure after which the file can no longer be finished consistently. */
int sy_wpoison(synapt_writer *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef int (*ht_eq)(const synapt_writer *w, uint32_t v, const void *key, size_t len);
/* The value stored under hash h whose key eq() accepts, or UINT32_MAX. */
uint32_t sy_ht_find(const synapt_writer *w, const htab *t, uint64_t h, ht_eq eq, const void *key, size_t len);
int sy_ht_insert(const sy_mem *m, htab *t, uint64_t h, uint32_t v);
/* Nonzero when the string at STRINGS offset off is s[0..len). */
int sy_str_eq(const synapt_writer *w, uint32_t off, const void *s, size_t len);
/* Append a string to STRINGS (once, when intern) and fill the StrRef. */
int sy_add_string(synapt_writer *w, uint8_t *ref, const void *s, size_t len, int intern);
int sy_add_cstr(synapt_writer *w, uint8_t *ref, const char *s);
/* Fill the prefix and checksum of rec (prefix slot, body, trailer slot)
 * and write it; *sum gets the checksum when sum is not NULL. */
int sy_write_record(synapt_writer *w, uint32_t type, uint8_t *rec, uint64_t body_len, uint64_t *sum);
/* Write the output buffer to the file now (nothing for a memory writer:
 * its buffer is the file). */
int sy_out_flush(synapt_writer *w);

/* ---- writer_clip.c ---- */

/* Free everything the open clip holds. */
void sy_free_clip_state(synapt_writer *w);
/* Stream i of the open clip; NULL with *rc set (message too) otherwise. */
wstream *sy_get_stream(synapt_writer *w, uint32_t i, int *rc);

/* ---- writer_cut.c ---- */

/* Add stream d (described from source stream st of clip `clip`) to the
 * open clip holding only frames [a, b) of st (clamped to its frame count);
 * d->codec_config is replaced for video. Poisons the writer on failure. */
int sy_writer_cut_stream(synapt_writer *w, synapt_stream_desc *d, const synapt_reader *src, uint64_t clip,
                         const synapt_stream_info *st, uint64_t a, uint64_t b);

/* ---- writer_chunk.c ---- */

uint32_t sy_stream_index(const synapt_writer *w, const wstream *s);
/* Write the frames buffered in s as one CHUNK record (nothing when none). */
int sy_flush_chunk(synapt_writer *w, wstream *s);

#endif /* SYNAPT_WRITER_INTERNAL_H */
