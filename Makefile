# edgerun: plain Makefile, dependencies through pkg-config.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
CC ?= cc
VERSION := 0.1.0
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

PKGS := json-c libseccomp libcap libmnl libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# STATIC=1 (the default): json-c, libseccomp, libcap and libcrypto are linked from their
# static archives and the executable is not position-independent (as Debian's runc), with
# every symbol bound at load time: start-up skips loading four shared libraries and their
# relocations, about 3 ms per command on the development VM (bench/README.md). libc and
# libmnl (Debian ships no libmnl.a) stay shared. STATIC=0: everything shared, PIE.
STATIC ?= 1
ifeq ($(SANITIZE),1)
STATIC := 0
endif
STATIC_PKGS := json-c libseccomp libcap libcrypto
ifeq ($(STATIC),1)
PKG_LIBS := -Wl,-Bstatic $(shell pkg-config --libs-only-l $(STATIC_PKGS)) -Wl,-Bdynamic \
	$(shell pkg-config --libs libmnl) -ldl -pthread
LINK_MODE := -no-pie -Wl,-z,now -Wl,--gc-sections -Wl,-O1
else
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
endif

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wno-missing-field-initializers
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
OPT ?= -O2 -g
# make SANITIZE=1: build and test under AddressSanitizer + UBSan
ifeq ($(SANITIZE),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
HARDEN := -fstack-protector-strong
SAN_LDFLAGS := -fsanitize=address,undefined
BUILD ?= build-san
endif
BUILD ?= build

CFLAGS ?=
override CFLAGS += -std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -I. $(PKG_CFLAGS) \
	-DEDGERUN_VERSION='"$(VERSION)"' -DEDGERUN_COMMIT='"$(COMMIT)"' -MMD -MP
LDFLAGS += $(SAN_LDFLAGS) $(LINK_MODE)
LDLIBS := $(PKG_LIBS)

LIB_SRCS := $(wildcard common/*.c specconv/*.c libcontainer/*.c libcontainer/cgroup/*.c seccomp/*.c edge/*.c)
CMD_SRCS := $(wildcard cmd/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
MANPAGES := $(wildcard man/*.8)
SHELL_SCRIPTS := $(wildcard tests/integration/*.bash tests/*.sh .ci/run bench/*.sh tests/vm/*.sh tests/vm/init tests/vm/guest-tests/*.sh tests/vm/guest-tests/*/*.sh tests/integration/e2e/*.sh)

.DEFAULT_GOAL := all
FORCE:
.PHONY: FORCE all install uninstall test check unit integration lint format clean

all: edgerun

# ./edgerun is always the binary of the last build asked for (plain or SANITIZE=1)
edgerun: $(BUILD)/edgerun FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }

$(BUILD)/edgerun: $(CMD_OBJS) $(BUILD)/libedgerun.a
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libedgerun.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

# make V=1 shows the full commands
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# `--version` names the commit: main.o is rebuilt when HEAD moves (the stamp changes only then)
$(BUILD)/commit.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(COMMIT)' | cmp -s - $@ || echo '$(COMMIT)' > $@
$(BUILD)/cmd/main.o $(BUILD)/cmd/features.o: $(BUILD)/commit.stamp
.PHONY: FORCE
FORCE:

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libedgerun.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libedgerun.a $(LDLIBS)

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

integration: edgerun
	bats tests/integration

# `make test`: unit tests + integration tests with a single closing count (needs root).
test: edgerun $(UNIT_BINS)
	BUILD=$(BUILD) tests/run-all.sh

# `make test-vm`: boot a cgroup v2 guest (Debian's kernel under qemu) and run
# tests/vm/guest-tests and the unit tests there; TAP, then `N passed, N failed` (see
# tests/vm/README.md). `make test VMTEST=1` adds the guest to the whole run.
.PHONY: test-vm
test-vm: edgerun $(UNIT_BINS)
	BUILD=$(BUILD) VMTEST=only tests/run-all.sh

check: test

# `make bench`: start-up time of edgerun, crun and runc side by side (needs root; see
# bench/README.md). BENCH_RUNS=N changes the number of timed runs per row.
.PHONY: bench
bench: edgerun
	bench/run.sh

install: edgerun
	install -D -m 0755 edgerun $(DESTDIR)$(BINDIR)/edgerun
	@for m in $(MANPAGES); do install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/$$(basename $$m); done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/edgerun
	@for m in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man8/$$(basename $$m); done

C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]')

format:
	clang-format -i $(C_FILES)

lint:
	clang-format --dry-run --Werror $(C_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -I. $(LIB_SRCS) $(CMD_SRCS)
	@if git grep -n -E '\b(sprintf|strcpy|strcat|gets|system)[[:space:]]*\(' -- '*.c' '*.h'; then \
		echo "lint: banned function in use" >&2; exit 1; fi
	@if [ -n "$(SHELL_SCRIPTS)" ]; then shellcheck -x -s bash $(SHELL_SCRIPTS); fi
	@echo "lint: ok"

clean:
	rm -rf build build-san edgerun

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)
