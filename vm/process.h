/* process.h: a virtual process, one running program.
 *
 * Everything a running program owns lives in its Process: value stack, frames, globals, heap,
 * output buffers, trap state.  The VM has no other mutable state, so processes run on separate
 * threads with no locks (the Program they share is immutable).
 *
 * Layer: above the heap and objects (heap.h has the whole order), below the interpreter
 * (interp.h), which runs a process's code, and the harness (harness.h), which services its traps
 * and runs it to completion.  Nothing here calls up into either.
 */
#ifndef NANOVM_PROCESS_H
#define NANOVM_PROCESS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "program.h"
#include "value.h"

/* Standard input as READ_LINE reads it.  One stream is shared by a process and every program it
 * starts (RUN_PROGRAM), so that bytes one of them has read ahead are the next bytes another
 * reads.  The harness (vm/harness.c) reads it; see READ_LINE in docs/ISA.md. */
typedef struct InStream {
    int fd;
    char *buf;      /* read and not yet returned: buf[start..len) */
    size_t start, len, cap;
    int eof;        /* a read returned end of input (or failed) */
    int seekable;   /* whether fd is seekable: -1 not known yet, 0, 1 */
} InStream;

/* Blocks a finished process left for the next one to reuse: its value stack, frame array and
 * heap chunks (HeapChunkCache; only the chunks of the process at the top of a thread's nesting
 * are used, by every level below it: ProcessOptions.chunks).
 * Shadow tests and nested programs each run in a new process with the rest of their parent's
 * stack and frames (64 MiB and 16 MiB by default), one after another; allocated afresh each
 * time, those blocks cost a mapping, page faults and an unmapping per process (a third of the
 * self-compile's CPU time).  A process keeps one for the children it starts (Process.spare),
 * which run one at a time on its thread, so it needs no lock. */
typedef struct {
    void *stack, *frames;
    size_t stack_bytes, frames_bytes;
    HeapChunkCache chunks;
} ProcessSpare;

/* Free what a ProcessSpare holds (it is then empty). */
void process_spare_free(ProcessSpare *s);

/* A process's limits are its share of one budget: the programs it starts (RUN_PROGRAM) and the
 * shadow tests it runs (RUN_TESTS) get what it has left (process_child_options), never more, so
 * that no nesting of programs gets past the limits of the process at the top. */
typedef struct {
    size_t stack_slots; /* value stack size in slots (0: default) */
    size_t max_frames;  /* call depth limit (0: default) */
    size_t heap_max;    /* heap limit in bytes (0: default) */
    int in_fd, out_fd, err_fd;
    int nesting; /* how many programs run this one (RUN_PROGRAM, RUN_TESTS); 0 at the top */
    int profile; /* count instructions and calls per function (vm_core_run_profiled) */
    uint64_t max_steps; /* stop with a runtime error after this many instructions, counting
                         * those of the programs it starts (0: never) */
    uint64_t test_steps; /* step limit of each shadow test this process and the programs it
                          * starts run (RUN_TESTS; RUN_TESTS_STEPS may give another) (0:
                          * VM_DEFAULT_TEST_STEPS) */
    InStream *in; /* standard input shared with the process that starts this one (whose fd is
                   * in_fd); NULL: a stream of its own on in_fd */
    int read_only; /* a sandbox: WRITE_FILE fails with EROFS without touching the file system and
                    * extern calls (C code, which could write anything) fail; inherited by the
                    * programs it starts and its shadow tests */
    /* The process's world.  nano_vm fills it from its own OS process, the daemon from the
     * request, and nested programs (RUN_PROGRAM) inherit their parent's. */
    char *const *envp; /* environment, "NAME=VALUE" strings up to a NULL; copied by process_new
                        * (NULL: a copy of the OS process's environment, taken then) */
    int cwd_fd;        /* working directory for relative paths, duplicated by process_new (<= 0:
                        * the OS process's working directory, opened then) */
    unsigned umask;    /* file mode bits WRITE_FILE never sets (on top of the OS process's umask) */
    struct VmCancel *cancel; /* cancellation request (vm/cancel.h), shared, not owned; NULL: none */
    ProcessSpare *spare; /* blocks to reuse, and where the process leaves its own when freed
                          * (process_child_options: the parent's); NULL: none */
    HeapChunkCache *chunks; /* where the heap takes chunks from and leaves them: one cache for
                             * every nesting level of a thread (process_child_options: the
                             * parent's heap's, else the parent's spare's), so that the thread
                             * keeps HEAP_CACHE_CHUNKS at most; NULL: spare's, if any */
} ProcessOptions;

/* Programs started by programs (RUN_PROGRAM, RUN_TESTS) nest at most this deep, so that a
 * program that runs itself ends in a runtime error, not in an exhausted C stack. */
#define VM_MAX_NESTING 16

#define VM_DEFAULT_STACK_SLOTS ((size_t)4 << 20)
#define VM_DEFAULT_MAX_FRAMES ((size_t)1 << 20)
#define VM_DEFAULT_HEAP_MAX ((size_t)4 << 30)
/* Instructions a shadow test may execute by default (ProcessOptions.test_steps): the largest of
 * the compiler's own shadow tests executes about 100,000, the largest in the repository
 * (tests/stage0/big, a compiler and VM for a small language running 61 programs six ways) 426
 * million; a test that never ends is stopped after a second or two. */
#define VM_DEFAULT_TEST_STEPS ((uint64_t)1000000000)

/* Upper limits of ProcessOptions.stack_slots and .max_frames (64 GiB of slots or frames): more
 * memory than a machine has, and small enough that no size computed from them overflows on a
 * 64-bit host.  process_new refuses larger values (and, on a 32-bit host, any whose size in
 * bytes would not fit in a size_t): vm_sizes_ok says whether it will. */
#define VM_MAX_STACK_SLOTS ((uint64_t)1 << 32)
#define VM_MAX_FRAMES ((uint64_t)1 << 32)

/* The interpreter core looks at a process's cancel flag at every VM_POLL_EVERY-th taken jump or
 * call (vm/interp.c, POLL_CANCEL). */
#define VM_POLL_EVERY 1024u

/* Exit status of a program that failed with a runtime error. */
#define VM_EXIT_RUNTIME_ERROR 1

typedef struct {
    uint32_t func;
    uint32_t ret_pc; /* caller's resume point (absolute word offset) */
    Value *base;     /* local 0 */
} Frame;

/* What the core reports when it stops. */
typedef enum {
    STOP_RETURN, /* the function the harness called returned (its result, if any, is on top) */
    STOP_TRAP,   /* a TRAP or CALL_EXTERN needs servicing: see Process.trap_no / trap_import */
    STOP_HALT,   /* the program finished; exit_status is set */
    STOP_ERROR   /* a runtime error; error message is set */
} StopReason;

/* Slots reserved above every frame's verified maximum operand depth, for the temporaries that
 * allocating operations root on the stack. */
#define VM_STACK_SLACK 8

/* ret_pc of a frame the harness entered: RET from it stops the core with STOP_RETURN. */
#define VM_RET_TO_HARNESS 0xFFFFFFFFu

typedef struct {
    char *buf;
    size_t len, cap;
    int fd;
    int failed; /* errno of a failed write (EPIPE, ...): further output is dropped */
} OutBuf;

typedef struct Process {
    const Program *prog;

    Value *stack, *stack_end, *sp;
    Frame *frames;
    size_t nframes, max_frames;
    size_t stack_bytes, frames_bytes; /* the sizes of the blocks stack and frames point to */
    ProcessSpare *spare_home; /* where process_free leaves stack and frames (NULL: freed) */
    ProcessSpare spare;       /* what the children this process starts left (ProcessSpare) */
    uint32_t pc; /* absolute word offset of the next instruction while stopped */

    Value *globals;
    Heap heap;

    /* trap state, valid after STOP_TRAP */
    uint32_t trap_no;     /* for TRAP */
    uint32_t trap_import; /* for CALL_EXTERN, else NVM_NONE */
    uint32_t trap_pc;     /* absolute pc of the trapping instruction */

    int exit_status;
    char error[512]; /* message of the runtime error, without location */
    uint32_t error_pc; /* absolute pc of the failing instruction */
    char error_where[300]; /* "FILE:LINE" of the reported error, "" when unknown */

    int argc;
    char **argv; /* owned copies */

    int in_fd;
    OutBuf out, err;
    InStream *in;   /* standard input: own_in, or the stream of the process that started it */
    InStream own_in;

    int nesting; /* ProcessOptions.nesting */
    char **env;  /* owned copy of the environment, NULL-terminated */
    int cwd_fd;  /* owned directory descriptor (AT_FDCWD when none could be opened) */
    unsigned umask;
    struct VmCancel *cancel; /* ProcessOptions.cancel */
    const atomic_int *cancel_flag; /* what the core polls: &cancel->flag, or &no_cancel */
    atomic_int no_cancel;    /* always 0 */
    uint64_t *prof_instrs, *prof_calls; /* per function, when profiling (else NULL) */
    uint64_t steps, max_steps; /* instructions executed, and the limit (profiling core only);
                                * steps includes those of the programs it started */
    uint64_t test_steps; /* ProcessOptions.test_steps */
    int read_only;       /* ProcessOptions.read_only */
    uint64_t rng;        /* the random_* builtins' state: 0 at the start, as after random_seed 0 */
    uint64_t *op_counts; /* optional: per-opcode execution counts (tests and profiling) */
    struct CopClient *cop; /* the co-process for extern calls, once started (vm/cop_client.h) */
    /* Ends the co-process; set with cop by the layer that starts it, so that process_free can
     * end it without depending on that layer. */
    void (*cop_close)(struct Process *);
} Process;

/* A new process for prog, ready to run (harness_run) with arguments argv[0..argc); NULL when
 * out of memory. */
Process *process_new(const Program *prog, int argc, char **argv, const ProcessOptions *opt);
/* The options of a program p starts now (RUN_PROGRAM) or of a shadow test it runs (RUN_TESTS):
 * p's descriptors and standard input stream, one level deeper, and what p has left of each
 * limit: the stack slots above its stack pointer, the frames above its depth, its heap limit less
 * what its heap holds, its remaining steps (none when p has no step limit), and p's test_steps
 * and read_only.  A limit with nothing left is given as 1 rather than 0, which would mean the
 * default: with no stack or frames left the child fails at once (stack overflow), with no steps
 * left at its first instruction, with no heap left at its first allocation.  The child leaves
 * its stack and frames to p's spare blocks for the next child (ProcessSpare). */
void process_child_options(Process *p, ProcessOptions *o);

/* The process's step limit (0: none): ProcessOptions.max_steps. */
static inline uint64_t process_step_limit(const Process *p) { return p->max_steps; }
/* Whether stack_slots and max_frames (0: the default) are within the limits above. */
int vm_sizes_ok(size_t stack_slots, size_t max_frames);
void process_free(Process *p);

/* Record a runtime error: its message (p->error); the caller sets p->error_pc. */
void process_fail(Process *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
