// SPDX-License-Identifier: GPL-2.0
/*
 * The emitter: when to broadcast, and the broadcasting.
 *
 * Periodic messages follow the rate law of US9049193B2, claim 3: the
 * frequency is proportional to availability between two bounds,
 *
 *	f = f_min + (f_max - f_min) * level / 1000,
 *	f_max = 1 / interval_min_ms,  f_min = 1 / interval_max_ms,
 *
 * so a free host speaks often and a loaded one rarely. Every message
 * announces the deadline by which the next one will be sent: its planned
 * time plus a margin for timer and scheduling delay,
 *
 *	deadline = now + interval + 20 ms + interval / 8.
 *
 * Periodic messages never wait for anything else, so the promise holds
 * unless the CPU stalls for longer than the margin; a receiver that hears
 * nothing by the deadline (plus its network's delay) knows it lost the
 * host or a message.
 *
 * Immediate messages (a level crossed a threshold or moved by delta, or an
 * administrator asked) go out at once when the token bucket allows, else
 * as soon as it does, or with the next periodic one if that comes first.
 * Either way the message carries the latest levels.
 *
 * Nobody listening: no message is built; due ones are counted as unheard.
 * Where the kernel tells a family of each new subscriber (genl's bind,
 * Linux 6.7 on), the emitter then sleeps: it looks again once a second,
 * and at once when someone subscribes, so an unwatched host pays almost
 * nothing. Elsewhere it looks at every period, as if it were to send.
 * Either way the first subscriber is sent the levels at once.
 *
 * One work item does everything (workqueues never run an item twice at
 * once): it alone writes the schedule and the token bucket. A high
 * resolution timer queues it at the planned time; kicks queue it at once.
 *
 * The way to a deadline never waits, least of all for memory, which a
 * loaded host is short of just when its broadcasts matter: the work runs
 * on a queue of its own with a rescuer (WQ_MEM_RECLAIM), so it runs when
 * no worker can be made; it reads the resources under RCU into a buffer
 * of its own, not under the pools' mutex; and it sends a message
 * allocated ahead, a spare that another work item replaces after each
 * send, where waiting does no harm, sized for as many resources as the
 * last message had (netlink_trim() would reallocate one more than half
 * empty as it multicasts it). Only if that has not happened yet, or a
 * pool was added since, is a message allocated on the spot, without
 * waiting (GFP_ATOMIC: one message of at most a few KB, at most as often
 * as interval_min_ms). The send itself is an RCU read-side section, so
 * that on a kernel built with CONFIG_DEBUG_ATOMIC_SLEEP anything in it
 * that could sleep is reported.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "config.h"
#include "emitter.h"
#include "resources.h"

/* Bits of emitter.pending: why the work was queued, besides the timer. */
enum {
	EMIT_THRESHOLD,		/* a level made news */
	EMIT_REQUEST,		/* ANNOUNCE */
	EMIT_REPLAN,		/* the configuration changed */
	EMIT_JOIN,		/* a socket is joining the group */
};

#ifdef AVAILCAST_HAVE_GENL_BIND
/* Nobody listening: how long the emitter sleeps before it looks again. */
#define IDLE_LOOK_MS	1000
/*
 * genl calls bind just before the socket is in the group: a look right
 * after it may find nobody, so look once more shortly after.
 */
#define JOIN_LOOK_MS	10
#endif

static struct {
	spinlock_t lock;	/* orders arming against stopping */
	bool running;		/* written under lock, read without it too */
	struct hrtimer timer;
	const struct availcast_transport *transport;
	struct workqueue_struct *wq;
	struct work_struct work;
	unsigned long pending;

	/* The next message, allocated ahead: taken with xchg(), put by refill. */
	struct sk_buff *spare;
	size_t spare_size;	/* the snapshot bytes refill makes room for */
	struct work_struct refill;

	/* The work's own: */
	struct availcast_resources *res;	/* room for every resource */
	ktime_t next_send;	/* the next periodic message */
	bool held;		/* an immediate message waits for a token */
	bool idle;		/* nobody listened at the last look */
	u32 level;		/* host level in the last message */
	u64 tokens;		/* in nanotokens: NSEC_PER_SEC is one token */
	ktime_t refilled;

	/* Read by GET at any time: */
	atomic64_t seq;		/* of the last message */
	atomic64_t deadline_ns;	/* announced by the last message */
	atomic64_t sent, suppressed, failed, unheard;
} em = {
	.lock = __SPIN_LOCK_UNLOCKED(em.lock),
};

/* The part of the configuration the emitter uses, read once per run. */
struct emit_config {
	u32 interval_min_ms, interval_max_ms;
	u32 tb_rate, tb_burst;
	bool all_netns;
};

static void emit_config_read(struct emit_config *ec)
{
	const struct availcast_config *cfg;

	rcu_read_lock();
	cfg = rcu_dereference(availcast_config);
	ec->interval_min_ms = cfg->interval_min_ms;
	ec->interval_max_ms = cfg->interval_max_ms;
	ec->tb_rate = cfg->tb_rate;
	ec->tb_burst = cfg->tb_burst;
	ec->all_netns = cfg->all_netns;
	rcu_read_unlock();
}

/* The rate law, in micro-hertz to stay in integers. */
static u64 interval_ns(const struct emit_config *ec, u32 level)
{
	u64 f_max = div_u64(1000000000ULL, ec->interval_min_ms);
	u64 f_min = div_u64(1000000000ULL, ec->interval_max_ms);
	u64 f = f_min + div_u64((f_max - f_min) * level, AVAILCAST_LEVEL_MAX);

	/* 1 s in ns, times 1 Hz in uHz, over f in uHz: the period in ns. */
	return clamp_t(u64, div64_u64(1000000000000000ULL, f),
		       (u64)ec->interval_min_ms * NSEC_PER_MSEC,
		       (u64)ec->interval_max_ms * NSEC_PER_MSEC);
}

static u64 deadline_margin_ns(u64 interval)
{
	return 20 * NSEC_PER_MSEC + interval / 8;
}

static void tokens_refill(const struct emit_config *ec, ktime_t now)
{
	u64 full = (u64)ec->tb_burst * NSEC_PER_SEC;
	u64 elapsed = min_t(u64, ktime_to_ns(ktime_sub(now, em.refilled)), full);

	em.refilled = now;
	em.tokens = min(full, em.tokens + elapsed * ec->tb_rate);
}

static bool tokens_take(const struct emit_config *ec, ktime_t now)
{
	tokens_refill(ec, now);
	if (em.tokens < NSEC_PER_SEC)
		return false;
	em.tokens -= NSEC_PER_SEC;
	return true;
}

/* When the bucket will next hold a whole token. */
static ktime_t tokens_next(const struct emit_config *ec, ktime_t now)
{
	return ktime_add_ns(now, DIV_ROUND_UP_ULL(NSEC_PER_SEC - em.tokens,
						  ec->tb_rate));
}

static void timer_arm(ktime_t when)
{
	spin_lock(&em.lock);
	if (em.running)
		hrtimer_start(&em.timer, when, HRTIMER_MODE_ABS);
	spin_unlock(&em.lock);
}

static void spare_refill(struct work_struct *work)
{
	struct sk_buff *skb = em.transport->alloc(READ_ONCE(em.spare_size), GFP_KERNEL);

	if (skb && cmpxchg(&em.spare, NULL, skb))
		em.transport->free(skb);
}

/* The message of @res in @skb: its header; NULL, @skb freed, if it has no room. */
static void *message_fill(struct sk_buff *skb, const struct availcast_resources *res,
			  const struct availcast_snapshot_meta *meta)
{
	void *hdr = em.transport->start(skb);

	if (hdr && !availcast_snapshot_fill(skb, res, meta))
		return hdr;
	em.transport->free(skb);
	return NULL;
}

/*
 * The message of @res, built without waiting: in the spare, or where
 * there is none yet or it was made for fewer resources (a pool added
 * since), in one allocated on the spot. NULL if there is no memory.
 */
static struct sk_buff *message_build(const struct availcast_resources *res,
				     const struct availcast_snapshot_meta *meta, void **hdr)
{
	size_t size = availcast_snapshot_size(res->n, false);
	struct sk_buff *skb = xchg(&em.spare, NULL);

	/* Replace it, or try again where the last refill found no memory. */
	WRITE_ONCE(em.spare_size, size);
	queue_work(system_dfl_wq, &em.refill);
	if (skb) {
		*hdr = message_fill(skb, res, meta);
		if (*hdr)
			return skb;
	}
	skb = em.transport->alloc(size, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	*hdr = message_fill(skb, res, meta);
	return *hdr ? skb : NULL;
}

/*
 * Builds and multicasts one message of em.res; counts how it went.
 * Under rcu_read_lock(): the deadline path, which must not sleep.
 */
static void broadcast(u32 reason, u64 deadline_ns, bool all_netns)
{
	const struct availcast_resources *res = em.res;
	struct availcast_snapshot_meta meta = {
		.seq = atomic64_inc_return(&em.seq),
		.timestamp_ns = ktime_get_ns(),
		.deadline_ns = deadline_ns,
		.reason = reason,
	};
	struct sk_buff *skb;
	void *hdr;
	int err;

	atomic64_set(&em.deadline_ns, deadline_ns);
	skb = message_build(res, &meta, &hdr);
	if (!skb) {
		atomic64_inc(&em.failed);
		return;
	}
	err = em.transport->send(skb, hdr, all_netns);
	if (!err)
		atomic64_inc(&em.sent);
	else if (err == -ESRCH)		/* the last listener just left */
		atomic64_inc(&em.unheard);
	else				/* e.g. a listener's buffer was full */
		atomic64_inc(&em.failed);
}

/*
 * Nobody listens: count what fell due since the last look as unheard
 * (@news: and a threshold or request too) and plan the next look.
 */
static void emitter_idle(const struct emit_config *ec, ktime_t now, bool news,
			 bool join)
{
	u64 interval = interval_ns(ec, em.level);
	u64 missed = news;
	ktime_t look;

	if (ktime_compare(now, em.next_send) >= 0) {
		u64 late = ktime_to_ns(ktime_sub(now, em.next_send));
		u64 periods = div64_u64(late, interval) + 1;

		missed += periods;
		em.next_send = ktime_add_ns(em.next_send, periods * interval);
	}
	if (missed)
		atomic64_add(missed, &em.unheard);
	/* A shorter period configured since takes effect now, never a longer. */
	em.next_send = min_t(ktime_t, em.next_send, ktime_add_ns(now, interval));
	em.idle = true;
	look = em.next_send;
#ifdef AVAILCAST_HAVE_GENL_BIND
	look = ktime_add_ms(now, join ? JOIN_LOOK_MS : IDLE_LOOK_MS);
#endif
	timer_arm(look);
}

static void emitter_work(struct work_struct *work)
{
	bool request = test_and_clear_bit(EMIT_REQUEST, &em.pending);
	bool threshold = test_and_clear_bit(EMIT_THRESHOLD, &em.pending);
	bool join = test_and_clear_bit(EMIT_JOIN, &em.pending);
	ktime_t now = ktime_get();
	bool due = ktime_compare(now, em.next_send) >= 0;
	struct emit_config ec;
	u64 interval;
	u32 reason;

	clear_bit(EMIT_REPLAN, &em.pending);
	if (!READ_ONCE(em.running))
		return;
	emit_config_read(&ec);

	if (!em.transport->listening(ec.all_netns)) {
		if (threshold) {
			/* Take the news as heard, or every fold would kick again. */
			rcu_read_lock();
			availcast_resources_sample(em.res, true);
			rcu_read_unlock();
		}
		emitter_idle(&ec, now, request || threshold, join);
		return;
	}
	/* Someone subscribed while nobody listened: tell them now. */
	if (em.idle) {
		em.idle = false;
		due = true;
	}

	if (request)
		reason = AVAILCAST_REASON_REQUEST;
	else if (threshold)
		reason = AVAILCAST_REASON_THRESHOLD;
	else if (due)
		reason = AVAILCAST_REASON_PERIODIC;
	else
		reason = 0;

	if (reason == AVAILCAST_REASON_REQUEST ||
	    reason == AVAILCAST_REASON_THRESHOLD) {
		if (!tokens_take(&ec, now)) {
			/* Counted once, however often it is looked at again. */
			if (!em.held)
				atomic64_inc(&em.suppressed);
			if (!due) {
				/* Wait for a token: keep the reason pending. */
				em.held = true;
				set_bit(request ? EMIT_REQUEST : EMIT_THRESHOLD,
					&em.pending);
				timer_arm(min_t(ktime_t, em.next_send, tokens_next(&ec, now)));
				return;
			}
			/* The periodic message is due anyway: it carries the news. */
			reason = AVAILCAST_REASON_PERIODIC;
		}
	} else if (!reason) {
		goto arm;	/* a replan only */
	}

	rcu_read_lock();
	availcast_resources_sample(em.res, true);
	em.held = false;
	em.level = em.res->level;
	interval = interval_ns(&ec, em.level);
	em.next_send = ktime_add_ns(now, interval);
	broadcast(reason, ktime_to_ns(em.next_send) + deadline_margin_ns(interval),
		  ec.all_netns);
	rcu_read_unlock();

arm:
	/* A shorter period configured since takes effect now, never a longer. */
	interval = interval_ns(&ec, em.level);
	em.next_send = min_t(ktime_t, em.next_send, ktime_add_ns(now, interval));
	timer_arm(em.next_send);
}

static enum hrtimer_restart emitter_timer(struct hrtimer *timer)
{
	queue_work(em.wq, &em.work);
	return HRTIMER_NORESTART;
}

static void emitter_poke(int bit)
{
	if (!test_and_set_bit(bit, &em.pending) && READ_ONCE(em.running))
		queue_work(em.wq, &em.work);
}

void availcast_emitter_kick(void)
{
	emitter_poke(EMIT_THRESHOLD);
}

void availcast_emitter_announce(void)
{
	emitter_poke(EMIT_REQUEST);
}

void availcast_emitter_replan(void)
{
	emitter_poke(EMIT_REPLAN);
}

void availcast_emitter_join(void)
{
	emitter_poke(EMIT_JOIN);
}

void availcast_emitter_meta(struct availcast_snapshot_meta *meta)
{
	meta->seq = atomic64_read(&em.seq);
	meta->deadline_ns = atomic64_read(&em.deadline_ns);
	meta->sent = atomic64_read(&em.sent);
	meta->suppressed = atomic64_read(&em.suppressed);
	meta->failed = atomic64_read(&em.failed);
	meta->unheard = atomic64_read(&em.unheard);
}

int availcast_emitter_init(const struct availcast_transport *transport)
{
	em.transport = transport;
	hrtimer_setup(&em.timer, emitter_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	INIT_WORK(&em.work, emitter_work);
	INIT_WORK(&em.refill, spare_refill);
	/*
	 * One work item: max_active 1 costs nothing and says so. Unbound: the
	 * work belongs to no CPU, and from 7.x a queue that does not say
	 * whether it is bound (WQ_PERCPU) or not makes alloc_workqueue() warn.
	 */
	em.wq = alloc_workqueue("availcast", WQ_UNBOUND | WQ_HIGHPRI | WQ_MEM_RECLAIM, 1);
	em.res = availcast_resources_alloc(GFP_KERNEL);
	/* The first message has the built-ins; pools come later. */
	em.spare_size = availcast_snapshot_size(AVAILCAST_N_BUILTINS, false);
	em.spare = transport->alloc(em.spare_size, GFP_KERNEL);
	if (!em.wq || !em.res || !em.spare) {
		availcast_emitter_exit();
		return -ENOMEM;
	}
	return 0;
}

/* Starts broadcasting, at once: the family must be registered. */
void availcast_emitter_start(void)
{
	struct emit_config ec;

	emit_config_read(&ec);
	em.tokens = (u64)ec.tb_burst * NSEC_PER_SEC;
	em.refilled = ktime_get();
	em.next_send = em.refilled;
	em.level = AVAILCAST_LEVEL_MAX;
	em.idle = false;
	/*
	 * Kicks from before the family existed are old news: start periodic.
	 * The family is registered, so a request may set a bit right now:
	 * either order is right, but the store must be one access.
	 */
	WRITE_ONCE(em.pending, 0);
	spin_lock(&em.lock);
	WRITE_ONCE(em.running, true);
	spin_unlock(&em.lock);
	queue_work(em.wq, &em.work);
}

/*
 * Stops the schedule and sends the last message, reason shutdown, with no
 * deadline: receivers learn the host left rather than fell silent. The
 * family is still registered; kicks that race with this find the emitter
 * stopped, and availcast_emitter_exit() cancels what they queued.
 */
void availcast_emitter_shutdown(void)
{
	struct emit_config ec;

	spin_lock(&em.lock);
	WRITE_ONCE(em.running, false);
	spin_unlock(&em.lock);
	hrtimer_cancel(&em.timer);
	cancel_work_sync(&em.work);

	emit_config_read(&ec);
	if (!em.transport->listening(ec.all_netns))
		return;
	rcu_read_lock();
	availcast_resources_sample(em.res, false);
	broadcast(AVAILCAST_REASON_SHUTDOWN, 0, ec.all_netns);
	rcu_read_unlock();
}

/*
 * Once nothing can kick any more (the family is gone); also undoes a
 * failed availcast_emitter_init().
 */
void availcast_emitter_exit(void)
{
	hrtimer_cancel(&em.timer);
	if (em.wq) {
		cancel_work_sync(&em.work);
		destroy_workqueue(em.wq);
	}
	cancel_work_sync(&em.refill);
	if (em.spare)
		em.transport->free(em.spare);
	kfree(em.res);
}
