/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay protection for authenticated datagrams: each sender numbers its
 * datagrams, and a receiver accepts a number once, within a sliding window
 * of the last 64 below the highest seen, and only when the sender's clock
 * is within a time window of ours. Senders start numbering at their
 * CLOCK_REALTIME in nanoseconds, so a restarted sender goes on above where
 * it was; the time window bounds what a restarted receiver, which forgot
 * the numbers, can be fed again.
 */
#ifndef AVAILCTL_REPLAY_H
#define AVAILCTL_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct replay_window {
	uint64_t top;		/* highest number accepted */
	uint64_t seen;		/* bit i: top - i was accepted */
};

/*
 * Accepts @seq, sent at @sent_ms by the sender's clock, when it is new and
 * within @window_ms of @now_ms; records it. Call only for datagrams whose
 * MAC verified, so a forger cannot move the window.
 */
bool replay_accept(struct replay_window *w, uint64_t seq, uint64_t sent_ms,
		   uint64_t now_ms, uint64_t window_ms);

#endif /* AVAILCTL_REPLAY_H */
