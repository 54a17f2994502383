# synapt: GNU-style Makefile. `make demo` and `make test` are the two entry points.
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR     ?= $(PREFIX)/share/man
# the Python package goes where Debian's python3 looks: the version-neutral
# dist-packages under /usr, the versioned one under any other prefix
PYTHON     ?= /usr/bin/python3
PYVER      := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTHONDIR  ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PYVER)/dist-packages)
PY_SRC     = $(sort $(wildcard python/synapt/*.py))

CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
B        = build

VERSION  = 0.6.0
SOMAJOR  = 1

# libsynapt compiles against all of these but links only LIB_LINK_PKGS:
# libavcodec, libavformat and libswscale (and the ~130 libraries they pull
# in) are loaded with dlopen the first time a video path runs
# (libsynapt/video_ffmpeg.h), so commands that never touch video start fast
LIB_PKGS      = libzstd libxxhash libcjson libavformat libavcodec libavutil libswscale
LIB_LINK_PKGS = libzstd libxxhash libcjson libavutil
LIB_CFLAGS  := $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
LIB_LIBS    := $(shell pkg-config --libs $(LIB_LINK_PKGS) 2>/dev/null) -ldl -lpthread -lm
# what callers of the internals that use FFmpeg directly link (tests, benchmarks)
FF_LIBS     := $(shell pkg-config --libs libavformat libavcodec libswscale 2>/dev/null)

# zlib is optional: only deflate-compressed .npz members need it (tools/npy)
HAVE_ZLIB  := $(shell pkg-config --exists zlib 2>/dev/null && echo zlib)

# Tool libraries: each folder tools/<name>/ holds one header <name>.h and is
# built into build/lib/libsynapt-<name>.a. For each one say which pkg-config
# packages it needs (<name>_PKGS) and which other tool libraries it calls
# (<name>_USES). TOOL_LIBS lists them callers first, callees last: that is
# the link order, and the layout check (scripts/check-layout.sh) refuses an
# include against it.
TOOL_LIBS    = audit import merge select synth h5 export npy cli
audit_PKGS   = libpng
audit_USES   = h5 npy cli
merge_PKGS   = libcjson libxxhash
merge_USES   = cli
select_PKGS  =
select_USES  = cli
import_PKGS  = libcjson libxxhash hdf5 matio libpng libavformat libavcodec libavutil libswscale
import_USES  = merge h5 npy cli
synth_PKGS   = libcjson libxxhash libpng libavformat libavcodec libavutil libswscale
synth_USES   = npy cli
h5_PKGS      = hdf5 libswscale libavutil
h5_USES      = cli
export_PKGS  = libpng
export_USES  = cli
npy_PKGS     = $(HAVE_ZLIB)
npy_USES     =
cli_PKGS     = libcjson libavutil libxxhash
cli_USES     =

# Commands: tools/synapt-<name>.c, linked with the tool libraries they name
# here (and what those use in turn) plus libsynapt, nothing else.
synapt-inspect_USES = export cli
synapt-convert_USES = h5 export npy select cli
synapt-pack_USES    = import h5 cli
synapt-synth_USES   = synth cli
synapt-recover_USES = cli
synapt-merge_USES   = merge cli
synapt-subset_USES  = merge select cli
synapt-audit_USES   = audit select cli

# $(call tl_closure,names): the names with everything they use, in link order
tl_expand   = $(foreach u,$(1),$(u) $(call tl_expand,$($(u)_USES)))
tl_closure  = $(filter $(sort $(call tl_expand,$(1))),$(TOOL_LIBS))
tl_archives = $(foreach u,$(call tl_closure,$(1)),$(B)/lib/libsynapt-$(u).a)
tl_pkgs     = $(sort $(foreach u,$(call tl_closure,$(1)),$($(u)_PKGS)))
tl_cflags   = $(shell pkg-config --cflags $(call tl_pkgs,$(1)) 2>/dev/null) \
              $(if $(filter zlib,$(call tl_pkgs,$(1))),-DSYNAPT_HAVE_ZLIB)
tl_libs     = $(shell pkg-config --libs $(filter-out $(DLOPEN_PKGS),$(call tl_pkgs,$(1))) 2>/dev/null)

# HDF5 and matio are compiled against but not linked: loading libhdf5 costs
# a process about 13 ms, so tools/h5 and tools/import dlopen them on first
# use (tools/h5/h5.h, tools/import/matio_dl.h), by the soname the linker
# would have recorded (scripts/soname.sh; deferred, so `make deps` runs first)
DLOPEN_PKGS = hdf5 matio
DL_LIBS     = $(shell pkg-config --libs $(DLOPEN_PKGS) 2>/dev/null)
soname      = $(shell sh scripts/soname.sh '$(CC)' $(1) $(2))
$(B)/obj/tools/h5/h5_dl.o: TOOL_DEFS = -DH5DL_SONAME='"$(call soname,hdf5,hdf5)"'
$(B)/obj/tools/import/matio_dl.o: TOOL_DEFS = -DIMPORT_MATIO_SONAME='"$(call soname,matio,matio)"'

# tests and benchmarks may exercise any tool library: they link all of them
ALL_TOOL_A      = $(call tl_archives,$(TOOL_LIBS))
ALL_TOOL_CFLAGS = $(call tl_cflags,$(TOOL_LIBS))
ALL_TOOL_LDLIBS = $(call tl_libs,$(TOOL_LIBS)) $(LIB_LIBS) $(FF_LIBS) $(DL_LIBS)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -Ilibsynapt

LIB_SRC   = $(sort $(wildcard libsynapt/*.c))
LIB_OBJ   = $(LIB_SRC:libsynapt/%.c=$(B)/obj/lib/%.o)
TOOL_MAIN = $(sort $(wildcard tools/synapt-*.c))
TOOL_BIN  = $(TOOL_MAIN:tools/%.c=$(B)/bin/%)
EX_SRC    = $(sort $(wildcard examples/*.c))
EX_BIN    = $(EX_SRC:examples/%.c=$(B)/examples/%)
BENCH_SRC = $(sort $(wildcard bench/bench_*.c))
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(B)/bench/%)
MAN_PAGES = $(sort $(wildcard man/*.1))

STATIC = $(B)/lib/libsynapt.a
SHARED = $(B)/lib/libsynapt.so.$(VERSION)

.SECONDARY:
.PHONY: all lib tools tests examples bench-build deps test check asan tsan fuzz bench scale demo install uninstall clean
all: lib tools

lib: $(STATIC) $(SHARED) $(B)/lib/synapt.pc
tools: $(TOOL_BIN)

$(B)/obj/lib/%.o: libsynapt/%.c $(wildcard libsynapt/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden $(LIB_CFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libsynapt.so.$(SOMAJOR) $(if $(SAN),,-Wl,-z,defs) $(SAN) -o $@ $^ $(LIB_LIBS)
	ln -sf libsynapt.so.$(VERSION) $(B)/lib/libsynapt.so.$(SOMAJOR)
	ln -sf libsynapt.so.$(SOMAJOR) $(B)/lib/libsynapt.so

# libdir and includedir relative to ${prefix} when they are under it, so that
# pkg-config --define-prefix (or --define-variable=prefix=...) can relocate a
# staged DESTDIR install
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' \
	-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
	-e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(LIB_LINK_PKGS)|'

$(B)/lib/synapt.pc: synapt.pc.in Makefile
	@mkdir -p $(@D)
	$(PC_SED) $< > $@

# one archive per tool library; its objects see its own packages' headers
define tool_lib
$(1)_SRC := $$(sort $$(wildcard tools/$(1)/*.c))
$(1)_OBJ := $$($(1)_SRC:tools/$(1)/%.c=$$(B)/obj/tools/$(1)/%.o)
$$(B)/obj/tools/$(1)/%.o: tools/$(1)/%.c $$(wildcard tools/*/*.h) libsynapt/synapt.h
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(call tl_cflags,$(1)) $$(LIB_CFLAGS) $$(TOOL_DEFS) -Itools -c $$< -o $$@
$$(B)/lib/libsynapt-$(1).a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach t,$(TOOL_LIBS),$(eval $(call tool_lib,$(t))))

# tools link the static library so they run from build/bin without LD_LIBRARY_PATH;
# --as-needed keeps a FFmpeg library out of a command whose code never calls it
.SECONDEXPANSION:
$(B)/bin/%: tools/%.c $$(call tl_archives,$$($$*_USES)) $(STATIC) $(wildcard tools/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(call tl_cflags,$($*_USES)) $(LIB_CFLAGS) -Itools $< \
	    $(call tl_archives,$($*_USES)) $(STATIC) -Wl,--as-needed $(call tl_libs,$($*_USES)) $(LIB_LIBS) -o $@

$(B)/examples/%: examples/%.c $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $< $(STATIC) $(LIB_LIBS) -o $@

$(B)/bench/%: bench/%.c bench/bench_util.h $(ALL_TOOL_A) $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_TOOL_CFLAGS) $(LIB_CFLAGS) -Itools $< $(ALL_TOOL_A) $(STATIC) $(ALL_TOOL_LDLIBS) -o $@

# bench_depth compares with JPEG XL when libjxl is there (optional: the
# benchmark says so and skips those columns without it)
JXL_CFLAGS := $(shell pkg-config --exists libjxl 2>/dev/null && echo -DSYNAPT_HAVE_JXL `pkg-config --cflags libjxl`)
JXL_LIBS   := $(shell pkg-config --libs libjxl 2>/dev/null)
$(B)/bench/bench_depth: bench/bench_depth.c bench/bench_util.h $(ALL_TOOL_A) $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_TOOL_CFLAGS) $(LIB_CFLAGS) $(JXL_CFLAGS) -Itools $< $(ALL_TOOL_A) $(STATIC) $(ALL_TOOL_LDLIBS) $(JXL_LIBS) -o $@

examples: $(EX_BIN)
bench-build: $(BENCH_BIN)

deps:
	@sh scripts/deps.sh

# ---- tests: one folder per subject (tests/README.md) ------------------------
# tests/SUBJECT/test_*.c build to $(B)/tests/SUBJECT/test_*, which tests/run.sh
# runs with the folder's t_*.sh; tests/testutil.h is shared by all of them.
# gen_golden writes and dumps the golden files for tests/golden/t_golden.sh
# (not a test itself).
TEST_SRC  = $(sort $(wildcard tests/*/test_*.c))
TEST_BIN  = $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_GEN  = $(B)/tests/golden/gen_golden

$(B)/tests/%: tests/%.c $(ALL_TOOL_A) $(STATIC) tests/testutil.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_TOOL_CFLAGS) $(LIB_CFLAGS) -Itools -Itests $< $(ALL_TOOL_A) $(STATIC) $(ALL_TOOL_LDLIBS) -o $@

# the known-answer payload of test_depth_ans; the PNG reader and the file
# writer of the depth tests
$(B)/tests/core/test_depth_ans: tests/core/depth_ans_kat.inc tests/core/png16.h tests/core/depth_files.h
$(B)/tests/core/test_depth_strip: tests/core/png16.h tests/core/depth_files.h
$(B)/tests/core/test_depth_codec: tests/core/png16.h
# test_fuzz_replay compiles the fuzz harnesses in
$(B)/tests/core/test_fuzz_replay: $(wildcard fuzz/*.c fuzz/*.h)

tests: $(TEST_BIN) $(TEST_GEN)
# ---- end of tests ------------------------------------------------------------

# the README's test command: install what is missing, build, run every test
test: deps
	$(MAKE) all tests examples
	sh tests/run.sh

check: all tests examples
	sh tests/run.sh

asan: deps
	$(MAKE) B=build-asan CC=clang SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" CFLAGS="-O1 -g" all tests examples
	SYNAPT_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp sh tests/run.sh

# ThreadSanitizer over what shares state between threads: one reader handle
# read by 8 threads (tests/core/test_threads, test_core, test_video), the
# memory scratch images handed from pack workers to the writer
# (tests/import/test_pack_scratch) and the
# cli_pool_run workers of synapt-pack, -synth and -audit (scripts/tsan.sh).
# Not part of make test (CI time budget); run it after touching threads.
TSAN_TESTS = core/test_threads core/test_core video/test_video import/test_pack_scratch
tsan: deps
	$(MAKE) B=build-tsan CC=clang SAN="-fsanitize=thread -fno-omit-frame-pointer" CFLAGS="-O1 -g" \
	    all $(TSAN_TESTS:%=build-tsan/tests/%)
	SYNAPT_BUILD=build-tsan TSAN_TESTS="$(TSAN_TESTS)" sh scripts/tsan.sh

fuzz: deps
	sh scripts/fuzz.sh

bench: deps
	$(MAKE) all bench-build
	B=$(B) sh bench/run.sh

# SynAPT's size on this machine: 1,500, 15,000 and 150,000 clips through
# GNU parallel (scripts/scale.sh; not part of make test; the last step takes
# a long time and ~6 GB in $(SCALE_DIR))
SCALE_DIR ?= $(B)/scale
scale: deps
	$(MAKE) all $(B)/bench/bench_dataset $(B)/bench/bench_cores
	SYNAPT_BUILD=$(B) sh scripts/scale.sh -c 10 --baseline -o $(SCALE_DIR)/1.5k
	SYNAPT_BUILD=$(B) sh scripts/scale.sh -c 100 -o $(SCALE_DIR)/15k
	SYNAPT_BUILD=$(B) sh scripts/scale.sh -c 1000 -o $(SCALE_DIR)/150k
	cat $(SCALE_DIR)/*/scale.txt

demo: deps
	$(MAKE) all
	SYNAPT_BUILD=$(B) sh scripts/demo.sh

# synapt.pc is regenerated at install: `make all` may have run with another PREFIX
install: lib tools
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 libsynapt/synapt.h $(DESTDIR)$(INCLUDEDIR)/synapt.h
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/libsynapt.a
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/libsynapt.so.$(VERSION)
	ln -sf libsynapt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsynapt.so.$(SOMAJOR)
	ln -sf libsynapt.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libsynapt.so
	$(PC_SED) synapt.pc.in > $(B)/lib/synapt.pc.install
	install -m 644 $(B)/lib/synapt.pc.install $(DESTDIR)$(PKGCONFIGDIR)/synapt.pc
	rm -f $(B)/lib/synapt.pc.install
	install -m 755 $(TOOL_BIN) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(PYTHONDIR)/synapt
	install -m 644 $(PY_SRC) $(DESTDIR)$(PYTHONDIR)/synapt/
	@# where the library is, for the package to load it by full path
	echo 'libdir = "$(LIBDIR)"' > $(DESTDIR)$(PYTHONDIR)/synapt/_install.py
	@# the loader finds a new library in /usr/local/lib only after ldconfig
	@[ -n "$(DESTDIR)" ] || ldconfig 2>/dev/null || /sbin/ldconfig 2>/dev/null || true

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/synapt.h $(DESTDIR)$(LIBDIR)/libsynapt.a \
	      $(DESTDIR)$(LIBDIR)/libsynapt.so $(DESTDIR)$(LIBDIR)/libsynapt.so.$(SOMAJOR) \
	      $(DESTDIR)$(LIBDIR)/libsynapt.so.$(VERSION) $(DESTDIR)$(PKGCONFIGDIR)/synapt.pc
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOL_BIN)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES)))
	rm -rf $(DESTDIR)$(PYTHONDIR)/synapt
	@[ -n "$(DESTDIR)" ] || ldconfig 2>/dev/null || /sbin/ldconfig 2>/dev/null || true

clean:
	rm -rf build build-asan build-tsan build-fuzz
