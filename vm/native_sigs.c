/* native_sigs.c: the names and signatures of the native builtins (see natives.h), from the
 * NATIVE rows of isa/builtins.def.  Layer 1: the verifier takes CALL_NATIVE's stack effect
 * from here. */
#include <string.h>

#include "natives.h"

#define NATIVE_SIG_OP(name, sig)
#define NATIVE_SIG_NUM(name, sig)
#define NATIVE_SIG_TRAP(name, sig)
#define NATIVE_SIG_TRAP1(name, sig)
#define NATIVE_SIG_HELPER(name, sig)
#define NATIVE_SIG_SPECIAL(name, sig)
#define NATIVE_SIG_NATIVE(name, sig) [NATIVE_##name] = {#name, sig},
const NativeSig native_sigs[NATIVE__COUNT] = {
#define BUILTIN(name, sig, low, a, b, effect, native) NATIVE_SIG_##low(name, sig)
#include "builtins.def"
#undef BUILTIN
};

/* Words of native n's signature before ':'. */
int native_params(uint32_t n) {
    int count = 0;
    for (const char *s = native_sigs[n].sig; *s && *s != ':'; s++)
        if (*s != ' ' && (s == native_sigs[n].sig || s[-1] == ' ')) count++;
    return count;
}

/* 1 unless the result word (after ':') is void. */
int native_results(uint32_t n) {
    const char *r = strchr(native_sigs[n].sig, ':');
    if (r == NULL) return 0;
    while (*++r == ' ') {}
    return strcmp(r, "void") == 0 ? 0 : 1;
}
