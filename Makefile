# nanovm: build, test and benchmark.
#
#   make            build everything and run the bootstrap (stage2/stage2.mk): the compiler
#                   compiles itself and the two results must be the same bytes
#   make test       build, then run every TAP test through prove
#   make bench      the benchmarks (tests/bench/) on nano_vm beside Lua 5.4, LuaJIT's interpreter
#                   and Python 3, and the self-compile on nano_vm beside the native compiler:
#                   median CPU time of BENCH_RUNS (default 5) interleaved runs, ratios, memory;
#                   then hello world as a full and a thin native executable: sizes and start-to-
#                   exit times beside nano_vm, C, lua5.4 and python3 (HELLO_RUNS, default 20)
#   make bench-check  a regression guard without timing: each benchmark on a reduced input under
#                   valgrind, its instruction count against tests/bench/counts.txt (3% tolerance);
#                   UPDATE=1 records the new counts.  Not part of make test (valgrind is slow)
#   make fuzz       libFuzzer (clang) on the co-process protocol, the VM and the compiler,
#                   FUZZ_SECONDS (default 60) each (tests/fuzz/fuzz.mk); make test replays the
#                   seeds once when clang is installed
#   make install    install the toolchain under PREFIX (default /usr/local; DESTDIR for packaging):
#                   PREFIX/lib/nanovm/ is a copy of the tree's bin/ and lib/ (the programs, the
#                   compiler's bytecode, the runtime stubs, the C modules, the standard library),
#                   and PREFIX/bin/ has nano_virt, nano_vm, nano_vmd, nano_cop as links into it
#   make uninstall  remove what make install put there
#   make clean      remove build/ and bin/
#
# Variables: CC, OPT (default -O2), DISPATCH=goto|switch (interpreter dispatch), V=1 (echo
# commands).  Libraries are found with pkg-config.  Every rule is parallel-safe.

CC       ?= cc
OPT      ?= -O2
DISPATCH ?= goto
PKG      ?= pkg-config
B        := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN     := -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
ifeq ($(DISPATCH),switch)
DISPATCH_FLAGS := -DVM_DISPATCH_SWITCH=1
endif
CFLAGS_VM := $(WARN) $(OPT) -g $(DISPATCH_FLAGS) -Ivm -Iisa
LDLIBS_VM := -lm -lpthread

# The sanitizer build: AddressSanitizer + UndefinedBehaviorSanitizer, switch dispatch (so the
# test suite exercises both dispatch modes) and per-opcode execution counts (so a test can check
# that every opcode in isa/isa.def was executed).
SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CFLAGS_SAN := $(WARN) -O1 -g $(SAN) -DVM_DISPATCH_SWITCH=1 -DVM_COUNT_OPS=1 -Ivm -Iisa

.PHONY: all vm test test-build bench bench-check clean deps-check install uninstall
.DEFAULT_GOAL := all

# A missing library gets one clear message instead of a compiler error.
deps-check:
	@$(PKG) --version >/dev/null 2>&1 || { echo "error: pkg-config is missing: sudo apt-get install -y pkg-config" >&2; exit 1; }
	@for lib in bdw-gc libffi; do $(PKG) --exists $$lib || { echo "error: $$lib is missing: sudo apt-get install -y libgc-dev libffi-dev" >&2; exit 1; }; done
	@$(PKG) --exists zlib || { echo "error: zlib is missing (for lib/zlib.nano): sudo apt-get install -y zlib1g-dev" >&2; exit 1; }
	@$(PKG) --exists sqlite3 || { echo "error: sqlite3 is missing (for lib/sqlite3.nano): sudo apt-get install -y libsqlite3-dev" >&2; exit 1; }

# `all` is the bootstrap (stage2/stage2.mk), which builds every stage in order.

# ---------------------------------------------------------------------------------------------
# vm/: the library, nano_vm (the library includes cop/cop_wire.c, the co-process protocol)
VM_MAIN  := vm/main.c
VMD_MAIN := vm/vmd.c
VM_SRCS  := $(filter-out $(VM_MAIN) $(VMD_MAIN),$(wildcard vm/*.c)) cop/cop_wire.c
VM_HDRS  := $(wildcard vm/*.h vm/*.inc isa/*.def) cop/cop_wire.h
VM_OBJS  := $(VM_SRCS:%.c=$(B)/%.o)
VM_SOBJS := $(VM_SRCS:%.c=$(B)/san/%.o)

vm: bin/nano_vm

$(B)/vm/%.o: vm/%.c $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) -c $< -o $@

$(B)/san/vm/%.o: vm/%.c $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_SAN) -c $< -o $@

$(B)/libnanovm.a: $(VM_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/san/libnanovm.a: $(VM_SOBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

bin/nano_vm: $(B)/vm/main.o $(B)/libnanovm.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) $^ -o $@ $(LDLIBS_VM)

$(B)/san/nano_vm: $(B)/san/vm/main.o $(B)/san/libnanovm.a
	$(Q)$(CC) $(CFLAGS_SAN) $^ -o $@ $(LDLIBS_VM)

# nano_vmd, the VM as a daemon (docs/VMD_PROTOCOL.md); also under ThreadSanitizer for
# tests/vmd/, which runs it both ways.
all: bin/nano_vmd

bin/nano_vmd: $(B)/vm/vmd.o $(B)/libnanovm.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) $^ -o $@ $(LDLIBS_VM)

$(B)/tsan/nano_vmd: $(VMD_MAIN) $(VM_SRCS) $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O1 -g -fsanitize=thread -Ivm -Iisa $(VMD_MAIN) $(VM_SRCS) -o $@ $(LDLIBS_VM)

# ---------------------------------------------------------------------------------------------
# isa/: the machine's tables.  The VM and stage0 include them as X-macros; the compiler reads
# them as nanolang that isa/gen_tables.c writes from them (stage1/isa.nano, stage1/builtins.nano,
# checked in because the bootstrap compiles them; tests/stage1/isa_sync.t checks they are
# current).  A changed table regenerates them here.
ISA_DEFS := $(wildcard isa/*.def)

$(B)/isa/gen_tables: isa/gen_tables.c vm/isa.c vm/isa.h $(ISA_DEFS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O1 -Ivm -Iisa isa/gen_tables.c vm/isa.c -o $@

stage1/isa.nano: $(B)/isa/gen_tables
	$(Q)$< isa > $@.tmp && mv $@.tmp $@

stage1/builtins.nano: $(B)/isa/gen_tables
	$(Q)$< builtins > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------------------------------------
# tests/: C test programs (tests/vm/*.c) link the test support library (tests/lib/*.c: TAP
# helpers and the bytecode builder) and the VM library; each becomes an executable .t that
# prove runs directly.  Each is built twice: normally and under the sanitizers.
TLIB_SRCS := $(wildcard tests/lib/*.c)
TLIB_HDRS := $(wildcard tests/lib/*.h)
TVM_SRCS  := $(wildcard tests/vm/*.c)
TVM_BINS  := $(TVM_SRCS:tests/vm/%.c=$(B)/tests/vm/%.t)
TVM_SBINS := $(TVM_SRCS:tests/vm/%.c=$(B)/san/tests/vm/%.t)
CFLAGS_T  := $(CFLAGS_VM) -Itests/lib
CFLAGS_ST := $(CFLAGS_SAN) -Itests/lib

$(B)/tests/vm/%.t: tests/vm/%.c $(TLIB_SRCS) $(TLIB_HDRS) $(B)/libnanovm.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_T) $< $(TLIB_SRCS) $(B)/libnanovm.a -o $@ $(LDLIBS_VM)

$(B)/san/tests/vm/%.t: tests/vm/%.c $(TLIB_SRCS) $(TLIB_HDRS) $(B)/san/libnanovm.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ST) $< $(TLIB_SRCS) $(B)/san/libnanovm.a -o $@ $(LDLIBS_VM)

# ThreadSanitizer: the multi-process test once more, to prove processes share no mutable state.
$(B)/tsan/tests/vm/t_threads.t: tests/vm/t_threads.c $(TLIB_SRCS) $(TLIB_HDRS) $(VM_SRCS) $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O1 -g -fsanitize=thread -Ivm -Iisa -Itests/lib $< $(TLIB_SRCS) $(VM_SRCS) -o $@ $(LDLIBS_VM)

# The assembler as a command, for shell-script tests.
$(B)/tests/nvmasm: tests/tools/nvmasm.c $(TLIB_SRCS) $(TLIB_HDRS) $(B)/libnanovm.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_T) $< $(TLIB_SRCS) $(B)/libnanovm.a -o $@ $(LDLIBS_VM)

# Malformed requests for nano_vmd (tests/vmd/vmd.t).
$(B)/tests/vmd_garbage: tests/vmd/garbage.c $(B)/libnanovm.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) $< $(B)/libnanovm.a -o $@ $(LDLIBS_VM)

# Shell-script tests (tests/**/*.t) find the programs through these variables.
export NANO_VM     := $(CURDIR)/bin/nano_vm
export NANO_VM_SAN := $(CURDIR)/$(B)/san/nano_vm
export NANO_BUILD  := $(CURDIR)/$(B)
export NANO_VMD_BIN := $(CURDIR)/bin/nano_vmd

TEST_BINS := $(TVM_BINS) $(TVM_SBINS) $(B)/tsan/tests/vm/t_threads.t
TEST_DEPS := bin/nano_vm $(B)/san/nano_vm $(B)/tests/nvmasm $(B)/isa/gen_tables bin/nano_vmd \
             $(B)/tsan/nano_vmd $(B)/tests/vmd_garbage
TEST_SCRIPTS = $(sort $(wildcard tests/*/*.t))

# Sub-makefiles add to TEST_BINS, TEST_DEPS and 'all'.
-include cop/cop.mk
-include stub/stub.mk
-include stage0/stage0.mk
-include stage1/stage1.mk
-include stage2/stage2.mk
-include tests/fuzz/fuzz.mk

test-build: $(TEST_BINS) $(TEST_DEPS)

test: test-build
	prove -j2 $(TEST_BINS) $(TEST_SCRIPTS)

# ---------------------------------------------------------------------------------------------
# make bench: the benchmark programs (tests/bench/programs/), compiled by the self-hosted
# compiler, beside their Lua and Python peers (tests/bench/peers/), and the self-compile
# (tests/bench/run.sh), the extern calls (ffi.sh) and a JSON round trip beside Python's json
# module (json.sh).  make bench-check: their instruction counts (tests/bench/check.sh).
$(B)/bench/measure: tests/bench/measure.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O2 $< -o $@

$(B)/bench/ffi_call: tests/bench/ffi_call.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O2 $< -o $@ $(FFI_CFLAGS) $(FFI_LIBS)

bench: bootstrap bin/nano_vmd $(B)/bench/measure $(B)/bench/ffi_call $(CLIBS) bin/nano_stub_full bin/nano_stub_thin
	$(Q)B=$(B) BENCH_RUNS=$(BENCH_RUNS) sh tests/bench/run.sh
	$(Q)B=$(B) sh tests/bench/ffi.sh
	$(Q)B=$(B) BENCH_RUNS=$(BENCH_RUNS) sh tests/bench/json.sh
	$(Q)B=$(B) sh tests/bench/vmd.sh
	$(Q)B=$(B) HELLO_RUNS=$(HELLO_RUNS) sh tests/bench/native.sh

bench-check: bootstrap
	$(Q)B=$(B) UPDATE=$(UPDATE) sh tests/bench/check.sh

clean:
	rm -rf $(B) bin

# ---------------------------------------------------------------------------------------------
# make install / uninstall (docs/EXECUTABLES.md, README): the installed tree has the layout of
# this one (bin/ and lib/, in PREFIX/lib/nanovm), so every program finds its files as it does
# here: nano_vm its nano_cop and nano_vmd beside its real path, nano_cop the C modules in lib/
# beside it, the launcher bin/nano_virt its nano_vm and nano_virt.nvm (through symbolic links),
# the compiler the standard library in ../lib and the runtime stubs beside it.
PREFIX   ?= /usr/local
NANO_HOME = $(PREFIX)/lib/nanovm
INSTALL_PROGS := bin/nano_virt bin/nano_vm bin/nano_vmd bin/nano_cop
INSTALL_FILES := $(INSTALL_PROGS) bin/nano_virt.nvm bin/nano_stub_full bin/nano_stub_thin \
                 $(filter bin/lib/%,$(CLIBS))

install: $(INSTALL_FILES)
	$(Q)install -d "$(DESTDIR)$(NANO_HOME)/bin/lib" "$(DESTDIR)$(NANO_HOME)/lib" "$(DESTDIR)$(PREFIX)/bin"
	$(Q)install -m 755 $(INSTALL_PROGS) bin/nano_stub_full bin/nano_stub_thin "$(DESTDIR)$(NANO_HOME)/bin/"
	$(Q)install -m 644 bin/nano_virt.nvm "$(DESTDIR)$(NANO_HOME)/bin/"
	$(Q)$(if $(filter bin/lib/%,$(CLIBS)),install -m 755 $(filter bin/lib/%,$(CLIBS)) "$(DESTDIR)$(NANO_HOME)/bin/lib/")
	$(Q)cd lib && find . -name '*.nano' -o -name '*.md' | sort | while read -r f; do \
	    install -D -m 644 "$$f" "$(DESTDIR)$(NANO_HOME)/lib/$$f" || exit 1; done
	$(Q)for p in $(notdir $(INSTALL_PROGS)); do \
	    ln -sfn "../lib/nanovm/bin/$$p" "$(DESTDIR)$(PREFIX)/bin/$$p" || exit 1; done
	@echo "installed in $(DESTDIR)$(NANO_HOME), commands in $(DESTDIR)$(PREFIX)/bin"

uninstall:
	$(Q)for p in $(notdir $(INSTALL_PROGS)); do \
	    if [ "$$(readlink "$(DESTDIR)$(PREFIX)/bin/$$p")" = "../lib/nanovm/bin/$$p" ]; then \
	        rm -f "$(DESTDIR)$(PREFIX)/bin/$$p"; fi; done
	$(Q)rm -rf "$(DESTDIR)$(NANO_HOME)"
