// SPDX-License-Identifier: GPL-2.0
/* Replay protection: a per-sender sliding window of sequence numbers. */

#include "replay.h"

#define REPLAY_BITS 64

enum wire_verdict replay_check(struct replay_window *w, uint64_t seq, uint64_t sent_ms,
			       uint64_t now_ms, uint64_t window_ms)
{
	uint64_t behind = seq > w->top ? 0 : w->top - seq;

	/* The number first: a datagram heard before is a replay, whenever sent. */
	if (seq == 0 || (seq <= w->top && (behind >= REPLAY_BITS || (w->seen >> behind) & 1)))
		return WIRE_REPLAYED;
	if (sent_ms + window_ms < now_ms || sent_ms > now_ms + window_ms)
		return WIRE_CLOCK_DISTANCE;
	if (seq > w->top) {
		behind = seq - w->top;
		w->seen = behind >= REPLAY_BITS ? 0 : w->seen << behind;
		w->seen |= 1;
		w->top = seq;
	} else {
		w->seen |= 1ull << behind;
	}
	return WIRE_OK;
}
