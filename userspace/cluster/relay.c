// SPDX-License-Identifier: GPL-2.0
/*
 * The relay daemon: module broadcasts in, reports out; witness requests
 * in, answers out. The broadcast's deadline is in this host's
 * CLOCK_MONOTONIC, so it travels as the time left, which the manager adds
 * to its own clock on arrival.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "availcast.h"
#include "layout.h"
#include "metrics.h"
#include "node.h"
#include "pressure.h"
#include "service.h"
#include "relay.h"
#include "witness.h"
#include "write_probe.h"

/* Broadcasts read in one pass of the loop, of which the newest is sent. */
#define RELAY_BROADCASTS_PER_PASS 256
/* More than a socket's default buffer holds of witness requests. */
#define RELAY_REQUESTS_PER_PASS 256

struct relay {
	struct node node;
	struct witness_store store;
	struct write_probe probe;	/* the state directory's write health */
	uint64_t probes_noted;		/* probe.done when last noted */
	bool writes_failing;		/* as last logged */
	struct availcast_listener *listener;
	uint64_t next_connect_ms;
	uint64_t forwarded, overruns;
	uint64_t superseded;		/* broadcasts a newer one replaced unsent */
	uint64_t requests_superseded;	/* witness requests a newer one replaced */
	uint64_t requests_expired;	/* CAS requests unanswered: witness_cas_expired() */
	uint64_t expiry_logged_ms;	/* when one was last logged */
	uint64_t name_logged_ms;	/* when resources-unsent was last logged */
	uint64_t restores_logged;	/* store.restored when last logged */
	char module_problem[256];
	/* The host's PSI, added to every report (pressure.h): the last read. */
	struct {
		uint64_t read_ms;	/* when; 0: never */
		uint32_t per_mille;
		int error;		/* 0, or why pressure is not reported */
		char problem[320];
		bool from_module;	/* the last broadcast had its own: left as it was */
	} pressure;
	/* Subscriptions lost (the module unloaded) and taken again: */
	uint64_t lost_at_ms;		/* when the one now lost was; 0: none lost */
	uint64_t gaps, gap_ms;		/* how many, and how long without, since start */
	/*
	 * The last compare-and-swap refused, as logged: a manager asking
	 * again for the same (a takeover waiting out the lease asks every
	 * few ms) makes one line, not one per request. Cleared by a CAS of
	 * the same manager done.
	 */
	struct {
		char from[WIRE_NAME_SIZE];
		enum witness_status status;
		uint64_t epoch, generation;
	} refused;
};

/* The store put its record back over a file that said otherwise: say so. */
static void log_restores(struct relay *r)
{
	if (r->store.restored == r->restores_logged)
		return;
	r->restores_logged = r->store.restored;
	node_log(&r->node, "witness-restored", "times=%llu problem=%s",
		 (unsigned long long)r->store.restored, LOG_VALUE(r->store.last_problem));
}

/*
 * The probe's last result, into the store's write health; a change
 * between failing and not is logged. Returns how long a probe still in
 * progress has taken so far.
 */
static uint32_t note_probe(struct relay *r)
{
	uint32_t took, in_flight;
	int error;
	uint64_t done = write_probe_result(&r->probe, &took, &error, &in_flight);

	if (done != r->probes_noted) {
		r->probes_noted = done;
		witness_store_note_probe(&r->store, error, took);
	}
	if (r->writes_failing != witness_store_writes_failing(&r->store)) {
		r->writes_failing = !r->writes_failing;
		node_log(&r->node, "witness-writes", "state=%s took_ms=%u error=%s",
			 r->writes_failing ? "failing" : "ok", r->store.write_ms,
			 LOG_VALUE(r->writes_failing ?
				   strerror(r->store.write_error ? r->store.write_error :
					    r->store.probe_error) : ""));
	}
	return in_flight;
}

static void connect_module(struct relay *r, uint64_t now_ms)
{
	struct availcast_error error = { 0 };
	uint64_t gap_ms;

	if (r->listener || now_ms < r->next_connect_ms)
		return;
	r->next_connect_ms = now_ms + 1000;
	/*
	 * Never loads the module: retried every second, that would undo an
	 * admin's rmmod at once. Loading it is modules-load.d's or the admin's.
	 */
	if (availcast_listen_loaded(&r->listener, &error)) {
		/* Unloaded (logged as lost) and not back: the same event. */
		if (strcmp(r->module_problem, error.message) &&
		    !(r->lost_at_ms && error.code == ENOENT)) {
			node_log(&r->node, "module", "state=absent error=%s", LOG_VALUE(error.message));
			service_status("no broadcasts to relay: %s", error.message);
			snprintf(r->module_problem, sizeof(r->module_problem), "%s", error.message);
		}
		return;
	}
	r->module_problem[0] = '\0';
	if (r->lost_at_ms) {
		/* Now, not @now_ms: subscribing asks the kernel, which takes time. */
		gap_ms = node_now_ms() - r->lost_at_ms;
		r->gaps++;
		r->gap_ms += gap_ms;
		node_log(&r->node, "module", "state=subscribed gap_ms=%llu",
			 (unsigned long long)gap_ms);
		r->lost_at_ms = 0;
	} else {
		node_log(&r->node, "module", "state=subscribed");
	}
	service_status("relaying %s's availability to %s and %s", r->node.conf.node,
		       r->node.conf.managers[0].name, r->node.conf.managers[1].name);
}

unsigned int relay_report(const struct availcast_snapshot *snap, uint64_t now_ns,
			  struct wire_report *rep)
{
	unsigned int unsent = 0;
	size_t i;

	memset(rep, 0, sizeof(*rep));
	rep->level = (uint16_t)snap->level;
	rep->reason = (uint8_t)snap->reason;
	rep->kernel_seq = snap->seq;
	if (snap->next_deadline_ns > now_ns)
		rep->time_left_ms = (uint32_t)((snap->next_deadline_ns - now_ns) / 1000000);
	for (i = 0; i < snap->n_resources && rep->n_resources < WIRE_RESOURCES_MAX; i++) {
		const struct availcast_resource *from = &snap->resources[i];
		struct wire_resource *res = &rep->resources[rep->n_resources];

		if (!wire_name_valid(from->name)) {
			unsent++;
			continue;
		}
		snprintf(res->name, sizeof(res->name), "%s", from->name);
		res->level = (uint16_t)from->level;
		res->capacity = from->capacity;
		res->used = from->used;
		rep->n_resources++;
	}
	return unsent;
}

static struct wire_resource *report_resource(struct wire_report *rep, const char *name)
{
	size_t i;

	for (i = 0; i < rep->n_resources; i++) {
		if (!strcmp(rep->resources[i].name, name))
			return &rep->resources[i];
	}
	return NULL;
}

bool relay_add_pressure(struct wire_report *rep, uint32_t per_mille)
{
	struct wire_resource *res;

	if (report_resource(rep, PRESSURE_NAME) || rep->n_resources == WIRE_RESOURCES_MAX)
		return false;
	res = &rep->resources[rep->n_resources++];
	memset(res, 0, sizeof(*res));
	snprintf(res->name, sizeof(res->name), "%s", PRESSURE_NAME);
	res->capacity = PRESSURE_CAPACITY;
	res->used = per_mille;
	res->level = (uint16_t)(PRESSURE_CAPACITY - per_mille);
	if (res->level < rep->level)
		rep->level = res->level;
	return true;
}

/*
 * The host's PSI, read again once PRESSURE_READ_MS have passed since the
 * last read; a change between reported and not (and of why not) logged.
 */
static void read_pressure(struct relay *r, uint64_t now_ms)
{
	char problem[sizeof(r->pressure.problem)];
	uint32_t per_mille = 0;
	int error;

	if (r->pressure.read_ms && now_ms - r->pressure.read_ms < PRESSURE_READ_MS)
		return;
	error = pressure_read(PRESSURE_DIR, &per_mille, problem, sizeof(problem));
	if (!r->pressure.read_ms || error != r->pressure.error ||
	    (error && strcmp(problem, r->pressure.problem))) {
		if (error)
			node_log(&r->node, "pressure", "state=unreported error=%s",
				 LOG_VALUE(problem));
		else
			node_log(&r->node, "pressure", "state=reported per_mille=%u", per_mille);
	}
	r->pressure.read_ms = now_ms;
	r->pressure.error = error;
	r->pressure.per_mille = per_mille;
	snprintf(r->pressure.problem, sizeof(r->pressure.problem), "%s", error ? problem : "");
}

static void forward(struct relay *r, const struct availcast_snapshot *snap)
{
	struct wire_message msg = { .type = WIRE_REPORT };
	unsigned int unsent = relay_report(snap, availcast_now_ns(), &msg.report);
	uint64_t now = node_now_ms();
	unsigned int m;

	read_pressure(r, now);
	/*
	 * A module of an older version reads PSI itself: its own stays, with
	 * the level it aggregated by its own rule (which a second reading
	 * could not undo).
	 */
	r->pressure.from_module = report_resource(&msg.report, PRESSURE_NAME) != NULL;
	if (!r->pressure.from_module && !r->pressure.error)
		relay_add_pressure(&msg.report, r->pressure.per_mille);

	/* Logged at most once a minute: every broadcast would say it again. */
	if (unsent && (!r->name_logged_ms || now - r->name_logged_ms >= 60000)) {
		node_log(&r->node, "resources-unsent",
			 "count=%u reason=\"name (not 1 to 31 of A-Z a-z 0-9 and %s)\"", unsent,
			 AVAILCAST_NAME_PUNCT);
		r->name_logged_ms = now;
	}
	for (m = 0; m < 2; m++)
		node_send(&r->node, r->node.conf.managers[m].name, &msg);
	r->forwarded++;
}

/*
 * The newest of the broadcasts waiting (of up to RELAY_BROADCASTS_PER_PASS),
 * forwarded; the older ones are passed over unparsed. A relay that falls
 * behind the module (starved of CPU, broadcasts every few ms) so spends
 * one parse and one forward per pass, sends the current state, and
 * answers the witness requests waiting behind them in time.
 */
static void forward_broadcasts(struct relay *r)
{
	struct availcast_snapshot snap;
	struct availcast_error error;
	int status;

	if (!r->listener)
		return;
	status = availcast_listener_latest(r->listener, RELAY_BROADCASTS_PER_PASS, &snap,
					   &r->superseded, &r->overruns, &error);
	if (status == ETIMEDOUT)
		return;
	if (status == EINVAL) {
		node_log(&r->node, "module", "state=malformed error=%s", LOG_VALUE(error.message));
		return;
	}
	if (status) {
		/* ENODEV: unloaded; subscribed again once it is back (connect_module). */
		node_log(&r->node, "module", "state=lost error=%s", LOG_VALUE(error.message));
		service_status("no broadcasts to relay: %s", error.message);
		snprintf(r->module_problem, sizeof(r->module_problem), "%s", error.message);
		availcast_listener_close(r->listener);
		r->listener = NULL;
		r->lost_at_ms = node_now_ms();
		r->next_connect_ms = 0;
		return;
	}
	forward(r, &snap);
	availcast_snapshot_free(&snap);
}

/*
 * A compare-and-swap from @from that @q asked and @w answers: logged
 * unless a plain renewal (done, the record as expected), once for as
 * long as the same manager gets the same answer.
 */
static void log_refusal(struct relay *r, const char *from, const struct wire_witness *q,
			const struct wire_witness *w)
{
	if (w->status == WITNESS_DONE && w->record.generation == q->expect_generation &&
	    w->record.epoch == q->expect_epoch) {
		if (!strcmp(r->refused.from, from))
			memset(&r->refused, 0, sizeof(r->refused));
		return;
	}
	if (!strcmp(r->refused.from, from) && r->refused.status == w->status &&
	    r->refused.epoch == w->record.epoch && r->refused.generation == w->record.generation)
		return;
	snprintf(r->refused.from, sizeof(r->refused.from), "%s", from);
	r->refused.status = w->status;
	r->refused.epoch = w->record.epoch;
	r->refused.generation = w->record.generation;
	node_log(&r->node, "witness",
		 "from=%s status=%s active=%s epoch=%llu generation=%llu problem=%s",
		 from, witness_status_name(w->status), LOG_VALUE(w->record.active),
		 (unsigned long long)w->record.epoch, (unsigned long long)w->record.generation,
		 LOG_VALUE(w->status == WITNESS_CORRUPT || w->status == WITNESS_IO_ERROR ?
			   r->store.last_problem : ""));
}

/*
 * Whether @req, received at @received_unix_ms, is too old to answer
 * (witness_cas_expired()): counted, and logged at most once a second (a
 * store whose every write takes longer than the lease would say it on
 * every pass).
 */
static bool expired(struct relay *r, const struct wire_message *req, uint64_t received_unix_ms)
{
	uint64_t waited = node_waited_ms(received_unix_ms);
	uint64_t now = node_now_ms();

	if (req->type != WIRE_WITNESS_CAS || !witness_cas_expired(&req->witness, waited))
		return false;
	r->requests_expired++;
	if (!r->expiry_logged_ms || now - r->expiry_logged_ms >= 1000) {
		node_log(&r->node, "witness-expired", "from=%s waited_ms=%llu lease_ms=%u total=%llu",
			 req->sender, (unsigned long long)waited, req->witness.record.lease_ms,
			 (unsigned long long)r->requests_expired);
		r->expiry_logged_ms = now;
	}
	return true;
}

static void answer(struct relay *r, const struct wire_message *req)
{
	struct wire_message reply = { .type = WIRE_WITNESS_REPLY };
	struct wire_witness *w = &reply.witness;
	const struct wire_witness *q = &req->witness;
	uint64_t now = node_now_ms();

	w->op = q->op;
	w->token = q->token;
	if (req->type == WIRE_WITNESS_READ)
		w->status = witness_store_read(&r->store, now, &w->record, &w->lease_left_ms);
	else
		w->status = witness_store_cas(&r->store, req->sender, now, q->expect_epoch,
					      q->expect_generation, &q->record,
					      &w->record, &w->lease_left_ms, &w->granted_ms);
	if (req->type == WIRE_WITNESS_CAS)
		log_refusal(r, req->sender, q, w);
	log_restores(r);
	witness_store_health(&r->store, note_probe(r), &w->store_flags, &w->write_ms);
	snprintf(w->record.cluster, sizeof(w->record.cluster), "%s", r->node.conf.cluster);
	node_send(&r->node, req->sender, &reply);
}

static void status_metrics(struct relay *r, FILE *out, enum witness_status found,
			   const struct wire_record *rec, uint32_t left)
{
	char labels[2 * WIRE_NAME_SIZE + 32];

	node_metric_labels(&r->node, labels, sizeof(labels));
	metrics_family(out, "info", "gauge", "1, labelled with what this daemon is.");
	fprintf(out, "availctl_info{%s,daemon=\"relay\"} 1\n", labels);
	metrics_integer(out, "relay_subscribed", "gauge",
			"1 when the relay hears the availcast module's broadcasts.", labels,
			r->listener != NULL);
	metrics_integer(out, "relay_module_gaps_total", "counter",
			"Times the relay lost the module's broadcasts (unloaded) and subscribed again.",
			labels, r->gaps);
	metrics_seconds(out, "relay_module_gap_seconds", "Time without the module's broadcasts over those gaps, since the relay started.",
			labels, r->gap_ms);
	metrics_integer(out, "relay_pressure_reported", "gauge",
			"1 when the relay's reports carry the host's pressure stall information.",
			labels, !r->pressure.error || r->pressure.from_module);
	metrics_integer(out, "relay_forwarded_total", "counter",
			"Broadcasts of the module forwarded to the managers.", labels,
			r->forwarded);
	metrics_integer(out, "relay_superseded_total", "counter",
			"Broadcasts not forwarded because a newer one came before the relay could.",
			labels, r->superseded);
	metrics_integer(out, "relay_requests_superseded_total", "counter",
			"Witness requests not answered because a newer one of the same manager and kind came before the relay could.",
			labels, r->requests_superseded);
	metrics_integer(out, "relay_requests_expired_total", "counter",
			"Witness compare-and-swaps not answered because they waited for the whole lease they ask or longer.",
			labels, r->requests_expired);
	metrics_integer(out, "relay_overruns_total", "counter",
			"Times broadcasts were lost because the relay's socket overflowed.",
			labels, r->overruns);
	metrics_integer(out, "witness_restored_total", "counter",
			"Times the witness file said otherwise than the record this store wrote, and was written back.",
			labels, r->store.restored);
	metrics_family(out, "witness_record", "gauge",
		       "1 when this host's witness store holds a good record.");
	fprintf(out, "availctl_witness_record{%s,state=\"%s\"} %d\n", labels,
		witness_status_name(found), found == WITNESS_DONE);
	if (found != WITNESS_DONE) {
		node_write_counters(&r->node, out, NODE_PROMETHEUS, labels);
		return;
	}
	metrics_family(out, "witness_epoch", "gauge",
		       "The epoch of the record in this host's witness store.");
	fprintf(out, "availctl_witness_epoch{%s,active=\"%s\"} %llu\n", labels, rec->active,
		(unsigned long long)rec->epoch);
	metrics_integer(out, "witness_generation", "gauge",
			"The generation of the record in this host's witness store.", labels,
			rec->generation);
	metrics_seconds(out, "witness_lease_left_seconds",
			"What is left of the active's lease, by this host's clock.", labels, left);
	node_write_counters(&r->node, out, NODE_PROMETHEUS, labels);
}

static void status(void *ctx, FILE *out, enum node_format format)
{
	struct relay *r = ctx;
	struct wire_record rec;
	enum witness_status found;
	uint32_t left;

	found = witness_store_read(&r->store, node_now_ms(), &rec, &left);
	log_restores(r);
	read_pressure(r, node_now_ms());
	if (format == NODE_PROMETHEUS) {
		status_metrics(r, out, found, &rec, left);
		return;
	}
	if (format == NODE_ROLE) {
		fputs("relay\n", out);
		return;
	}
	if (format == NODE_JSON) {
		fprintf(out, "{\"daemon\":\"relay\",\"node\":\"%s\",\"cluster\":\"%s\","
			"\"module\":%s,\"module_gaps\":%llu,\"module_gap_ms\":%llu,"
			"\"forwarded\":%llu,\"superseded\":%llu,\"overruns\":%llu,"
			"\"requests_superseded\":%llu,\"requests_expired\":%llu,"
			"\"witness\":{\"state\":\"%s\",\"active\":\"%s\",\"epoch\":%llu,"
			"\"generation\":%llu,\"lease_left_ms\":%u,\"writes_failing\":%s,"
			"\"write_ms\":%u},",
			r->node.conf.node, r->node.conf.cluster,
			r->listener ? "true" : "false", (unsigned long long)r->gaps,
			(unsigned long long)r->gap_ms, (unsigned long long)r->forwarded,
			(unsigned long long)r->superseded, (unsigned long long)r->overruns,
			(unsigned long long)r->requests_superseded,
			(unsigned long long)r->requests_expired, witness_status_name(found), rec.active,
			(unsigned long long)rec.epoch, (unsigned long long)rec.generation, left,
			witness_store_writes_failing(&r->store) ? "true" : "false",
			r->store.write_ms);
		fprintf(out, "\"pressure\":{\"reported\":%s,\"from_module\":%s,"
			"\"per_mille\":%u,\"problem\":",
			!r->pressure.error || r->pressure.from_module ? "true" : "false",
			r->pressure.from_module ? "true" : "false", r->pressure.per_mille);
		node_json_string(out, r->pressure.problem);
		fputs("},", out);
		node_write_counters(&r->node, out, NODE_JSON, NULL);
		fprintf(out, "}\n");
		return;
	}
	fprintf(out, "relay %s (cluster %s)\n", r->node.conf.node, r->node.conf.cluster);
	if (r->listener && r->gaps)
		fprintf(out, "module:     subscribed (%llu gap%s since start, %llu ms without broadcasts)\n",
			(unsigned long long)r->gaps, r->gaps == 1 ? "" : "s",
			(unsigned long long)r->gap_ms);
	else
		fprintf(out, "module:     %s\n", r->listener ? "subscribed" : r->module_problem);
	if (r->pressure.from_module)
		fprintf(out, "pressure:   the module's own (an older module reads PSI itself); the relay adds none\n");
	else if (r->pressure.error)
		fprintf(out, "pressure:   not reported: %s\n", r->pressure.problem);
	else
		fprintf(out, "pressure:   %u per mille, the worst \"some avg10\" of %s, in every report\n",
			r->pressure.per_mille, PRESSURE_DIR);
	fprintf(out, "forwarded:  %llu broadcasts, %llu superseded, %llu overruns\n",
		(unsigned long long)r->forwarded, (unsigned long long)r->superseded,
		(unsigned long long)r->overruns);
	fprintf(out, "requests:   %llu superseded, %llu expired\n",
		(unsigned long long)r->requests_superseded, (unsigned long long)r->requests_expired);
	if (found == WITNESS_DONE)
		fprintf(out, "witness:    %s active, epoch %llu, generation %llu, lease %u ms left\n",
			rec.active, (unsigned long long)rec.epoch,
			(unsigned long long)rec.generation, left);
	else
		fprintf(out, "witness:    %s%s%s\n", witness_status_name(found),
			found == WITNESS_CORRUPT ? ": " : "",
			found == WITNESS_CORRUPT ? r->store.last_problem : "");
	fprintf(out, "writes:     %s, taking %u ms\n",
		r->store.write_error ? strerror(r->store.write_error) :
		r->store.probe_error ? strerror(r->store.probe_error) : "ok",
		r->store.write_ms);
	node_write_counters(&r->node, out, NODE_TEXT, NULL);
}

/*
 * The witness requests waiting (of up to RELAY_REQUESTS_PER_PASS), each
 * manager's newest of each kind answered, in the order they came; the
 * older ones are as if lost. A manager asks again every heartbeat-ms,
 * and every tenth of one while its role is at stake: a store that fell
 * behind (starved of CPU) would otherwise answer a queue of requests,
 * each too old for its lease to hold anything by the time the answer
 * comes, while the one that could waits behind them (a lone active lost
 * its role this way, to a relay held to 10 % of a CPU). A CAS that waited
 * its whole lease is not answered (witness_cas_expired()).
 */
static void answer_requests(struct relay *r)
{
	struct wire_message newest[2][2];	/* [manager][read, CAS] */
	uint64_t received[2][2];		/* their receipt, unix ms */
	unsigned int order[2][2] = { { 0 } };	/* 0: none; else when it came */
	unsigned int n, m, kind, came = 0;
	struct node_datagram d;
	struct wire_message msg;

	for (n = 0; n < RELAY_REQUESTS_PER_PASS; n++) {
		if (!node_read(&r->node, &d))
			break;
		if (node_accept(&r->node, &d, &msg) < 0 ||
		    (msg.type != WIRE_WITNESS_READ && msg.type != WIRE_WITNESS_CAS))
			continue;
		/* Only managers may read or write witnesses. */
		if (!conf_is_manager(&r->node.conf, msg.sender))
			continue;
		m = strcmp(msg.sender, r->node.conf.managers[0].name) != 0;
		kind = msg.type == WIRE_WITNESS_CAS;
		if (order[m][kind])
			r->requests_superseded++;
		newest[m][kind] = msg;
		received[m][kind] = d.received_unix_ms;
		order[m][kind] = ++came;
	}
	/* Answered in the order they came, the earliest of those left first. */
	for (n = 0; n < 4; n++) {
		unsigned int *first = NULL;
		struct wire_message *req = NULL;
		uint64_t received_unix_ms = 0;

		for (m = 0; m < 2; m++)
			for (kind = 0; kind < 2; kind++)
				if (order[m][kind] && (!first || order[m][kind] < *first)) {
					first = &order[m][kind];
					req = &newest[m][kind];
					received_unix_ms = received[m][kind];
				}
		if (!first)
			break;
		*first = 0;
		if (!expired(r, req, received_unix_ms))
			answer(r, req);
	}
}

/* A node_reload_fn: on SIGHUP or asked on the control socket. */
static int reload(void *ctx, char *error, size_t error_size)
{
	struct relay *r = ctx;

	if (node_reload(&r->node, error, error_size))
		return -1;
	witness_store_set_timing(&r->store, &r->node.conf.timing);
	return 0;
}

int relay_main(const char *config_path)
{
	struct relay r = { 0 };
	struct pollfd fds[NODE_POLL_FDS + 1];	/* and the module's broadcasts */
	char error[CONF_ERROR_SIZE], probe_name[NAME_MAX + 1];
	int failed, wait_ms;

	failed = node_start(&r.node, config_path, false, error, sizeof(error));
	if (failed || witness_store_init(&r.store, r.node.conf.state_dir,
			       r.node.runtime_dir_ok ? r.node.conf.runtime_dir : NULL,
			       r.node.conf.cluster, r.node.conf.node, &r.node.conf.timing,
			       node_now_ms(), error, sizeof(error))) {
		service_error("availctl relay: %s", error);
		node_stop(&r.node);
		return failed ? failed : 1;
	}
	if (layout_node_file(probe_name, sizeof(probe_name), r.node.conf.cluster,
			     r.node.conf.node, "probe") ||
	    write_probe_start(&r.probe, r.node.conf.state_dir, probe_name)) {
		service_error("availctl relay: the write probe in %s: %s",
			r.node.conf.state_dir, strerror(errno));
		node_stop(&r.node);
		return 1;
	}
	node_log(&r.node, "started", "daemon=relay clock=boottime cluster=%s", r.node.conf.cluster);
	read_pressure(&r, node_now_ms());
	service_ready("starting");
	while (!node_should_stop()) {
		if (node_take_reload())
			reload(&r, error, sizeof(error));
		connect_module(&r, node_now_ms());
		wait_ms = service_alive(node_now_ms(), 1000);
		wait_ms = node_poll_fds(&r.node, fds, wait_ms);
		fds[NODE_POLL_FDS] = (struct pollfd){
			.fd = r.listener ? availcast_listener_fd(r.listener) : -1,
			.events = POLLIN };
		if (poll(fds, NODE_POLL_FDS + 1, wait_ms) < 0 && errno != EINTR) {
			node_log(&r.node, "poll-failed", "error=%s", LOG_VALUE(strerror(errno)));
			failed = 1;
			break;
		}
		/* Witness requests first: an active's renewal waits for nothing. */
		answer_requests(&r);
		forward_broadcasts(&r);
		/* Without broadcasts too: its log follows the host's PSI. */
		read_pressure(&r, node_now_ms());
		note_probe(&r);
		node_serve_status(&r.node, status, reload, &r);
	}
	service_stopping();
	/*
	 * The probe's write in progress is waited for, as long as a slow
	 * disk's fsync takes: keep-alives meanwhile, as in the loop, since a
	 * SIGTERM not from systemd (an operator's kill) leaves its watchdog
	 * on, which would end the relay with SIGABRT in the middle of it.
	 */
	write_probe_stop(&r.probe);
	while (!write_probe_stopped(&r.probe, service_alive(node_now_ms(), 1000)))
		;
	node_log(&r.node, "stopped", "daemon=relay");
	if (r.listener)
		availcast_listener_close(r.listener);
	node_stop(&r.node);
	return failed;
}
