# stage2/stage2.mk: the bootstrap (docs/ARCHITECTURE.md section 3), included by the top-level
# Makefile.
#
#   stage 1   build/stage1/nano_virt         nanoc0 transpiles stage1/*.nano to C, cc links it
#   A         build/stage2/nano_virt.nvm      stage 1 compiles stage1/main.nano to bytecode
#   B         build/stage2/nano_virt.self.nvm A, running on nano_vm, compiles it again
#   fixpoint  A and B must be the same bytes (stage2/compare.sh); then bin/nano_virt runs B
#
# `make bootstrap` (and plain `make`) runs the stages in order, each with its wall time.

STAGE2 := $(B)/stage2

# A: the compiler as bytecode, compiled by the native stage 1 compiler.
$(STAGE2)/nano_virt.nvm: $(B)/stage1/nano_virt $(STAGE1_SRCS)
	@mkdir -p $(@D)
	$(Q)$(B)/stage1/nano_virt stage1/main.nano -o $@

# B: the same source compiled by A running on the VM.
$(STAGE2)/nano_virt.self.nvm: $(STAGE2)/nano_virt.nvm bin/nano_vm $(STAGE1_SRCS)
	$(Q)bin/nano_vm $(STAGE2)/nano_virt.nvm stage1/main.nano -o $@

# The self-hosted compiler: B, with a launcher that runs it on nano_vm.
bin/nano_virt.nvm: $(STAGE2)/nano_virt.self.nvm
	@mkdir -p $(@D)
	$(Q)stage2/compare.sh $(STAGE2)/nano_virt.nvm $< > $(STAGE2)/fixpoint.txt
	$(Q)cp $< $@

bin/nano_virt: stage2/nano_virt.sh bin/nano_virt.nvm
	$(Q)cp stage2/nano_virt.sh $@ && chmod +x $@

MAKE_STAGE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s)

bootstrap: deps-check
	+@stage2/stage.sh "vm: nano_vm and its library" $(MAKE_STAGE) bin/nano_vm
	+@stage2/stage.sh "stage0: nanoc0 and the bootstrap runtime" $(MAKE_STAGE) bin/nanoc0 $(B)/bootstrap/libnanort.a $(B)/bootstrap/link.flags
	+@stage2/stage.sh "stage1: native nano_virt (nanoc0 + cc)" $(MAKE_STAGE) $(B)/stage1/nano_virt
	+@stage2/stage.sh "stage2 A: stage 1 compiles nano_virt to .nvm" $(MAKE_STAGE) $(STAGE2)/nano_virt.nvm
	+@stage2/stage.sh "stage2 B: A on nano_vm compiles nano_virt" $(MAKE_STAGE) $(STAGE2)/nano_virt.self.nvm
	@stage2/compare.sh $(STAGE2)/nano_virt.nvm $(STAGE2)/nano_virt.self.nvm
	+@$(MAKE_STAGE) bin/nano_virt

.PHONY: bootstrap
all: bootstrap
TEST_DEPS += bin/nano_virt
