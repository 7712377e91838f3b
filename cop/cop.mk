# cop/cop.mk: nano_cop, the co-process for extern calls, and its tests.  Included by the
# top-level Makefile.
#
#   bin/nano_cop            the co-process (libffi, found with pkg-config)
#   build/san/nano_cop      the same under AddressSanitizer + UndefinedBehaviorSanitizer: the
#                           sanitizer build of nano_vm (build/san/nano_vm) starts this one
#   build/tests/cop/*.t     C tests (tests/cop/*.c), also built under the sanitizers
#   build/fuzz/fuzz_wire    libFuzzer on the protocol decoders (needs clang; `make fuzz` runs
#                           it with the other targets: tests/fuzz/fuzz.mk)
#
# cop/cop_wire.c (the protocol's encoder, frame reader and decoders) is also part of the VM
# library (VM_SRCS), which speaks the other end.

FFI_CFLAGS := $(shell $(PKG) --cflags libffi 2>/dev/null)
FFI_LIBS   := $(shell $(PKG) --libs libffi 2>/dev/null)
COP_HDRS   := cop/cop_wire.h

$(B)/cop/%.o: cop/%.c $(COP_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) $(FFI_CFLAGS) -c $< -o $@

$(B)/san/cop/%.o: cop/%.c $(COP_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_SAN) $(FFI_CFLAGS) -c $< -o $@

bin/nano_cop: $(B)/cop/nano_cop.o $(B)/cop/cop_wire.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) $^ -o $@ $(FFI_LIBS) -ldl

$(B)/san/nano_cop: $(B)/san/cop/nano_cop.o $(B)/san/cop/cop_wire.o
	$(Q)$(CC) $(CFLAGS_SAN) $^ -o $@ $(FFI_LIBS) -ldl

all: bin/nano_cop

# Modules with C code (docs/LANGUAGE.md 11.1): lib/NAME.c, beside lib/NAME.nano, becomes
# libnano_NAME.so in bin/lib/ (where bin/nano_cop looks) and build/san/lib/ (for
# build/san/nano_cop), with the compile and link flags pkg-config gives for the packages on the
# file's ` * pkg-config: PKG...` line.
CLIB_SRCS := $(wildcard lib/*.c)
CLIBS     := $(CLIB_SRCS:lib/%.c=bin/lib/libnano_%.so) $(CLIB_SRCS:lib/%.c=$(B)/san/lib/libnano_%.so)
clib_pkgs  = $(strip $(shell sed -n 's/^ \* pkg-config:\(.*\)$$/\1/p' $(1)))
clib_flags = $(if $(call clib_pkgs,$(1)),$(shell $(PKG) --cflags --libs $(call clib_pkgs,$(1))))

bin/lib/libnano_%.so: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O2 -g -fPIC -shared $< -o $@ $(call clib_flags,$<)

$(B)/san/lib/libnano_%.so: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O2 -g -fPIC -shared $< -o $@ $(call clib_flags,$<)

all: $(CLIBS)

# The test library: a C function for each C type of the protocol (tests/cop/lib/coptest.c).
COPTEST_LIB := $(B)/tests/cop/libcoptest.so
$(COPTEST_LIB): tests/cop/lib/coptest.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O2 -g -fPIC -shared $< -o $@

# C tests: like tests/vm/*.c, each linked with the test library and the VM library, built
# normally and under the sanitizers; NANO_COP_BIN is the nano_cop of the same build.
TCOP_SRCS  := $(wildcard tests/cop/*.c)
TCOP_BINS  := $(TCOP_SRCS:tests/cop/%.c=$(B)/tests/cop/%.t)
TCOP_SBINS := $(TCOP_SRCS:tests/cop/%.c=$(B)/san/tests/cop/%.t)
TCOP_DEFS   = -Icop -DCOPTEST_LIB='"$(CURDIR)/$(COPTEST_LIB)"'

$(B)/tests/cop/%.t: tests/cop/%.c $(TLIB_SRCS) $(TLIB_HDRS) $(B)/libnanovm.a bin/nano_cop $(COPTEST_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_T) $(TCOP_DEFS) -DNANO_COP_BIN='"$(CURDIR)/bin/nano_cop"' $< $(TLIB_SRCS) $(B)/libnanovm.a -o $@ $(LDLIBS_VM)

$(B)/san/tests/cop/%.t: tests/cop/%.c $(TLIB_SRCS) $(TLIB_HDRS) $(B)/san/libnanovm.a $(B)/san/nano_cop $(COPTEST_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ST) $(TCOP_DEFS) -DNANO_COP_BIN='"$(CURDIR)/$(B)/san/nano_cop"' $< $(TLIB_SRCS) $(B)/san/libnanovm.a -o $@ $(LDLIBS_VM)

# ThreadSanitizer: t_cop runs programs with extern calls on threads at once.
$(B)/tsan/tests/cop/t_cop.t: tests/cop/t_cop.c $(TLIB_SRCS) $(TLIB_HDRS) $(VM_SRCS) $(VM_HDRS) bin/nano_cop $(COPTEST_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O1 -g -fsanitize=thread -Ivm -Iisa -Itests/lib $(TCOP_DEFS) -DNANO_COP_BIN='"$(CURDIR)/bin/nano_cop"' $< $(TLIB_SRCS) $(VM_SRCS) -o $@ $(LDLIBS_VM)

TEST_BINS += $(TCOP_BINS) $(TCOP_SBINS) $(B)/tsan/tests/cop/t_cop.t
TEST_DEPS += bin/nano_cop $(B)/san/nano_cop $(COPTEST_LIB) $(CLIBS)

# libFuzzer over both decoders (tests/cop/fuzz/fuzz_wire.c); `make fuzz` runs it
# (tests/fuzz/fuzz.mk).
FUZZ_CC   ?= clang
$(B)/fuzz/fuzz_wire: tests/cop/fuzz/fuzz_wire.c cop/cop_wire.c $(COP_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Icop $< cop/cop_wire.c -o $@
