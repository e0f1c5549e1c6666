# vigil — one Makefile (all, static, asan, unit, fuzz, check, lint, clean).
# Outputs: build/vigil (dynamic), build/vigil-static (static, musl when
# musl-gcc exists, else glibc -static), build/asan/vigil (ASan+UBSan),
# build/fuzz/fuzz_NAME (libFuzzer targets, clang; see docs/FUZZING.md).
# install, uninstall, install-systemctl-link, deb, release: see "Installing"
# below and README.md ("Install").

VERSION := 0.1.0
CC ?= cc
MUSL_CC := $(shell command -v musl-gcc 2>/dev/null)
STATIC_CC := $(if $(MUSL_CC),$(MUSL_CC),$(CC))

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-unused-parameter
# --update-clock's floor (system/devices.c): SOURCE_DATE_EPOCH, else the commit's time, else now.
BUILD_TIME := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),$(shell date +%s))
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Isrc $(WARN) -DVIGIL_VERSION='"$(VERSION)"' -DVIGIL_BUILD_TIME=$(BUILD_TIME)LL
OPT := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
SAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

SRC := $(sort $(wildcard $(addsuffix /*.c,$(addprefix src/,base os core unit container notify logcap watchdog system supervise control cmd))))
# control_client.c is the client side, vigilctl's only.
SRC := $(filter-out src/cmd/vigilctl.c src/cmd/vigilctl_format.c src/cmd/systemctl.c src/cmd/systemctl_files.c src/cmd/vigil_heart.c src/control/control_client.c,$(SRC))
# The heart protocol (src/heart/) is vigil-heart's, not vigil's; the unit
# tests and fuzz targets get it with the library objects.
HEART_LIB_SRC := $(sort $(wildcard src/heart/*.c))
LIB_SRC := $(filter-out src/cmd/vigil.c,$(SRC)) $(HEART_LIB_SRC)
# vigilctl: the client, with only what it needs (no supervisor in it).
CTL_SRC := src/cmd/vigilctl.c src/cmd/vigilctl_format.c src/control/control_client.c src/control/control_msg.c src/control/control_places.c src/base/json.c src/base/strbuf.c src/base/utf8.c src/os/fd.c src/os/unix_socket.c
# ... and, invoked as systemctl, the unit files' side (cmd/systemctl.h).
CTL_SRC += src/cmd/systemctl.c src/cmd/systemctl_files.c src/supervise/unit_layout.c src/unit/install_plan.c \
           src/unit/unit_file.c src/unit/unit_config.c src/base/strv.c src/base/words.c src/os/files.c src/os/links.c \
           src/os/system.c src/unit/exec_line.c src/unit/env_file.c src/unit/exec_dirs.c src/unit/unit_condition.c
# vigil-heart: the Erlang heart drop-in, with only the protocol, the datagram sender
# and the control client (vigil's watchdog facts, the guarded shutdowns).
HEART_SRC := src/cmd/vigil_heart.c $(HEART_LIB_SRC) src/os/notify_socket.c src/os/unix_socket.c \
             src/control/control_client.c src/control/control_msg.c src/control/control_places.c src/base/strbuf.c src/os/fd.c

obj = $(patsubst src/%.c,build/obj/$(1)/%.o,$(2))

.PHONY: all static asan unit fuzz check lint clean
all: build/vigil build/vigilctl build/vigil-heart

build/obj/dyn/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT) $(CFLAGS) -MMD -MP -c $< -o $@
build/obj/static/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(STATIC_CC) $(BASE_CFLAGS) $(OPT) -Os $(CFLAGS) -MMD -MP -c $< -o $@
build/obj/asan/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN) $(CFLAGS) -MMD -MP -c $< -o $@

build/vigil: $(call obj,dyn,$(SRC))
	$(CC) -Wl,-z,now -Wl,-z,relro $(LDFLAGS) -o $@ $^ -lm

build/vigilctl: $(call obj,dyn,$(CTL_SRC))
	$(CC) -Wl,-z,now -Wl,-z,relro $(LDFLAGS) -o $@ $^
build/vigil-heart: $(call obj,dyn,$(HEART_SRC))
	$(CC) -Wl,-z,now -Wl,-z,relro $(LDFLAGS) -o $@ $^

static: build/vigil-static build/vigilctl-static build/vigil-heart-static
build/vigil-heart-static: $(call obj,static,$(HEART_SRC))
	$(STATIC_CC) -static -Wl,--gc-sections $(LDFLAGS) -o $@ $^
	strip $@
build/vigilctl-static: $(call obj,static,$(CTL_SRC))
	$(STATIC_CC) -static -Wl,--gc-sections $(LDFLAGS) -o $@ $^
	strip $@
build/vigil-static: $(call obj,static,$(SRC))
	$(STATIC_CC) -static -Wl,--gc-sections $(LDFLAGS) -o $@ $^ -lm
	strip $@

# A static vigil with the test-only switches (VIGIL_TEST_HOOKS: e.g.
# VIGIL_TEST_STALL=shutdown), for the QEMU tests that need a hung vigil.
# Never shipped: its own objects and its own name.
.PHONY: test-hooks
test-hooks: build/vigil-static-testhooks
build/obj/static-hooks/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(STATIC_CC) $(BASE_CFLAGS) -DVIGIL_TEST_HOOKS $(OPT) -Os $(CFLAGS) -MMD -MP -c $< -o $@
build/vigil-static-testhooks: $(call obj,static-hooks,$(SRC))
	$(STATIC_CC) -static -Wl,--gc-sections $(LDFLAGS) -o $@ $^ -lm
	strip $@

asan: build/asan/vigil build/asan/vigilctl build/asan/vigil-heart
build/asan/vigil-heart: $(call obj,asan,$(HEART_SRC))
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=address,undefined $(LDFLAGS) -o $@ $^
build/asan/vigilctl: $(call obj,asan,$(CTL_SRC))
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=address,undefined $(LDFLAGS) -o $@ $^
build/asan/vigil: $(call obj,asan,$(SRC))
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=address,undefined $(LDFLAGS) -o $@ $^ -lm

# Unit tests (cmocka): each tests/unit/test_X.c links with the library
# objects (never with main) of the dynamic build, and of the ASan build.
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/unit/%,$(UNIT_SRC))
UNIT_ASAN_BIN := $(patsubst tests/unit/%.c,build/tests/unit-asan/%,$(UNIT_SRC))

build/tests/unit/%: tests/unit/%.c $(call obj,dyn,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g -o $@ $^ -lcmocka -lm
build/tests/unit-asan/%: tests/unit/%.c $(call obj,asan,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN) -o $@ $^ -lcmocka -lm

# The fuzz targets' entry points, renamed, replay every kept input
# (fuzz/corpus, fuzz/regress, fuzz/crashes) in the unit tests: no clang needed.
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(FUZZ_SRC))
REPLAY_CFLAGS = -DFUZZ_REPLAY -DLLVMFuzzerTestOneInput=fuzz_$*_entry
build/obj/replay/fuzz_%.o: fuzz/fuzz_%.c fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(REPLAY_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
build/obj/replay-asan/fuzz_%.o: fuzz/fuzz_%.c fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN) $(REPLAY_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
build/tests/unit/fuzz_replay: fuzz/replay.c $(FUZZ_NAMES:%=build/obj/replay/fuzz_%.o) $(call obj,dyn,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g -DFUZZ_DIR='"$(CURDIR)/fuzz"' -o $@ $^ -lcmocka -lm
build/tests/unit-asan/fuzz_replay: fuzz/replay.c $(FUZZ_NAMES:%=build/obj/replay-asan/fuzz_%.o) $(call obj,asan,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN) -DFUZZ_DIR='"$(CURDIR)/fuzz"' -o $@ $^ -lcmocka -lm
UNIT_BIN += build/tests/unit/fuzz_replay
UNIT_ASAN_BIN += build/tests/unit-asan/fuzz_replay

unit: $(UNIT_BIN) $(UNIT_ASAN_BIN)
	@set -e; for t in $(UNIT_BIN) $(UNIT_ASAN_BIN); do echo "== $$t"; $$t; done

# The simulated-clock tier (tests/sim/README.md): each tests/sim/test_X.c
# with the harness and the fake os/ (tests/sim/fake_os.c) in place of the
# os/ modules it fakes, and the real rest of the library, normal and ASan.
SIM_FAKED := $(addprefix src/os/,cgroup.c event.c inet.c notify_socket.c pipe.c proc.c signals.c system.c unix_socket.c watchdog.c)
SIM_LIB_SRC := $(filter-out $(SIM_FAKED),$(LIB_SRC))
SIM_HARNESS := tests/sim/sim.c tests/sim/fake_os.c
SIM_SRC := $(sort $(wildcard tests/sim/test_*.c))
SIM_BIN := $(patsubst tests/sim/%.c,build/tests/sim/%,$(SIM_SRC))
SIM_ASAN_BIN := $(patsubst tests/sim/%.c,build/tests/sim-asan/%,$(SIM_SRC))
build/tests/sim/%: tests/sim/%.c $(SIM_HARNESS) tests/sim/sim.h $(call obj,dyn,$(SIM_LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Itests/sim -O1 -g -o $@ $(filter %.c %.o,$^) -lcmocka -lm
build/tests/sim-asan/%: tests/sim/%.c $(SIM_HARNESS) tests/sim/sim.h $(call obj,asan,$(SIM_LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Itests/sim $(SAN) -o $@ $(filter %.c %.o,$^) -lcmocka -lm
.PHONY: sim
sim: $(SIM_BIN) $(SIM_ASAN_BIN)
	@set -e; for t in $(SIM_BIN) $(SIM_ASAN_BIN); do echo "== $$t"; $$t; done

# libFuzzer targets under ASan+UBSan (clang): the library objects built with
# coverage instrumentation into one archive, each fuzz/fuzz_NAME.c linked
# with it. tools/fuzz runs them.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=undefined
build/obj/fuzz/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASE_CFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/libvigil.a: $(call obj,fuzz,$(LIB_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^
build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h build/fuzz/libvigil.a
	$(FUZZ_CC) $(BASE_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libvigil.a -lm
fuzz: $(FUZZ_NAMES:%=build/fuzz/fuzz_%)

# ---- Installing -------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=] [LINK=static|dynamic]
# Static by default: one binary that runs in any root (scratch images, an
# initramfs, a device), the build PID 1 is tested with. LINK=dynamic installs
# build/vigil & co. instead. The example config goes to the doc directory,
# never to /etc: an /etc/vigil.conf is read at every start (man vigil.conf).
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vigil
LINK ?= static
INSTALL_SYSTEMCTL ?= 0
INSTALL ?= install
ifeq ($(LINK),static)
INSTALL_BIN := build/vigil-static build/vigilctl-static build/vigil-heart-static
else ifeq ($(LINK),dynamic)
INSTALL_BIN := build/vigil build/vigilctl build/vigil-heart
else
$(error LINK must be static or dynamic, not $(LINK))
endif
MAN1 := man/vigil.1 man/vigilctl.1 man/vigil-heart.1
MAN5 := man/vigil.service.5 man/vigil.conf.5
DEMO_UNITS := $(sort $(wildcard examples/demo/units/*.service))

.PHONY: install uninstall install-systemctl-link uninstall-systemctl-link deb release
install: $(INSTALL_BIN)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DOCDIR)/examples/demo/units
	$(INSTALL) -m 0755 $(word 1,$(INSTALL_BIN)) $(DESTDIR)$(SBINDIR)/vigil
	$(INSTALL) -m 0755 $(word 2,$(INSTALL_BIN)) $(DESTDIR)$(BINDIR)/vigilctl
	$(INSTALL) -m 0755 $(word 3,$(INSTALL_BIN)) $(DESTDIR)$(BINDIR)/vigil-heart
	$(INSTALL) -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 examples/vigil.conf $(DESTDIR)$(DOCDIR)/examples/
	$(INSTALL) -m 0755 examples/demo/main.sh $(DESTDIR)$(DOCDIR)/examples/demo/
	$(INSTALL) -m 0644 $(DEMO_UNITS) $(DESTDIR)$(DOCDIR)/examples/demo/units/
ifeq ($(INSTALL_SYSTEMCTL),1)
	$(MAKE) -s install-systemctl-link
endif

# systemctl -> vigilctl (vigilctl answers as systemctl when called so):
# for images whose scripts call systemctl. Not by default, and not in the
# Debian package: it would shadow systemd's own systemctl.
install-systemctl-link:
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	ln -sf vigilctl $(DESTDIR)$(BINDIR)/systemctl
uninstall-systemctl-link:
	if [ "$$(readlink $(DESTDIR)$(BINDIR)/systemctl 2>/dev/null)" = vigilctl ]; then rm -f $(DESTDIR)$(BINDIR)/systemctl; fi

uninstall: uninstall-systemctl-link
	rm -f $(DESTDIR)$(SBINDIR)/vigil $(DESTDIR)$(BINDIR)/vigilctl $(DESTDIR)$(BINDIR)/vigil-heart
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -rf $(DESTDIR)$(DOCDIR)

# build/vigil_VERSION_ARCH.deb from a DESTDIR tree (tools/build-deb).
deb: static
	tools/build-deb $(VERSION)

# build/release/: the static binaries, the .deb and SHA256SUMS.
RELEASE_ARCH := $(shell uname -m)
release: static deb
	rm -rf build/release
	mkdir -p build/release
	for p in vigil vigilctl vigil-heart; do cp build/$$p-static build/release/$$p-$(VERSION)-linux-$(RELEASE_ARCH); done
	cp build/vigil_$(VERSION)_*.deb build/release/
	cd build/release && sha256sum -- vigil* >SHA256SUMS
	@echo "release: build/release/"; cat build/release/SHA256SUMS

check:
	tools/test

lint:
	tools/check-layers

clean:
	rm -rf build

-include $(shell find build/obj -name '*.d' 2>/dev/null)
