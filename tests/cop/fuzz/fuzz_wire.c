/* fuzz_wire.c: a libFuzzer target for both protocol decoders (cop/cop_wire.h), built by
 * `make fuzz` with clang (-fsanitize=fuzzer,address,undefined).  Each input is decoded as a
 * request and as a reply; whatever is accepted must lie inside the input.  The prove tests do
 * the same with their own random and mutated inputs (tests/cop/t_wire.c) and need no clang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cop_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static CopRequest rq;
    CopReply rp;
    char err[256];
    const uint8_t *end = data + size;
    if (cop_decode_request(data, size, &rq, err, sizeof err) == 0) {
        if (rq.type == COP_BIND) {
            if (rq.u.bind.nparams > COP_MAX_PARAMS || strlen(rq.u.bind.symbol) != rq.u.bind.symbol_len ||
                strlen(rq.u.bind.library) != rq.u.bind.library_len)
                abort();
        } else if (rq.type == COP_CALL) {
            for (uint32_t i = 0; i < rq.u.call.nargs; i++) {
                const CopValue *v = &rq.u.call.args[i];
                if (v->type >= COP_C__COUNT || v->type == COP_C_VOID) abort();
                if (v->type == COP_C_STRING &&
                    ((const uint8_t *)v->s + v->len >= end || v->s[v->len] != 0))
                    abort();
            }
        }
    } else if (err[0] == '\0') {
        abort(); /* a rejection always says why */
    }
    if (cop_decode_reply(data, size, &rp, err, sizeof err) == 0) {
        if (rp.type == COP_RESULT && rp.u.result.value.type == COP_C_STRING &&
            (const uint8_t *)rp.u.result.value.s + rp.u.result.value.len >= end)
            abort();
        if (rp.type == COP_ERROR && strlen(rp.u.error.message) != rp.u.error.len) abort();
    } else if (err[0] == '\0') {
        abort();
    }
    return 0;
}
