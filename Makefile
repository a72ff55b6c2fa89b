# reval: one non-recursive build into build/.
#
#   make            build build/reval
#   make deps       install the Debian packages that building and testing need (root)
#   make test       check the layers, build and run the Criterion suites
#   make layers     fail when an #include points up the layers (tests/layers/check.sh)
#   make check      the suites again under AddressSanitizer and UndefinedBehaviorSanitizer
#   make bench      benchmark programs, printing figures (never asserted)
#   make reproduce  regrade every bundled recording and compare with published scores
#   make demo       deps, build, and regrade a bundled recording end to end (the README's main job)
#   make install PREFIX=/usr/local   (the binary, the man page, bash and zsh completions, datasets)
#   make manual     build/man/reval.1 and build/completion/{reval.bash,_reval} from 'reval help' 
#   make fuzz       libFuzzer targets into build/fuzz (clang): fuzz_math, fuzz_reply, fuzz_code;
#                   run one on its seeds with e.g. build/fuzz/fuzz_reply tests/fuzz/corpus/reply
#   make fuzz-smoke every fuzz target for FUZZ_SECONDS (30) on its seeds (CI runs it)
#   make format     apply .clang-format
#
# SANITIZE=1 builds into build/san with -fsanitize=address,undefined.  V=1 shows commands.

CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := libcurl libcjson libpcre2-8 gmp libseccomp libmicrohttpd
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wformat=2 \
           -Wno-format-nonliteral -Werror
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -I. \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcurl -lcjson -lpcre2-8 -lgmp -lseccomp -lmicrohttpd) -lm -lpthread

ifeq ($(SANITIZE),1)
BUILD   ?= build/san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
else
BUILD   ?= build
endif

ifneq ($(V),1)
Q := @
endif

LIB_SRC  := $(sort $(shell find harness graders reports -name '*.c' -not -path '*/zygote/*'))
LIB_SRC  := $(filter-out harness/cli/main.c,$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/harness/cli/main.o
TEST_SRC := $(sort $(shell find tests -name 'test_*.c' -not -path 'tests/data/*') $(wildcard tests/support/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
FAKE_SRC := $(sort $(wildcard tests/fake/*.c))
FAKE_OBJ := $(FAKE_SRC:%.c=$(BUILD)/%.o)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

REVAL  := $(BUILD)/reval
TESTS  := $(BUILD)/tests/reval-tests
FAKE   := $(BUILD)/fake-openai

DEB_PKGS := build-essential pkg-config libcurl4-openssl-dev libcjson-dev libpcre2-dev \
            libcriterion-dev libgmp-dev libseccomp-dev libmicrohttpd-dev python3 python3-dev gcc g++ \
            clang nginx-light wrk valgrind chromium \
            slurmctld slurmd slurm-client munge python3-yaml python3-sympy

.PHONY: all deps test check bench reproduce install format clean fuzz fuzz-smoke demo layers manual

all: $(REVAL)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libreval.a: $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcsT $@ $^

$(REVAL): $(MAIN_OBJ) $(BUILD)/libreval.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDSAN) -o $@ $^ $(LIBS)

$(TESTS): $(TEST_OBJ) $(BUILD)/libreval.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDSAN) -o $@ $^ $(LIBS) -lcriterion

$(FAKE): $(FAKE_OBJ) $(BUILD)/libreval.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDSAN) -o $@ $^ $(LIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/libreval.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDSAN) -o $@ $^ $(LIBS)

# Every #include points down the layers (docs/architecture.md).
layers:
	@sh tests/layers/check.sh .

# The suites find the binaries and the repository through the environment.
test: layers $(REVAL) $(TESTS) $(if $(FAKE_SRC),$(FAKE))
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp REVAL_BIN=$(abspath $(REVAL)) REVAL_FAKE=$(abspath $(FAKE)) REVAL_ROOT=$(CURDIR) \
	REVAL_BUILD=$(abspath $(BUILD)) $(TESTS) --jobs 2 $(TESTFLAGS)

check:
	$(MAKE) SANITIZE=1 test

deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all build and test packages are installed"; fi

bench: $(REVAL) $(BENCH_BIN) $(if $(FAKE_SRC),$(FAKE))
	REVAL_BIN=$(abspath $(REVAL)) REVAL_FAKE=$(abspath $(FAKE)) REVAL_BUILD=$(abspath $(BUILD)) \
	sh bench/run.sh

reproduce: $(REVAL)
	$(REVAL) reproduce --out $(BUILD)/reproduce

# The README's main job: set up, then regrade a bundled recording end to end.
demo: deps
	$(MAKE) all
	sh datasets/demo.sh $(REVAL) $(BUILD)/demo

# The man page and the completions come from the binary's own help, which the
# option tables print (harness/cli/manual.sh); one run writes all three.
MANUAL := $(BUILD)/man/reval.1
$(MANUAL): $(REVAL) harness/cli/manual.sh
	sh harness/cli/manual.sh $(REVAL) $(BUILD)
$(BUILD)/completion/reval.bash $(BUILD)/completion/_reval: $(MANUAL)

manual: $(MANUAL)

install: $(REVAL) $(MANUAL)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/reval \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(REVAL) $(DESTDIR)$(PREFIX)/bin/reval
	install -m 644 $(MANUAL) $(DESTDIR)$(PREFIX)/share/man/man1/reval.1
	install -m 644 $(BUILD)/completion/reval.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/reval
	install -m 644 $(BUILD)/completion/_reval $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_reval
	cp -R datasets $(DESTDIR)$(PREFIX)/share/reval/

format:
	clang-format -i $(LIB_SRC) $(MAIN_OBJ:$(BUILD)/%.o=%.c) $(shell find harness graders reports -name '*.h' -not -path '*/zygote/*') $(TEST_SRC) $(FAKE_SRC) $(BENCH_SRC)

# libFuzzer targets: tests/fuzz/fuzz_*.c, built with clang into build/fuzz.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -I. \
           -fsanitize=fuzzer-no-link,address,undefined $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build/fuzz/%.o)

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -c $< -o $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@ $(LIBS)

build/fuzz/graders/code/sandbox/zygote.o: build/zygote/core.so
build/fuzz/graders/code/sandbox/zygote.o: FUZZ_CFLAGS += -DZYGOTE_CORE='"build/zygote/core.so"'

fuzz: $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

# Each fuzz target for FUZZ_SECONDS on its seeds (tests/fuzz/corpus/NAME); new inputs go to a
# scratch directory, so the seeds stay as committed.
FUZZ_SECONDS ?= 30
fuzz-smoke: fuzz
	@for t in $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%); do \
		scratch=$$(mktemp -d); \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s on tests/fuzz/corpus/$$t"; \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$$scratch tests/fuzz/corpus/$$t 2>build/fuzz/fuzz_$$t.log || \
			{ tail -40 build/fuzz/fuzz_$$t.log; rm -rf $$scratch; exit 1; }; \
		grep -E 'stat::number_of_executed_units' build/fuzz/fuzz_$$t.log; \
		rm -rf $$scratch; \
	done

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The fork server's Python source and C core are embedded with .incbin.  The
# core is a CPython extension module on the stable ABI, loaded by python3, so
# it is built without sanitizers and links neither libpython nor ASan.
ZYGOTE_CORE := $(BUILD)/zygote/core.so
ZYGOTE_SRC := $(sort $(wildcard graders/code/sandbox/zygote/*.c))
$(ZYGOTE_CORE): $(ZYGOTE_SRC) $(wildcard graders/code/sandbox/zygote/*.h) \
		graders/code/sandbox/zygote/zygote.py
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -fPIC -shared -fvisibility=hidden \
		$(shell pkg-config --cflags python3 libcjson 2>/dev/null || python3-config --includes) \
		-o $@ $(ZYGOTE_SRC) $(shell pkg-config --libs libcjson 2>/dev/null || echo -lcjson) -lm
$(BUILD)/graders/code/sandbox/zygote.o: $(ZYGOTE_CORE)
$(BUILD)/graders/code/sandbox/zygote.o: ALL_CFLAGS += -DZYGOTE_CORE='"$(ZYGOTE_CORE)"'
