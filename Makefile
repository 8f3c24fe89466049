# minos - a minimal bootable Linux from a kernel and BusyBox
# GNU Make; dependencies through pkg-config.  `make help` lists the targets.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/lib/minos
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
STD        := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror
PKGS       := zlib libzstd liblzma liblz4 libdeflate libisofs-1 libcrypto libsquashfs1 libarchive libdw
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# minos-init is static and small: musl where Debian's musl-tools is there.
INIT_CC    ?= $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
INIT_CFLAGS ?= -Os -static -fno-asynchronous-unwind-tables -ffunction-sections \
	-fdata-sections -Wl,--gc-sections -s -Wl,-z,noseparate-code -Wl,-z,norelro
# init/fmt.c's printf family is its snprintf and the others: musl's vfprintf
# is not linked (its floating point is long double soft-float on arm64).  Not
# in the objects the unit tests link with the tool's, nor with glibc.
INIT_DEFS  := -DMINOS_INIT_PRINTF

# minos-init for arm64 too, cross-compiled from the same sources: Debian's
# aarch64-linux-gnu-gcc with musl's arm64 libc, musl-dev:arm64 unpacked into
# the cache by scripts/fetch-deb.sh (nothing installed, nothing in the tree),
# which $(B)/musl-arm64.specs points gcc at (MUSL_ARM64=ROOT: an unpacked
# musl-dev:arm64 of your own instead; MUSL_ARM64_SPECS= with a musl cross
# compiler of your own, INIT_CC_ARM64=aarch64-linux-musl-gcc).  Without the
# cross compiler make skips it and says so (INIT_ARM64=no skips it anyway).
# Beyond the x86 flags: aarch64 gcc makes unwind tables by default (6 KB);
# the tiny code model (code and data within 1 MiB, a link error if not) and
# no PIE code in a static binary save 4 KB more.  -z max-page-size=4096
# would save nothing (noseparate-code packs the file already) and would cost
# kernels with 64 KiB pages.
INIT_CC_ARM64 ?= aarch64-linux-gnu-gcc
INIT_CFLAGS_ARM64 ?= $(INIT_CFLAGS) -fno-unwind-tables -fomit-frame-pointer -mcmodel=tiny \
	-fno-pie -no-pie
MUSL_ARM64 ?=
MUSL_ARM64_SPECS ?= $(B)/musl-arm64.specs
ifeq ($(origin INIT_ARM64),undefined)
INIT_ARM64 := $(if $(shell command -v $(firstword $(INIT_CC_ARM64)) 2>/dev/null),yes,no)
INIT_ARM64_SKIP := $(firstword $(INIT_CC_ARM64)) not found (apt-get install gcc-aarch64-linux-gnu, \
	or scripts/deps.sh)
else
INIT_ARM64_SKIP := INIT_ARM64=$(INIT_ARM64)
endif

B := build
# The tool's layers, one folder each: cmd/ (one file per command), image/
# (what goes into an initramfs), format/ (cpio, compression, ELF, squashfs),
# media/ (ISO, GRUB, FAT, PE, Secure Boot, netboot), vm/ (QEMU, PVH, timeline,
# test channel), util/.  minos-init (init/) shares only shared/channel.h.
LAYERS   := cmd image format media vm util
TOOL_SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
TOOL_HDR := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.h)) shared/channel.h
TOOL_OBJ := $(TOOL_SRC:src/%.c=$(B)/src/%.o)
INIT_SRC := $(wildcard init/*.c)
INIT_HOST_OBJ := $(patsubst init/%.c,$(B)/init-host/%.o,$(filter-out init/main.c,$(INIT_SRC)))
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

TOOL_INC := -iquote src -iquote shared
INIT_INC := -iquote shared
DEFS := -DMINOS_VERSION='"$(VERSION)"' -DMINOS_LIBEXECDIR='"$(LIBEXECDIR)"'

.PHONY: all check check-installed check-kernels check-rescue unit demo install uninstall clean deps bench help FORCE \
	deb check-deb \
	fuzz fuzz-build sanitize init-arm64-skipped
all: $(B)/minos $(B)/minos-init $(if $(filter yes,$(INIT_ARM64)),$(B)/minos-init-arm64,init-arm64-skipped)

# Objects depend on the compiled-in paths: make install PREFIX=/usr rebuilds.
$(B)/defs: FORCE | $(B)
	@echo '$(DEFS)' | cmp -s - $@ || echo '$(DEFS)' >$@

$(B)/src/%.o: src/%.c $(TOOL_HDR) $(B)/defs
	@mkdir -p $(@D)
	$(CC) $(STD) $(TOOL_INC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(DEFS) -c -o $@ $<

$(B)/minos: $(B)/src/main.o $(TOOL_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(B)/minos-init: $(INIT_SRC) $(wildcard init/*.h) shared/channel.h | $(B)
	$(INIT_CC) $(STD) $(INIT_INC) $(INIT_DEFS) $(INIT_CFLAGS) -o $@ $(INIT_SRC)

$(B)/minos-init-arm64: $(INIT_SRC) $(wildcard init/*.h) shared/channel.h $(MUSL_ARM64_SPECS) | $(B)
	$(INIT_CC_ARM64) $(if $(MUSL_ARM64_SPECS),-specs $(MUSL_ARM64_SPECS)) $(STD) $(INIT_INC) \
		$(INIT_DEFS) $(INIT_CFLAGS_ARM64) -o $@ $(INIT_SRC)

init-arm64-skipped:
	@echo "make: minos-init-arm64 skipped: $(INIT_ARM64_SKIP)" >&2

# musl-dev:arm64's specs with its /usr made the unpacked root's.  The root is
# looked up on every make (at once when it is in the cache): a cache emptied
# since is filled again, and the specs follow a change of MUSL_ARM64.
$(B)/musl-arm64.root: FORCE | $(B)
	@root='$(MUSL_ARM64)'; \
	if [ -z "$$root" ]; then root=$$(scripts/fetch-deb.sh musl-dev:arm64) || exit 1; fi; \
	[ -f "$$root/usr/lib/aarch64-linux-musl/musl-gcc.specs" ] || \
		{ echo "make: $$root is not an unpacked musl-dev:arm64 (MUSL_ARM64)" >&2; exit 1; }; \
	echo "$$root" | cmp -s - $@ || echo "$$root" >$@

$(B)/musl-arm64.specs: $(B)/musl-arm64.root
	root=$$(cat $<) && sed "s#/usr/#$$root/usr/#g" \
		"$$root/usr/lib/aarch64-linux-musl/musl-gcc.specs" >$@.tmp && mv $@.tmp $@

# Unit tests link the tool's objects, and minos-init's built for the host.
$(B)/init-host/%.o: init/%.c $(wildcard init/*.h) shared/channel.h | $(B)/init-host
	$(CC) $(STD) $(INIT_INC) $(CFLAGS) -c -o $@ $<

# Thin archives: cmd/iso.o and media/iso.o are two members of one name.
$(B)/libminos.a: $(TOOL_OBJ)
	$(AR) rcsT $@ $^

$(B)/libinit-host.a: $(INIT_HOST_OBJ)
	$(AR) rcsT $@ $^

$(B)/tests/%: tests/unit/%.c $(B)/libminos.a $(B)/libinit-host.a tests/unit/tap.h | $(B)/tests
	$(CC) $(STD) $(CFLAGS) $(PKG_CFLAGS) $(TOOL_INC) -iquote init -o $@ $< $(B)/libminos.a \
		$(B)/libinit-host.a $(PKG_LIBS)

.SECONDARY: $(TOOL_OBJ) $(INIT_HOST_OBJ)

$(B) $(B)/tests $(B)/init-host:
	mkdir -p $@

# ---- sanitizers: the tool and the unit tests again, with ASan and UBSan ----
# minos-init runs in QEMU: the sanitized tool uses the ordinary one.
SAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
S := $(B)/asan
SAN_TOOL_OBJ := $(TOOL_SRC:src/%.c=$(S)/src/%.o)
SAN_INIT_OBJ := $(INIT_HOST_OBJ:$(B)/init-host/%=$(S)/init-host/%)
SAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(S)/tests/%)

$(S)/src/%.o: src/%.c $(TOOL_HDR) $(B)/defs
	@mkdir -p $(@D)
	$(CC) $(STD) $(TOOL_INC) $(SAN_FLAGS) $(PKG_CFLAGS) $(DEFS) -c -o $@ $<

$(S)/init-host/%.o: init/%.c $(wildcard init/*.h) shared/channel.h | $(S)/init-host
	$(CC) $(STD) $(INIT_INC) $(SAN_FLAGS) -c -o $@ $<

$(S)/minos: $(S)/src/main.o $(SAN_TOOL_OBJ)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(S)/minos-init: $(B)/minos-init | $(S)
	ln -sf ../minos-init $@

$(S)/minos-init-arm64: $(B)/minos-init-arm64 | $(S)
	ln -sf ../minos-init-arm64 $@

$(S)/libminos.a: $(SAN_TOOL_OBJ)
	$(AR) rcsT $@ $^

$(S)/libinit-host.a: $(SAN_INIT_OBJ)
	$(AR) rcsT $@ $^

$(S)/tests/%: tests/unit/%.c $(S)/libminos.a $(S)/libinit-host.a tests/unit/tap.h | $(S)/tests
	$(CC) $(STD) $(SAN_FLAGS) $(PKG_CFLAGS) $(TOOL_INC) -iquote init -o $@ $< \
		$(S)/libminos.a $(S)/libinit-host.a $(PKG_LIBS)

sanitize: $(S)/minos $(S)/minos-init $(if $(filter yes,$(INIT_ARM64)),$(S)/minos-init-arm64) \
	$(SAN_UNIT_BIN)

# ---- fuzzing: libFuzzer harnesses for every reader of untrusted input ----
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := $(SAN_FLAGS)
F := $(B)/fuzz
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BIN := $(FUZZ_NAMES:%=$(F)/fuzz-%)
FUZZ_TOOL_OBJ := $(TOOL_SRC:src/%.c=$(F)/src/%.o)
FUZZ_INIT_OBJ := $(INIT_HOST_OBJ:$(B)/init-host/%=$(F)/init/%)

$(F)/src/%.o: src/%.c $(TOOL_HDR) $(B)/defs
	@mkdir -p $(@D)
	$(FUZZ_CC) $(STD) $(TOOL_INC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) $(DEFS) -c -o $@ $<

$(F)/init/%.o: init/%.c $(wildcard init/*.h) shared/channel.h | $(F)/init
	$(FUZZ_CC) $(STD) $(INIT_INC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(F)/libminos.a: $(FUZZ_TOOL_OBJ)
	$(AR) rcsT $@ $^

$(F)/libinit.a: $(FUZZ_INIT_OBJ)
	$(AR) rcsT $@ $^

$(F)/fuzz-%: tests/fuzz/fuzz-%.c $(F)/libminos.a $(F)/libinit.a
	$(FUZZ_CC) $(STD) $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) $(TOOL_INC) -iquote init \
		-o $@ $< $(F)/libminos.a $(F)/libinit.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)

# Each harness for FUZZ_SECONDS from tests/fuzz/corpus (the seeds, and what
# earlier runs added to coverage); what it finds goes to $(F)/corpus, to be
# merged in by hand with the harness's -merge=1.
fuzz: deps
	$(MAKE) --no-print-directory fuzz-build
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_NAMES)

.SECONDARY: $(SAN_TOOL_OBJ) $(SAN_INIT_OBJ) $(FUZZ_TOOL_OBJ) $(FUZZ_INIT_OBJ)

$(S) $(S)/tests $(S)/init-host $(F)/init:
	mkdir -p $@

deps:
	scripts/deps.sh >/dev/null

# check, demo and bench install what they need first, then run make again:
# the pkg-config flags above were read before the -dev packages existed.
# ...and fails if the suite left a file in the tree (scripts/tree-guard.sh).
# (One recipe line: make -n runs a line naming $(MAKE), and so all of it.)
check: deps
	@mkdir -p $(B) && scripts/tree-guard.sh before $(B)/tree-before && \
		{ $(MAKE) --no-print-directory check-installed; rc=$$?; \
		  scripts/tree-guard.sh after $(B)/tree-before && exit $$rc; }

demo: deps
	$(MAKE) --no-print-directory all
	scripts/demo.sh

bench: deps
	$(MAKE) --no-print-directory all
	bench/run

# The package installed with apt into a fresh Debian 12 root, and used there.
check-deb: deb
	MINOS_BUILD="$(CURDIR)/$(B)" prove --timer tests/deb/*.t

# The Debian package (debian/), built in debian/build, put in $(B)/.
deb: deps
	dpkg-buildpackage -us -uc -b
	mkdir -p $(B)
	mv ../minos_$(VERSION)_amd64.deb $(B)/
	rm -f ../minos_$(VERSION)_amd64.buildinfo ../minos_$(VERSION)_amd64.changes \
		../minos-dbgsym_$(VERSION)_amd64.deb
	lintian --fail-on error $(B)/minos_$(VERSION)_amd64.deb

# The sanitized unit tests and the tests that need no QEMU, every fuzz
# harness over its corpus, then everything: unit tests and TAP scripts
# (cpio/bsdtar checks and QEMU boots).
check-installed: all $(UNIT_BIN) sanitize $(FUZZ_BIN)
	ASAN_OPTIONS=detect_leaks=0 MINOS_BUILD="$(CURDIR)/$(S)" \
		prove -j2 --timer $(SAN_UNIT_BIN) $(filter-out tests/fuzz.t,$(wildcard tests/*.t))
	MINOS_KERNEL="$$(scripts/fetch-kernel.sh)" MINOS_BUILD="$(CURDIR)/$(B)" \
		FUZZ_BUILD="$(CURDIR)/$(F)" prove -j2 --timer $(UNIT_BIN) tests/*.t tests/boot/*.t

unit: all $(UNIT_BIN)
	prove $(UNIT_BIN)

# Boot tests with small kernels built from Debian's linux-source: minutes
# the first time (scripts/build-test-kernels.sh caches them), then seconds.
check-kernels: deps
	$(MAKE) --no-print-directory all
	scripts/build-test-kernels.sh >/dev/null
	MINOS_BUILD="$(CURDIR)/$(B)" prove --timer tests/kernels/*.t

# The rescue system on an encrypted Debian disk (LUKS2, LVM, systemd), made
# and mended in guests under TCG: minutes, so not in make check.
check-rescue: deps
	$(MAKE) --no-print-directory all
	MINOS_BUILD="$(CURDIR)/$(B)" prove --timer tests/rescue/*.t

$(B)/minos.bash: $(B)/minos
	$(B)/minos completion bash >$@.tmp && mv $@.tmp $@

install: all $(B)/minos.bash
	install -Dm755 $(B)/minos $(DESTDIR)$(BINDIR)/minos
	install -Dm755 $(B)/minos-init $(DESTDIR)$(LIBEXECDIR)/minos-init
	$(if $(filter yes,$(INIT_ARM64)),install -Dm755 $(B)/minos-init-arm64 \
		$(DESTDIR)$(LIBEXECDIR)/minos-init-arm64)
	install -Dm644 docs/minos.1 $(DESTDIR)$(MANDIR)/man1/minos.1
	install -Dm644 $(B)/minos.bash $(DESTDIR)$(BASHCOMPDIR)/minos

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/minos $(DESTDIR)$(LIBEXECDIR)/minos-init \
		$(DESTDIR)$(LIBEXECDIR)/minos-init-arm64 \
		$(DESTDIR)$(MANDIR)/man1/minos.1 $(DESTDIR)$(BASHCOMPDIR)/minos

clean:
	rm -rf $(B)

help:
	@echo "make            build build/minos, build/minos-init and build/minos-init-arm64"
	@echo "                (INIT_ARM64=no: not the arm64 one; INIT_CC_ARM64, MUSL_ARM64)"
	@echo "make check      install dependencies, run every test"
	@echo "make check-kernels  boot tests with kernels built here (slow the first time)"
	@echo "make check-rescue   the rescue system on an encrypted Debian disk (minutes)"
	@echo "make deb        the Debian package, build/minos_VERSION_amd64.deb (lintian-checked)"
	@echo "make demo       install dependencies, build an ISO and boot it"
	@echo "make bench      benchmarks against the classic shell recipe"
	@echo "make fuzz       every fuzz harness for FUZZ_SECONDS=$(FUZZ_SECONDS) seconds"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
