// SPDX-License-Identifier: GPL-2.0
/*
 * The arbiter daemon's loop. Datagrams first, then timers: a daemon that
 * was stopped (SIGSTOP) or starved and resumes judges its peer's silence
 * by what waited in its socket; entering active is checked against the
 * clock as it is then (drain()).
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "agreed.h"
#include "arbiter.h"
#include "durable.h"
#include "hooks.h"
#include "hosts.h"
#include "layout.h"
#include "manager.h"
#include "metrics.h"
#include "node.h"
#include "service.h"

/*
 * The batches of NODE_RECEIVE_BATCH read before the timers run (receive()):
 * 4096 datagrams, more than the default receive buffer (212992 bytes)
 * holds of the smallest; a few ms of reading.
 */
#define MANAGER_READ_BATCHES 64

struct manager {
	struct node node;
	struct host_table hosts;
	struct arbiter arbiter;
	struct hooks hooks;
	uint64_t logged_hold_ms;
	struct wire_witness_ref logged_witness, logged_proposal, logged_refusal;
	struct durable_file state;	/* <state-dir>/<cluster>.agreed */
	struct arbiter_durable on_disk;	/* what it holds */
	bool on_disk_exists;
	/* Hosts' reports read in this pass of the loop, checked after the rest. */
	struct node_datagram reports[NODE_RECEIVE_BATCH];
	struct wire_message report_msgs[NODE_RECEIVE_BATCH];	/* those checked */
	unsigned int n_reports;
	uint64_t reports_superseded;	/* a newer one from that host came before */
	bool stopping;			/* no longer acting: its last hooks run */
	uint64_t stopped_ms;		/* since when (CLOCK_BOOTTIME) */
};

/*
 * The role status gives: "stopping" once the daemon no longer acts (a
 * health check must not take it for the active while its stop hook
 * takes the service down), else the arbiter's.
 */
static const char *shown_role(const struct manager *m)
{
	return m->stopping ? "stopping" : arbiter_role_name(m->arbiter.role);
}

/* Since when it is in the role status gives: the stop's own time, once it stops. */
static uint64_t shown_role_since(const struct manager *m)
{
	return m->stopping ? m->stopped_ms : m->arbiter.role_since_ms;
}

/* The reason status gives: the arbiter's last decision, until it stops. */
static const char *shown_reason(const struct manager *m)
{
	return m->stopping ? "stopped: it no longer acts, and no longer reads its peer; its last hooks run" :
	       m->arbiter.reason;
}

static bool host_available(void *ctx, const char *host)
{
	struct manager *m = ctx;

	return hosts_available(&m->hosts, host, node_now_ms());
}

_Static_assert(CONF_HOSTS_MAX <= ARBITER_SCAN_HOSTS, "a host's index in the table is its number in a scan");

static bool host_pick(void *ctx, arbiter_host_filter *eligible, void *arg,
		      char host[WIRE_NAME_SIZE], unsigned int *id)
{
	struct manager *m = ctx;

	return hosts_pick(&m->hosts, eligible, arg, node_now_ms(), host, id);
}

/* The arbiter's persist: the state on disk, or the old one left there. */
static int persist(void *ctx, const struct arbiter_durable *state)
{
	struct manager *m = ctx;
	char text[AGREED_TEXT_SIZE], old[AGREED_TEXT_SIZE];
	int len, old_len = 0;
	bool unsure;

	len = agreed_format(state, text, sizeof(text));
	if (m->on_disk_exists)
		old_len = agreed_format(&m->on_disk, old, sizeof(old));
	if (durable_file_replace(&m->state, text, (size_t)len, m->on_disk_exists ? old : NULL,
				 (size_t)old_len, &unsure)) {
		node_log(&m->node, "persist-failed", "path=%s error=%s old_state=%s",
			 LOG_VALUE(m->state.path), LOG_VALUE(strerror(errno)),
			 unsure ? "unsure" : "restored");
		return -1;
	}
	m->on_disk = *state;
	m->on_disk_exists = true;
	return 0;
}

static uint64_t now_ms(void *ctx)
{
	(void)ctx;
	return node_now_ms();
}

/* The arbiter's send: a datagram at once, before a write blocks us. */
static void send_now(void *ctx, struct arbiter_out *out)
{
	struct manager *m = ctx;

	node_send(&m->node, out->to, &out->msg);
}

/* One copy of the state, by the durable file's name; false if none or bad. */
static bool load_copy(struct manager *m, bool copy, struct arbiter_durable *state)
{
	const char *path = copy ? m->state.copy_path : m->state.path;
	char text[AGREED_TEXT_SIZE];

	if (durable_file_read(&m->state, copy, text, sizeof(text)) < 0) {
		if (errno != ENOENT)
			node_log(&m->node, "state-ignored", "path=%s error=%s", LOG_VALUE(path),
				 LOG_VALUE(strerror(errno)));
		return false;
	}
	if (!agreed_parse(text, state)) {
		node_log(&m->node, "state-ignored", "path=%s error=\"not a valid state file\"",
			 LOG_VALUE(path));
		return false;
	}
	return true;
}

/*
 * The state to start with: the state directory's file, unless the
 * runtime copy (kept since boot, the last write done) holds more than
 * it, or another move: the file then went back (a backup restored over
 * it, a lost write), or holds a write that failed
 * (arbiter_durable_newer()), and what the copy holds is written back
 * before anything else. *@unwritten is set when that write failed: the
 * state is still the one to start from (starting from nothing forgot
 * the witness agreed and the epoch claimed: h95 v1), and the arbiter
 * writes it again.
 */
static bool load_state(struct manager *m, struct arbiter_durable *state, bool *unwritten)
{
	struct arbiter_durable file, copy, newest;
	bool have_file = load_copy(m, false, &file), have_copy = load_copy(m, true, &copy);
	char why[PATH_MAX + 128];

	*unwritten = false;
	if (have_file) {
		m->on_disk = file;
		m->on_disk_exists = true;
	}
	if (!have_copy) {
		*state = file;
		return have_file;
	}
	newest = have_file ? arbiter_durable_newer(&file, &copy) : copy;
	*state = newest;
	/* Every field: a no or an offer only the copy holds is written back too. */
	if (have_file && arbiter_durable_same(&newest, &file))
		return true;
	snprintf(why, sizeof(why),
		 "the state directory's file is not what this node last wrote (%s): writing that back",
		 m->state.copy_path);
	node_log(&m->node, "state-rolled-back", "path=%s error=%s", LOG_VALUE(m->state.path),
		 LOG_VALUE(why));
	*unwritten = persist(m, &newest) != 0;
	return true;
}

/*
 * Logs the change to @role at @epoch, decided at @at_ms for @reason; the
 * witness is the arbiter's now.
 */
static void log_role(struct manager *m, uint64_t at_ms, enum arbiter_role role, uint64_t epoch,
		     uint64_t hold_until_ms, const char *reason, enum arbiter_role previous)
{
	struct arbiter *a = &m->arbiter;

	node_log_at(&m->node, at_ms, "role", "role=%s previous=%s epoch=%" PRIu64 " witness=%s generation=%"
		 PRIu64 " hold_until=%" PRIu64 " reason=%s",
		 arbiter_role_name(role), arbiter_role_name(previous), epoch,
		 a->agreed.host[0] ? a->agreed.host : "-", a->agreed.generation,
		 hold_until_ms, LOG_VALUE(reason));
}

/*
 * systemctl status's line: the role, epoch, witness and reason as they
 * are now, each turn of the loop (sent only when it changed), as the
 * reason and witness change without the role too.
 */
static void tell_status(const struct manager *m)
{
	const struct arbiter *a = &m->arbiter;

	service_status("%s at epoch %" PRIu64 ", witness %s: %s", shown_role(m),
		       a->epoch, a->agreed.host[0] ? a->agreed.host : "none",
		       shown_reason(m));
}

/*
 * Each witness proposed, with the reason, and each one agreed: what an
 * operator reads to learn why the witness moved.
 */
static void log_witness_changes(struct manager *m)
{
	const struct arbiter *a = &m->arbiter;
	const struct arbiter_proposal *p = &a->proposal;

	if (p->open && p->written && !p->agreed &&
	    !arbiter_same_witness(&p->ref, &m->logged_proposal)) {
		node_log(&m->node, "witness-proposed", "host=%s epoch=%" PRIu64 " generation=%" PRIu64
			 " reason=%s", p->ref.host, p->ref.epoch, p->ref.generation, LOG_VALUE(a->reason));
		m->logged_proposal = p->ref;
	}
	if (!arbiter_same_witness(&a->agreed, &m->logged_witness)) {
		node_log(&m->node, "witness", "host=%s epoch=%" PRIu64 " generation=%" PRIu64,
			 a->agreed.host[0] ? a->agreed.host : "-", a->agreed.epoch,
			 a->agreed.generation);
		m->logged_witness = a->agreed;
	}
}

/*
 * Each proposal of the peer's we say no to, once (each copy is answered
 * again), with the reason: the active's log shows only that it offers
 * host after host.
 */
static void log_refusal(struct manager *m, const struct wire_propose *pr)
{
	struct wire_witness_ref ref = { .epoch = pr->epoch, .generation = pr->generation };

	snprintf(ref.host, sizeof(ref.host), "%s", pr->host);
	if (arbiter_same_witness(&ref, &m->logged_refusal))
		return;
	node_log(&m->node, "witness-refused", "host=%s epoch=%" PRIu64 " generation=%" PRIu64
		 " reason=%s", pr->host, pr->epoch, pr->generation,
		 LOG_VALUE(m->arbiter.reason));
	m->logged_refusal = ref;
}

/* Carries out what the arbiter asked for, in order. */
static void drain(struct manager *m, enum arbiter_role *previous)
{
	struct arbiter *a = &m->arbiter;
	unsigned int i;
	uint64_t hold, now_ms;

	for (i = 0; i < a->n_out; i++) {
		struct arbiter_out *out = &a->out[i];

		switch (out->kind) {
		case ARBITER_SEND_PEER:
		case ARBITER_SEND_HOST:
			node_send(&m->node, out->to, &out->msg);
			if (out->msg.type == WIRE_PROPOSE_REPLY && !out->msg.propose.accepted)
				log_refusal(m, &out->msg.propose);
			break;
		case ARBITER_ROLE_CHANGED:
			/*
			 * Entering active is acting: only while the hold runs,
			 * on the clock as it is after what came before (the
			 * log can block). Too late, the arbiter steps down at
			 * once, and that is what is logged.
			 */
			now_ms = node_now_ms();
			if (out->role == ARBITER_ACTIVE && now_ms >= out->hold_until_ms) {
				node_log(&m->node, "role-lapsed",
					 "role=active epoch=%" PRIu64 " hold_until=%" PRIu64,
					 out->epoch, out->hold_until_ms);
				arbiter_tick(a, node_now_ms());
				break;
			}
			/* Stamped with the moment checked (hooks.c says why). */
			log_role(m, now_ms, out->role, out->epoch, out->hold_until_ms, out->reason,
				 *previous);
			hooks_change(&m->hooks, &m->node, a, out, *previous);
			*previous = out->role;
			break;
		}
	}
	a->n_out = 0;
	log_witness_changes(m);
	/* The checker needs every extension of the active's hold. */
	hold = arbiter_hold_until(a);
	if (hold != m->logged_hold_ms) {
		node_log(&m->node, "hold", "epoch=%" PRIu64 " until=%" PRIu64, a->epoch, hold);
		m->logged_hold_ms = hold;
	}
}

/* One host of the table, in JSON: times relative to now, in ms. */
static void host_json(FILE *out, const struct host_entry *h, uint64_t now, bool comma)
{
	unsigned int r;

	fprintf(out, "%s{\"name\":\"%s\",\"available\":%s,\"level\":%u,\"seq\":%llu,"
		"\"reports\":%llu,\"last_report_ms\":%lld,\"next_due_in_ms\":%lld,"
		"\"resources\":[", comma ? "," : "", h->name,
		host_entry_available(h, now) ? "true" : "false", h->level,
		(unsigned long long)h->kernel_seq, (unsigned long long)h->reports,
		h->heard ? (long long)(now - h->heard_ms) : -1,
		h->heard ? (long long)h->due_ms - (long long)now : -1);
	for (r = 0; r < h->n_resources; r++)
		fprintf(out, "%s{\"name\":\"%s\",\"level\":%u,\"capacity\":%llu,\"used\":%lld}",
			r ? "," : "", h->resources[r].name, h->resources[r].level,
			(unsigned long long)h->resources[r].capacity,
			(long long)h->resources[r].used);
	fprintf(out, "]}");
}

static void status_json(struct manager *m, FILE *out, uint64_t now)
{
	struct arbiter *a = &m->arbiter;
	uint64_t hold = arbiter_hold_until(a);
	long long peer_ago = a->peer_heard_ms ? (long long)(now - a->peer_heard_ms) : -1;
	unsigned int i;

	fprintf(out, "{\"daemon\":\"arbiter\",\"node\":\"%s\",\"cluster\":\"%s\","
		"\"role\":\"%s\",\"role_for_ms\":%llu,\"epoch\":%llu,"
		"\"witness\":{\"host\":\"%s\",\"epoch\":%llu,\"generation\":%llu,"
		"\"lease_left_ms\":%u,\"slowest_round_trip_ms\":%llu},\"hold_left_ms\":%llu,"
		"\"peer\":{\"name\":\"%s\",\"role\":\"%s\",\"epoch\":%llu,"
		"\"last_contact_ms\":%lld,\"round_trip_ms\":%llu,\"slowest_round_trip_ms\":%llu},"
		"\"stale_epoch_refused\":%llu,"
		"\"persist_failed\":%llu,\"replies_unasked\":%llu,\"asked_again\":%llu,"
		"\"reports_superseded\":%llu,\"heartbeats_overtaken\":%llu,"
		"\"reason\":",
		m->node.conf.node, m->node.conf.cluster, shown_role(m),
		(unsigned long long)(now - shown_role_since(m)), (unsigned long long)a->epoch,
		a->agreed.host, (unsigned long long)a->agreed.epoch,
		(unsigned long long)a->agreed.generation, a->witness_lease_left_ms,
		(unsigned long long)arbiter_slowest_round_trip(a, &a->witness_round_trips, now),
		(unsigned long long)(hold > now ? hold - now : 0), a->peer,
		arbiter_role_name(a->peer_role), (unsigned long long)a->peer_epoch, peer_ago,
		(unsigned long long)a->round_trip_ms,
		(unsigned long long)arbiter_slowest_round_trip(a, &a->peer_round_trips, now),
		(unsigned long long)a->stale_epoch_refused,
		(unsigned long long)a->persist_failed, (unsigned long long)a->replies_unasked,
		(unsigned long long)a->asked_again, (unsigned long long)m->reports_superseded,
		(unsigned long long)a->heartbeats_overtaken);
	node_json_string(out, shown_reason(m));
	fprintf(out, ",\"hosts\":[");
	for (i = 0; i < m->hosts.n; i++)
		host_json(out, &m->hosts.hosts[i], now, i > 0);
	fprintf(out, "],");
	node_write_counters(&m->node, out, NODE_JSON, NULL);
	fprintf(out, "}\n");
}

/*
 * The peer line. A peer silent for grace-ms or more is shown so, with what
 * it said last as history: its role and epoch then are not its state now.
 * A round trip is shown only when one was measured lately. A daemon that
 * stops no longer reads its peer: the silence since is its own, and the
 * peer is shown as it was then.
 */
static void peer_text(const struct manager *m, FILE *out, uint64_t now)
{
	const struct arbiter *a = &m->arbiter;

	if (!a->peer_heard_ms) {
		fprintf(out, "peer:       %s, never heard\n", a->peer);
		return;
	}
	if (m->stopping && m->stopped_ms - a->peer_heard_ms >= a->timing.grace_ms) {
		fprintf(out, "peer:       %s, silent for %llu ms when this daemon stopped, %llu ms ago (it last said: %s at epoch %llu)\n",
			a->peer, (unsigned long long)(m->stopped_ms - a->peer_heard_ms),
			(unsigned long long)(now - m->stopped_ms),
			arbiter_role_name(a->peer_role), (unsigned long long)a->peer_epoch);
		return;
	}
	if (m->stopping) {
		fprintf(out, "peer:       %s, %s at epoch %llu when last heard, %llu ms ago; not read since the stop, %llu ms ago\n",
			a->peer, arbiter_role_name(a->peer_role), (unsigned long long)a->peer_epoch,
			(unsigned long long)(now - a->peer_heard_ms),
			(unsigned long long)(now - m->stopped_ms));
		return;
	}
	if (now - a->peer_heard_ms >= a->timing.grace_ms) {
		fprintf(out, "peer:       %s, silent for %llu ms (it last said: %s at epoch %llu)\n",
			a->peer, (unsigned long long)(now - a->peer_heard_ms),
			arbiter_role_name(a->peer_role), (unsigned long long)a->peer_epoch);
		return;
	}
	fprintf(out, "peer:       %s, %s at epoch %llu, heard %llu ms ago", a->peer,
		arbiter_role_name(a->peer_role), (unsigned long long)a->peer_epoch,
		(unsigned long long)(now - a->peer_heard_ms));
	if (arbiter_round_trip_lately(a, &a->peer_round_trips, now))
		fprintf(out, ", round trip %llu ms (slowest lately %llu ms)\n",
			(unsigned long long)a->round_trip_ms,
			(unsigned long long)arbiter_slowest_round_trip(a, &a->peer_round_trips, now));
	else
		fprintf(out, ", no round trip measured lately\n");
}

static void status_text(struct manager *m, FILE *out, uint64_t now)
{
	struct arbiter *a = &m->arbiter;
	uint64_t hold = arbiter_hold_until(a);
	unsigned int i;
	int width = 20;

	fprintf(out, "arbiter %s (cluster %s)\n", m->node.conf.node, m->node.conf.cluster);
	fprintf(out, "role:       %s at epoch %llu, for %.1f s%s%s\n", shown_role(m),
		(unsigned long long)a->epoch, (now - shown_role_since(m)) / 1000.0,
		m->stopping ? ", was " : "", m->stopping ? arbiter_role_name(a->role) : "");
	if (a->agreed.host[0] && a->witness_replied_ms)
		fprintf(out, "witness:    %s, generation %llu (its store said %u ms of lease left, %llu ms ago; round trips up to %llu ms lately)\n",
			a->agreed.host, (unsigned long long)a->agreed.generation,
			a->witness_lease_left_ms,
			(unsigned long long)(now - a->witness_replied_ms),
			(unsigned long long)arbiter_slowest_round_trip(a, &a->witness_round_trips, now));
	else if (a->agreed.host[0])
		fprintf(out, "witness:    %s, generation %llu\n", a->agreed.host,
			(unsigned long long)a->agreed.generation);
	else
		fprintf(out, "witness:    none agreed yet\n");
	if (a->role == ARBITER_ACTIVE)
		fprintf(out, "hold:       %llu ms left\n",
			(unsigned long long)(hold > now ? hold - now : 0));
	peer_text(m, out, now);
	fprintf(out, "reason:     %s\n", shown_reason(m));
	/* The names' column as wide as the longest (names go up to 31). */
	for (i = 0; i < m->hosts.n; i++)
		if (strlen(m->hosts.hosts[i].name) > (size_t)width)
			width = (int)strlen(m->hosts.hosts[i].name);
	/* The level as reports carry it: per mille (0 to 1000), as the witness is ranked. */
	fprintf(out, "hosts:\n  %-*s %-11s %10s %9s %8s %10s %10s\n", width, "NAME", "STATE",
		"LEVEL/1000", "RESOURCES", "REPORTS", "LAST", "NEXT DUE");
	for (i = 0; i < m->hosts.n; i++) {
		const struct host_entry *h = &m->hosts.hosts[i];
		char last[24] = "never", due[24] = "-";

		if (h->heard) {
			snprintf(last, sizeof(last), "%llu ms",
				 (unsigned long long)(now - h->heard_ms));
			snprintf(due, sizeof(due), "%lld ms",
				 (long long)h->due_ms - (long long)now);
		}
		fprintf(out, "  %-*s %-11s %10u %9u %8llu %10s %10s\n", width, h->name,
			host_entry_available(h, now) ? "available" : "unavailable",
			h->level, h->n_resources, (unsigned long long)h->reports, last, due);
	}
	node_write_counters(&m->node, out, NODE_TEXT, NULL);
}

/* The host table, one sample per host (and resource) in each family. */
static void host_metrics(struct manager *m, FILE *out, const char *labels, uint64_t now)
{
	const struct host_table *t = &m->hosts;
	unsigned int i, r;

	metrics_family(out, "host_available", "gauge",
		       "1 while the host is available: heard, and its announced deadline not passed.");
	for (i = 0; i < t->n; i++)
		fprintf(out, "availctl_host_available{%s,host=\"%s\"} %d\n", labels,
			t->hosts[i].name, host_entry_available(&t->hosts[i], now));
	metrics_family(out, "host_level", "gauge",
		       "The host's availability level in its last report, 0 to 1 (per mille / 1000).");
	for (i = 0; i < t->n; i++)
		if (t->hosts[i].heard)
			fprintf(out, "availctl_host_level{%s,host=\"%s\"} %.3f\n", labels,
				t->hosts[i].name, t->hosts[i].level / 1000.0);
	metrics_family(out, "host_reports_total", "counter",
		       "Reports received from the host since this daemon started.");
	for (i = 0; i < t->n; i++)
		fprintf(out, "availctl_host_reports_total{%s,host=\"%s\"} %llu\n", labels,
			t->hosts[i].name, (unsigned long long)t->hosts[i].reports);
	metrics_family(out, "host_last_report_age_seconds", "gauge",
		       "Time since the host's last report.");
	for (i = 0; i < t->n; i++)
		if (t->hosts[i].heard)
			fprintf(out, "availctl_host_last_report_age_seconds{%s,host=\"%s\"} %.3f\n",
				labels, t->hosts[i].name, (now - t->hosts[i].heard_ms) / 1000.0);
	metrics_family(out, "host_resource_level", "gauge",
		       "Each resource's availability level in the host's last report, 0 to 1.");
	for (i = 0; i < t->n; i++)
		for (r = 0; r < t->hosts[i].n_resources; r++)
			fprintf(out, "availctl_host_resource_level{%s,host=\"%s\",resource=\"%s\"} %.3f\n",
				labels, t->hosts[i].name, t->hosts[i].resources[r].name,
				t->hosts[i].resources[r].level / 1000.0);
}

static void status_metrics(struct manager *m, FILE *out, uint64_t now)
{
	struct arbiter *a = &m->arbiter;
	uint64_t hold = arbiter_hold_until(a);
	char labels[2 * WIRE_NAME_SIZE + 32];
	enum arbiter_role role;

	node_metric_labels(&m->node, labels, sizeof(labels));
	metrics_family(out, "info", "gauge", "1, labelled with what this daemon is.");
	fprintf(out, "availctl_info{%s,daemon=\"arbiter\",peer=\"%s\"} 1\n", labels, a->peer);
	metrics_family(out, "arbiter_role", "gauge", "1 for the arbiter's role, 0 for the others.");
	for (role = ARBITER_STARTUP; role < ARBITER_ROLES; role++)
		fprintf(out, "availctl_arbiter_role{%s,role=\"%s\"} %d\n", labels,
			arbiter_role_name(role), a->role == role && !m->stopping);
	metrics_integer(out, "arbiter_stopping", "gauge",
			"1 while the arbiter stops: it no longer acts, its last hooks run.", labels,
			m->stopping);
	metrics_seconds(out, "arbiter_role_seconds",
			"Time in the present role; while the arbiter stops, since it stopped.", labels,
			now - shown_role_since(m));
	metrics_integer(out, "arbiter_epoch", "gauge",
			"The highest fencing epoch this arbiter knows.", labels, a->epoch);
	metrics_family(out, "arbiter_witness_generation", "gauge",
		       "The generation of the agreed witness record, labelled with its host.");
	fprintf(out, "availctl_arbiter_witness_generation{%s,witness=\"%s\"} %llu\n", labels,
		a->agreed.host, (unsigned long long)a->agreed.generation);
	metrics_seconds(out, "arbiter_hold_left_seconds",
			"How long the active may still act without renewing its lease; 0 otherwise.",
			labels, a->role == ARBITER_ACTIVE && hold > now ? hold - now : 0);
	metrics_family(out, "arbiter_peer_role", "gauge",
		       "1 for the role the peer last said it had, 0 for the others.");
	for (role = ARBITER_STARTUP; role < ARBITER_ROLES; role++)
		fprintf(out, "availctl_arbiter_peer_role{%s,role=\"%s\"} %d\n", labels,
			arbiter_role_name(role), a->peer_heard_ms && a->peer_role == role);
	if (a->peer_heard_ms)
		metrics_seconds(out, "arbiter_peer_last_contact_age_seconds",
				"Time since the peer was last heard.", labels, now - a->peer_heard_ms);
	metrics_integer(out, "arbiter_stale_epoch_refused_total", "counter",
			"Messages refused for carrying an epoch older than one known.", labels,
			a->stale_epoch_refused);
	metrics_integer(out, "arbiter_persist_failed_total", "counter",
			"State that could not be written down, and so was not acted on.", labels,
			a->persist_failed);
	metrics_integer(out, "arbiter_replies_unasked_total", "counter",
			"Witness answers to no request outstanding, ignored.", labels,
			a->replies_unasked);
	metrics_integer(out, "arbiter_heartbeats_overtaken_total", "counter",
			"Heartbeats from the peer that arrived after a newer one: their promise taken, not the role or epoch they say.", labels,
			a->heartbeats_overtaken);
	metrics_integer(out, "arbiter_asked_again_total", "counter",
			"Times this manager asked the standby or the witness again before the next heartbeat: its hold near its end, or a takeover out.",
			labels, a->asked_again);
	metrics_integer(out, "arbiter_reports_superseded_total", "counter",
			"Hosts' reports checked but not acted on, because a newer one from the host came in the same batch.",
			labels, m->reports_superseded);
	host_metrics(m, out, labels, now);
	node_write_counters(&m->node, out, NODE_PROMETHEUS, labels);
}

static void status(void *ctx, FILE *out, enum node_format format)
{
	struct manager *m = ctx;
	uint64_t now = node_now_ms();

	switch (format) {
	case NODE_JSON:
		status_json(m, out, now);
		break;
	case NODE_PROMETHEUS:
		status_metrics(m, out, now);
		break;
	case NODE_TEXT:
		status_text(m, out, now);
		break;
	case NODE_ROLE:
		fprintf(out, "%s\n", shown_role(m));
		break;
	}
}

static void setup_arbiter(struct manager *m)
{
	struct arbiter *a = &m->arbiter;
	const struct conf *c = &m->node.conf;
	int self = !strcmp(c->managers[1].name, c->node);
	struct arbiter_durable state;
	bool have_state, unwritten;

	snprintf(a->cluster, sizeof(a->cluster), "%s", c->cluster);
	snprintf(a->self, sizeof(a->self), "%s", c->node);
	snprintf(a->peer, sizeof(a->peer), "%s", c->managers[1 - self].name);
	a->preferred = self == 0;
	a->timing = c->timing;
	a->io = (struct arbiter_io){ .ctx = m, .available = host_available,
				     .pick = host_pick, .persist = persist, .now = now_ms,
				     .send = send_now };
	have_state = load_state(m, &state, &unwritten);
	arbiter_init(a, node_now_ms(), have_state ? &state : NULL);
	if (unwritten)
		arbiter_state_unwritten(a, node_now_ms());
}

/* A node_reload_fn: the whole reload, on SIGHUP or asked on the control socket. */
static int reload(void *ctx, char *error, size_t error_size)
{
	struct manager *m = ctx;
	struct host_table next;
	bool same_hosts;

	if (node_reload(&m->node, error, error_size))
		return -1;
	same_hosts = hosts_named_by(&m->hosts, &m->node.conf);
	/* Timers and roles go on; only the numbers and the host list change. */
	m->arbiter.timing = m->node.conf.timing;
	if (hosts_init(&next, &m->node.conf, &m->hosts)) {
		/* The old table (old grace, old list) is better than none. */
		snprintf(error, error_size, "out of memory for the new host table: the old one is kept");
		node_log(&m->node, "reload-hosts-failed", "error=\"out of memory\"");
		return -1;
	}
	m->hosts = next;
	/* A scan for a witness goes on over a reload that leaves the hosts be. */
	if (!same_hosts)
		arbiter_hosts_changed(&m->arbiter);
	return 0;
}

/* @msg: the timers run after the batch (manager_main() says why). */
static void handle(struct manager *m, const struct wire_message *msg,
		   enum arbiter_role *previous)
{
	uint64_t now = node_now_ms();

	if (msg->type == WIRE_REPORT) {
		/* Ignored from a manager: it is not a host of the table. */
		hosts_report(&m->hosts, msg->sender_index, msg->sender, now, &msg->report);
	} else {
		arbiter_receive(&m->arbiter, now, msg);
	}
	drain(m, previous);
}

/* Whether @d claims to be a host's report: those wait for the rest. */
static bool claims_report(const struct node_datagram *d)
{
	char sender[WIRE_NAME_SIZE];
	uint8_t type;

	return d->len <= WIRE_MAX && wire_peek(d->bytes, (size_t)d->len, &type, sender) &&
	       type == WIRE_REPORT;
}

/*
 * The reports of this pass: each checked in the order it came (so that a
 * bad one is counted by what is wrong with it, and the replay window
 * moves forward), then acted on one per host, the newest: an older one
 * from a host heard again in this pass says less than what came after
 * it, and is counted as superseded.
 */
static void take_reports(struct manager *m, enum arbiter_role *previous)
{
	struct wire_message *msgs = m->report_msgs;
	unsigned int i, j, n = 0;

	for (i = 0; i < m->n_reports; i++)
		if (node_accept(&m->node, &m->reports[i], &msgs[n]) > 0 &&
		    msgs[n].type == WIRE_REPORT)
			n++;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n && msgs[j].sender_index != msgs[i].sender_index; j++)
			;
		if (j < n) {
			m->reports_superseded++;
			continue;
		}
		handle(m, &msgs[i], previous);
	}
	m->n_reports = 0;
}

/*
 * Up to NODE_RECEIVE_BATCH datagrams: the managers' and the witnesses'
 * at once, in order, and the hosts' reports after them (take_reports),
 * so that a flood of reports never holds up a renewal's answer. Returns
 * whether the batch was full: more may wait.
 */
static bool receive_batch(struct manager *m, enum arbiter_role *previous)
{
	struct wire_message msg;
	unsigned int batch;

	for (batch = 0; batch < NODE_RECEIVE_BATCH; batch++) {
		struct node_datagram *d = &m->reports[m->n_reports];

		if (!node_read(&m->node, d))
			break;
		if (claims_report(d)) {
			m->n_reports++;
			continue;
		}
		if (node_accept(&m->node, d, &msg) > 0)
			handle(m, &msg, previous);
	}
	take_reports(m, previous);
	return batch == NODE_RECEIVE_BATCH;
}

/*
 * What waits in the socket, batch after batch, before the timers run:
 * a daemon that did not run for a while finds its peer's heartbeats
 * behind those of every host, and behind junk, and a tick after the
 * first batch only would judge the peer silent. At most
 * MANAGER_READ_BATCHES, more than a socket's default buffer holds, so
 * that a flood that never ends holds the timers back no longer: counted
 * in datagrams, not in time, so that a stop in the middle of reading
 * does not end it.
 */
static void receive(struct manager *m, enum arbiter_role *previous)
{
	unsigned int batches = 1;

	while (receive_batch(m, previous) && batches++ < MANAGER_READ_BATCHES)
		;
}

/* A reload asked of a daemon that stops: refused, it changes nothing. */
static int refuse_reload(void *ctx, char *error, size_t error_size)
{
	(void)ctx;
	snprintf(error, error_size, "the daemon is stopping");
	return -1;
}

/*
 * No longer acting (nothing renews the hold from here), the stop hook
 * runs after the running one, each within hook-timeout-ms; meanwhile
 * status is answered, role "stopping". The peer's datagrams wait
 * unread: what they say no longer matters to this daemon. Keep-alives go
 * on as in the main loop: a SIGTERM that did not come from systemd (an
 * operator's kill) leaves its watchdog expecting them, and a stop hook
 * longer than WatchdogSec= would get the daemon killed (SIGABRT) in the
 * middle of its stop.
 */
static void run_last_hooks(struct manager *m, enum arbiter_role previous,
			   struct pollfd fds[NODE_POLL_FDS + HOOKS_POLL_FDS])
{
	uint64_t now, next;
	int wait_ms;

	m->stopping = true;
	m->stopped_ms = node_now_ms();
	tell_status(m);
	hooks_stop(&m->hooks, &m->node, &m->arbiter, previous);
	while (!hooks_stopped(&m->hooks, &m->node, &m->arbiter, node_now_ms())) {
		node_serve_status(&m->node, status, refuse_reload, m);
		next = hooks_next_ms(&m->hooks, &m->node);
		now = node_now_ms();
		wait_ms = next <= now ? 0 : next - now > 1000 ? 1000 : (int)(next - now);
		wait_ms = service_alive(now, wait_ms);
		wait_ms = node_poll_control(&m->node, fds, wait_ms);
		hooks_poll_fds(&m->hooks, now, fds + NODE_POLL_FDS);
		poll(fds, NODE_POLL_FDS + HOOKS_POLL_FDS, wait_ms);
	}
}

int manager_main(const char *config_path)
{
	static struct manager m;
	enum arbiter_role previous = ARBITER_STARTUP;
	struct pollfd fds[NODE_POLL_FDS + HOOKS_POLL_FDS];
	char error[CONF_ERROR_SIZE];
	uint64_t now, next, pass_ms;
	int wait_ms, failed;

	failed = node_start(&m.node, config_path, true, error, sizeof(error));
	if (failed) {
		service_error("availctl arbiter: %s", error);
		node_stop(&m.node);
		return failed;
	}
	snprintf(error, sizeof(error), "%s.agreed", m.node.conf.cluster);
	if (layout_node_file(error + 256, sizeof(error) - 256, m.node.conf.cluster,
			     m.node.conf.node, "agreed") ||
	    durable_file_init(&m.state, m.node.conf.state_dir, error,
			      m.node.runtime_dir_ok ? m.node.conf.runtime_dir : NULL,
			      error + 256, 0600)) {
		service_error("availctl arbiter: state-dir %s: path too long",
			m.node.conf.state_dir);
		node_stop(&m.node);
		return 1;
	}
	if (hosts_init(&m.hosts, &m.node.conf, NULL)) {
		service_error("availctl arbiter: out of memory for %u hosts",
			m.node.conf.n_hosts);
		node_stop(&m.node);
		return 1;
	}
	setup_arbiter(&m);
	if (hooks_init(&m.hooks)) {
		service_error("availctl arbiter: the hooks' page and pipe: %s", strerror(errno));
		hosts_free(&m.hosts);
		node_stop(&m.node);
		return 1;
	}
	node_log(&m.node, "started", "daemon=arbiter clock=boottime cluster=%s peer=%s preferred=%s witness=%s",
		 m.node.conf.cluster, m.arbiter.peer, m.arbiter.preferred ? "yes" : "no",
		 m.arbiter.agreed.host[0] ? m.arbiter.agreed.host : "-");
	service_ready("starting");
	log_role(&m, node_now_ms(), m.arbiter.role, m.arbiter.epoch, 0, m.arbiter.reason, previous);
	pass_ms = node_now_ms();
	while (!node_should_stop()) {
		if (node_take_reload())
			reload(&m, error, sizeof(error));
		now = node_now_ms();
		hooks_step(&m.hooks, &m.node, &m.arbiter, now);
		/*
		 * What has arrived first, then the timers: a tick judges the
		 * peer silent, or a hold over, by what was read. A daemon
		 * that did not run for a while (SIGSTOP, a stalled machine)
		 * finds the heartbeats of that time waiting in its socket;
		 * read after the tick, they came too late to keep a standby
		 * from fault. A promise or a renewal counts from when its
		 * request was sent, so reading it late holds nothing longer.
		 */
		receive(&m, &previous);
		now = node_now_ms();
		/*
		 * Stopped since the pass began (poll() returned), before it
		 * looked at the clock: after it read the socket empty, what
		 * came meanwhile waits unread; in the middle of reading, a
		 * socket that filled meanwhile lost the heartbeats of that
		 * time. Either way the silence was ours. (A pass that reads
		 * a flood for longer than heartbeat-ms counts too: the
		 * standby then only waits that much longer.)
		 */
		arbiter_resumed(&m.arbiter, now, pass_ms);
		if (now >= arbiter_next_ms(&m.arbiter)) {
			arbiter_tick(&m.arbiter, now);
			drain(&m, &previous);
		}
		node_serve_status(&m.node, status, reload, &m);
		next = arbiter_next_ms(&m.arbiter);
		if (hooks_next_ms(&m.hooks, &m.node) < next)
			next = hooks_next_ms(&m.hooks, &m.node);
		now = node_now_ms();
		wait_ms = next > now ? (int)(next - now) : 0;
		tell_status(&m);
		wait_ms = service_alive(now, wait_ms > 1000 ? 1000 : wait_ms);
		wait_ms = node_poll_fds(&m.node, fds, wait_ms);
		hooks_poll_fds(&m.hooks, now, fds + NODE_POLL_FDS);
		if (poll(fds, NODE_POLL_FDS + HOOKS_POLL_FDS, wait_ms) < 0 &&
		    errno != EINTR) {
			node_log(&m.node, "poll-failed", "error=%s", LOG_VALUE(strerror(errno)));
			failed = 1;
			break;
		}
		/* Back later than it meant to: it may not have run. */
		pass_ms = node_now_ms();
		arbiter_resumed(&m.arbiter, pass_ms, now + (uint64_t)wait_ms);
	}
	service_stopping();
	node_log(&m.node, "stopping", "daemon=arbiter role=%s epoch=%" PRIu64 " hold_until=%" PRIu64,
		 arbiter_role_name(m.arbiter.role), m.arbiter.epoch, arbiter_hold_until(&m.arbiter));
	run_last_hooks(&m, previous, fds);
	node_log(&m.node, "stopped", "daemon=arbiter role=%s", arbiter_role_name(m.arbiter.role));
	hosts_free(&m.hosts);
	node_stop(&m.node);
	return failed;
}
