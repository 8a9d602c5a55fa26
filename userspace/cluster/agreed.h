/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of a manager's state file (<state-dir>/<cluster>.agreed and its
 * copy in runtime-dir): what the arbiter keeps across restarts
 * (struct arbiter_durable). One "key value" line each: host (the agreed
 * witness; "-" with epoch and generation 0 before any), epoch and
 * generation (its record), claimed (the highest epoch this manager asked
 * for), promise-ms; then, only while there is one, "proposed host epoch
 * generation" (a move offered, not answered) and "refused epoch
 * generation" (the newest proposal refused). Files from before lack
 * "claimed"; older versions refuse a file with "proposed" or "refused".
 */
#ifndef AVAILCTL_AGREED_H
#define AVAILCTL_AGREED_H

#include <stdbool.h>
#include <stddef.h>

#include "arbiter.h"

/* Room for the longest state file agreed_format() makes, and its NUL. */
#define AGREED_TEXT_SIZE 320

/* @state as text in @text (@size bytes); returns what snprintf() does. */
int agreed_format(const struct arbiter_durable *state, char *text, size_t size);

/*
 * @text parsed into @state. Returns false, @state meaningless, for any
 * text agreed_format() (of this version or an older one) did not make.
 */
bool agreed_parse(const char *text, struct arbiter_durable *state);

#endif /* AVAILCTL_AGREED_H */
