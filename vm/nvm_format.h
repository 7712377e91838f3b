/* nvm_format.h: constants of the .nvm file format (docs/NVM_FORMAT.md is the specification).
 * Shared by the loader (vm/loader.c) and the test bytecode builder (tests/lib/nvmbuild.c). */
#ifndef NANOVM_NVM_FORMAT_H
#define NANOVM_NVM_FORMAT_H

#define NVM_MAGIC0 0x7F
#define NVM_MAGIC1 'N'
#define NVM_MAGIC2 'V'
#define NVM_MAGIC3 'M'
#define NVM_VERSION_MAJOR 1
#define NVM_VERSION_MINOR 1

#define NVM_HEADER_SIZE 32
#define NVM_DIR_ENTRY_SIZE 12
#define NVM_MAX_SECTIONS 16
#define NVM_MAX_FILE_SIZE 0xFFFFFFFFu /* the header's file size is a u32 */

#define NVM_NONE 0xFFFFFFFFu /* "no index" in an optional index field */
#define NVM_MAX_LOCALS 65536u /* upper bound of a function's nlocals */

enum {
    NVM_SEC_STRINGS = 1,
    NVM_SEC_CODE = 2,
    NVM_SEC_FUNCTIONS = 3,
    NVM_SEC_TYPES = 4,
    NVM_SEC_GLOBALS = 5,
    NVM_SEC_IMPORTS = 6,
    NVM_SEC_DEBUG_LINES = 7,
    NVM_SEC_SHADOW = 8,
    NVM_SEC_META = 9,
    NVM_SEC_CTYPES = 10, /* since 1.1: the C types of the imports */
    NVM_SEC__LAST = 10
};

enum { NVM_TYPE_STRUCT = 0, NVM_TYPE_TUPLE = 1, NVM_TYPE_UNION = 2, NVM_TYPE_ENUM = 3 };

/* Value kinds used in import signatures (extern functions). */
enum {
    NVM_VK_VOID = 0,
    NVM_VK_INT = 1,
    NVM_VK_FLOAT = 2,
    NVM_VK_BOOL = 3,
    NVM_VK_STRING = 4,
    NVM_VK_OPAQUE = 5,
    NVM_VK_FUNC = 6 /* parameters only, since 1.1: a function value C calls back (CTYPES has its signature) */
};

#include <stddef.h>
#include <stdint.h>

/* IEEE 802.3 CRC-32 (the zlib one) of data[0..len) (vm/loader.c). */
uint32_t nvm_crc32(const uint8_t *data, size_t len);

#endif
