# hvclock - plain GNU make, no generator.
#
#   make            build ./hvclock
#   make deps       install missing build/test packages (quiet when present)
#   make run        deps, build, run the main job
#   make check      deps, build, every test (unit, integration, fuzz smoke)
#   make check SANITIZE=1   the same under ASan+UBSan
#   make valgrind   unit tests and real command runs under memcheck
#   make bench      benchmarks against peer tools (not part of check)
#   make fuzz       each fuzz target for FUZZ_SECONDS (default 60)
#   make install / uninstall   (PREFIX, DESTDIR)
#   make clean

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share/hvclock
SYSCONFDIR ?= /etc
UNITDIR  ?= /lib/systemd/system

CC       ?= cc
CFLAGS   ?= -O2 -g
PKG_CONFIG ?= pkg-config

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @echo
endif

ifeq ($(SANITIZE),1)
BUILD    ?= build/san
BIN      ?= $(BUILD)/hvclock
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    ?= build
BIN      ?= hvclock
SANFLAGS :=
endif

# Only ask pkg-config once the packages are there (make deps installs them).
cpuid_cflags = $(shell $(PKG_CONFIG) --cflags libcpuid 2>/dev/null)
# libcpuid is loaded at run time by the probe (src/cpuprobe.c says why):
# the build names the soname of the library it compiled against.
cpuid_soname = $(eval cpuid_soname := $$(shell \
	d=$$$$($(PKG_CONFIG) --variable=libdir libcpuid 2>/dev/null); \
	f=$$$${d:+$$$$d/libcpuid.so}; [ -e "$$$$f" ] || f=$$$$($(CC) -print-file-name=libcpuid.so); \
	objdump -p "$$$$f" 2>/dev/null | awk '/SONAME/ { print $$$$2 }'))$(cpuid_soname)
check_cflags = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
check_libs   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)

HV_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	-Wno-format-truncation $(MATH_FLAGS) \
	-Iinclude $(cpuid_cflags) $(SANFLAGS) \
	$(if $(cpuid_soname),-DHV_LIBCPUID_SONAME='"$(cpuid_soname)"')
# No code reads errno after a math call or traps on floating-point
# exceptions; with that said, GCC inlines sqrt, floor, ceil and llround, and
# the binary needs no libm: one less library to load in every cron run.
MATH_FLAGS = -fno-math-errno -fno-trapping-math
# dlopen: in libc since glibc 2.34, in libdl before (linked only if needed).
HV_LIBS   = -Wl,--as-needed -ldl -Wl,--no-as-needed

SRCS      := $(wildcard src/*.c)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
OBJS      := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
TOBJS     := $(LIB_SRCS:src/%.c=$(BUILD)/tobj/%.o)
LIB       := $(BUILD)/libhvclock.a
TLIB      := $(BUILD)/libhvclock-test.a
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%.o)
UNIT_BIN  := $(BUILD)/check_hvclock
SUITES_H  := $(BUILD)/unit/suites.h
# tests/tools/shim_*.c are LD_PRELOAD shims, the rest helper programs.
SHIM_SRCS := $(wildcard tests/tools/shim_*.c)
PROG_SRCS := $(filter-out $(SHIM_SRCS),$(wildcard tests/tools/*.c))
TOOLS     := $(PROG_SRCS:tests/tools/%.c=$(BUILD)/tools/%) \
	$(SHIM_SRCS:tests/tools/%.c=$(BUILD)/tools/%.so)

.PHONY: all deps deps-check deps-bench run check unit integration fuzz-smoke \
	fuzz valgrind bench install uninstall clean

all: $(BIN)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(quiet) "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tobj/%.o: src/%.c
	@mkdir -p $(@D)
	$(quiet) "  CC [t]  $<"
	$(Q)$(CC) $(HV_CFLAGS) -DHV_TESTING $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(TLIB): $(TOBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

# The binary is linked from the objects, the ones a cron run of `hvclock
# log` or `query` executes first: the kernel maps file pages around each
# fault (fault-around), so keeping that path's code together keeps the
# rest of the program off the resident set (peak RSS of one log run
# 2.05 -> 1.89 MiB measured here).
HOT_OBJS := $(addprefix $(BUILD)/obj/,main.o cli.o cmd_log.o cmd_query.o \
	record.o logfile.o sntp.o net.o ntp.o clock.o util.o strbuf.o \
	sysroot.o json.o prom.o atomicfile.o report.o analysis.o)
BIN_OBJS := $(HOT_OBJS) $(filter-out $(HOT_OBJS),$(OBJS))

$(BIN): $(BIN_OBJS)
	$(quiet) "  LINK    $@"
	$(Q)$(CC) $(HV_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HV_LIBS)

# The unit-test runner finds the suites by their constructor's name, so a
# new tests/unit/check_<module>.c needs no edit anywhere else.
$(SUITES_H): $(UNIT_SRCS)
	@mkdir -p $(@D)
	@sed -n 's/^Suite \*\([a-z0-9_]*_suite\)(void)$$/\1/p' $(UNIT_SRCS) | sort > $@.names
	@{ while read s; do echo "Suite *$$s(void);"; done < $@.names; \
	   echo "static Suite *(*const all_suites[])(void) = {"; \
	   while read s; do echo "	$$s,"; done < $@.names; \
	   echo "	NULL };"; } > $@.tmp && mv $@.tmp $@ && rm -f $@.names

$(BUILD)/unit/%.o: tests/unit/%.c $(SUITES_H)
	@mkdir -p $(@D)
	$(quiet) "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -Wno-missing-prototypes -DHV_TESTING -I$(BUILD)/unit -Itests/unit $(check_cflags) \
		$(CFLAGS) -MMD -MP -c -o $@ $<

$(UNIT_BIN): $(UNIT_OBJS) $(TLIB)
	$(quiet) "  LINK    $@"
	$(Q)$(CC) $(HV_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HV_LIBS) $(check_libs)

# Test helper programs (fake NTP server, LD_PRELOAD shims...).
$(PROG_SRCS:tests/tools/%.c=$(BUILD)/tools/%): $(BUILD)/tools/%: tests/tools/%.c $(TLIB)
	@mkdir -p $(@D)
	$(quiet) "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -DHV_TESTING $(CFLAGS) $(LDFLAGS) -o $@ $< $(TLIB) $(HV_LIBS) -lm

$(BUILD)/tools/%.so: tests/tools/%.c
	@mkdir -p $(@D)
	$(quiet) "  CC [so] $<"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -shared -fPIC -o $@ $< -ldl

# ------------------------------------------------------------------ fuzz
# libFuzzer targets: tests/fuzz/fuzz_<name>.c, seeds in tests/fuzz/corpus/<name>/.
# The library is compiled once more with clang and the sanitizers.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_FLAGS   = -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -DHV_TESTING \
	-Iinclude $(cpuid_cflags)
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_OBJS    := $(LIB_SRCS:src/%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(quiet) "  CC [fz] $<"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

build/fuzz/libhvclock-fuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

build/fuzz/%: tests/fuzz/%.c build/fuzz/libhvclock-fuzz.a
	$(quiet) "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< \
		build/fuzz/libhvclock-fuzz.a $(HV_LIBS) -lm

# Each target runs from its seeds (copied, so the repository's seeds stay
# as they are); a crash fails the run and leaves crash-* in build/fuzz/.
define run_fuzz
	@set -e; for f in $(FUZZ_BINS); do \
	  n=$${f#build/fuzz/fuzz_}; c=build/fuzz/corpus-run/$$n; \
	  mkdir -p $$c; cp -n tests/fuzz/corpus/$$n/* $$c/ 2>/dev/null || true; \
	  printf '  %-10s ' "$$n"; \
	  ASAN_OPTIONS=detect_leaks=1 $$f -max_total_time=$(1) -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=build/fuzz/$$n- -print_final_stats=1 $$c >build/fuzz/$$n.log 2>&1 \
	    || { echo "CRASH (see build/fuzz/$$n.log)"; tail -n 30 build/fuzz/$$n.log; exit 1; }; \
	  awk '/stat::number_of_executed_units/ {e=$$2} /stat::peak_rss_mb/ {r=$$2} \
	    END {printf "%10d execs, peak RSS %s MB, no crash\n", e, r}' build/fuzz/$$n.log; \
	done
endef

fuzz: deps-check $(FUZZ_BINS)
	@echo "== fuzzing, $(FUZZ_SECONDS) s per target"
	$(call run_fuzz,$(FUZZ_SECONDS))

fuzz-smoke: $(FUZZ_BINS)
	@echo "== fuzz smoke run, $(FUZZ_SMOKE_SECONDS) s per target"
	$(call run_fuzz,$(FUZZ_SMOKE_SECONDS))

-include $(OBJS:.o=.d) $(TOBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(BUILD)/obj/main.d \
	$(FUZZ_OBJS:.o=.d)

# ---------------------------------------------------------------- packages
# Debian/Ubuntu names; RHEL-family (dnf/yum) equivalents beside them.
DEB_BUILD = gcc make pkg-config libcpuid-dev libplot-dev check
RPM_BUILD = gcc make pkgconf-pkg-config libcpuid-devel plotutils-devel check-devel
DEB_RUN   = chrony
RPM_RUN   = chrony
DEB_CHECK = chrony libfaketime faketime prometheus-node-exporter prometheus \
	curl valgrind clang libclang-rt-dev python3 python3-yaml
RPM_CHECK = chrony libfaketime golang-github-prometheus-node-exporter \
	prometheus curl valgrind clang compiler-rt python3 python3-pyyaml
DEB_BENCH = rdate sntp ntpsec-ntpdate hyperfine gnuplot-nox
RPM_BENCH = rdate sntp hyperfine gnuplot

define install_missing
	@deb="$(1)"; rpm="$(2)"; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=$$(for p in $$deb; do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	  [ -z "$$missing" ] && exit 0; \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "hvclock: missing packages: $$missing"; \
	    echo "hvclock: run as root, or: sudo apt-get install -y $$missing"; exit 1; fi; \
	  echo "installing: $$missing"; \
	  stamp=$(BUILD)/.apt-updated; mkdir -p $(BUILD); \
	  if [ ! -f $$stamp ]; then apt-get update -qq && touch $$stamp; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  $(MAKE) --no-print-directory stop-system-services; \
	elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then \
	  pm=$$(command -v dnf || command -v yum); \
	  missing=$$(for p in $$rpm; do rpm -q $$p >/dev/null 2>&1 || echo $$p; done); \
	  [ -z "$$missing" ] && exit 0; \
	  echo "installing: $$missing"; $$pm install -y $$missing; \
	else \
	  echo "hvclock: unknown package manager; install: $$deb"; exit 1; \
	fi
endef

deps:
	$(call install_missing,$(DEB_BUILD) $(DEB_RUN),$(RPM_BUILD) $(RPM_RUN))

deps-check: deps
	$(call install_missing,$(DEB_CHECK),$(RPM_CHECK))

deps-bench: deps-check
	$(call install_missing,$(DEB_BENCH),$(RPM_BENCH))

# Installing chrony or node_exporter may start their system services where
# policy allows; the tests run their own on loopback and nothing here may
# discipline this machine's clock, so stop them.
.PHONY: stop-system-services
stop-system-services:
	@for s in chrony chronyd prometheus-node-exporter prometheus; do \
	  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet $$s 2>/dev/null; then \
	    systemctl stop $$s 2>/dev/null || true; fi; \
	  if [ -x /etc/init.d/$$s ]; then /etc/init.d/$$s stop >/dev/null 2>&1 || true; fi; \
	done; true

# ------------------------------------------------------------------- run
# The main job: the environment, then a diagnosis (see tests/tools/main-job.sh:
# against NTP=HOST[:PORT] when given, else against a loopback chronyd).
RUN_DURATION ?= 20s
run: deps
	@$(MAKE) --no-print-directory all
	@HVCLOCK=./$(BIN) NTP="$(NTP)" RUN_DURATION="$(RUN_DURATION)" tests/tools/main-job.sh

# ----------------------------------------------------------------- tests
# `make check` is what CI runs (.ci/run): every test on the normal build,
# then every test again on an ASan+UBSan build, the unit tests and real
# command runs under valgrind, and a short fuzz run of every target.
check: deps-check
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TOOLS)
	@$(MAKE) --no-print-directory unit integration
ifneq ($(SANITIZE),1)
	@echo "== again under AddressSanitizer + UndefinedBehaviorSanitizer"
	@$(MAKE) --no-print-directory SANITIZE=1 check-sanitized
	@$(MAKE) --no-print-directory valgrind-run fuzz-smoke
endif

.PHONY: check-sanitized valgrind-run
check-sanitized:
	@$(MAKE) --no-print-directory SANITIZE=1 all $(UNIT_BIN) $(TOOLS)
	@$(MAKE) --no-print-directory SANITIZE=1 unit integration

# Sanitizer runtime settings for every test process. libfaketime preloads
# before the ASan runtime, hence verify_asan_link_order=0.
export ASAN_OPTIONS = verify_asan_link_order=0:detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1:exitcode=87
# Leaks inside third-party libraries (libplot keeps some after deletepl).
export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

unit: $(UNIT_BIN)
	@echo "== unit tests (Check)$(if $(filter 1,$(SANITIZE)), sanitized)"
	@TZ=UTC LC_ALL=C HVCLOCK_TOP=$(CURDIR) $(UNIT_BIN)

integration: $(BIN) $(TOOLS)
	@echo "== integration tests$(if $(filter 1,$(SANITIZE)), sanitized)"
	@HVCLOCK=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) TOP=$(CURDIR) \
		SANITIZE=$(SANITIZE) tests/integration/run.sh

valgrind: deps-check
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TOOLS)
	@$(MAKE) --no-print-directory valgrind-run

# The unit tests, then real command runs (tests/valgrind/v_*.sh: env,
# diagnose, grub on fixture trees, query against chronyd and fakentp).
valgrind-run: $(UNIT_BIN) $(BIN) $(TOOLS)
	@echo "== unit tests under valgrind memcheck"
	@CK_FORK=no TZ=UTC LC_ALL=C HVCLOCK_TOP=$(CURDIR) valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite $(UNIT_BIN)
	@echo "== commands under valgrind memcheck"
	@set -e; for t in tests/valgrind/v_*.sh; do echo "-- $$(basename $$t .sh)"; \
	  HVCLOCK=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) TOP=$(CURDIR) bash $$t; done

bench: deps-bench
	@$(MAKE) --no-print-directory all $(TOOLS)
	@HVCLOCK=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) TOP=$(CURDIR) \
		tests/bench/run.sh

# ---------------------------------------------------------------- install
install: $(BIN) install-log-data
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/hvclock
	install -m 0644 data/hvclock.1 $(DESTDIR)$(MANDIR)/man1/hvclock.1

# The periodic logger's files: cron line, systemd units (installed, not
# enabled), logrotate, Prometheus alerting rules, the sample log. @BINDIR@
# in the cron line and the units becomes the installed binary's directory.
LOG_UNITS = hvclock-log.service hvclock-log.timer hvclock-watch.service
.PHONY: install-log-data uninstall-log-data
install-log-data:
	install -d $(DESTDIR)$(SYSCONFDIR)/cron.d $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR)/sample
	sed 's|@BINDIR@|$(BINDIR)|g' data/cron/hvclock >$(DESTDIR)$(SYSCONFDIR)/cron.d/hvclock
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/cron.d/hvclock
	install -m 0644 data/logrotate/hvclock $(DESTDIR)$(SYSCONFDIR)/logrotate.d/hvclock
	for u in $(LOG_UNITS); do \
	  sed 's|@BINDIR@|$(BINDIR)|g' data/systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	install -m 0644 data/prometheus/hvclock-alerts.yml $(DESTDIR)$(DATADIR)/prometheus/hvclock-alerts.yml
	install -m 0644 data/sample/hyperv-guest.log $(DESTDIR)$(DATADIR)/sample/hyperv-guest.log

uninstall: uninstall-log-data
	rm -f $(DESTDIR)$(BINDIR)/hvclock $(DESTDIR)$(MANDIR)/man1/hvclock.1

uninstall-log-data:
	rm -f $(DESTDIR)$(SYSCONFDIR)/cron.d/hvclock $(DESTDIR)$(SYSCONFDIR)/logrotate.d/hvclock \
		$(DESTDIR)$(DATADIR)/prometheus/hvclock-alerts.yml \
		$(DESTDIR)$(DATADIR)/sample/hyperv-guest.log
	for u in $(LOG_UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	-rmdir $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR)/sample 2>/dev/null

clean:
	rm -rf build hvclock
