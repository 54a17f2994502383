/* import_ntu.c - NTU RGB+D: the action names, the SsssCcccPpppRrrrAaaa
 * sample names, the .skeleton text format and the `ntu` layout. */
#include "import.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The official action classes of NTU RGB+D 120 (A001..A120; the first 60
 * are NTU RGB+D 60), as the dataset's page names them. */
static const char *const ntu_actions[120] = {
    "drink water", "eat meal/snack", "brushing teeth", "brushing hair", "drop",
    "pickup", "throw", "sitting down", "standing up (from sitting position)", "clapping",
    "reading", "writing", "tear up paper", "wear jacket", "take off jacket",
    "wear a shoe", "take off a shoe", "wear on glasses", "take off glasses", "put on a hat/cap",
    "take off a hat/cap", "cheer up", "hand waving", "kicking something", "reach into pocket",
    "hopping (one foot jumping)", "jump up", "make a phone call/answer phone",
    "playing with phone/tablet", "typing on a keyboard",
    "pointing to something with finger", "taking a selfie", "check time (from watch)",
    "rub two hands together", "nod head/bow",
    "shake head", "wipe face", "salute", "put the palms together", "cross hands in front (say stop)",
    "sneeze/cough", "staggering", "falling", "touch head (headache)",
    "touch chest (stomachache/heart pain)",
    "touch back (backache)", "touch neck (neckache)", "nausea or vomiting condition",
    "use a fan (with hand or paper)/feeling warm", "punching/slapping other person",
    "kicking other person", "pushing other person", "pat on back of other person",
    "point finger at the other person", "hugging other person",
    "giving something to other person", "touch other person's pocket", "handshaking",
    "walking towards each other", "walking apart from each other",
    "put on headphone", "take off headphone", "shoot at the basket", "bounce ball",
    "tennis bat swing",
    "juggling table tennis balls", "hush (quite)", "flick hair", "thumb up", "thumb down",
    "make ok sign", "make victory sign", "staple book", "counting money", "cutting nails",
    "cutting paper (using scissors)", "snapping fingers", "open bottle", "sniff (smell)",
    "squat down",
    "toss a coin", "fold paper", "ball up paper", "play magic cube", "apply cream on face",
    "apply cream on hand back", "put on bag", "take off bag", "put something into a bag",
    "take something out of a bag",
    "open a box", "move heavy objects", "shake fist", "throw up cap/hat", "hands up (both hands)",
    "cross arms", "arm circles", "arm swings", "running on the spot", "butt kicks (kick backward)",
    "cross toe touch", "side kick", "yawn", "stretch oneself", "blow nose",
    "hit other person with something", "wield knife towards other person",
    "knock over other person (hit with body)", "grab other person's stuff",
    "shoot at other person with a gun",
    "step on foot", "high-five", "cheers and drink", "carry something with other person",
    "take a photo of other person",
    "follow other person", "whisper in other person's ear", "exchange things with other person",
    "support somebody with hand", "finger-guessing game (playing rock-paper-scissors)",
};

const char *import_ntu_action_name(int action)
{
    return action >= 1 && action <= 120 ? ntu_actions[action - 1] : NULL;
}

int import_ntu_parse_name(import_ntu_name *out, const char *name)
{
    const char *b = strrchr(name, '/');
    b = b ? b + 1 : name;
    static const char tags[5] = { 'S', 'C', 'P', 'R', 'A' };
    int v[5];
    const char *p = b;
    for (int i = 0; i < 5; i++) {
        if (toupper((unsigned char)*p) != tags[i])
            return SYNAPT_E_INPUT;
        p++;
        int n = 0, k = 0;
        while (k < 3 && isdigit((unsigned char)p[k]))
            n = n * 10 + (p[k++] - '0');
        if (k != 3)
            return SYNAPT_E_INPUT;
        v[i] = n;
        p += 3;
    }
    if (isdigit((unsigned char)*p))
        return SYNAPT_E_INPUT;
    out->setup = v[0];
    out->camera = v[1];
    out->performer = v[2];
    out->replication = v[3];
    out->action = v[4];
    return 0;
}

/* ---------------------------------------------------------------- .skeleton */

typedef struct tok {
    const char *p, *end;
    uint64_t line;
    const char *file;
    char *err;
    size_t errsz;
} tok;

/* Next whitespace-separated token; 0 at end of input. Tracks lines. */
static int tok_next(tok *t, const char **s, size_t *n)
{
    while (t->p < t->end && isspace((unsigned char)*t->p)) {
        if (*t->p == '\n')
            t->line++;
        t->p++;
    }
    if (t->p >= t->end)
        return 0;
    *s = t->p;
    while (t->p < t->end && !isspace((unsigned char)*t->p))
        t->p++;
    *n = (size_t)(t->p - *s);
    return 1;
}

static int tok_int(tok *t, int64_t *v, int64_t lo, int64_t hi, const char *what)
{
    const char *s;
    size_t n;
    char buf[32];
    if (!tok_next(t, &s, &n)) {
        import_errf(t->err, t->errsz, t->file, t->line, "file ends where %s was expected", what);
        return SYNAPT_E_TRUNCATED;
    }
    if (n >= sizeof buf || (memcpy(buf, s, n), buf[n] = 0, import_parse_int(v, buf, lo, hi))) {
        import_errf(t->err, t->errsz, t->file, t->line, "%s must be an integer %lld..%lld, got '%.*s'",
                    what, (long long)lo, (long long)hi, (int)(n > 40 ? 40 : n), s);
        return SYNAPT_E_INPUT;
    }
    return 0;
}

static int tok_u64(tok *t, uint64_t *v, const char *what)
{
    const char *s;
    size_t n;
    if (!tok_next(t, &s, &n)) {
        import_errf(t->err, t->errsz, t->file, t->line, "file ends where %s was expected", what);
        return SYNAPT_E_TRUNCATED;
    }
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]) || r > (UINT64_MAX - 9) / 10) {
            import_errf(t->err, t->errsz, t->file, t->line, "%s must be an unsigned integer", what);
            return SYNAPT_E_INPUT;
        }
        r = r * 10 + (uint64_t)(s[i] - '0');
    }
    *v = r;
    return 0;
}

static int tok_float(tok *t, float *v, const char *what)
{
    const char *s;
    size_t n;
    char buf[64];
    if (!tok_next(t, &s, &n)) {
        import_errf(t->err, t->errsz, t->file, t->line, "file ends where %s was expected", what);
        return SYNAPT_E_TRUNCATED;
    }
    char *end;
    if (n >= sizeof buf)
        goto bad;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    double d = strtod(buf, &end);
    if (*end || end == buf || !isfinite(d) || fabs(d) > 1e30)
        goto bad;
    *v = (float)d;
    return 0;
bad:
    import_errf(t->err, t->errsz, t->file, t->line, "%s must be a finite number, got '%.*s'", what,
                (int)(n > 40 ? 40 : n), s);
    return SYNAPT_E_INPUT;
}

void import_ntu_free(import_ntu_skeleton *s)
{
    if (!s)
        return;
    free(s->body_count);
    free(s->body_ids);
    free(s->joints);
    memset(s, 0, sizeof *s);
}

#define NTU_BODY_FLOATS (IMPORT_NTU_JOINTS * IMPORT_NTU_VALUES)

int import_ntu_read(import_ntu_skeleton *out, const char *path, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    char *buf = NULL;
    size_t len;
    int rc = import_read_file(&buf, &len, path, 0, err, errsz);
    if (rc)
        return rc;
    tok t = { buf, buf + len, 1, path, err, errsz };
    /* bodies are gathered sparsely first: the largest body count is only
     * known at the end, and the dense array is frames * that */
    float *bodies = NULL;
    uint64_t *bids = NULL;
    uint32_t *bframe = NULL;
    size_t nb = 0, cap = 0;
    int64_t frames;
    if ((rc = tok_int(&t, &frames, 0, IMPORT_MAX_FRAMES, "the frame count")))
        goto done;
    /* every frame takes at least two bytes ("0\n"): a cheap bound that
     * stops a huge announced count from allocating before data is seen */
    if ((uint64_t)frames > len / 2 + 1) {
        import_errf(err, errsz, path, 1, "frame count %lld is more than the file can hold",
                    (long long)frames);
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    out->frames = (uint64_t)frames;
    out->body_count = calloc(frames ? (size_t)frames : 1, sizeof *out->body_count);
    if (!out->body_count) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    uint32_t maxb = 0;
    for (int64_t f = 0; f < frames; f++) {
        int64_t nbody;
        char what[64];
        snprintf(what, sizeof what, "the body count of frame %lld", (long long)f);
        if ((rc = tok_int(&t, &nbody, 0, IMPORT_MAX_PERSONS, what)))
            goto done;
        out->body_count[f] = (uint32_t)nbody;
        if ((uint32_t)nbody > maxb)
            maxb = (uint32_t)nbody;
        for (int64_t b = 0; b < nbody; b++) {
            if (nb == cap) {
                size_t nc = cap ? cap * 2 : 64;
                if (nc > (size_t)IMPORT_MAX_POSE_FLOATS / NTU_BODY_FLOATS) {
                    import_errf(err, errsz, path, t.line, "too many bodies");
                    rc = SYNAPT_E_LIMIT;
                    goto done;
                }
                float *nbf = realloc(bodies, nc * NTU_BODY_FLOATS * sizeof *nbf);
                if (nbf)
                    bodies = nbf;
                uint64_t *nid = nbf ? realloc(bids, nc * sizeof *nid) : NULL;
                if (nid)
                    bids = nid;
                uint32_t *nfr = nid ? realloc(bframe, nc * sizeof *nfr) : NULL;
                if (!nfr) {
                    rc = SYNAPT_E_NOMEM;
                    goto done;
                }
                bframe = nfr;
                cap = nc;
            }
            if ((rc = tok_u64(&t, &bids[nb], "the body id")))
                goto done;
            /* clippedEdges, hand states, isRestricted, lean x/y, trackingState */
            for (int k = 0; k < 9; k++) {
                float dummy;
                if ((rc = tok_float(&t, &dummy, "a body field")))
                    goto done;
            }
            int64_t nj;
            if ((rc = tok_int(&t, &nj, IMPORT_NTU_JOINTS, IMPORT_NTU_JOINTS, "the joint count")))
                goto done;
            float *jv = bodies + nb * NTU_BODY_FLOATS;
            for (int j = 0; j < IMPORT_NTU_JOINTS * IMPORT_NTU_VALUES; j++)
                if ((rc = tok_float(&t, &jv[j], "a joint value")))
                    goto done;
            bframe[nb] = (uint32_t)f;
            nb++;
        }
    }
    const char *s;
    size_t n;
    if (tok_next(&t, &s, &n)) {
        import_errf(err, errsz, path, t.line, "unexpected data after the last frame");
        rc = SYNAPT_E_INPUT;
        goto done;
    }
    out->max_bodies = maxb;
    size_t slots = (size_t)frames * maxb;
    if (slots > IMPORT_MAX_POSE_FLOATS / NTU_BODY_FLOATS) {
        import_errf(err, errsz, path, 0, "too many frames x bodies");
        rc = SYNAPT_E_LIMIT;
        goto done;
    }
    out->body_ids = calloc(slots ? slots : 1, sizeof *out->body_ids);
    out->joints = malloc((slots ? slots : 1) * NTU_BODY_FLOATS * sizeof(float));
    if (!out->body_ids || !out->joints) {
        rc = SYNAPT_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < slots * NTU_BODY_FLOATS; i++)
        out->joints[i] = NAN;
    uint32_t prevf = UINT32_MAX, slot = 0;
    for (size_t i = 0; i < nb; i++) {
        slot = bframe[i] == prevf ? slot + 1 : 0;
        prevf = bframe[i];
        size_t at = (size_t)bframe[i] * maxb + slot;
        out->body_ids[at] = bids[i];
        memcpy(out->joints + at * NTU_BODY_FLOATS, bodies + i * NTU_BODY_FLOATS,
               NTU_BODY_FLOATS * sizeof(float));
    }
done:
    if (rc == SYNAPT_E_NOMEM)
        import_errf(err, errsz, path, 0, "out of memory");
    free(bodies);
    free(bids);
    free(bframe);
    free(buf);
    if (rc)
        import_ntu_free(out);
    return rc;
}
