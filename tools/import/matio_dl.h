/* matio_dl.h - libmatio, loaded on first use (matio_dl.c).
 *
 * libmatio brings libhdf5 with it (MATLAB 7.3 files are HDF5), so linking
 * it cost every synapt-pack run what loading HDF5 costs (see tools/h5/h5.h),
 * .mat inputs or not. The functions the SURREAL readers call are reached
 * through this table instead, which import_mat_load() fills with
 * dlopen()/dlsym(). A file that includes <matio.h> and then this header
 * calls them by the usual names; the macros turn each into its entry. The
 * rule that keeps the table filled: every reader of a .mat file calls
 * import_mat_load() before its first matio call (before forking its
 * sandboxed dry run, so the child inherits the library). */
#ifndef SYNAPT_IMPORT_MATIO_DL_H
#define SYNAPT_IMPORT_MATIO_DL_H

#include <stddef.h>

#include <matio.h>

#define IMPORT_MAT_FUNCTIONS(X)                                              \
    X(Mat_GetLibraryVersion) X(Mat_Open) X(Mat_Close) X(Mat_GetVersion)      \
    X(Mat_SizeOfClass) X(Mat_VarFree) X(Mat_VarRead) X(Mat_VarReadInfo)      \
    X(Mat_VarReadNextInfo)

#define IMPORT_MAT_FIELD(name) __typeof__(name) *name;
typedef struct import_mat_table {
    IMPORT_MAT_FUNCTIONS(IMPORT_MAT_FIELD)
} import_mat_table;
#undef IMPORT_MAT_FIELD

extern import_mat_table import_mat;

/** Load libmatio and fill the table, once per process (thread-safe). 0, or
 *  SYNAPT_E_UNSUPPORTED with one line in `err` naming the library, which
 *  the caller prefixes with its file; a failure is final. */
int import_mat_load(char *err, size_t errsz);

#ifndef IMPORT_MAT_DIRECT
#define Mat_GetLibraryVersion (*import_mat.Mat_GetLibraryVersion)
#define Mat_Open (*import_mat.Mat_Open)
#define Mat_Close (*import_mat.Mat_Close)
#define Mat_GetVersion (*import_mat.Mat_GetVersion)
#define Mat_SizeOfClass (*import_mat.Mat_SizeOfClass)
#define Mat_VarFree (*import_mat.Mat_VarFree)
#define Mat_VarRead (*import_mat.Mat_VarRead)
#define Mat_VarReadInfo (*import_mat.Mat_VarReadInfo)
#define Mat_VarReadNextInfo (*import_mat.Mat_VarReadNextInfo)
#endif

#endif
