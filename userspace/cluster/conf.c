// SPDX-License-Identifier: GPL-2.0
/* Parsing and checking the daemons' configuration file. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "utf8.h"

struct parse {
	struct conf *conf;
	unsigned int line;
	char *error;
	size_t error_size;
	unsigned int seen;	/* bit per scalar key: given once only */
	unsigned int key_line[CONF_KEYS_MAX];	/* where each scalar key was given */
	/* The first manager line beyond two: said in check(), where an
	 * earlier repeat of a name or address may come first. */
	struct conf_node third;
	bool has_third;
	unsigned int hosts_size;	/* conf->hosts has room for this many */
};

static int fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct parse *p, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(p->error, p->error_size, "line %u: ", p->line);
	if (n >= p->error_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->error + n, p->error_size - n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * @value as a message quotes it: cut to CONF_QUOTE_MAX characters and
 * "...", so that what is wrong with it fits in the message.
 */
#define CONF_QUOTE_MAX 64
struct quoted {
	char text[CONF_QUOTE_MAX + 4];
};

static const char *quote(struct quoted *q, const char *value)
{
	if (strlen(value) <= CONF_QUOTE_MAX)
		return value;
	snprintf(q->text, sizeof(q->text), "%.*s...", (int)utf8_cut(value, CONF_QUOTE_MAX),
		 value);
	return q->text;
}

static int number(struct parse *p, const char *key, const char *value,
		  uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	struct quoted q;
	char *end;

	errno = 0;
	if (value[0] < '0' || value[0] > '9')
		return fail(p, "%s: '%s' is not a whole number", key, quote(&q, value));
	v = strtoull(value, &end, 10);
	if (errno || *end || v < min || v > max)
		return fail(p, "%s: '%s' is not a whole number from %u to %u",
			    key, quote(&q, value), min, max);
	*out = (uint32_t)v;
	return 0;
}

static int text(struct parse *p, const char *key, const char *value,
		char *out, size_t size)
{
	if (strlen(value) >= size)
		return fail(p, "%s: too long (at most %zu characters)", key, size - 1);
	memcpy(out, value, strlen(value) + 1);
	return 0;
}

/*
 * An absolute path: the daemons run from / under the units, availctl
 * check wherever its user is, and a relative path would mean another file
 * to each.
 */
static int path(struct parse *p, const char *key, const char *value, char *out, size_t size)
{
	struct quoted q;

	if (value[0] != '/')
		return fail(p, "%s: '%s' is not an absolute path", key, quote(&q, value));
	return text(p, key, value, out, size);
}

static int name(struct parse *p, const char *key, const char *value, char *out)
{
	struct quoted q;

	if (!wire_name_valid(value))
		return fail(p, "%s: '%s' is not a name (1 to %d of A-Z a-z 0-9 and %s)",
			    key, quote(&q, value), WIRE_NAME_SIZE - 1, AVAILCAST_NAME_PUNCT);
	return text(p, key, value, out, WIRE_NAME_SIZE);
}

/*
 * Whether a datagram to @a reaches one node: not "this network"
 * (0.0.0.0/8, RFC 1122 3.2.1.3), not multicast (224.0.0.0/4, RFC 5771),
 * not reserved or the limited broadcast (240.0.0.0/4, RFC 1112 4).
 */
static bool unicast(struct in_addr a)
{
	uint32_t host = ntohl(a.s_addr);

	return host >> 24 != 0 && host >> 28 < 0xe;
}

/* Whether @text is an IPv6 address, with or without a zone ("%eth0"). */
static bool ipv6(const char *text)
{
	char copy[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;
	size_t len = strcspn(text, "%");

	if (len >= sizeof(copy))
		return false;
	memcpy(copy, text, len);
	copy[len] = '\0';
	return inet_pton(AF_INET6, copy, &a) == 1;
}

/*
 * What is wrong with @address, a node's "A.B.C.D[:PORT]" whose form is
 * not that (brackets, several colons, an empty part), said by fail().
 */
static int address_form(struct parse *p, const char *key, const char *address)
{
	const char *colon = strchr(address, ':');
	char inner[INET6_ADDRSTRLEN + 1];
	struct quoted q;
	struct in_addr a;
	size_t len;

	if (*address == '[') {
		len = strcspn(address + 1, "]");
		if (address[1 + len] == ']' && len < sizeof(inner)) {
			memcpy(inner, address + 1, len);
			inner[len] = '\0';
			if (ipv6(inner))
				goto v6;
			if (inet_pton(AF_INET, inner, &a) == 1)
				return fail(p, "%s: '%s': an IPv4 address is written without brackets (A.B.C.D[:PORT])",
					    key, quote(&q, address));
		}
	} else if (ipv6(address)) {
		goto v6;
	} else if (colon == address) {
		return fail(p, "%s: '%s': no address before the ':'", key, quote(&q, address));
	} else if (colon && !colon[1]) {
		return fail(p, "%s: '%s': no port after the ':'", key, quote(&q, address));
	}
	return fail(p, "%s: '%s' is not A.B.C.D[:PORT]", key, quote(&q, address));
v6:
	return fail(p, "%s: '%s' is an IPv6 address: nodes are reached over IPv4 (A.B.C.D[:PORT])",
		    key, quote(&q, address));
}

/* "NAME ADDRESS[:PORT]", IPv4. */
static int node(struct parse *p, const char *key, char *value, struct conf_node *out)
{
	char *address, *port;
	uint32_t port_number = CONF_DEFAULT_PORT;
	struct quoted q;

	out->line = p->line;
	address = strchr(value, ' ');
	if (!address)
		return fail(p, "%s: expected 'NAME ADDRESS[:PORT]'", key);
	*address++ = '\0';
	while (*address == ' ')
		address++;
	if (name(p, key, value, out->name))
		return -1;
	port = strchr(address, ' ');
	if (port) {
		while (*port == ' ')
			port++;
		return fail(p, "%s: '%s' after the address: expected 'NAME ADDRESS[:PORT]'",
			    key, quote(&q, port));
	}
	/* Said before its colons are taken for a port's. */
	if (*address == '[' || *address == ':' || strchr(address, ':') != strrchr(address, ':') ||
	    (strchr(address, ':') && !strchr(address, ':')[1]))
		return address_form(p, key, address);
	port = strchr(address, ':');
	if (port) {
		char what[32];

		*port++ = '\0';
		snprintf(what, sizeof(what), "%s port", key);
		if (number(p, what, port, 1, 65535, &port_number))
			return -1;
	}
	memset(&out->addr, 0, sizeof(out->addr));
	out->addr.sin_family = AF_INET;
	out->addr.sin_port = htons((uint16_t)port_number);
	if (inet_pton(AF_INET, address, &out->addr.sin_addr) != 1)
		return fail(p, "%s: '%s' is not an IPv4 address", key, quote(&q, address));
	if (!unicast(out->addr.sin_addr))
		return fail(p, "%s: %s is not a unicast address", key, address);
	return 0;
}

/* "ID PATH": a second key accepted during a rollover. */
static int accept_key(struct parse *p, char *value)
{
	struct conf *c = p->conf;
	char *file = strchr(value, ' ');
	uint32_t id;

	if (!file)
		return fail(p, "accept-key: expected 'ID PATH'");
	*file++ = '\0';
	while (*file == ' ')
		file++;
	if (number(p, "accept-key", value, 1, 65535, &id))
		return -1;
	c->accept_key_id = (uint16_t)id;
	return path(p, "accept-key", file, c->accept_key_file, sizeof(c->accept_key_file));
}

enum key_index {
	K_CLUSTER, K_NODE, K_KEY_FILE, K_KEY_ID, K_ACCEPT_KEY, K_STATE_DIR, K_RUNTIME_DIR,
	K_HOOK, K_HOOK_TIMEOUT, K_CONTROL,
	K_HEARTBEAT, K_GRACE, K_LEASE, K_DRIFT, K_MARGIN, K_HOST_GRACE, K_REPLAY,
	K_REALTIME, K_BIND,
	K_MANAGER, K_HOST,
};

static const char *const keys[] = {
	[K_CLUSTER] = "cluster", [K_NODE] = "node", [K_KEY_FILE] = "key-file",
	[K_KEY_ID] = "key-id", [K_ACCEPT_KEY] = "accept-key",
	[K_STATE_DIR] = "state-dir", [K_RUNTIME_DIR] = "runtime-dir", [K_HOOK] = "hook",
	[K_HOOK_TIMEOUT] = "hook-timeout-ms", [K_CONTROL] = "control", [K_HEARTBEAT] = "heartbeat-ms",
	[K_GRACE] = "grace-ms", [K_LEASE] = "lease-ms", [K_DRIFT] = "drift-ppm",
	[K_MARGIN] = "margin-ms", [K_HOST_GRACE] = "host-grace-ms",
	[K_REPLAY] = "replay-window-ms", [K_REALTIME] = "realtime-priority",
	[K_BIND] = "bind-address",
	[K_MANAGER] = "manager", [K_HOST] = "host",
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
/* A bit in parse.seen, a place in key_line[], for each key given once. */
_Static_assert(K_MANAGER <= CONF_KEYS_MAX, "scalar keys outnumber parse.seen's bits");

/* Room for one more host: the list doubles as it fills. */
static int grow_hosts(struct parse *p)
{
	struct conf *c = p->conf;
	struct conf_node *bigger;
	unsigned int size;

	if (c->n_hosts < p->hosts_size)
		return 0;
	size = p->hosts_size ? 2 * p->hosts_size : 16;
	bigger = realloc(c->hosts, size * sizeof(*bigger));
	if (!bigger)
		return fail(p, "out of memory for %u hosts", size);
	c->hosts = bigger;
	p->hosts_size = size;
	return 0;
}

static int set(struct parse *p, enum key_index k, char *value)
{
	struct conf *c = p->conf;
	struct quoted q;
	uint32_t v;

	if (k < K_MANAGER) {
		if (p->seen & (1u << k))
			return fail(p, "%s is given twice (first on line %u)", keys[k],
				    p->key_line[k]);
		p->seen |= 1u << k;
		p->key_line[k] = p->line;
	}
	switch (k) {
	case K_CLUSTER:
		return name(p, keys[k], value, c->cluster);
	case K_NODE:
		return name(p, keys[k], value, c->node);
	case K_KEY_FILE:
		return path(p, keys[k], value, c->key_file, sizeof(c->key_file));
	case K_KEY_ID:
		if (number(p, keys[k], value, 1, 65535, &v))
			return -1;
		c->key_id = (uint16_t)v;
		return 0;
	case K_ACCEPT_KEY:
		return accept_key(p, value);
	case K_STATE_DIR:
		return path(p, keys[k], value, c->state_dir, sizeof(c->state_dir));
	case K_RUNTIME_DIR:
		return path(p, keys[k], value, c->runtime_dir, sizeof(c->runtime_dir));
	case K_HOOK:
		return path(p, keys[k], value, c->hook, sizeof(c->hook));
	case K_HOOK_TIMEOUT:
		/* Two of them and a kill fit in systemd's default stop timeout of 90 s. */
		return number(p, keys[k], value, 100, 40000, &c->hook_timeout_ms);
	case K_CONTROL:
		/*
		 * Absolute, as the daemon and availctl status run in other
		 * directories; ".sock", which none of the daemon's own files
		 * ends in (a socket bound over one of them breaks the daemon).
		 */
		if (value[0] != '/' || strlen(value) < 6 ||
		    strcmp(value + strlen(value) - 5, ".sock"))
			return fail(p, "%s: '%s' is not an absolute path ending in .sock",
				    keys[k], quote(&q, value));
		return text(p, keys[k], value, c->control, sizeof(c->control));
	case K_HEARTBEAT:
		return number(p, keys[k], value, 10, 60000, &c->timing.heartbeat_ms);
	case K_GRACE:
		return number(p, keys[k], value, 10, 600000, &c->timing.grace_ms);
	case K_LEASE:
		return number(p, keys[k], value, 10, 600000, &c->timing.lease_ms);
	case K_DRIFT:
		return number(p, keys[k], value, 0, 100000, &c->timing.drift_ppm);
	case K_MARGIN:
		return number(p, keys[k], value, 1, 60000, &c->timing.margin_ms);
	case K_HOST_GRACE:
		return number(p, keys[k], value, 0, 600000, &c->host_grace_ms);
	case K_REPLAY:
		return number(p, keys[k], value, 1000, 3600000, &c->replay_window_ms);
	case K_REALTIME:
		return number(p, keys[k], value, 0, 99, &c->realtime_priority);
	case K_BIND:
		c->listen.sin_family = AF_INET;
		if (ipv6(value))
			return fail(p, "%s: '%s' is an IPv6 address: nodes are reached over IPv4",
				    keys[k], quote(&q, value));
		if (inet_pton(AF_INET, value, &c->listen.sin_addr) != 1)
			return fail(p, "%s: '%s' is not an IPv4 address", keys[k], quote(&q, value));
		if (c->listen.sin_addr.s_addr != htonl(INADDR_ANY) && !unicast(c->listen.sin_addr))
			return fail(p, "%s: %s is not a unicast address (nor 0.0.0.0)",
				    keys[k], value);
		return 0;
	case K_MANAGER: {
		struct conf_node m;

		if (node(p, keys[k], value, &m))
			return -1;
		if (c->n_managers < 2)
			c->managers[c->n_managers++] = m;
		else if (!p->has_third)
			p->third = m, p->has_third = true;
		return 0;
	}
	case K_HOST:
		if (c->n_hosts == CONF_HOSTS_MAX)
			return fail(p, "more than %d hosts", CONF_HOSTS_MAX);
		if (grow_hosts(p))
			return -1;
		return node(p, keys[k], value, &c->hosts[c->n_hosts++]);
	}
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int parse_line(struct parse *p, char *line)
{
	char *hash = strchr(line, '#'), *eq, *key, *value;
	struct quoted q;
	size_t k;

	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return fail(p, "expected 'key = value', got '%s'", quote(&q, line));
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	for (k = 0; k < N_KEYS; k++)
		if (!strcmp(key, keys[k]))
			break;
	if (k == N_KEYS)
		return fail(p, "unknown key '%s'", quote(&q, key));
	if (!*value)
		return fail(p, "%s has no value", key);
	for (eq = value; *eq; eq++)
		if (*eq == '\t')
			*eq = ' ';
	return set(p, (enum key_index)k, value);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(((const struct conf_name *)a)->name, ((const struct conf_name *)b)->name);
}

int conf_index(const struct conf *conf, const char *name)
{
	size_t low = 0, high = conf->n_managers + conf->n_hosts;

	if (!conf->by_name)
		return -1;
	while (low < high) {
		size_t mid = low + (high - low) / 2;
		int order = strcmp(name, conf->by_name[mid].name);

		if (!order)
			return (int)conf->by_name[mid].index;
		if (order < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return -1;
}

const struct conf_node *conf_find(const struct conf *conf, const char *name)
{
	int i = conf_index(conf, name);

	if (i < 0)
		return NULL;
	return i < 2 ? &conf->managers[i] : &conf->hosts[i - 2];
}

const struct conf_node *conf_self(const struct conf *conf)
{
	return conf_find(conf, conf->node);
}

int conf_is_manager(const struct conf *conf, const char *name)
{
	return conf->n_managers == 2 && (!strcmp(conf->managers[0].name, name) ||
					 !strcmp(conf->managers[1].name, name));
}

/* Node @i as conf_name counts them: the managers, then the hosts. */
static const struct conf_node *node_at(const struct conf *c, unsigned int i)
{
	return i < 2 ? &c->managers[i] : &c->hosts[i - 2];
}

/*
 * In @order, @n nodes sorted so that equal ones (@same) are next to each
 * other, the repeat that comes first in the file: *@later, the node whose
 * line repeats one before it, and *@first, the earliest of that run.
 * False when nothing repeats.
 */
static bool first_repeat(const struct conf *c, const unsigned int *order, unsigned int n,
			 bool (*same)(const struct conf *c, unsigned int a, unsigned int b),
			 const struct conf_node **first, const struct conf_node **later)
{
	unsigned int from, to;

	*later = NULL;
	for (from = 0; from < n; from = to) {
		const struct conf_node *lo = node_at(c, order[from]), *next = NULL;

		for (to = from + 1; to < n && same(c, order[from], order[to]); to++) {
			const struct conf_node *x = node_at(c, order[to]);

			if (x->line < lo->line) {
				next = lo;
				lo = x;
			} else if (!next || x->line < next->line) {
				next = x;
			}
		}
		if (next && (!*later || next->line < (*later)->line)) {
			*first = lo;
			*later = next;
		}
	}
	return *later != NULL;
}

struct endpoint {
	uint32_t addr;		/* network order, as compared: only equality matters */
	uint16_t port;
	unsigned int index;
};

static int compare_endpoints(const void *a, const void *b)
{
	const struct endpoint *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool same_endpoint(const struct conf *c, unsigned int a, unsigned int b)
{
	return node_at(c, a)->addr.sin_addr.s_addr == node_at(c, b)->addr.sin_addr.s_addr &&
	       node_at(c, a)->addr.sin_port == node_at(c, b)->addr.sin_port;
}

/*
 * The first repeat of an address and port: *@later NULL if none; -1 out
 * of memory. Every node needs one of its own: two at one would share a
 * socket's datagrams (on one machine, the second could not bind).
 */
static int endpoint_repeat(struct parse *p, const struct conf_node **first,
			   const struct conf_node **later)
{
	const struct conf *c = p->conf;
	unsigned int i, n = c->n_managers + c->n_hosts;
	struct endpoint *e = malloc(n * sizeof(*e));
	unsigned int *order = malloc(n * sizeof(*order));

	if (!e || !order) {
		free(e);
		free(order);
		return snprintf(p->error, p->error_size, "out of memory"), -1;
	}
	for (i = 0; i < n; i++)
		e[i] = (struct endpoint){ .addr = node_at(c, i)->addr.sin_addr.s_addr,
					  .port = node_at(c, i)->addr.sin_port, .index = i };
	qsort(e, n, sizeof(*e), compare_endpoints);
	for (i = 0; i < n; i++)
		order[i] = e[i].index;
	first_repeat(c, order, n, same_endpoint, first, later);
	free(e);
	free(order);
	return 0;
}

static bool same_name(const struct conf *c, unsigned int a, unsigned int b)
{
	return !strcmp(node_at(c, a)->name, node_at(c, b)->name);
}

/*
 * Sorts every node's name into conf->by_name, and finds the first repeat
 * of a name: *@later NULL if none. -1: out of memory.
 */
static int index_names(struct parse *p, const struct conf_node **first,
		       const struct conf_node **later)
{
	struct conf *c = p->conf;
	unsigned int i, n = c->n_managers + c->n_hosts, *order;

	c->by_name = malloc(n * sizeof(*c->by_name));
	order = malloc(n * sizeof(*order));
	if (!c->by_name || !order) {
		free(order);
		return snprintf(p->error, p->error_size, "out of memory"), -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = node_at(c, i)->name;

		memcpy(c->by_name[i].name, name, sizeof(c->by_name[i].name));
		c->by_name[i].index = i;
	}
	qsort(c->by_name, n, sizeof(*c->by_name), compare_names);
	for (i = 0; i < n; i++)
		order[i] = c->by_name[i].index;
	first_repeat(c, order, n, same_name, first, later);
	free(order);
	return 0;
}

static int say_name_repeat(struct parse *p, const struct conf_node *first,
			   const struct conf_node *later)
{
	return snprintf(p->error, p->error_size, "line %u: node %s is listed twice (first on line %u)",
			later->line, later->name, first->line), -1;
}

static int say_endpoint_repeat(struct parse *p, const struct conf_node *first,
			       const struct conf_node *later)
{
	char address[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &first->addr.sin_addr, address, sizeof(address));
	return snprintf(p->error, p->error_size,
			"line %u: %s is at %s:%u, as %s on line %u is: each node needs an address and port of its own",
			later->line, later->name, address, ntohs(first->addr.sin_port),
			first->name, first->line), -1;
}

/*
 * The line that first repeats a node's name or address, or is a third
 * manager (a manager line copied is a repeat), said: -1; else 0.
 */
static int check_repeats(struct parse *p)
{
	const struct conf *c = p->conf;
	const struct conf_node *name_first, *name_later, *at_first, *at_later;
	const struct conf_node *third_name = NULL, *third_at = NULL;
	unsigned int i, n = c->n_managers + c->n_hosts;

	if (index_names(p, &name_first, &name_later) ||
	    endpoint_repeat(p, &at_first, &at_later))
		return snprintf(p->error, p->error_size, "out of memory"), -1;
	if (p->has_third) {
		for (i = 0; i < n; i++) {
			const struct conf_node *x = node_at(c, i);

			if (x->line > p->third.line)
				continue;
			if (!strcmp(x->name, p->third.name) && (!third_name || x->line < third_name->line))
				third_name = x;
			if (x->addr.sin_addr.s_addr == p->third.addr.sin_addr.s_addr &&
			    x->addr.sin_port == p->third.addr.sin_port &&
			    (!third_at || x->line < third_at->line))
				third_at = x;
		}
		if ((!name_later || p->third.line < name_later->line) &&
		    (!at_later || p->third.line < at_later->line)) {
			if (third_name)
				return say_name_repeat(p, third_name, &p->third);
			if (third_at)
				return say_endpoint_repeat(p, third_at, &p->third);
			return snprintf(p->error, p->error_size,
					"line %u: a third manager: there are exactly two",
					p->third.line), -1;
		}
	}
	if (name_later && (!at_later || name_later->line <= at_later->line))
		return say_name_repeat(p, name_first, name_later);
	if (at_later)
		return say_endpoint_repeat(p, at_first, at_later);
	return 0;
}

/*
 * A control path named NODE.sock for another node of the cluster is that
 * node's own (its default, <state-dir>/NODE.sock): taken first, where the
 * two share a machine, it keeps that node from starting (control.c leaves
 * a live socket alone). -1 with the error said, else 0.
 */
static int control_of_other(struct parse *p)
{
	const struct conf *c = p->conf;
	const char *base = strrchr(c->control, '/') + 1;
	char name[WIRE_NAME_SIZE];
	size_t len = strlen(base) - strlen(".sock");

	if (len >= sizeof(name))
		return 0;
	memcpy(name, base, len);
	name[len] = '\0';
	if (!conf_find(c, name) || !strcmp(name, c->node))
		return 0;
	return snprintf(p->error, p->error_size,
			"line %u: control '%s' is named as node %s's socket (each node's default is <state-dir>/NODE.sock): name it for node %s",
			p->key_line[K_CONTROL], c->control, name, c->node), -1;
}

static int check(struct parse *p)
{
	struct conf *c = p->conf;
	static const enum key_index required[] = { K_CLUSTER, K_NODE, K_KEY_FILE, K_STATE_DIR };
	char why[200], fallback[PATH_MAX];
	unsigned int i;

	p->line = 0;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(p->seen & (1u << required[i])))
			return snprintf(p->error, p->error_size, "%s is missing",
					keys[required[i]]), -1;
	if (c->n_managers != 2)
		return snprintf(p->error, p->error_size,
				"two 'manager = NAME ADDRESS' lines are needed, found %u",
				c->n_managers), -1;
	if (!c->n_hosts)
		return snprintf(p->error, p->error_size,
				"no 'host = NAME ADDRESS' line: the witness is chosen among hosts"), -1;
	if (check_repeats(p))
		return -1;
	if (!conf_self(c))
		return snprintf(p->error, p->error_size,
				"line %u: node %s is neither a manager nor a host",
				p->key_line[K_NODE], c->node), -1;
	/* The node's own address and port, or bind-address at that port. */
	if (!(p->seen & (1u << K_BIND)))
		c->listen = conf_self(c)->addr;
	c->listen.sin_port = conf_self(c)->addr.sin_port;
	if (arbiter_timing_check(&c->timing, why, sizeof(why)))
		return snprintf(p->error, p->error_size, "timing: %s", why), -1;
	/* The daemon's files in them must fit a path too: a start could not mend that. */
	if (strlen(c->state_dir) > CONF_DIR_MAX)
		return snprintf(p->error, p->error_size,
				"line %u: state-dir is %zu bytes long: the daemon's files in it need it %d at most",
				p->key_line[K_STATE_DIR], strlen(c->state_dir), CONF_DIR_MAX), -1;
	if (strlen(c->runtime_dir) > CONF_DIR_MAX)
		return snprintf(p->error, p->error_size,
				"line %u: runtime-dir is %zu bytes long: the daemon's files in it need it %d at most",
				p->key_line[K_RUNTIME_DIR], strlen(c->runtime_dir), CONF_DIR_MAX), -1;
	/* Given or not, the default path is in the state directory only this node uses. */
	if ((size_t)snprintf(fallback, sizeof(fallback), "%s/%s.sock", c->state_dir,
			     c->node) >= sizeof(fallback) ||
	    (size_t)snprintf(c->control_record, sizeof(c->control_record), "%s/%s.control",
			     c->state_dir, c->node) >= sizeof(c->control_record))
		return snprintf(p->error, p->error_size, "line %u: state-dir is too long",
				p->key_line[K_STATE_DIR]), -1;
	if (!c->control[0])
		memcpy(c->control, fallback, sizeof(c->control));
	c->control_default = !strcmp(c->control, fallback);
	if (control_of_other(p))
		return -1;
	/* The default's line is state-dir's, which makes it. */
	if (strlen(c->control) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return snprintf(p->error, p->error_size,
				"line %u: control socket path %s is too long (%zu bytes at most)%s",
				p->key_line[p->key_line[K_CONTROL] ? K_CONTROL : K_STATE_DIR],
				c->control, sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
				p->key_line[K_CONTROL] ? "" :
				": the default, <state-dir>/NODE.sock; name a shorter one with control ="),
		       -1;
	return 0;
}

int conf_parse(const char *text_in, size_t len, struct conf *conf,
	       char *error, size_t error_size)
{
	struct parse p = { .conf = conf, .error = error, .error_size = error_size };
	char *copy, *line, *next;
	int status = 0;

	memset(conf, 0, sizeof(*conf));
	conf->key_id = 1;
	snprintf(conf->runtime_dir, sizeof(conf->runtime_dir), "%s", CONF_DEFAULT_RUNTIME_DIR);
	conf->timing = (struct arbiter_timing){
		.heartbeat_ms = 100, .grace_ms = 500, .lease_ms = 700,
		.drift_ppm = 1000, .margin_ms = 20,
	};
	conf->host_grace_ms = 100;
	conf->hook_timeout_ms = 5000;
	conf->replay_window_ms = 30000;
	conf->realtime_priority = 1;
	if (memchr(text_in, '\0', len)) {
		const char *nul = memchr(text_in, '\0', len), *at;
		unsigned int line = 1;

		for (at = text_in; at < nul; at++)
			line += *at == '\n';
		return snprintf(error, error_size, "line %u: the file holds a NUL byte", line), -1;
	}
	copy = malloc(len + 1);
	if (!copy)
		return snprintf(error, error_size, "out of memory"), -1;
	memcpy(copy, text_in, len);
	copy[len] = '\0';
	for (line = copy; line && !status; line = next) {
		char *cr;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		/* CRLF ends a line; a CR alone (old Mac files) would hide the lines after it. */
		cr = strchr(line, '\r');
		if (cr && cr[1])
			status = fail(&p, "a carriage return within the line: lines end in LF or CRLF");
		else
			status = parse_line(&p, line);
	}
	free(copy);
	if (!status)
		status = check(&p);
	if (status)
		conf_free(conf);
	else
		memcpy(conf->key_line, p.key_line, sizeof(conf->key_line));
	return status;
}

void conf_free(struct conf *conf)
{
	free(conf->hosts);
	free(conf->by_name);
	conf->hosts = NULL;
	conf->by_name = NULL;
	conf->n_hosts = 0;
}

int conf_load(const char *path, struct conf *conf, char *error, size_t error_size)
{
	return conf_load_unless(path, conf, NULL, error, error_size);
}

/* Whether a call cut short by a signal (EINTR) is to be made again. */
static bool again(const volatile sig_atomic_t *stop)
{
	return errno == EINTR && !(stop && *stop);
}

int conf_load_unless(const char *path, struct conf *conf, const volatile sig_atomic_t *stop,
		     char *error, size_t error_size)
{
	char *buf;
	ssize_t n;
	int fd, status;
	size_t used;

	/*
	 * A FIFO's open waits for a writer: a signal (SIGHUP while starting)
	 * may cut it short. A stop that came before the open, its EINTR
	 * never seen, ends the wait too (but for a stop in the instants
	 * between this look and the open's start: ppoll() on a FIFO opened
	 * O_NONBLOCK would close that too).
	 */
	for (;;) {
		if (stop && *stop) {
			errno = EINTR;
			fd = -1;
			break;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 || !again(stop))
			break;
	}
	if (fd < 0)
		return snprintf(error, error_size, "%s: %s", path,
				errno == EINTR ? "stopped while waiting for its writer" : strerror(errno)), -1;
	buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return snprintf(error, error_size, "out of memory"), -1;
	}
	/* A signal (a SIGHUP while starting) may cut a read from a pipe short. */
	for (used = 0; used <= CONF_FILE_MAX; used += (size_t)n) {
		n = read(fd, buf + used, CONF_FILE_MAX + 1 - used);
		if (n < 0 && again(stop))
			n = 0;
		else if (n <= 0)
			break;
	}
	close(fd);
	if (n < 0) {
		snprintf(error, error_size, "%s: %s", path,
			 errno == EINTR ? "stopped while waiting for its writer" : strerror(errno));
		free(buf);
		return -1;
	}
	if (used > CONF_FILE_MAX) {
		free(buf);
		return snprintf(error, error_size, "%s: longer than %d bytes", path,
				CONF_FILE_MAX), -1;
	}
	status = conf_parse(buf, used, conf, error, error_size);
	free(buf);
	if (!status && (size_t)snprintf(conf->path, sizeof(conf->path), "%s", path) >=
			       sizeof(conf->path)) {
		conf_free(conf);
		return snprintf(error, error_size, "%.*s...: path too long",
				(int)utf8_cut(path, 64), path), -1;
	}
	if (status) {
		/* Say which file, before all the message says. */
		char *inner = strdup(error);

		if (inner)
			snprintf(error, error_size, "%s: %s", path, inner);
		free(inner);
	}
	return status;
}

unsigned int conf_line(const struct conf *conf, const char *key)
{
	const struct conf_node *self = conf_self(conf);
	unsigned int k;

	if (!key)
		return 0;
	if (!strcmp(key, "listen") && conf->key_line[K_BIND])
		return conf->key_line[K_BIND];
	if (!strcmp(key, "address") || !strcmp(key, "listen"))
		return self ? self->line : 0;
	if (!strcmp(key, "control") && !conf->key_line[K_CONTROL])
		return conf->key_line[K_STATE_DIR];
	for (k = 0; k < K_MANAGER; k++)
		if (!strcmp(keys[k], key))
			return conf->key_line[k];
	return 0;
}

const char *conf_at(const struct conf *conf, unsigned int line, char *buf, size_t size)
{
	if (line)
		snprintf(buf, size, "%s%sline %u: ", conf->path, conf->path[0] ? ": " : "", line);
	else
		snprintf(buf, size, "%s%s", conf->path, conf->path[0] ? ": " : "");
	return buf;
}

const char *conf_where(const struct conf *conf, const char *key, char *buf, size_t size)
{
	return conf_at(conf, conf_line(conf, key), buf, size);
}

void conf_blame(const struct conf *conf, const char *key, char *error, size_t size)
{
	char where[CONF_WHERE_SIZE], *said = strdup(error);

	if (!said)
		return;	/* the message as it is beats none */
	snprintf(error, size, "%s%s", conf_where(conf, key, where, sizeof(where)), said);
	free(said);
}

/*
 * Why @path cannot be run as a program by this process, or NULL: a
 * regular file (symlinks followed) it may execute (access(2), X_OK: root
 * may execute any file with an execute bit, a directory too), and that
 * execve(2) takes: an ELF program, or a script whose "#!" interpreter is
 * itself a regular file it may execute. hooks.c runs it with execve(),
 * which falls back to no shell (ENOEXEC). @why holds a reason made here.
 */
static const char *unrunnable(const char *path, char *why, size_t size)
{
	char head[256], *interpreter, *end;
	struct stat st;
	ssize_t got;
	int fd;

	if (stat(path, &st) || access(path, X_OK))
		return strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	/* A program it may run but not read (mode 711): execve() judges it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == EACCES ? NULL : strerror(errno);
	got = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (got < 0)
		return strerror(errno);
	head[got] = '\0';
	if (got >= 4 && !memcmp(head, "\177ELF", 4))
		return NULL;
	if (got < 2 || memcmp(head, "#!", 2))
		return "neither a program (ELF) nor a script beginning with #!";
	interpreter = head + 2 + strspn(head + 2, " \t");
	end = interpreter + strcspn(interpreter, " \t\n");
	*end = '\0';
	if (!*interpreter)
		return "its #! line names no interpreter";
	if (stat(interpreter, &st) || access(interpreter, X_OK))
		snprintf(why, size, "its interpreter %s: %s", interpreter, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(why, size, "its interpreter %s: not a regular file", interpreter);
	else
		return NULL;
	return why;
}

int conf_check_hook(const struct conf *conf, char *error, size_t size)
{
	char why[PATH_MAX + 64];
	const char *reason;

	if (!conf->hook[0] || !conf_is_manager(conf, conf->node))
		return 0;
	reason = unrunnable(conf->hook, why, sizeof(why));
	if (!reason)
		return 0;
	/* keepalived's notify_master takes a command line; hook takes a path. */
	snprintf(error, size, "hook %s cannot be run: %s%s", conf->hook, reason,
		 strpbrk(conf->hook, " \t") ?
		 " (hook is a program's path alone, without arguments: the role is its first)" : "");
	conf_blame(conf, "hook", error, size);
	return -1;
}
