/*
 * layout_common.h - what the annotation-layout parsers (layout_*.c) and the
 * layout table (import_layouts.c) share inside tools/import: path and name
 * helpers, class lookup, JSON arrays with line numbers, the Diving48
 * vocabulary and the SynAPT split lists.
 *
 * Internal to tools/import: callers outside the folder use import.h only,
 * so these can change shape without touching the commands. Same
 * conventions as import.h (0 or a negative SYNAPT_E_* code, `err` gets
 * one line naming the file).
 */
#ifndef SYNAPT_LAYOUT_COMMON_H
#define SYNAPT_LAYOUT_COMMON_H

#include "import.h"

/* ---- helpers of layout_common.c ----------------------------------- */
struct cJSON;
int layout_set_str(char **dst, const char *s);
int layout_is_dir(const char *p);
int layout_is_file(const char *p);
char *layout_trim(char *s);
char *layout_root_for(const import_options *o, const char *ann_dir);
long layout_find_class(const import_list *l, size_t first, const char *name);
char *layout_stem_of(const char *path);
char *layout_strip_video_ext(const char *path);
int layout_set_video(import_clip *c, const char *root, const char *sub, const char *name);
int layout_video_leaves_root(const import_options *o, const char *sub, const char *name);
#define LAYOUT_LEAVES_ROOT "video path '%s%s%s' leaves the root (absolute or '..'); " \
                           "--allow-outside-paths accepts it"
int layout_cmp_str(const void *a, const void *b);
int layout_json_element_lines(uint64_t **out, size_t *n, const char *buf, size_t len);
struct cJSON *layout_read_json(const char *path, char *err, size_t errsz, int *rc, uint64_t **lines, size_t *nlines);
char *layout_find_in_dir(const char *dir, const char *const *names);

/* Walk a top-level JSON array of clips (diving48, ssv2): `fn` sees each
 * element with its index and its line in the file (0 when unknown), for
 * messages like "train.json:37: element 36: ...". A nonzero return stops
 * the walk and is returned; so a tolerated bad entry returns 0 (what
 * import_bad_entry gives under --keep-going). A file that is not a JSON
 * array is _INPUT. */
typedef int (*layout_json_fn)(void *ctx, const struct cJSON *elem, size_t k, uint64_t line);
int layout_json_each(const char *path, layout_json_fn fn, void *ctx, char *err, size_t errsz);

/* Walk the lines of a list file (hmdb51, ucf101) read whole with the size
 * cap `cap` (0 = IMPORT_MAX_FILE_BYTES): `fn` sees each line trimmed of
 * blanks, blank lines skipped, with its line number; the line is a
 * scratch copy it may cut up. A line too long or holding a NUL byte is a
 * bad entry of `out` (import_bad_entry). A nonzero return stops the walk
 * and is returned, as for layout_json_each. */
typedef int (*layout_line_fn)(void *ctx, char *line, uint64_t lineno);
int layout_lines_each(import_list *out, const import_options *o, const char *path, size_t cap,
                      layout_line_fn fn, void *ctx, char *err, size_t errsz);
/** Diving48_vocab.json: 48 [takeoff, somersault, twist, flight] entries
 *  added as classes "Back+15som+05Twis+FREE" (layout_diving48.c). */
/* --labels FILE: class names, one a line (blank lines skipped, spaces
 * trimmed), appended to out's classes; a name listed twice is an error. */
int layout_read_labels_file(import_list *out, const char *path, char *err, size_t errsz);
int layout_d48_vocab(import_list *out, const char *vpath, char *err, size_t errsz);

/* The SynAPT downstream split files (layout_splits.c): "<path>;<label id>"
 * lines (CRLF or LF, final newline optional), the older
 * "path;start;end;label", and ";;" as the separator where names hold ';'.
 * Each set's layout file gives a layout_split_set; train.csv, val.csv and
 * test.csv give the split, a folder holding them is read whole. */
typedef struct layout_split_entry {
    char cls[256];           /* class the path implies ("" = it does not) */
    char group_key[32];      /* "subject", "video", "group" */
    char group[256];         /* "" = no group */
    char meta[1024];         /* JSON object text; "" = none */
    char video[4096];        /* video relative to the root when not the listed path */
    int64_t start, end;      /* half-open frame range the name implies; -1 = none */
} layout_split_entry;

typedef struct layout_split_set {
    const char *source;      /* source name and --format name ("uav-human") */
    uint32_t n_classes;      /* label ids run 0..n_classes-1 */
    const char *const *names; /* the set's fixed class names in id order, or NULL */
    const char *name_format; /* or names made from the id ("A%03u"), or NULL */
    const char *names_file;  /* class-name file looked for beside the list (or one
                                folder up) when --labels is not given; NULL = none */
    /* a --labels/names file ending in .json is read by this, when set */
    int (*names_json)(import_list *out, const char *path, char *err, size_t errsz);
    /* Check `path` (as listed) against the set's naming and fill `e`;
     * `root` is where videos live. Nonzero with `why` set = a bad entry. */
    int (*entry)(layout_split_entry *e, const char *path, int64_t label, const char *root,
                 char *why, size_t whysz);
} layout_split_set;

/** 1 when `path` is train.csv/val.csv/test.csv or a folder holding one. */
int layout_split_is_input(const char *path);
/** The --format name a split list belongs to, from its first line; NULL. */
const char *layout_split_detect(const char *first_line);
int layout_split_parse(import_list *out, const import_options *o, const char *path,
                       const layout_split_set *set, char *err, size_t errsz);

#endif /* SYNAPT_LAYOUT_COMMON_H */
