/* import_pack_clip.c - one clip of synapt-pack: its video (or image
 * sequence) and every sidecar into a writer, frame counts reconciled with
 * the --on-mismatch policy (import_pack_clip). The driver over a whole clip
 * list is import_pack.c. */
#include "import.h"
#include "cli/cli.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <libavformat/avformat.h>
#include <ctype.h>
#include <dirent.h>
#include <strings.h>

int import_mismatch_from_name(const char *name)
{
    if (!strcmp(name, "error"))
        return IMPORT_MISMATCH_ERROR;
    if (!strcmp(name, "truncate"))
        return IMPORT_MISMATCH_TRUNCATE;
    if (!strcmp(name, "pad"))
        return IMPORT_MISMATCH_PAD;
    return -1;
}

static const char *mismatch_name(int m)
{
    return m == IMPORT_MISMATCH_PAD ? "pad" : m == IMPORT_MISMATCH_TRUNCATE ? "truncate" : "error";
}

/* ---------------------------------------------------------------- one clip */


/* An image folder whose files are one numbered sequence (00001.jpg ...,
 * contiguous, starting at 0..4 as FFmpeg's image2 demuxer looks) can be
 * imported like a video: JPEG frames become an MJPEG stream stored byte
 * for byte in copy mode, PNG frames a PNG stream. Writes the image2
 * pattern ("dir/%05d.jpg") and the frame count; 0 when the folder is not
 * such a sequence (the frames are then stored decoded). */

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int image_sequence(char *out, size_t n, uint64_t *count, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char prefix[256] = "", ext[16] = "";
    int width = -1, padded = 0, unpadded_multi = 0, ok = 1;
    long *nums = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.')
            continue;
        const char *dot = strrchr(nm, '.');
        if (!dot || !(strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 ||
                      strcasecmp(dot, ".png") == 0)) {
            ok = 0; /* anything else in the folder: not a plain sequence */
            break;
        }
        const char *q = dot;
        while (q > nm && isdigit((unsigned char)q[-1]))
            q--;
        int w = (int)(dot - q);
        if (w == 0 || w > 9 || (size_t)(q - nm) >= sizeof prefix || strlen(dot) >= sizeof ext) {
            ok = 0;
            break;
        }
        if (width < 0) {
            snprintf(prefix, sizeof prefix, "%.*s", (int)(q - nm), nm);
            snprintf(ext, sizeof ext, "%s", dot);
            width = w;
        } else if (strncmp(prefix, nm, (size_t)(q - nm)) != 0 || prefix[q - nm] != 0 ||
                   strcmp(ext, dot) != 0) {
            ok = 0;
            break;
        }
        if (w != width)
            unpadded_multi = 1;
        if (w > 1 && q[0] == '0')
            padded = 1;
        if (nn == cap) {
            cap = cap ? cap * 2 : 256;
            long *nv = cap <= IMPORT_MAX_FRAMES ? realloc(nums, cap * sizeof *nv) : NULL;
            if (!nv) {
                ok = 0;
                break;
            }
            nums = nv;
        }
        nums[nn++] = strtol(q, NULL, 10);
    }
    closedir(d);
    if (ok && nn > 0 && !(padded && unpadded_multi)) {
        qsort(nums, nn, sizeof *nums, cmp_long);
        ok = nums[0] <= 4;
        for (size_t i = 1; ok && i < nn; i++)
            ok = nums[i] == nums[i - 1] + 1;
    } else {
        ok = 0;
    }
    free(nums);
    /* '%' in a name would be read as a pattern: leave such folders alone */
    if (!ok || strchr(dir, '%') || strchr(prefix, '%'))
        return 0;
    if (unpadded_multi)
        snprintf(out, n, "%s/%s%%d%s", dir, prefix, ext);
    else
        snprintf(out, n, "%s/%s%%0%dd%s", dir, prefix, width, ext);
    *count = nn;
    return 1;
}

/* The video's nominal frame rate, so sidecar streams carry the same clock.
 * Reading the container header is enough for the formats datasets use;
 * 0/0 (writer default) when the header does not say. */
static void probe_fps(const char *path, uint32_t *num, uint32_t *den)
{
    *num = *den = 0;
    AVFormatContext *fc = NULL;
    if (avformat_open_input(&fc, path, NULL, NULL) < 0)
        return;
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        AVStream *st = fc->streams[i];
        if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO)
            continue;
        AVRational r = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                                : st->r_frame_rate;
        if (r.num > 0 && r.den > 0) {
            *num = (uint32_t)r.num;
            *den = (uint32_t)r.den;
        }
        break;
    }
    avformat_close_input(&fc);
}

/* Sidecars loaded before the clip is begun: their frame counts go into the
 * clip metadata, which is fixed at begin_clip. */
typedef struct loaded {
    import_pose pose2d, pose3d;
    int has2d, has3d;
    import_frames *depth, *mask;
    int32_t *flabels;
    uint64_t nflabels;
    int has_flabels;
    import_ntu_skeleton ntu;      /* when a pose sidecar is an NTU .skeleton */
    int has_ntu;
} loaded;

static void loaded_free(loaded *s)
{
    import_pose_free(&s->pose2d);
    import_pose_free(&s->pose3d);
    import_frames_close(s->depth);
    import_frames_close(s->mask);
    free(s->flabels);
    import_ntu_free(&s->ntu);
}

static const char *base_name(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p ? p : "";
}

/* Stream name for a kind: the standard name, or "<name>_<tag>" when the
 * clip already has one (a second pose2d becomes pose2d_openpose). */
static void stream_name(char *out, size_t n, const char *base, const char *tag,
                        char used[][48], int *nused)
{
    snprintf(out, n, "%s", base);
    for (int i = 0; i < *nused; i++)
        if (strcmp(used[i], out) == 0) {
            snprintf(out, n, "%s_%s", base, tag);
            break;
        }
    if (*nused < 16)
        snprintf(used[(*nused)++], 48, "%s", out);
}

static uint64_t target_frames(uint64_t have, uint64_t video, int policy)
{
    if (policy == IMPORT_MISMATCH_PAD)
        return video;
    if (policy == IMPORT_MISMATCH_TRUNCATE && have > video)
        return video;
    return have;
}

static int write_pose(synapt_writer *w, const import_pose *p, const char *name, int kind,
                      uint64_t nframes, int64_t first, const uint32_t fps[2], char *err, size_t errsz,
                      const char *id)
{
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.fps_num = fps[0];
    d.fps_den = fps[1];
    d.name = name;
    d.kind = kind;
    d.dtype = SYNAPT_DTYPE_F32;
    d.ndim = 3;
    d.shape[0] = p->persons;
    d.shape[1] = p->joints;
    d.shape[2] = p->channels;
    d.skeleton = p->skeleton;
    d.channels = p->layout;
    d.units = kind == SYNAPT_KIND_POSE3D ? "m" : "px";
    uint32_t si;
    int rc = synapt_writer_add_stream(&si, w, &d);
    size_t per = (size_t)p->persons * p->joints * p->channels;
    for (uint64_t t = 0; !rc && t < nframes; t++) {
        /* frames outside the sidecar (padding, or before its first index)
         * are frames with nobody in them */
        int64_t src = (int64_t)t + first;
        if (src < 0 || (uint64_t)src >= p->frames)
            rc = synapt_writer_write_pose(w, si, NULL, 0, SYNAPT_PTS_NONE);
        else
            rc = synapt_writer_write_pose(w, si, p->data + (size_t)src * per, p->present[src],
                                          SYNAPT_PTS_NONE);
    }
    if (rc)
        import_errf(err, errsz, NULL, 0, "clip %s: stream %s: %s", id, name, synapt_writer_errmsg(w));
    return rc;
}

static int write_frames_stream(synapt_writer *w, import_frames *f, const char *name, int kind,
                               uint64_t nframes, const uint32_t fps[2], const char *id, char *err,
                               size_t errsz)
{
    const import_frames_info *fi = import_frames_get_info(f);
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.fps_num = fps[0];
    d.fps_den = fps[1];
    d.name = name;
    d.kind = kind;
    d.dtype = fi->dtype;
    d.ndim = fi->channels > 1 || kind == SYNAPT_KIND_IMAGE ? 3 : 2;
    d.shape[0] = fi->height;
    d.shape[1] = fi->width;
    d.shape[2] = fi->channels;
    if (kind == SYNAPT_KIND_DEPTH) {
        d.scale = fi->dtype == SYNAPT_DTYPE_U16 ? fi->scale : 1.0;
        d.units = "m";
    }
    size_t es = fi->dtype == SYNAPT_DTYPE_U8 ? 1 : fi->dtype == SYNAPT_DTYPE_U16 ? 2 : 4;
    size_t fb = (size_t)fi->height * fi->width * fi->channels * es;
    uint32_t si;
    int rc = synapt_writer_add_stream(&si, w, &d);
    if (rc) {
        import_errf(err, errsz, NULL, 0, "clip %s: stream %s: %s", id, name, synapt_writer_errmsg(w));
        return rc;
    }
    void *buf = calloc(1, fb ? fb : 1);
    if (!buf)
        return SYNAPT_E_NOMEM;
    for (uint64_t t = 0; !rc && t < nframes; t++) {
        if (t < fi->frames) {
            rc = import_frames_read(f, t, buf, fb, err, errsz);
            if (rc)
                break;
        } else if (t == fi->frames) {
            memset(buf, 0, fb); /* padding: zero is "no measurement" for depth and "background" for masks */
        }
        rc = synapt_writer_write_frames(w, si, buf, fb, 1, NULL);
        if (rc)
            import_errf(err, errsz, NULL, 0, "clip %s: stream %s: %s", id, name, synapt_writer_errmsg(w));
    }
    free(buf);
    return rc;
}


/* The NTU .skeleton values that are not pose2d (colour pixels) or pose3d
 * (metres): depth-image pixels, joint orientation and tracking state, kept
 * as a custom stream so nothing the file holds is lost. */
static const int ntu_extra_idx[7] = { 3, 4, 7, 8, 9, 10, 11 };
static const char *const ntu_extra_names[7] = { "depthX", "depthY", "orientW", "orientX",
                                                "orientY", "orientZ", "trackingState" };

static int write_ntu_extra(synapt_writer *w, const import_ntu_skeleton *sk, const char *name,
                           uint64_t nframes, const uint32_t fps[2], const char *id, char *err,
                           size_t errsz)
{
    synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
    d.name = name;
    d.kind = SYNAPT_KIND_CUSTOM;
    d.dtype = SYNAPT_DTYPE_F32;
    d.ndim = 3;
    d.shape[0] = sk->max_bodies;
    d.shape[1] = IMPORT_NTU_JOINTS;
    d.shape[2] = 7;
    d.skeleton = SYNAPT_SKELETON_NTU25;
    d.fps_num = fps[0];
    d.fps_den = fps[1];
    size_t per = (size_t)sk->max_bodies * IMPORT_NTU_JOINTS * 7;
    float *buf = malloc((per ? per : 1) * sizeof *buf);
    if (!buf)
        return SYNAPT_E_NOMEM;
    uint32_t si;
    int rc = synapt_writer_add_stream(&si, w, &d);
    for (uint64_t t = 0; !rc && t < nframes; t++) {
        for (size_t b = 0; b < (size_t)sk->max_bodies * IMPORT_NTU_JOINTS; b++)
            for (int k = 0; k < 7; k++)
                buf[b * 7 + (size_t)k] = t < sk->frames
                    ? sk->joints[((size_t)t * sk->max_bodies * IMPORT_NTU_JOINTS + b) * IMPORT_NTU_VALUES +
                                 (size_t)ntu_extra_idx[k]]
                    : NAN;
        rc = synapt_writer_write_frames(w, si, buf, per * sizeof *buf, 1, NULL);
    }
    free(buf);
    if (rc)
        import_errf(err, errsz, NULL, 0, "clip %s: stream %s: %s", id, name, synapt_writer_errmsg(w));
    return rc;
}

int import_pack_clip(synapt_writer *w, import_clip *c, const import_pack_options *o,
                     uint64_t *frames_out, char *err, size_t errsz)
{
    loaded s;
    memset(&s, 0, sizeof s);
    import_frames *images = NULL;
    cJSON *meta = NULL;
    char *meta_txt = NULL;
    int rc = 0;
    const char *id = c->id;
    char where[600];
    /* "file:line" for annotation entries, just "file" for plain video arguments */
    if (c->ann_line)
        snprintf(where, sizeof where, "%s:%llu", c->ann_file ? c->ann_file : "",
                 (unsigned long long)c->ann_line);
    else
        snprintf(where, sizeof where, "%s", c->ann_file ? c->ann_file : "");
    if (frames_out)
        *frames_out = 0;
    if (!o->no_video && (rc = import_clip_resolve(c, err, errsz)))
        goto done;
    /* FFmpeg would wait forever on a FIFO and read a device without end */
    if (!o->no_video && c->video && (rc = import_check_regular(c->video, err, errsz)))
        goto done;
    /* sidecars first: a bad sidecar fails before any video work */
    if (c->pose2d.path) {
        if ((rc = import_pose_read(&s.pose2d, &c->pose2d, 0, err, errsz)))
            goto done;
        s.has2d = 1;
    }
    if (c->pose3d.path) {
        if ((rc = import_pose_read(&s.pose3d, &c->pose3d, 1, err, errsz)))
            goto done;
        s.has3d = 1;
    }
    const import_sidecar *ntu_sc = c->pose3d.kind == IMPORT_SC_NTU_SKELETON ? &c->pose3d :
                                   c->pose2d.kind == IMPORT_SC_NTU_SKELETON ? &c->pose2d : NULL;
    if (ntu_sc) {
        if ((rc = import_ntu_read(&s.ntu, ntu_sc->path, err, errsz)))
            goto done;
        s.has_ntu = 1;
    }
    if (c->depth.path && (rc = import_frames_open(&s.depth, &c->depth, err, errsz)))
        goto done;
    if (c->mask.path && (rc = import_frames_open(&s.mask, &c->mask, err, errsz)))
        goto done;
    if (c->frame_labels.path) {
        if ((rc = import_frame_labels_read(&s.flabels, &s.nflabels, &c->frame_labels, err, errsz)))
            goto done;
        s.has_flabels = 1;
        /* ids index the output's vocabulary (--labels, then the clip labels
         * in order of first use); one past it names nothing */
        for (uint64_t i = 0; c->label_vocab_known && i < s.nflabels; i++)
            if (s.flabels[i] >= 0 && (uint64_t)s.flabels[i] >= c->label_vocab) {
                import_errf(err, errsz, c->ann_file, c->ann_line, "clip %s: frame label %ld at frame %llu is not "
                            "a label id: the vocabulary has %llu labels (--labels FILE gives it; -1 = none)",
                            id, (long)s.flabels[i], (unsigned long long)i, (unsigned long long)c->label_vocab);
                rc = SYNAPT_E_INPUT;
                goto done;
            }
    }
    char seq[4200];
    uint64_t seq_frames = 0;
    int use_seq = !o->no_video && c->frames && image_sequence(seq, sizeof seq, &seq_frames, c->frames);
    if (!o->no_video && c->frames && !use_seq &&
        (rc = import_frames_open(&images, &(import_sidecar){ c->frames, NULL, IMPORT_SC_IMAGE_DIR, 0, 0 },
                                 err, errsz)))
        goto done;

    /* clip metadata: the annotation's own, plus where the clip came from
     * and how sidecars were aligned (file names only: output must not
     * depend on where the dataset sits on disk) */
    meta = c->meta_json ? cJSON_Parse(c->meta_json) : cJSON_CreateObject();
    if (!cJSON_IsObject(meta)) {
        import_errf(err, errsz, c->ann_file, c->ann_line, "clip %s: meta is not a JSON object", id);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    cJSON *imp = cJSON_AddObjectToObject(meta, "import");
    if (imp) {
        if (c->ann_file)
            cJSON_AddStringToObject(imp, "annotation", base_name(c->ann_file));
        if (c->ann_line)
            cJSON_AddNumberToObject(imp, "line", (double)c->ann_line);
        if (!o->no_video)
            cJSON_AddStringToObject(imp, "media", base_name(c->video ? c->video : c->frames));
        if (c->start_frame >= 0 || c->end_frame >= 0) {
            /* provenance: with c->cut the clip holds exactly these frames
             * of the media (clip_cut); else where it came from */
            cJSON *r = cJSON_AddArrayToObject(imp, "frame_range");
            cJSON_AddItemToArray(r, cJSON_CreateNumber((double)(c->start_frame >= 0 ? c->start_frame : 0)));
            cJSON_AddItemToArray(r, c->end_frame >= 0 ? cJSON_CreateNumber((double)c->end_frame) : cJSON_CreateNull());
        }
        if (s.has2d || s.has3d || s.depth || s.mask || s.has_flabels) {
            cJSON *al = cJSON_AddObjectToObject(imp, "alignment");
            cJSON_AddStringToObject(al, "policy", mismatch_name(o->on_mismatch));
            cJSON *src = cJSON_AddObjectToObject(al, "sidecar_frames");
            if (s.has2d)
                cJSON_AddNumberToObject(src, "pose2d", (double)s.pose2d.frames);
            if (s.has3d)
                cJSON_AddNumberToObject(src, "pose3d", (double)s.pose3d.frames);
            if (s.depth)
                cJSON_AddNumberToObject(src, "depth", (double)import_frames_get_info(s.depth)->frames);
            if (s.mask)
                cJSON_AddNumberToObject(src, "mask", (double)import_frames_get_info(s.mask)->frames);
            if (s.has_flabels)
                cJSON_AddNumberToObject(src, "frame_labels", (double)s.nflabels);
        }
        if (s.has_ntu) {
            cJSON *names = cJSON_AddArrayToObject(imp, "ntu_joints_channels");
            for (int k = 0; names && k < 7; k++)
                cJSON_AddItemToArray(names, cJSON_CreateString(ntu_extra_names[k]));
        }
    }
    if (import_json_exact_numbers(meta) || !(meta_txt = cJSON_PrintUnformatted(meta))) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    synapt_clip_desc cd = SYNAPT_CLIP_DESC_INIT;
    cd.id = id;
    cd.labels = (const char *const *)c->labels;
    cd.label_count = c->label_count;
    cd.split = c->split;
    cd.source = c->source;
    cd.synthetic = c->synthetic;
    cd.group_keys = (const char *const *)c->group_keys;
    cd.group_values = (const char *const *)c->group_values;
    cd.group_count = c->group_count;
    cd.meta_json = meta_txt;
    if ((rc = synapt_writer_begin_clip(w, &cd))) {
        import_errf(err, errsz, c->ann_file, c->ann_line, "clip %s: %s", id, synapt_writer_errmsg(w));
        goto done;
    }
    char used[16][48];
    int nused = 0;
    char name[64];
    uint64_t nvideo = 0;
    uint32_t fps[2] = { 0, 0 };
    if (o->no_video) {
        /* no picture: the sidecars are aligned to the first of them */
        nvideo = s.has2d ? s.pose2d.frames : s.has3d ? s.pose3d.frames :
                 s.depth ? import_frames_get_info(s.depth)->frames :
                 s.mask ? import_frames_get_info(s.mask)->frames : s.nflabels;
        if (!(s.has2d || s.has3d || s.depth || s.mask || s.has_flabels)) {
            import_errf(err, errsz, c->ann_file, c->ann_line, "clip %s has no sidecar to pack without video", id);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
    } else if (c->video || use_seq) {
        const char *media = c->video ? c->video : seq;
        /* the rate is for the sidecars' streams only: no open when
         * there are none */
        if (s.has2d || s.has3d || s.depth || s.mask || s.has_flabels)
            probe_fps(media, &fps[0], &fps[1]);
        synapt_video_import_options vo = o->video;
        /* one FFmpeg thread per clip, whatever --threads: clips already run
         * in parallel, and an encoder's output may depend on its own thread
         * count (x264 does), which would break "same bytes whatever -j" */
        if (vo.threads == 0)
            vo.threads = 1;
        stream_name(name, sizeof name, "rgb", "video", used, &nused);
        vo.stream_name = name;
        synapt_video_import_result vr;
        char verr[768] = "";
        rc = synapt_video_import(&vr, w, media, &vo, verr, sizeof verr);
        if (rc) {
            import_errf(err, errsz, NULL, 0, "%s (clip %s, %s)", verr, id, where);
            goto done;
        }
        /* a damaged tail keeps the frames decoded so far: the user must hear of it */
        if (verr[0] && cli_verbosity() >= 0)
            cli_error_msg(NULL, verr);
        nvideo = vr.frames;
        if (use_seq && nvideo != seq_frames) {
            import_errf(err, errsz, NULL, 0, "%s: %llu of %llu image frames decoded (clip %s, %s)", c->frames,
                        (unsigned long long)nvideo, (unsigned long long)seq_frames, id, where);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
    } else {
        stream_name(name, sizeof name, "rgb", "images", used, &nused);
        nvideo = import_frames_get_info(images)->frames;
        if ((rc = write_frames_stream(w, images, name, SYNAPT_KIND_IMAGE, nvideo, fps, id, err, errsz)))
            goto done;
    }
    /* alignment: every sidecar against the video's decoded frame count */
    struct { const char *what; uint64_t n; int present; } chk[5] = {
        { "pose2d", s.pose2d.frames, s.has2d },
        { "pose3d", s.pose3d.frames, s.has3d },
        { "depth", s.depth ? import_frames_get_info(s.depth)->frames : 0, s.depth != NULL },
        { "mask", s.mask ? import_frames_get_info(s.mask)->frames : 0, s.mask != NULL },
        { "frame_labels", s.nflabels, s.has_flabels },
    };
    for (int i = 0; i < 5; i++)
        if (chk[i].present && chk[i].n != nvideo && o->on_mismatch == IMPORT_MISMATCH_ERROR) {
            import_errf(err, errsz, c->ann_file, c->ann_line,
                        o->no_video ? "clip %s: %s has %llu frames but the first sidecar has %llu "
                        "(--on-mismatch truncate|pad to accept)" :
                        "clip %s: %s has %llu frames but the video has %llu "
                        "(--on-mismatch truncate|pad to accept)", id, chk[i].what,
                        (unsigned long long)chk[i].n, (unsigned long long)nvideo);
            rc = SYNAPT_E_INPUT;
            goto done;
        }
    if (s.has2d) {
        stream_name(name, sizeof name, "pose2d", import_sidecar_kind_name(c->pose2d.kind), used, &nused);
        if ((rc = write_pose(w, &s.pose2d, name, SYNAPT_KIND_POSE2D,
                             target_frames(s.pose2d.frames, nvideo, o->on_mismatch), 0, fps, err, errsz, id)))
            goto done;
    }
    if (s.has3d) {
        stream_name(name, sizeof name, "pose3d", import_sidecar_kind_name(c->pose3d.kind), used, &nused);
        if ((rc = write_pose(w, &s.pose3d, name, SYNAPT_KIND_POSE3D,
                             target_frames(s.pose3d.frames, nvideo, o->on_mismatch), 0, fps, err, errsz, id)))
            goto done;
    }
    if (s.depth) {
        stream_name(name, sizeof name, "depth", import_sidecar_kind_name(c->depth.kind), used, &nused);
        if ((rc = write_frames_stream(w, s.depth, name, SYNAPT_KIND_DEPTH,
                                      target_frames(import_frames_get_info(s.depth)->frames, nvideo,
                                                    o->on_mismatch), fps, id, err, errsz)))
            goto done;
    }
    if (s.mask) {
        stream_name(name, sizeof name, "mask", import_sidecar_kind_name(c->mask.kind), used, &nused);
        if ((rc = write_frames_stream(w, s.mask, name, SYNAPT_KIND_MASK,
                                      target_frames(import_frames_get_info(s.mask)->frames, nvideo,
                                                    o->on_mismatch), fps, id, err, errsz)))
            goto done;
    }
    if (s.has_flabels) {
        stream_name(name, sizeof name, "frame_labels", "file", used, &nused);
        synapt_stream_desc d = SYNAPT_STREAM_DESC_INIT;
        d.name = name;
        d.kind = SYNAPT_KIND_FRAME_LABELS;
        d.dtype = SYNAPT_DTYPE_I32;
        d.ndim = 1;
        d.shape[0] = 1;
        d.fps_num = fps[0];
        d.fps_den = fps[1];
        uint32_t si;
        uint64_t n = target_frames(s.nflabels, nvideo, o->on_mismatch);
        rc = synapt_writer_add_stream(&si, w, &d);
        for (uint64_t t = 0; !rc && t < n; t++) {
            int32_t v = t < s.nflabels ? s.flabels[t] : -1;
            rc = synapt_writer_write_frames(w, si, &v, sizeof v, 1, NULL);
        }
        if (rc) {
            import_errf(err, errsz, NULL, 0, "clip %s: stream %s: %s", id, name, synapt_writer_errmsg(w));
            goto done;
        }
    }
    if (s.has_ntu) {
        stream_name(name, sizeof name, "ntu_joints", "skeleton", used, &nused);
        if ((rc = write_ntu_extra(w, &s.ntu, name, target_frames(s.ntu.frames, nvideo, o->on_mismatch),
                                  fps, id, err, errsz)))
            goto done;
    }
    if ((rc = synapt_writer_end_clip(w))) {
        import_errf(err, errsz, NULL, 0, "clip %s: %s", id, synapt_writer_errmsg(w));
        goto done;
    }
    if (frames_out)
        *frames_out = nvideo;
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, c->ann_file, c->ann_line, "clip %s: out of memory", id);
    loaded_free(&s);
    import_frames_close(images);
    cJSON_Delete(meta);
    free(meta_txt);
    return rc;
}

