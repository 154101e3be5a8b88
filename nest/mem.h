/*
 * metalbird -- memory: checked allocation and arenas
 *
 * An arena (linear pool) hands out memory that lives until the whole arena
 * is freed.  Each config is parsed into its own arena, so a failed parse or
 * an undone reload frees everything at once and parser actions never free
 * piecemeal (STYLE.md item 3).
 */
#ifndef MB_MEM_H
#define MB_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

struct arena;
struct arena *arena_new(void);
void *arena_alloc(struct arena *a, size_t n);	/* zeroed */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t arena_size(const struct arena *a);	/* bytes taken from the system */
void arena_free(struct arena *a);

/* Total bytes currently allocated through xmalloc & co (for show memory). */
size_t mem_total(void);

#endif
