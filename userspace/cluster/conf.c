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
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"

struct parse {
	struct conf *conf;
	unsigned int line;
	char *error;
	size_t error_size;
	unsigned int seen;	/* bit per scalar key: given once only */
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

static int number(struct parse *p, const char *key, const char *value,
		  uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (value[0] < '0' || value[0] > '9')
		return fail(p, "%s: '%s' is not a whole number", key, value);
	v = strtoull(value, &end, 10);
	if (errno || *end || v < min || v > max)
		return fail(p, "%s: '%s' is not a whole number from %u to %u",
			    key, value, min, max);
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

static int name(struct parse *p, const char *key, const char *value, char *out)
{
	if (!wire_name_valid(value))
		return fail(p, "%s: '%s' is not a name (1 to %d of A-Z a-z 0-9 and %s)",
			    key, value, WIRE_NAME_SIZE - 1, AVAILCAST_NAME_PUNCT);
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

/* "NAME ADDRESS[:PORT]", IPv4. */
static int node(struct parse *p, const char *key, char *value, struct conf_node *out)
{
	char *address, *port;
	uint32_t port_number = CONF_DEFAULT_PORT;

	out->line = p->line;
	address = strchr(value, ' ');
	if (!address)
		return fail(p, "%s: expected 'NAME ADDRESS[:PORT]'", key);
	*address++ = '\0';
	while (*address == ' ')
		address++;
	if (name(p, key, value, out->name))
		return -1;
	/* Said before its colons are taken for a port's. */
	if (*address == '[' || strchr(address, ':') != strrchr(address, ':'))
		return fail(p, "%s: '%s' is an IPv6 address: nodes are reached over IPv4 (A.B.C.D[:PORT])",
			    key, address);
	port = strchr(address, ':');
	if (port) {
		*port++ = '\0';
		if (number(p, key, port, 1, 65535, &port_number))
			return -1;
	}
	memset(&out->addr, 0, sizeof(out->addr));
	out->addr.sin_family = AF_INET;
	out->addr.sin_port = htons((uint16_t)port_number);
	if (inet_pton(AF_INET, address, &out->addr.sin_addr) != 1)
		return fail(p, "%s: '%s' is not an IPv4 address", key, address);
	if (!unicast(out->addr.sin_addr))
		return fail(p, "%s: %s is not a unicast address", key, address);
	return 0;
}

/* "ID PATH": a second key accepted during a rollover. */
static int accept_key(struct parse *p, char *value)
{
	struct conf *c = p->conf;
	char *path = strchr(value, ' ');
	uint32_t id;

	if (!path)
		return fail(p, "accept-key: expected 'ID PATH'");
	*path++ = '\0';
	while (*path == ' ')
		path++;
	if (number(p, "accept-key", value, 1, 65535, &id))
		return -1;
	c->accept_key_id = (uint16_t)id;
	return text(p, "accept-key", path, c->accept_key_file, sizeof(c->accept_key_file));
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
	uint32_t v;

	if (k < K_MANAGER) {
		if (p->seen & (1u << k))
			return fail(p, "%s is given twice", keys[k]);
		p->seen |= 1u << k;
	}
	switch (k) {
	case K_CLUSTER:
		return name(p, keys[k], value, c->cluster);
	case K_NODE:
		return name(p, keys[k], value, c->node);
	case K_KEY_FILE:
		return text(p, keys[k], value, c->key_file, sizeof(c->key_file));
	case K_KEY_ID:
		if (number(p, keys[k], value, 1, 65535, &v))
			return -1;
		c->key_id = (uint16_t)v;
		return 0;
	case K_ACCEPT_KEY:
		return accept_key(p, value);
	case K_STATE_DIR:
	case K_RUNTIME_DIR:
		/* Absolute: the daemon and availctl run in other directories. */
		if (value[0] != '/')
			return fail(p, "%s: '%s' is not an absolute path", keys[k], value);
		if (k == K_STATE_DIR)
			return text(p, keys[k], value, c->state_dir, sizeof(c->state_dir));
		return text(p, keys[k], value, c->runtime_dir, sizeof(c->runtime_dir));
	case K_HOOK:
		return text(p, keys[k], value, c->hook, sizeof(c->hook));
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
				    keys[k], value);
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
		if (inet_pton(AF_INET, value, &c->listen.sin_addr) != 1)
			return fail(p, "%s: '%s' is not an IPv4 address", keys[k], value);
		if (c->listen.sin_addr.s_addr != htonl(INADDR_ANY) && !unicast(c->listen.sin_addr))
			return fail(p, "%s: %s is not a unicast address (nor 0.0.0.0)",
				    keys[k], value);
		return 0;
	case K_MANAGER:
		if (c->n_managers == 2)
			return fail(p, "a third manager: there are exactly two");
		return node(p, keys[k], value, &c->managers[c->n_managers++]);
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
	size_t k;

	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return fail(p, "expected 'key = value', got '%s'", line);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	for (k = 0; k < N_KEYS; k++)
		if (!strcmp(key, keys[k]))
			break;
	if (k == N_KEYS)
		return fail(p, "unknown key '%s'", key);
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

/* For messages that name the later of two lines. */
static void swap_nodes(const struct conf_node **a, const struct conf_node **b)
{
	const struct conf_node *t = *a;

	*a = *b;
	*b = t;
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

/*
 * Every node at an address and port of its own: two at one would share
 * a socket's datagrams (on one machine, the second could not bind).
 */
static int check_endpoints(struct parse *p)
{
	const struct conf *c = p->conf;
	unsigned int i, n = c->n_managers + c->n_hosts;
	struct endpoint *e = malloc(n * sizeof(*e));
	char address[INET_ADDRSTRLEN];

	if (!e)
		return snprintf(p->error, p->error_size, "out of memory"), -1;
	for (i = 0; i < n; i++)
		e[i] = (struct endpoint){ .addr = node_at(c, i)->addr.sin_addr.s_addr,
					  .port = node_at(c, i)->addr.sin_port, .index = i };
	qsort(e, n, sizeof(*e), compare_endpoints);
	for (i = 1; i < n; i++) {
		const struct conf_node *first = node_at(c, e[i - 1].index);
		const struct conf_node *second = node_at(c, e[i].index);

		if (e[i - 1].addr != e[i].addr || e[i - 1].port != e[i].port)
			continue;
		if (first->line > second->line)
			swap_nodes(&first, &second);
		inet_ntop(AF_INET, &first->addr.sin_addr, address, sizeof(address));
		snprintf(p->error, p->error_size,
			 "line %u: %s is at %s:%u, as %s on line %u is: each node needs an address and port of its own",
			 second->line, second->name, address, ntohs(first->addr.sin_port),
			 first->name, first->line);
		free(e);
		return -1;
	}
	free(e);
	return 0;
}

/* Sorts every node's name into conf->by_name; names must be unique. */
static int index_names(struct parse *p)
{
	struct conf *c = p->conf;
	unsigned int i, n = c->n_managers + c->n_hosts;

	c->by_name = malloc(n * sizeof(*c->by_name));
	if (!c->by_name)
		return snprintf(p->error, p->error_size, "out of memory"), -1;
	for (i = 0; i < n; i++) {
		const char *name = node_at(c, i)->name;

		memcpy(c->by_name[i].name, name, sizeof(c->by_name[i].name));
		c->by_name[i].index = i;
	}
	qsort(c->by_name, n, sizeof(*c->by_name), compare_names);
	for (i = 1; i < n; i++) {
		const struct conf_node *first = node_at(c, c->by_name[i - 1].index);
		const struct conf_node *second = node_at(c, c->by_name[i].index);

		if (strcmp(first->name, second->name))
			continue;
		if (first->line > second->line)
			swap_nodes(&first, &second);
		return snprintf(p->error, p->error_size, "line %u: node %s is listed twice (first on line %u)",
				second->line, second->name, first->line), -1;
	}
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
			"control '%s' is named as node %s's socket (each node's default is <state-dir>/NODE.sock): name it for node %s",
			c->control, name, c->node), -1;
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
	if (index_names(p) || check_endpoints(p))
		return -1;
	if (!conf_self(c))
		return snprintf(p->error, p->error_size,
				"node %s is neither a manager nor a host", c->node), -1;
	/* The node's own address and port, or bind-address at that port. */
	if (!(p->seen & (1u << K_BIND)))
		c->listen = conf_self(c)->addr;
	c->listen.sin_port = conf_self(c)->addr.sin_port;
	if (arbiter_timing_check(&c->timing, why, sizeof(why)))
		return snprintf(p->error, p->error_size, "timing: %s", why), -1;
	/* Given or not, the default path is in the state directory only this node uses. */
	if ((size_t)snprintf(fallback, sizeof(fallback), "%s/%s.sock", c->state_dir,
			     c->node) >= sizeof(fallback) ||
	    (size_t)snprintf(c->control_record, sizeof(c->control_record), "%s/%s.control",
			     c->state_dir, c->node) >= sizeof(c->control_record))
		return snprintf(p->error, p->error_size, "state-dir is too long"), -1;
	if (!c->control[0])
		memcpy(c->control, fallback, sizeof(c->control));
	c->control_default = !strcmp(c->control, fallback);
	if (control_of_other(p))
		return -1;
	if (strlen(c->control) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return snprintf(p->error, p->error_size,
				"control socket path %s is too long (%zu bytes at most)", c->control,
				sizeof(((struct sockaddr_un *)0)->sun_path) - 1), -1;
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
	if (memchr(text_in, '\0', len))
		return snprintf(error, error_size, "the file holds a NUL byte"), -1;
	copy = malloc(len + 1);
	if (!copy)
		return snprintf(error, error_size, "out of memory"), -1;
	memcpy(copy, text_in, len);
	copy[len] = '\0';
	for (line = copy; line && !status; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		status = parse_line(&p, line);
	}
	free(copy);
	if (!status)
		status = check(&p);
	if (status)
		conf_free(conf);
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
	char *buf;
	ssize_t n;
	int fd, status;
	size_t used;

	/* A FIFO's open waits for a writer: a signal (SIGHUP while starting) may cut it short. */
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return snprintf(error, error_size, "%s: %s", path, strerror(errno)), -1;
	buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return snprintf(error, error_size, "out of memory"), -1;
	}
	/* A signal (a SIGHUP while starting) may cut a read from a pipe short. */
	for (used = 0; used <= CONF_FILE_MAX; used += (size_t)n) {
		n = read(fd, buf + used, CONF_FILE_MAX + 1 - used);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			break;
	}
	close(fd);
	if (n < 0) {
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
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
	if (status) {
		/* Say which file. */
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", error);
		snprintf(error, error_size, "%s: %s", path, inner);
	}
	return status;
}
