# stage0/stage0.mk: nanoc0 (the bootstrap transpiler) and the bootstrap C runtime
# (libnanort.a, on the Boehm GC).  Included by the top-level Makefile.
#
#   bin/nanoc0                      the transpiler
#   build/bootstrap/libnanort.a     the runtime its output links against (with vm/numfmt.c and
#                                   vm/natives_core.c)
#
# To build a nanolang program natively:
#   bin/nanoc0 -o prog.c prog.nano
#   cc prog.c $(cat build/bootstrap/link.flags)

NANOC0_SRCS := $(wildcard stage0/*.c)
NANOC0_HDRS := $(wildcard stage0/*.h isa/builtins.def)
NANOC0_OBJS := $(NANOC0_SRCS:%.c=$(B)/%.o)
NANORT_SRCS := $(wildcard bootstrap/*.c)
NANORT_OBJS := $(NANORT_SRCS:%.c=$(B)/%.o) $(B)/bootstrap/numfmt.o $(B)/bootstrap/natives_core.o
GC_CFLAGS   := $(shell $(PKG) --cflags bdw-gc)
GC_LIBS     := $(shell $(PKG) --libs bdw-gc)
CFLAGS_S0   := $(WARN) $(OPT) -g

$(B)/stage0/%.o: stage0/%.c $(NANOC0_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_S0) -Iisa -c $< -o $@

bin/nanoc0: $(NANOC0_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_S0) $^ -o $@

$(B)/bootstrap/%.o: bootstrap/%.c bootstrap/nanort.h $(wildcard vm/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_S0) $(GC_CFLAGS) -Ivm -Iisa -c $< -o $@

$(B)/bootstrap/numfmt.o: vm/numfmt.c vm/numfmt.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_S0) -Iisa -c $< -o $@

$(B)/bootstrap/natives_core.o: vm/natives_core.c vm/natives_core.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_S0) -c $< -o $@

$(B)/bootstrap/libnanort.a: $(NANORT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# The link line for nanoc0's output, for tests and scripts.  The VM library is linked too:
# run_shadow_tests (bootstrap/shadow.c) is the VM's own shadow-test runner.
$(B)/bootstrap/link.flags: stage0/stage0.mk
	@mkdir -p $(@D)
	$(Q)echo "-I$(CURDIR)/bootstrap $(CURDIR)/$(B)/bootstrap/libnanort.a $(CURDIR)/$(B)/libnanovm.a $(GC_LIBS) -lm -lpthread" > $@

TEST_DEPS += bin/nanoc0 $(B)/bootstrap/libnanort.a $(B)/bootstrap/link.flags $(B)/libnanovm.a
