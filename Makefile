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
LIB_CFLAGS  := $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
LIB_LIBS    := $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) -lpthread -lm

# Tool libraries: each folder tools/NAME is one archive, libsynapt-NAME.a,
# built with the packages it needs (NAME_PKGS) and linked only into the
# commands that list it. Commands -> tool libraries -> synapt.h; see
# CONTRIBUTING.md for the rules and scripts/check-layout.sh for the check.
TOOL_DIRS    = cli npy import synth
cli_PKGS     = libcjson libavutil
npy_PKGS     =
import_PKGS  = libcjson libxxhash hdf5 matio libpng libavformat libavcodec libavutil libswscale
synth_PKGS   = libcjson libpng libavformat libavcodec libavutil libswscale
# zlib is optional: only deflate-compressed .npz members need it
HAVE_ZLIB   := $(shell pkg-config --exists zlib 2>/dev/null && echo 1)
npy_CFLAGS   = $(if $(HAVE_ZLIB),-DSYNAPT_HAVE_ZLIB $(shell pkg-config --cflags zlib))
npy_LIBS     = $(if $(HAVE_ZLIB),$(shell pkg-config --libs zlib))

# What each command links, users before what they use (static link order).
synapt-inspect_USES = cli
synapt-convert_USES = npy cli
synapt-pack_USES    = import npy cli
synapt-synth_USES   = synth npy cli
synapt-recover_USES = cli
# tests and benchmarks may exercise any tool library
ALL_USES = import synth npy cli

tl_cflags = $(foreach d,$(1),$(shell pkg-config --cflags $($(d)_PKGS) 2>/dev/null) $($(d)_CFLAGS))
tl_libs   = $(foreach d,$(1),$(B)/lib/libsynapt-$(d).a) $(STATIC) \
            $(sort $(foreach d,$(1),$(shell pkg-config --libs $($(d)_PKGS) 2>/dev/null) $($(d)_LIBS))) $(LIB_LIBS)
TOOL_CFLAGS := $(call tl_cflags,$(ALL_USES))

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -Ilibsynapt

LIB_SRC   = $(sort $(wildcard libsynapt/*.c))
LIB_OBJ   = $(LIB_SRC:libsynapt/%.c=$(B)/obj/lib/%.o)
TOOL_MAIN = $(sort $(wildcard tools/synapt-*.c))
TOOL_BIN  = $(TOOL_MAIN:tools/%.c=$(B)/bin/%)
TOOL_ARCH = $(foreach d,$(TOOL_DIRS),$(B)/lib/libsynapt-$(d).a)
TEST_SRC  = $(sort $(wildcard tests/test_*.c))
TEST_BIN  = $(TEST_SRC:tests/%.c=$(B)/tests/%)
EX_SRC    = $(sort $(wildcard examples/*.c))
EX_BIN    = $(EX_SRC:examples/%.c=$(B)/examples/%)
BENCH_SRC = $(sort $(wildcard bench/bench_*.c))
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(B)/bench/%)
MAN_PAGES = $(sort $(wildcard man/*.1))

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

# one archive per tool-library folder, compiled with its own packages only
define tool_lib
$(B)/obj/tools/$(1)/%.o: tools/$(1)/%.c $(wildcard tools/$(1)/*.h) $(wildcard tools/*/*.h) libsynapt/synapt.h
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(call tl_cflags,$(1)) -Itools -c $$< -o $$@

$(B)/lib/libsynapt-$(1).a: $(patsubst tools/$(1)/%.c,$(B)/obj/tools/$(1)/%.o,$(sort $(wildcard tools/$(1)/*.c)))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(TOOL_DIRS),$(eval $(call tool_lib,$(d))))

# tools link the static library so they run from build/bin without LD_LIBRARY_PATH
define tool_cmd
$(B)/bin/$(1): tools/$(1).c $(foreach d,$($(1)_USES),$(B)/lib/libsynapt-$(d).a) $(STATIC) $(wildcard tools/*/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(call tl_cflags,$($(1)_USES)) -Itools $$< $$(call tl_libs,$($(1)_USES)) -o $$@
endef
$(foreach c,$(TOOL_MAIN:tools/%.c=%),$(eval $(call tool_cmd,$(c))))

$(B)/tests/%: tests/%.c $(TOOL_ARCH) $(STATIC) $(wildcard tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools -Itests $< $(call tl_libs,$(ALL_USES)) -o $@

$(B)/examples/%: examples/%.c $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $< $(STATIC) $(LIB_LIBS) -o $@

$(B)/bench/%: bench/%.c $(TOOL_ARCH) $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -Itools $< $(call tl_libs,$(ALL_USES)) -o $@

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
