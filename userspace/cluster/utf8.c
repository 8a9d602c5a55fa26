// SPDX-License-Identifier: GPL-2.0
/* UTF-8 for messages and log lines: see utf8.h. */

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

static int continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

size_t utf8_cut(const char *s, size_t len)
{
	while (len > 0 && continuation(s[len]))
		len--;
	return len;
}

size_t utf8_whole(const char *s, size_t len)
{
	size_t start = len, need;
	unsigned char lead;

	while (start > 0 && len - start < 4 && continuation(s[start - 1]))
		start--;
	if (start == 0)
		return len;
	lead = (unsigned char)s[start - 1];
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return len - (start - 1) < need ? start - 1 : len;
}

int utf8_length(const unsigned char *s)
{
	int len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	for (i = 1; i < len; i++)
		if (!continuation((char)s[i]))
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

size_t utf8_escape(char *dst, size_t size, const char *src, const char *backslashed)
{
	size_t in, out = 0, step;
	int len;

	for (in = 0; src[in]; in += (size_t)len) {
		unsigned char c = (unsigned char)src[in];
		bool escape = c && strchr(backslashed, c);

		len = utf8_length((const unsigned char *)src + in);
		step = !len ? 4 : escape ? 2 : (size_t)len;
		if (out + step >= size)
			break;
		if (!len) {
			out += (size_t)snprintf(dst + out, size - out, "\\x%02x", c);
			len = 1;
			continue;
		}
		if (escape)
			dst[out++] = '\\';
		if (c < 0x20 || c == 0x7f) {
			dst[out++] = ' ';
		} else {
			memcpy(dst + out, src + in, (size_t)len);
			out += (size_t)len;
		}
	}
	dst[out] = '\0';
	return out;
}
