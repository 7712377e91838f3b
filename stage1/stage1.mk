# stage1/stage1.mk: nano_virt, the compiler in nanolang, built natively by nanoc0 (stage 1 of
# the bootstrap, docs/ARCHITECTURE.md section 3).  Included by the top-level Makefile.
#
#   build/stage1/nano_virt         the compiler: nanoc0 transpiles stage1/main.nano (and every
#                                  file it imports) to C, cc links it with the bootstrap runtime
#   build/stage1/nano_virt_tests   every shadow test of stage1/ as one TAP program (nanoc0 --tests)
#
# Both are rebuilt when any stage1/*.nano changes.

STAGE1_SRCS  := $(wildcard stage1/*.nano)
CFLAGS_S1    := -std=c11 -Wall -Wextra -Werror -O2 -g -Ibootstrap

$(B)/stage1/nano_virt.c: $(STAGE1_SRCS) bin/nanoc0
	@mkdir -p $(@D)
	$(Q)bin/nanoc0 -o $@ stage1/main.nano

$(B)/stage1/nano_virt_tests.c: $(STAGE1_SRCS) bin/nanoc0
	@mkdir -p $(@D)
	$(Q)bin/nanoc0 --tests -o $@ stage1/main.nano

# The VM library is linked too: run_shadow_tests and run_program are its code.
S1_LIBS := $(B)/bootstrap/libnanort.a $(B)/libnanovm.a $(GC_LIBS) -lm -lpthread

$(B)/stage1/nano_virt: $(B)/stage1/nano_virt.c $(B)/bootstrap/libnanort.a $(B)/libnanovm.a
	$(Q)$(CC) $(CFLAGS_S1) $< $(S1_LIBS) -o $@

$(B)/stage1/nano_virt_tests: $(B)/stage1/nano_virt_tests.c $(B)/bootstrap/libnanort.a $(B)/libnanovm.a
	$(Q)$(CC) $(CFLAGS_S1) $< $(S1_LIBS) -o $@

TEST_DEPS += $(B)/stage1/nano_virt $(B)/stage1/nano_virt_tests
