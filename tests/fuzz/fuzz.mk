# tests/fuzz/fuzz.mk: coverage-guided fuzzing with libFuzzer (clang).  Included by the Makefile.
#
#   make fuzz [FUZZ_SECONDS=N]  runs every target for N seconds (default 60), one after the
#                               other, each from its seeds and regression inputs (tests/fuzz/DIR)
#                               and its working corpus (build/fuzz/corpus/TARGET, kept between
#                               runs); a crash is written to build/fuzz/TARGET-crash-*, and make
#                               fails
#   make fuzz-build             builds the targets only
#
#   target      what it fuzzes                                          inputs    seeds
#   fuzz_wire   the co-process protocol's decoders (cop/cop_wire.c)     frames    tests/fuzz/wire
#   fuzz_nvm    loader, verifier, disassembler, a bounded run (vm/)     .nvm      tests/fuzz/nvm
#   fuzz_front  the compiler: native stage 1 in process (stage1/)       .nano     tests/fuzz/nano
#   fuzz_vmd    nano_vmd's decoders: a RUN body (and its image), frames  requests  tests/fuzz/vmd
#
# Each is built with -fsanitize=fuzzer,address,undefined.  tests/fuzz/replay.t, part of make
# test, runs each target once over its seeds (no fuzzing: quick and deterministic) when clang
# and its libFuzzer runtime are installed, and is skipped otherwise.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= $(or $(FUZZ_TIME),60)
FUZZ_DIR     := $(B)/fuzz
FUZZ_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -O1 -g
FUZZ_CFLAGS  := $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Ivm -Iisa -Icop
FUZZ_LINK    := -fsanitize=fuzzer $(FUZZ_FLAGS)

# the VM library and the native runtime, instrumented (one object per source)
FUZZ_VM_OBJS := $(VM_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_RT_OBJS := $(NANORT_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)

$(FUZZ_DIR)/obj/vm/%.o: vm/%.c $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/obj/cop/%.o: cop/%.c $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/obj/bootstrap/%.o: bootstrap/%.c bootstrap/nanort.h $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(GC_CFLAGS) -Ibootstrap -c $< -o $@

# the compiler as nanoc0 writes it (its warnings are gcc's business: -w)
$(FUZZ_DIR)/obj/nano_virt.o: $(B)/stage1/nano_virt.c bootstrap/nanort.h
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) -std=c11 -w $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Ibootstrap -Dmain=nano_virt_main -c $< -o $@

$(FUZZ_DIR)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(VM_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_nvm: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_nvm.o $(FUZZ_VM_OBJS)
	$(Q)$(FUZZ_CC) $(FUZZ_LINK) $^ -o $@ $(LDLIBS_VM)

$(FUZZ_DIR)/fuzz_vmd: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_vmd.o $(FUZZ_VM_OBJS)
	$(Q)$(FUZZ_CC) $(FUZZ_LINK) $^ -o $@ $(LDLIBS_VM)

$(FUZZ_DIR)/fuzz_front: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_front.o $(FUZZ_DIR)/obj/nano_virt.o $(FUZZ_RT_OBJS) $(FUZZ_VM_OBJS)
	$(Q)$(FUZZ_CC) $(FUZZ_LINK) $^ -o $@ $(GC_LIBS) $(LDLIBS_VM) -ldl

FUZZ_TARGETS := fuzz_wire fuzz_nvm fuzz_front fuzz_vmd
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)

fuzz-build: $(FUZZ_BINS)

# One target after the other, each for FUZZ_SECONDS; new inputs go to the working corpus only.
fuzz: fuzz-build
	$(Q)for t in $(FUZZ_TARGETS); do \
	    case $$t in fuzz_wire) s=wire ;; fuzz_nvm) s=nvm ;; fuzz_vmd) s=vmd ;; *) s=nano ;; esac; \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	    dict=; [ -f tests/fuzz/$$s.dict ] && dict=-dict=tests/fuzz/$$s.dict; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s (seeds tests/fuzz/$$s, corpus $(FUZZ_DIR)/corpus/$$t)"; \
	    $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=30 -close_fd_mask=3 \
	        -print_final_stats=1 $$dict -artifact_prefix=$(FUZZ_DIR)/$$t- \
	        $(FUZZ_DIR)/corpus/$$t tests/fuzz/$$s > $(FUZZ_DIR)/$$t.log 2>&1 \
	        || { tail -40 $(FUZZ_DIR)/$$t.log; echo "fuzz: $$t found a crash: $(FUZZ_DIR)/$$t-crash-*"; exit 1; }; \
	    grep -h "DONE\|number_of_executed_units" $(FUZZ_DIR)/$$t.log; \
	done

# make test: the targets are built when clang can link a libFuzzer program (probed once, the
# answer kept in build/fuzz/available).
FUZZ_AVAILABLE := $(shell f=$(FUZZ_DIR)/available; [ -f $$f ] || { mkdir -p $(FUZZ_DIR) && \
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
        > $(FUZZ_DIR)/probe.c && \
    if $(FUZZ_CC) $(FUZZ_LINK) $(FUZZ_DIR)/probe.c -o $(FUZZ_DIR)/probe > /dev/null 2>&1; \
    then echo yes > $$f; else echo no > $$f; fi; }; cat $$f)
ifeq ($(FUZZ_AVAILABLE),yes)
TEST_DEPS += $(FUZZ_BINS)
endif
.PHONY: fuzz fuzz-build
