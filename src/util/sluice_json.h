
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * JSON (RFC 8259) reader into a small mutable DOM, and a writer.
 *
 * The reader is strict: UTF-8 is validated, strings are unescaped
 * (\uXXXX with surrogate pairs), nesting is limited, duplicate member
 * names are refused, numbers follow the RFC grammar.  Every node and
 * string comes from the caller's allocator; nothing is freed one by one.
 *
 * The writer serializes a DOM; with out == NULL it only counts, so a
 * caller sizes a buffer, allocates it once, then writes.
 */


#ifndef _SLUICE_JSON_H_INCLUDED_
#define _SLUICE_JSON_H_INCLUDED_


#include "util/sluice_base.h"


#define SLUICE_JSON_MAX_DEPTH  64


typedef enum {
    SLUICE_JSON_NULL = 0,
    SLUICE_JSON_BOOL,
    SLUICE_JSON_NUMBER,
    SLUICE_JSON_STRING,
    SLUICE_JSON_ARRAY,
    SLUICE_JSON_OBJECT
} sluice_json_type_t;


typedef struct sluice_json_s  sluice_json_t;

struct sluice_json_s {
    sluice_json_type_t   type;
    sluice_json_t       *next;      /* next element or member */
    sluice_str_t         key;       /* member name, in an object */

    sluice_str_t         str;       /* string value; number as written */
    double               number;
    int                  boolean;

    sluice_json_t       *child;     /* first element or member */
    sluice_json_t       *last;
    size_t               count;
};


/*
 * Parses data[0..len) into *root.  On SLUICE_BAD_REQUEST, *reason (when
 * not NULL) gets a static message and *offset the byte where it failed.
 */
sluice_status_t sluice_json_parse(sluice_alloc_t *a, const uint8_t *data,
    size_t len, sluice_json_t **root, const char **reason, size_t *offset);

/* serialize; out == NULL: count only; returns the length */
size_t sluice_json_write(const sluice_json_t *v, uint8_t *out);

/* write a JSON string literal (quotes included) of s[0..len) */
size_t sluice_json_write_string(const uint8_t *s, size_t len, uint8_t *out);

/* member of an object by name (NULL when absent or v not an object) */
sluice_json_t *sluice_json_get(const sluice_json_t *v, const char *name);
/* the same, the name len bytes (not NUL-terminated) */
sluice_json_t *sluice_json_get_n(const sluice_json_t *v, const char *name,
    size_t len);

/* v is a string equal to s */
int sluice_json_str_eq(const sluice_json_t *v, const char *s);

/* constructors; NULL when out of memory */
sluice_json_t *sluice_json_new(sluice_alloc_t *a, sluice_json_type_t type);
sluice_json_t *sluice_json_new_string(sluice_alloc_t *a, const uint8_t *s,
    size_t len);
sluice_json_t *sluice_json_new_cstring(sluice_alloc_t *a, const char *s);
sluice_json_t *sluice_json_new_bool(sluice_alloc_t *a, int b);
sluice_json_t *sluice_json_new_int(sluice_alloc_t *a, int64_t n);

/* deep copy */
sluice_json_t *sluice_json_copy(sluice_alloc_t *a, const sluice_json_t *v);

/*
 * Sets member name of object obj to val (replacing a member of that name,
 * keeping its place), or appends it.  name is copied.
 */
sluice_status_t sluice_json_set(sluice_alloc_t *a, sluice_json_t *obj,
    const char *name, sluice_json_t *val);

/* removes member name; nothing when absent */
void sluice_json_remove(sluice_json_t *obj, const char *name);

/* appends val to array arr */
void sluice_json_append(sluice_json_t *arr, sluice_json_t *val);


#endif /* _SLUICE_JSON_H_INCLUDED_ */
