/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to specconv/ (nothing else includes this): typed access to json-c values with
 * errors that name the JSON path, and the section parsers that spec.c calls.
 *
 * A path is a chain of frames on the C stack, rendered only when an error is made:
 *   JP_IDX(JP_KEY(NULL, "mounts"), 2) -> "mounts[2]"
 * Getters take the object, the member name and the object's own path. They return 1 when
 * the member is present, 0 when it is absent (JSON null counts as absent; a required member
 * that is absent is an error "<path>: missing"), and -1 with err set on any error.
 */
#ifndef EDGERUN_SPECCONV_PARSE_H
#define EDGERUN_SPECCONV_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/error.h"
#include "specconv/spec.h"

struct jpath {
	const struct jpath *up;
	const char *key; /* member name; NULL for an array element */
	size_t index;
};

#define JP_KEY(parent, k) (&(const struct jpath){.up = (parent), .key = (k)})
#define JP_IDX(parent, i) (&(const struct jpath){.up = (parent), .index = (i)})

/* "linux.namespaces[1].type"; "" for NULL. Caller frees. */
char *jpath_render(const struct jpath *p);
/* Sets err to "<path>: <message>" (just the message when p is NULL). Returns -1. */
int jerr(struct er_error *err, const struct jpath *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parses a whole document that must be an object:
 * "<doc>: invalid JSON: <reason> (line L, column C)" (no "<doc>: " when doc is NULL). */
json_object *json_parse_doc(const char *buf, size_t len, const char *doc, struct er_error *err);

/* Checks the type of a value: "<path>: expected an object". */
int jv_expect(json_object *v, enum json_type type, const struct jpath *p, struct er_error *err);
int jv_u64(json_object *v, const struct jpath *p, uint64_t max, uint64_t *out,
	   struct er_error *err);
int jv_i64(json_object *v, const struct jpath *p, int64_t min, int64_t max, int64_t *out,
	   struct er_error *err);

/* Member getters (see the top of this file for the return convention). */
int jget(json_object *obj, const char *key, enum json_type type, bool required,
	 const struct jpath *p, json_object **out, struct er_error *err);
int jget_str(json_object *obj, const char *key, bool required, const struct jpath *p, char **out,
	     struct er_error *err);
int jget_bool(json_object *obj, const char *key, const struct jpath *p, bool *out,
	      struct er_error *err);
int jget_u64(json_object *obj, const char *key, bool required, uint64_t max, const struct jpath *p,
	     uint64_t *out, struct er_error *err);
int jget_u32(json_object *obj, const char *key, bool required, const struct jpath *p, uint32_t *out,
	     struct er_error *err);
int jget_i64(json_object *obj, const char *key, bool required, int64_t min, int64_t max,
	     const struct jpath *p, int64_t *out, struct er_error *err);
/* Array of strings -> NULL-terminated vector (empty array -> empty vector). */
int jget_strv(json_object *obj, const char *key, const struct jpath *p, char ***out,
	      struct er_error *err);
/* Array: *out is the array, *n its length. */
int jget_array(json_object *obj, const char *key, bool required, const struct jpath *p,
	       json_object **out, size_t *n, struct er_error *err);
/* Object of strings -> (key, value) pairs in file order. */
int jget_kv(json_object *obj, const char *key, const struct jpath *p, struct spec_kv **out,
	    size_t *n, struct er_error *err);
/* Array of {containerID, hostID, size}. */
int jget_idmaps(json_object *obj, const char *key, const struct jpath *p, struct spec_idmap **out,
		size_t *n, struct er_error *err);

/* Absolute-path check: "<path>: must be an absolute path". */
int jcheck_abs(const char *s, const struct jpath *p, struct er_error *err);

/* Name tables: "SCHED_FIFO" -> SCHED_FIFO. */
struct name_value {
	const char *name;
	unsigned long value;
};
const struct name_value *name_lookup(const struct name_value *tbl, size_t n, const char *name);

void spec_kv_free(struct spec_kv *kv, size_t n);

/* Section parsers, each in its own file. `p` is the path of the section's object. */
int spec_parse_process(json_object *v, const struct jpath *p, struct spec_process *out,
		       struct er_error *err);
void spec_process_free(struct spec_process *pr);

int spec_parse_linux(json_object *v, const struct jpath *p, struct spec_linux *out,
		     struct er_error *err);
void spec_linux_free(struct spec_linux *l);

int spec_parse_resources(json_object *v, const struct jpath *p, struct spec_resources *out,
			 struct er_error *err);
void spec_resources_free(struct spec_resources *r);

int spec_parse_seccomp(json_object *v, const struct jpath *p, struct spec_seccomp *out,
		       struct er_error *err);
void spec_seccomp_free(struct spec_seccomp *sc);

#endif
