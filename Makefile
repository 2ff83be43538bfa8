# kwire — build, test, fuzz and benchmark.
#
#   make            libkwire.a, libkwire.so and the programs in bin/
#   make test       unit tests (plain and under ASan+UBSan), fuzz smoke, integration tests
#                   (plain, then again with bin-asan/kwire: ASan+UBSan, LeakSanitizer on)
#   make fuzz       every fuzz target for FUZZ_SECONDS (default 30) each
#   make bench      the benchmarks (print figures and ratios)
#   make peers      bench compare's built peers (franz-go program, Python clients' venv) into .cache/
#   make run        the README's main job
#   make install    headers, libkwire.a/.so, kwire, kwire-broker, kwire(1), kwire.pc under
#                   PREFIX (default /usr/local; DESTDIR for staging); make uninstall
#   make proto-gen  regenerate proto/'s message descriptions from Kafka's specifications
#                   (needs Maven, a JDK and Python 3; the build itself needs none of them)
#
# Sources are found by directory: the library is codec/ proto/ client/ (but not
# client/cmd/ or client/broker/); each tests/test_*.c is one cmocka program; each
# fuzz/fuzz_*.c one libFuzzer target; each bench/bench_*.c one benchmark program.

CC       ?= cc
FUZZCC   ?= clang
OPT      ?= -O2
WERROR   ?= $(if $(CI),1,0)
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -g $(OPT) -Wall -Wextra -Wshadow -Wstrict-prototypes \
              -Wno-missing-field-initializers $(if $(filter 1,$(WERROR)),-Werror) \
              -Iinclude -I. -fPIC
CFLAGS  += $(CFLAGS_BASE)
LIBS     = -lz -lsnappy -llz4 -lzstd -lpcap -lssl -lcrypto -lm -lpthread
TESTLIBS = -lcmocka
RDKLIBS  = -lrdkafka

B        = build
# The library's version (include/kwire/errors.h) and the shared library's soname.
VERSION  := $(shell sed -n 's/^\#define KW_VERSION_STRING "\([0-9.]*\)".*/\1/p' include/kwire/errors.h)
SOMAJOR  = $(firstword $(subst ., ,$(VERSION)))
SONAME   = libkwire.so.$(SOMAJOR)
SOLIB    = libkwire.so.$(VERSION)
# Library objects export only what the public headers mark KW_API (include/kwire/*.h);
# the static library still holds every symbol for bin/kwire, the tests and the fuzzers.
LIB_CFLAGS = -fvisibility=hidden
# bench/ files other than bench_*.c are the bench layer's code, linked like the library
LIB_SRC  = $(wildcard codec/*.c proto/*.c client/*.c) $(filter-out bench/bench_%.c,$(wildcard bench/*.c))
CMD_SRC  = $(wildcard client/cmd/*.c)
TEST_SRC = $(wildcard tests/test_*.c)
FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)
BENCH_SRC= $(wildcard bench/bench_*.c)
TOOL_SRC = $(wildcard tests/tool_*.c)
EX_SRC   = $(wildcard examples/*.c)
HDRS     = $(wildcard include/*.h include/kwire/*.h codec/*.h proto/*.h client/*.h client/cmd/*.h bench/*.h tests/*.h fuzz/*.h)

LIB_OBJ  = $(LIB_SRC:%.c=$(B)/obj/%.o)
ASAN_OBJ = $(LIB_SRC:%.c=$(B)/asan/%.o)
FUZZ_OBJ = $(LIB_SRC:%.c=$(B)/fuzzobj/%.o)
TESTS    = $(TEST_SRC:tests/%.c=$(B)/tests/%)
TESTS_ASAN = $(TEST_SRC:tests/%.c=$(B)/tests-asan/%)
FUZZERS  = $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/%)
BENCHES  = $(BENCH_SRC:bench/%.c=$(B)/bench/%)
TOOLS    = $(TOOL_SRC:tests/%.c=$(B)/tests/%)
TOOLS_ASAN = $(TOOL_SRC:tests/%.c=$(B)/tools-asan/%)
EXAMPLES = $(EX_SRC:examples/%.c=$(B)/examples/%)
PROGS    = $(if $(CMD_SRC),bin/kwire) $(if $(wildcard client/broker/*.c),bin/kwire-broker)

ASAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 30

.PHONY: install uninstall proto-gen all peers test unit unit-asan integration integration-asan integration-valgrind fuzz fuzz-smoke fuzz-build bench run deps clean
all: $(B)/libkwire.a $(B)/libkwire.so $(PROGS) $(EXAMPLES)

$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -c $< -o $@
$(B)/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c $< -o $@
$(B)/fuzzobj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZCC) $(CFLAGS_BASE) $(FUZZ_FLAGS) -c $< -o $@

$(B)/libkwire.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
# libkwire.so -> libkwire.so.0 (the soname) -> libkwire.so.0.1.0
$(B)/$(SOLIB): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined -o $@ $^ $(LIBS)
$(B)/libkwire.so: $(B)/$(SOLIB)
	ln -sf $(SOLIB) $(B)/$(SONAME)
	ln -sf $(SONAME) $@
$(B)/libkwire-asan.a: $(ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(B)/libkwire-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

bin/kwire: $(CMD_SRC) $(B)/libkwire.a $(HDRS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $(CMD_SRC) $(B)/libkwire.a $(LIBS)
# bin-asan/kwire: the command under ASan+UBSan (integration-asan). The embedded broker
# it starts is found beside it: a link to the plain bin/kwire-broker (librdkafka, not ours).
# -static-libubsan: with gcc's shared libubsan beside libasan, UBSan ignores log_path and
# reports only to stderr, which the scripts often discard.
bin-asan/kwire: $(CMD_SRC) $(B)/libkwire-asan.a $(HDRS) bin/kwire-broker
	@mkdir -p bin-asan
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -static-libubsan -o $@ $(CMD_SRC) $(B)/libkwire-asan.a $(LIBS)
	ln -sf ../bin/kwire-broker bin-asan/kwire-broker
bin/kwire-broker: $(wildcard client/broker/*.c)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(RDKLIBS) -lpthread

# examples/: built against the public headers only (no -I.) and the shared library, as a
# user builds them (tests/integ_examples.sh builds them again from an installed tree).
$(B)/examples/%: examples/%.c $(B)/libkwire.so $(wildcard include/*.h include/kwire/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g $(OPT) -Wall -Wextra -Wshadow -Wstrict-prototypes $(if $(filter 1,$(WERROR)),-Werror) \
	    -Iinclude -o $@ $< -L$(B) -lkwire -Wl,-rpath,$(CURDIR)/$(B)
# kwire(1), from the help texts of the program itself
$(B)/kwire.1: bin/kwire scripts/manpage.sh
	@mkdir -p $(B)
	scripts/manpage.sh bin/kwire >$@.$$$$.tmp && mv $@.$$$$.tmp $@

$(B)/tests/%: tests/%.c $(B)/libkwire.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libkwire.a $(TESTLIBS) $(LIBS)
# tests/tool_*.c: helper programs for the integration tests (not cmocka).
$(B)/tests/tool_%: tests/tool_%.c $(B)/libkwire.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libkwire.a $(LIBS)
# the same helper programs under ASan+UBSan for integration-asan (KW_TOOLS=build/tools-asan)
$(B)/tools-asan/tool_%: tests/tool_%.c $(B)/libkwire-asan.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -static-libubsan -o $@ $< $(B)/libkwire-asan.a $(LIBS)
$(B)/tests-asan/%: tests/%.c $(B)/libkwire-asan.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $< $(B)/libkwire-asan.a $(TESTLIBS) $(LIBS)
$(B)/fuzz/%: fuzz/%.c $(B)/libkwire-fuzz.a $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZCC) $(CFLAGS_BASE) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -o $@ $< $(B)/libkwire-fuzz.a $(LIBS)
$(B)/bench/%: bench/%.c $(B)/libkwire.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O3 -march=native -o $@ $< $(B)/libkwire.a $(LIBS)

deps:
	@scripts/deps.sh build

proto-gen:
	@scripts/protogen/run.sh

# Unit tests run from the top directory so they find tests/data/.
unit: $(TESTS)
	@scripts/run-tests.sh plain $(TESTS)
unit-asan: $(TESTS_ASAN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 scripts/run-tests.sh asan $(TESTS_ASAN)
fuzz-build: $(FUZZERS)
fuzz-smoke: $(FUZZERS)
	@scripts/fuzz.sh 5 $(FUZZERS)
fuzz: $(FUZZERS)
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)
# The real-broker clusters the scripts share (scripts/with-kafka.sh) are started once around
# both passes by `make test`, or around one pass when it runs alone.
integration: all $(TOOLS)
	@scripts/with-kafka.sh scripts/integration.sh
# The same scripts with KWIRE=bin-asan/kwire and the tests' helper programs from
# build/tools-asan (KW_TOOLS); a sanitizer report (ASan, UBSan, or a leak
# found by LeakSanitizer at exit) from any kwire run fails the script it ran in.
integration-asan: all $(TOOLS) $(TOOLS_ASAN) bin-asan/kwire
	@scripts/with-kafka.sh scripts/integration.sh asan
# Cross-check outside `make test` (slow): bin/kwire under valgrind memcheck, full leak check.
integration-valgrind: all $(TOOLS)
	@scripts/with-kafka.sh scripts/integration.sh valgrind

# Each step adds "label passed failed" to the summary file, and an excerpt of each failed
# program's, fuzzer's or script's output to the failures directory. Every step runs even
# when an earlier one failed (the leading -), and scripts/test-report.sh ends the run with
# the excerpts, one line per suite and the total; it fails if anything failed or a suite
# did not finish. The plain and the asan integration passes run side by side: both are
# mostly waits on brokers and peers (each script prints its output as one block when it
# ends).
test: export KW_SUMMARY = $(CURDIR)/$(B)/test-summary.txt
test: export KW_FAILURES = $(CURDIR)/$(B)/test-failures
test:
	@scripts/deps.sh test
	@mkdir -p $(B) && rm -rf $(KW_SUMMARY) $(KW_FAILURES)
	@$(MAKE) --no-print-directory all
	-@$(MAKE) --no-print-directory unit
	-@$(MAKE) --no-print-directory unit-asan
	-@$(MAKE) --no-print-directory fuzz-smoke
	-@scripts/with-kafka.sh $(MAKE) --no-print-directory -j2 integration integration-asan
	@scripts/test-report.sh

bench: $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# bench compare's peers that are built or installed once into the cache folder: the
# franz-go program (Go module proxy, pinned by bench/peers/franz/go.sum) and a venv with
# confluent-kafka and kafka-python (PyPI, pinned by bench/peers/python/requirements.txt).
# bench compare runs the same script itself for the peers it is asked for.
peers:
	@bench/peers/setup.sh all

run:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory all $(BENCHES)
	@scripts/run-main.sh

# make install [PREFIX=/usr/local] [DESTDIR=/staging]; no ldconfig is run (with PREFIX
# /usr/local run it once, or point LD_LIBRARY_PATH / an rpath at LIBDIR).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
install: all $(B)/kwire.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/kwire \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 include/kwire.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/kwire/*.h $(DESTDIR)$(INCLUDEDIR)/kwire/
	install -m 644 $(B)/libkwire.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/$(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SOLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libkwire.so
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(B)/kwire.1 $(DESTDIR)$(MANDIR)/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' scripts/kwire.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/kwire.pc
uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/kwire.h $(addprefix $(DESTDIR)$(INCLUDEDIR)/kwire/,$(notdir $(wildcard include/kwire/*.h)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/kwire 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/libkwire.a $(DESTDIR)$(LIBDIR)/$(SOLIB) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libkwire.so
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS))) $(DESTDIR)$(MANDIR)/man1/kwire.1 \
	    $(DESTDIR)$(PKGCONFIGDIR)/kwire.pc

clean:
	rm -rf $(B) bin bin-asan
