// SPDX-License-Identifier: GPL-2.0
/*
 * A JSON writer: see json.h.
 */

#include <inttypes.h>

#include "json.h"

void json_init(struct json *json, FILE *out)
{
	json->out = out;
	json->depth = 0;
	json->first[0] = true;
}

static void write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* The comma and the key that come before each value. */
static void value_begin(struct json *json, const char *key)
{
	if (!json->first[json->depth])
		fputs(", ", json->out);
	json->first[json->depth] = false;
	if (key) {
		write_string(json->out, key);
		fputs(": ", json->out);
	}
}

static void container_begin(struct json *json, const char *key, char open)
{
	value_begin(json, key);
	fputc(open, json->out);
	if (json->depth < JSON_DEPTH_MAX - 1)
		json->depth++;
	json->first[json->depth] = true;
}

static void container_end(struct json *json, char close)
{
	fputc(close, json->out);
	if (json->depth > 0)
		json->depth--;
}

void json_object_begin(struct json *json, const char *key)
{
	container_begin(json, key, '{');
}

void json_object_end(struct json *json)
{
	container_end(json, '}');
}

void json_array_begin(struct json *json, const char *key)
{
	container_begin(json, key, '[');
}

void json_array_end(struct json *json)
{
	container_end(json, ']');
}

void json_string(struct json *json, const char *key, const char *value)
{
	value_begin(json, key);
	write_string(json->out, value);
}

void json_u64(struct json *json, const char *key, uint64_t value)
{
	value_begin(json, key);
	fprintf(json->out, "%" PRIu64, value);
}

void json_i64(struct json *json, const char *key, int64_t value)
{
	value_begin(json, key);
	fprintf(json->out, "%" PRId64, value);
}

void json_bool(struct json *json, const char *key, bool value)
{
	value_begin(json, key);
	fputs(value ? "true" : "false", json->out);
}

void json_null(struct json *json, const char *key)
{
	value_begin(json, key);
	fputs("null", json->out);
}
