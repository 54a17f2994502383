# synapt: GNU-style Makefile. `make demo` and `make test` are the two entry points.
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR     ?= $(PREFIX)/share/man

CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
B        = build

VERSION  = 0.2.0
SOMAJOR  = 0

LIB_PKGS   = libzstd libxxhash libcjson libavformat libavcodec libavutil libswscale
TOOL_PKGS  = $(LIB_PKGS) libpng hdf5 matio
LIB_CFLAGS  := $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
LIB_LIBS    := $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) -lpthread -lm
TOOL_CFLAGS := $(shell pkg-config --cflags $(TOOL_PKGS) 2>/dev/null)
TOOL_LIBS   := $(shell pkg-config --libs $(TOOL_PKGS) 2>/dev/null) -lpthread -lm
# zlib is optional: only deflate-compressed .npz members need it (tools/npy.c)
TOOL_CFLAGS += $(shell pkg-config --exists zlib 2>/dev/null && echo -DSYNAPT_HAVE_ZLIB `pkg-config --cflags zlib`)
TOOL_LIBS   += $(shell pkg-config --libs zlib 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -Ilibsynapt

LIB_SRC   = $(sort $(wildcard libsynapt/*.c))
LIB_OBJ   = $(LIB_SRC:libsynapt/%.c=$(B)/obj/lib/%.o)
# tools/synapt-*.c are commands; every other tools/*.c is a helper module linked into all of them
TOOL_MAIN = $(sort $(wildcard tools/synapt-*.c))
TOOL_HELP = $(filter-out $(TOOL_MAIN),$(sort $(wildcard tools/*.c)))
TOOL_HOBJ = $(TOOL_HELP:tools/%.c=$(B)/obj/tools/%.o)
TOOL_BIN  = $(TOOL_MAIN:tools/%.c=$(B)/bin/%)
TEST_SRC  = $(sort $(wildcard tests/test_*.c))
TEST_BIN  = $(TEST_SRC:tests/%.c=$(B)/tests/%)
EX_SRC    = $(sort $(wildcard examples/*.c))
EX_BIN    = $(EX_SRC:examples/%.c=$(B)/examples/%)
BENCH_SRC = $(sort $(wildcard bench/bench_*.c))
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(B)/bench/%)
MAN_PAGES = $(sort $(wildcard man/*.1))

# the helper objects appear only as pattern-rule prerequisites, which would
# make them intermediate: deleted after each build and recompiled by the next
.SECONDARY: $(TOOL_HOBJ)

STATIC = $(B)/lib/libsynapt.a
SHARED = $(B)/lib/libsynapt.so.$(VERSION)

.SECONDARY:
.PHONY: all lib tools tests examples bench-build deps test check asan fuzz bench demo install uninstall clean
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
	$(CC) -shared -Wl,-soname,libsynapt.so.$(SOMAJOR) $(SAN) -o $@ $^ $(LIB_LIBS)
	ln -sf libsynapt.so.$(VERSION) $(B)/lib/libsynapt.so.$(SOMAJOR)
	ln -sf libsynapt.so.$(SOMAJOR) $(B)/lib/libsynapt.so

# libdir and includedir relative to ${prefix} when they are under it, so that
# pkg-config --define-prefix (or --define-variable=prefix=...) can relocate a
# staged DESTDIR install
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' \
	-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
	-e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(LIB_PKGS)|'

$(B)/lib/synapt.pc: synapt.pc.in Makefile
	@mkdir -p $(@D)
	$(PC_SED) $< > $@

$(B)/obj/tools/%.o: tools/%.c $(wildcard tools/*.h) libsynapt/synapt.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools -c $< -o $@

# tools link the static library so they run from build/bin without LD_LIBRARY_PATH
$(B)/bin/%: tools/%.c $(TOOL_HOBJ) $(STATIC) $(wildcard tools/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools $< $(TOOL_HOBJ) $(STATIC) $(TOOL_LIBS) -o $@

$(B)/tests/%: tests/%.c $(TOOL_HOBJ) $(STATIC) $(wildcard tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools -Itests $< $(TOOL_HOBJ) $(STATIC) $(TOOL_LIBS) -o $@

$(B)/examples/%: examples/%.c $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) $< $(STATIC) $(TOOL_LIBS) -o $@

$(B)/bench/%: bench/%.c $(TOOL_HOBJ) $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools $< $(TOOL_HOBJ) $(STATIC) $(TOOL_LIBS) -o $@

# gen_golden writes and dumps the golden files for tests/t_golden.sh (not a test itself)
tests: $(TEST_BIN) $(B)/tests/gen_golden
examples: $(EX_BIN)
bench-build: $(BENCH_BIN)

deps:
	@sh scripts/deps.sh

# the README's test command: install what is missing, build, run every test
test: deps
	$(MAKE) all tests examples
	sh tests/run.sh

check: all tests examples
	sh tests/run.sh

asan: deps
	$(MAKE) B=build-asan CC=clang SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" CFLAGS="-O1 -g" all tests examples
	SYNAPT_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp sh tests/run.sh

fuzz: deps
	sh scripts/fuzz.sh

bench: deps
	$(MAKE) all bench-build
	B=$(B) sh bench/run.sh

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
	@# the loader finds a new library in /usr/local/lib only after ldconfig
	@[ -n "$(DESTDIR)" ] || ldconfig 2>/dev/null || /sbin/ldconfig 2>/dev/null || true

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/synapt.h $(DESTDIR)$(LIBDIR)/libsynapt.a \
	      $(DESTDIR)$(LIBDIR)/libsynapt.so $(DESTDIR)$(LIBDIR)/libsynapt.so.$(SOMAJOR) \
	      $(DESTDIR)$(LIBDIR)/libsynapt.so.$(VERSION) $(DESTDIR)$(PKGCONFIGDIR)/synapt.pc
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOL_BIN)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES)))
	@[ -n "$(DESTDIR)" ] || ldconfig 2>/dev/null || /sbin/ldconfig 2>/dev/null || true

clean:
	rm -rf build build-asan build-fuzz

# ---- synapt-audit: tools/audit/ (one archive, linked only where used) ----
AUDIT_SRC = $(sort $(wildcard tools/audit/*.c))
AUDIT_OBJ = $(AUDIT_SRC:tools/audit/%.c=$(B)/obj/audit/%.o)
AUDIT_LIB = $(B)/lib/libsynapt-audit.a
.SECONDARY: $(AUDIT_OBJ)

$(B)/obj/audit/%.o: tools/audit/%.c tools/audit/audit.h libsynapt/synapt.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools/audit -c $< -o $@

$(AUDIT_LIB): $(AUDIT_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/bin/synapt-audit: tools/synapt-audit.c $(AUDIT_LIB) $(TOOL_HOBJ) $(STATIC) tools/audit/audit.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools -Itools/audit $< $(AUDIT_LIB) $(TOOL_HOBJ) $(STATIC) $(TOOL_LIBS) -o $@

$(B)/tests/test_audit: tests/test_audit.c $(AUDIT_LIB) $(TOOL_HOBJ) $(STATIC) tools/audit/audit.h tests/testutil.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools -Itools/audit -Itests $< $(AUDIT_LIB) $(TOOL_HOBJ) $(STATIC) $(TOOL_LIBS) -o $@

$(B)/bench/bench_audit: bench/bench_audit.c $(AUDIT_LIB) $(STATIC) tools/audit/audit.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools/audit $< $(AUDIT_LIB) $(STATIC) $(TOOL_LIBS) -o $@
