/* sqlite3.c: the C part of lib/sqlite3.nano, built by make into libnano_sqlite3.so
 * (docs/LANGUAGE.md 11.1): what the API has as out-parameters (sqlite3 **, sqlite3_stmt **),
 * the destructor argument of bind_text, and a row callback of exec that gets no void * of its
 * own.
 * pkg-config: sqlite3
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

typedef int (*NanoRowFn)(int n, char **values, char **names);

sqlite3 *nano_sqlite3_open(const char *path);
sqlite3_stmt *nano_sqlite3_prepare(sqlite3 *db, const char *sql);
int nano_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *text);
int nano_sqlite3_exec(sqlite3 *db, const char *sql);
int nano_sqlite3_exec_rows(sqlite3 *db, const char *sql, NanoRowFn f);
const char *nano_sqlite3_cell(char **cells, int i);
bool nano_sqlite3_valid(const void *p);

/* The connection (even when opening failed: sqlite3_errmsg says why; NULL only without memory). */
sqlite3 *nano_sqlite3_open(const char *path) {
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    return db;
}

/* The prepared statement, or NULL (sqlite3_errmsg says why). */
sqlite3_stmt *nano_sqlite3_prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

int nano_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *text) {
    return sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
}

int nano_sqlite3_exec(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

typedef struct {
    NanoRowFn f;
} Rows;

static int each_row(void *arg, int n, char **values, char **names) {
    return ((Rows *)arg)->f(n, values, names);
}

/* sqlite3_exec calling f with each result row. */
int nano_sqlite3_exec_rows(sqlite3 *db, const char *sql, NanoRowFn f) {
    Rows r = {f};
    return sqlite3_exec(db, sql, each_row, &r, NULL);
}

/* Cell i of a row (NULL for an SQL NULL, which the program sees as ""). */
const char *nano_sqlite3_cell(char **cells, int i) { return cells[i]; }

bool nano_sqlite3_valid(const void *p) { return p != NULL; }
