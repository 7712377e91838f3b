/* disasm.c: a readable, deterministic listing of a loaded program.
 *
 *   ; module demo
 *   ; entry 0:main, init 2:__init
 *   ...tables (strings, types, globals, imports, shadow tests)...
 *
 *   fn add(params=2, locals=3, results=1)  # demo.nano:3
 *     ; function 1, code [12, 18), max_stack 2
 *     ; line 4
 *     0000  LOAD_LOCAL 0
 *     0002  LOAD_LOCAL 1
 *     0004  ADD_INT
 *     ; line 5
 *     0005  RET
 *
 * Operands: indices into tables print as INDEX:NAME (string constants as INDEX:"escaped"),
 * jump targets as absolute offsets within the function (-> 0012), floats with %.17g.  Names that
 * are not plain printable words are quoted and escaped, so every item stays on one line.  The
 * listing works on any loaded Program; an undecodable word (only possible in an unverified
 * program) prints as .word.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "isa.h"
#include "natives.h"
#include "nvm_format.h"
#include "program.h"

static void put_quoted(FILE *out, const char *s, int64_t len) {
    fputc('"', out);
    for (int64_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (c < 0x20 || c >= 0x7F)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

static void put_string(FILE *out, const Program *p, uint32_t idx) {
    if (idx >= p->nstrings) {
        fprintf(out, "?%u", idx);
        return;
    }
    put_quoted(out, p->strings[idx]->bytes, p->strings[idx]->len);
}

/* A name: as is when it is a plain word, else quoted. */
static void put_name(FILE *out, const Program *p, uint32_t idx) {
    if (idx == NVM_NONE) {
        fputs("_", out);
        return;
    }
    if (idx >= p->nstrings) {
        fprintf(out, "?%u", idx);
        return;
    }
    const ObjString *s = p->strings[idx];
    int plain = s->len > 0;
    for (int64_t i = 0; i < s->len && plain; i++) {
        unsigned char c = (unsigned char)s->bytes[i];
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == ',' || c == '(' ||
            c == ')' || c == '{' || c == '}' || c == ';' || c == '#')
            plain = 0;
    }
    if (plain)
        fwrite(s->bytes, 1, (size_t)s->len, out);
    else
        put_quoted(out, s->bytes, s->len);
}

static const char *vk_name(uint32_t k) {
    static const char *const names[] = {"void", "int", "float", "bool", "string", "opaque", "function"};
    return k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static const char *type_kind_name(uint32_t k) {
    static const char *const names[] = {"struct", "tuple", "union", "enum"};
    return k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static void put_func_ref(FILE *out, const Program *p, uint32_t f) {
    fprintf(out, "%u:", f);
    if (f < p->nfuncs)
        put_name(out, p, p->funcs[f].name);
    else
        fputs("?", out);
}

static int64_t jump_offset(uint32_t w) {
    return w <= INT32_MAX ? (int64_t)w : (int64_t)w - 4294967296LL;
}

static void put_target(FILE *out, uint32_t pc, uint32_t w) {
    fprintf(out, "-> %04" PRId64, (int64_t)pc + jump_offset(w));
}

/* Operands of the instruction at code[pc] (pc relative to code, which is the function). */
static void put_operands(FILE *out, const Program *p, const uint32_t *code, uint32_t pc) {
    const OpInfo *info = &isa_ops[code[pc]];
    uint32_t at = pc + 1, type = NVM_NONE;
    for (int i = 0; i < 3 && info->operand[i] != OPK_NONE; i++) {
        OperandKind k = (OperandKind)info->operand[i];
        uint32_t w = code[at];
        fputc(' ', out);
        switch (k) {
        case OPK_LOCAL:
        case OPK_COUNT:
        case OPK_FIELD: fprintf(out, "%u", w); break;
        case OPK_I32: fprintf(out, "%" PRId64, jump_offset(w)); break;
        case OPK_GLOBAL:
            fprintf(out, "%u:", w);
            if (w < p->nglobals)
                put_name(out, p, p->global_names[w]);
            else
                fputs("?", out);
            break;
        case OPK_STR:
            fprintf(out, "%u:", w);
            put_string(out, p, w);
            break;
        case OPK_FUNC: put_func_ref(out, p, w); break;
        case OPK_TYPE:
            fprintf(out, "%u:", w);
            if (w < p->ntypes) {
                type = w;
                if (p->types[w].name == NVM_NONE)
                    fputs(type_kind_name(p->types[w].kind), out);
                else
                    put_name(out, p, p->types[w].name);
            } else {
                fputs("?", out);
            }
            break;
        case OPK_VARIANT:
            fprintf(out, "%u:", w);
            if (type != NVM_NONE && w < p->types[type].nvariants && p->types[type].variants)
                put_name(out, p, p->types[type].variants[w].name);
            else
                fputs("?", out);
            break;
        case OPK_IMPORT:
            fprintf(out, "%u:", w);
            if (w < p->nimports)
                put_name(out, p, p->imports[w].name);
            else
                fputs("?", out);
            break;
        case OPK_KEY: fprintf(out, "%u:%s", w, w == 0 ? "int" : w == 1 ? "string" : "?"); break;
        case OPK_TRAPNO:
            fprintf(out, "%u:%s", w, w < TRAP__COUNT ? isa_traps[w].name : "?");
            break;
        case OPK_NATIVE:
            fprintf(out, "%u:%s", w, w < NATIVE__COUNT ? native_sigs[w].name : "?");
            break;
        case OPK_I64: {
            uint64_t u = (uint64_t)w | (uint64_t)code[at + 1] << 32;
            int64_t v;
            memcpy(&v, &u, sizeof v);
            fprintf(out, "%" PRId64, v);
            break;
        }
        case OPK_F64: {
            uint64_t u = (uint64_t)w | (uint64_t)code[at + 1] << 32;
            double d;
            memcpy(&d, &u, sizeof d);
            fprintf(out, "%.17g", d);
            break;
        }
        case OPK_JUMP: put_target(out, pc, w); break;
        case OPK_TABLE:
            fprintf(out, "%u [", w);
            for (uint32_t j = 0; j < w; j++) {
                if (j) fputs(", ", out);
                put_target(out, pc, code[at + 1 + j]);
            }
            fputs("]", out);
            break;
        case OPK_NONE: break;
        }
        at += isa_operand_words(k, w);
    }
}

static void put_function(FILE *out, const Program *p, uint32_t fi) {
    const Function *f = &p->funcs[fi];
    fputs("\nfn ", out);
    put_name(out, p, f->name);
    fprintf(out, "(params=%u, locals=%u, results=%u)", f->nparams, f->nlocals, f->nret);
    if (f->file != NVM_NONE) {
        fputs("  # ", out);
        put_name(out, p, f->file);
        fprintf(out, ":%u", f->line);
    } else if (f->line) {
        fprintf(out, "  # line %u", f->line);
    }
    fprintf(out, "\n  ; function %u, code [%u, %" PRIu64 "), max_stack %u\n", fi, f->code_start,
            (uint64_t)f->code_start + f->code_len, f->max_stack);
    if ((uint64_t)f->code_start + f->code_len > p->code_len || !p->code) {
        fputs("  ; code range outside the code section\n", out);
        return;
    }
    const uint32_t *code = p->code + f->code_start;
    uint32_t line = 0;
    for (uint32_t pc = 0; pc < f->code_len;) {
        uint32_t l = program_line_at(p, fi, pc);
        if (l != line && l != 0) fprintf(out, "  ; line %u\n", l);
        line = l;
        uint32_t n = isa_instr_words(code, f->code_len, pc);
        if (n == 0) {
            fprintf(out, "  %04u  .word 0x%08x\n", pc, code[pc]);
            pc++;
            continue;
        }
        fprintf(out, "  %04u  %s", pc, isa_ops[code[pc]].name);
        put_operands(out, p, code, pc);
        fputc('\n', out);
        pc += n;
    }
}

void program_disassemble(const Program *p, FILE *out) {
    fputs("; module ", out);
    put_name(out, p, p->module_name);
    fputs("\n; entry ", out);
    put_func_ref(out, p, p->entry);
    fputs(", init ", out);
    if (p->init == NVM_NONE)
        fputs("none", out);
    else
        put_func_ref(out, p, p->init);
    fputs("\n; sources", out);
    for (uint32_t i = 0; i < p->nsources; i++) {
        fputc(' ', out);
        put_name(out, p, p->sources[i]);
    }
    fprintf(out, "\n; %u functions, %u code words\n", p->nfuncs, p->code_len);

    fprintf(out, "\nstrings (%u)\n", p->nstrings);
    for (uint32_t i = 0; i < p->nstrings; i++) {
        fprintf(out, "  %4u  ", i);
        put_string(out, p, i);
        fputc('\n', out);
    }

    if (p->ntypes) fprintf(out, "\ntypes (%u)\n", p->ntypes);
    for (uint32_t i = 0; i < p->ntypes; i++) {
        const TypeInfo *t = &p->types[i];
        fprintf(out, "  %4u  %s", i, type_kind_name(t->kind));
        if (t->name != NVM_NONE) {
            fputc(' ', out);
            put_name(out, p, t->name);
        }
        fputs(" {", out);
        for (uint32_t v = 0; v < t->nvariants && t->variants; v++) {
            const Variant *var = &t->variants[v];
            fputs(v ? ", " : " ", out);
            int is_record = t->kind == NVM_TYPE_STRUCT || t->kind == NVM_TYPE_TUPLE;
            if (!is_record) put_name(out, p, var->name);
            if (is_record || var->nfields) {
                if (!is_record) fputc('(', out);
                for (uint32_t k = 0; k < var->nfields; k++) {
                    if (k) fputs(", ", out);
                    put_name(out, p, var->field_names[k]);
                }
                if (!is_record) fputc(')', out);
            }
        }
        fputs(" }\n", out);
    }

    if (p->nglobals) fprintf(out, "\nglobals (%u)\n", p->nglobals);
    for (uint32_t i = 0; i < p->nglobals; i++) {
        fprintf(out, "  %4u  ", i);
        put_name(out, p, p->global_names[i]);
        fputc('\n', out);
    }

    if (p->nimports) fprintf(out, "\nimports (%u)\n", p->nimports);
    for (uint32_t i = 0; i < p->nimports; i++) {
        const Import *im = &p->imports[i];
        fprintf(out, "  %4u  %s ", i, vk_name(im->ret_kind));
        put_name(out, p, im->name);
        fputc('(', out);
        for (uint32_t k = 0; k < im->nparams; k++)
            fprintf(out, "%s%s", k ? ", " : "", vk_name(im->param_kinds[k]));
        fputc(')', out);
        if (im->library != NVM_NONE) {
            fputs(" from ", out);
            put_string(out, p, im->library);
        }
        fputc('\n', out);
    }

    if (p->nshadows) fprintf(out, "\nshadow tests (%u)\n", p->nshadows);
    for (uint32_t i = 0; i < p->nshadows; i++) {
        fprintf(out, "  %4u  ", i);
        put_name(out, p, p->shadows[i].name);
        fputs(" -> ", out);
        put_func_ref(out, p, p->shadows[i].func);
        fputc('\n', out);
    }

    for (uint32_t i = 0; i < p->nfuncs; i++) put_function(out, p, i);
}
