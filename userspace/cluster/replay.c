// SPDX-License-Identifier: GPL-2.0
/* Replay protection: a per-sender sliding window of sequence numbers. */

#include "replay.h"

#define REPLAY_BITS 64

bool replay_accept(struct replay_window *w, uint64_t seq, uint64_t sent_ms,
		   uint64_t now_ms, uint64_t window_ms)
{
	uint64_t behind;

	if (seq == 0)
		return false;
	if (sent_ms + window_ms < now_ms || sent_ms > now_ms + window_ms)
		return false;
	if (seq > w->top) {
		behind = seq - w->top;
		w->seen = behind >= REPLAY_BITS ? 0 : w->seen << behind;
		w->seen |= 1;
		w->top = seq;
		return true;
	}
	behind = w->top - seq;
	if (behind >= REPLAY_BITS || (w->seen >> behind) & 1)
		return false;
	w->seen |= 1ull << behind;
	return true;
}
