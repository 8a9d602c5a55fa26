/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay protection for authenticated datagrams: each sender numbers its
 * datagrams, and a receiver accepts a number once, within a sliding window
 * of the last 64 below the highest seen, and only when the sender's clock
 * is within a time window of ours. Senders keep their numbers growing
 * across restarts (sequence.h); the time window bounds what a restarted
 * receiver, which forgot the numbers, can be fed again.
 */
#ifndef AVAILCTL_REPLAY_H
#define AVAILCTL_REPLAY_H

#include <stdint.h>

#include "wire.h"

struct replay_window {
	uint64_t top;		/* highest number accepted */
	uint64_t seen;		/* bit i: top - i was accepted */
};

/*
 * Accepts @seq, sent at @sent_ms by the sender's wall clock, and records
 * it: WIRE_OK. Refuses, changing nothing, a datagram sent more than
 * @window_ms from @now_ms by our wall clock (WIRE_CLOCK_DISTANCE: the two
 * clocks disagree, or it is an old datagram sent again), and a number
 * seen before or too far below the highest (WIRE_REPLAYED). Call only for
 * datagrams whose MAC verified, so a forger cannot move the window.
 */
enum wire_verdict replay_check(struct replay_window *w, uint64_t seq, uint64_t sent_ms,
			       uint64_t now_ms, uint64_t window_ms);

#endif /* AVAILCTL_REPLAY_H */
