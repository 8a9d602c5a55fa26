/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UTF-8, as far as messages and log lines need it: text cut to fit is
 * cut between characters, since a character cut in two makes the whole
 * invalid text (the journal keeps such a message as a blob, JSON
 * refuses it).
 */
#ifndef AVAILCTL_UTF8_H
#define AVAILCTL_UTF8_H

#include <stddef.h>

/*
 * Where to cut @s at @len bytes or before: @len backed off to the start
 * of the character that byte @len is part of. @s must hold @len + 1
 * readable bytes (its '\0' will do).
 */
size_t utf8_cut(const char *s, size_t len);

/*
 * The first @len bytes of @s less an unfinished last character: what of
 * a buffer filled so far may go out whole, the rest waiting for more.
 */
size_t utf8_whole(const char *s, size_t len);

/*
 * The length of the UTF-8 character at @s (1 to 4), or 0 when it is not
 * one: a stray continuation byte, a sequence cut short, an overlong or
 * surrogate form, or past U+10FFFF (RFC 3629).
 */
int utf8_length(const unsigned char *s);

/*
 * @src as text for a message or a log line, into @dst (@size bytes, its
 * '\0' included, @size at least 1): whole characters only, a byte that
 * is part of none written \xNN (two lowercase hex digits: the journal
 * keeps a line that is not UTF-8 as a blob, which journalctl does not
 * show), a control character (below 0x20, or 0x7f) as a space, and each
 * character of @backslashed after a backslash. Stops before a character
 * that would not fit: cut between characters. Returns the length
 * written.
 */
size_t utf8_escape(char *dst, size_t size, const char *src, const char *backslashed);

#endif /* AVAILCTL_UTF8_H */
