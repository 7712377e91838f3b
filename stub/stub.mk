# stub/stub.mk: the runtime stubs of native executables (docs/EXECUTABLES.md).  Included by the
# top-level Makefile.
#
#   bin/nano_stub_full   a full executable's stub: nano_vm's runtime and the co-process role
#                        (cop/nano_cop.c built in with its main renamed nano_cop_main)
#   bin/nano_stub_thin   a thin executable's stub: the nano_vmd client alone (vm/vmd_client.c,
#                        vm/vmd_proto.c): no VM, no libffi
#
# `nano_virt --native` / `--daemon-wrapper` copies one of them and appends the program
# (stub/payload.h).  They are linked stripped (-s): their size is every executable's size.

STUB_HDRS := stub/payload.h $(VM_HDRS)

$(B)/stub/%.o: stub/%.c $(STUB_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) -Icop -c $< -o $@

$(B)/stub/nano_cop.o: cop/nano_cop.c $(COP_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) $(FFI_CFLAGS) -Dmain=nano_cop_main -c $< -o $@

bin/nano_stub_full: $(B)/stub/full.o $(B)/stub/payload.o $(B)/stub/nano_cop.o $(B)/libnanovm.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) -s $^ -o $@ $(FFI_LIBS) -ldl $(LDLIBS_VM)

bin/nano_stub_thin: $(B)/stub/thin.o $(B)/stub/payload.o $(B)/vm/vmd_client.o $(B)/vm/vmd_proto.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_VM) -s $^ -o $@

all: bin/nano_stub_full bin/nano_stub_thin
TEST_DEPS += bin/nano_stub_full bin/nano_stub_thin
