/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A JSON writer that cannot produce malformed output: it places the commas
 * and escapes the strings. Keys are given with each value inside objects,
 * and are NULL inside arrays and for the outermost value.
 */
#ifndef AVAILCTL_JSON_H
#define AVAILCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 8

struct json {
	FILE *out;
	int depth;
	bool first[JSON_DEPTH_MAX];
};

void json_init(struct json *json, FILE *out);
void json_object_begin(struct json *json, const char *key);
void json_object_end(struct json *json);
void json_array_begin(struct json *json, const char *key);
void json_array_end(struct json *json);
void json_string(struct json *json, const char *key, const char *value);
void json_u64(struct json *json, const char *key, uint64_t value);
void json_i64(struct json *json, const char *key, int64_t value);
void json_bool(struct json *json, const char *key, bool value);
void json_null(struct json *json, const char *key);

#endif /* AVAILCTL_JSON_H */
