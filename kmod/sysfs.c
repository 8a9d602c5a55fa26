// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/availcast/: the tunables as files, one value each, and the
 * broadcast counters under stats/. Writes are root only (mode 0644) and go
 * through the same validation as netlink's CONFIG_SET: a refused value
 * returns -EINVAL and changes nothing. The numeric tunables come from
 * availcast_tunables[], so a new one appears here and in netlink at once.
 * Documentation/ABI/testing/sysfs-kernel-availcast describes every file.
 */

#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "config.h"
#include "emitter.h"
#include "resources.h"
#include "sysfs.h"

static struct kobject *availcast_kobj;

struct tunable_attribute {
	struct kobj_attribute kattr;
	const struct availcast_tunable *tunable;
};

static struct tunable_attribute *tunable_attrs;
static struct attribute **config_attrs;

/*
 * Copies a written value into @value as a string: without the one newline
 * echo(1) appends, refusing NUL bytes and values that do not fit.
 */
static int written_value(const char *buf, size_t count, char *value, size_t size)
{
	if (count && buf[count - 1] == '\n')
		count--;
	if (count >= size || memchr(buf, '\0', count))
		return -EINVAL;
	memcpy(value, buf, count);
	value[count] = '\0';
	return 0;
}

static ssize_t node_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	ssize_t len;

	rcu_read_lock();
	len = sysfs_emit(buf, "%s\n", rcu_dereference(availcast_config)->node_id);
	rcu_read_unlock();
	return len;
}

static int edit_node_id(struct availcast_config *cfg, const void *arg,
			struct netlink_ext_ack *extack)
{
	return availcast_config_set_node_id(cfg, arg, extack);
}

static ssize_t node_id_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	char id[AVAILCAST_NODE_ID_SIZE];
	int err;

	err = written_value(buf, count, id, sizeof(id));
	if (!err)
		err = availcast_config_change(edit_node_id, id, NULL);
	return err ? err : count;
}

static ssize_t thresholds_show(struct kobject *kobj, struct kobj_attribute *attr,
			       char *buf)
{
	const struct availcast_config *cfg;
	ssize_t len = 0;
	unsigned int i;

	rcu_read_lock();
	cfg = rcu_dereference(availcast_config);
	for (i = 0; i < cfg->n_thresholds; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? " " : "",
				     cfg->thresholds[i]);
	rcu_read_unlock();
	return len + sysfs_emit_at(buf, len, "\n");
}

struct threshold_list {
	u32 levels[AVAILCAST_THRESHOLDS_MAX];
	unsigned int n;
};

static int edit_thresholds(struct availcast_config *cfg, const void *arg,
			   struct netlink_ext_ack *extack)
{
	const struct threshold_list *list = arg;

	return availcast_config_set_thresholds(cfg, list->levels, list->n, extack);
}

/* Levels separated by spaces, ascending; an empty write clears them. */
static ssize_t thresholds_store(struct kobject *kobj, struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	/* 8 levels of 3 digits and their spaces fit in 32 bytes. */
	char value[32], *cursor = value, *word;
	struct threshold_list list = { .n = 0 };
	int err;

	err = written_value(buf, count, value, sizeof(value));
	if (err)
		return err;
	while ((word = strsep(&cursor, " "))) {
		if (!*word)
			continue;	/* repeated spaces */
		if (list.n == AVAILCAST_THRESHOLDS_MAX ||
		    kstrtou32(word, 10, &list.levels[list.n++]))
			return -EINVAL;
	}
	err = availcast_config_change(edit_thresholds, &list, NULL);
	return err ? err : count;
}

static struct kobj_attribute node_id_attr = __ATTR_RW(node_id);
static struct kobj_attribute thresholds_attr = __ATTR_RW(thresholds);

/* Enumerations read as "[current] other" and are written by name. */
static ssize_t tunable_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	const struct availcast_tunable *tunable =
		container_of(attr, struct tunable_attribute, kattr)->tunable;
	ssize_t len = 0;
	u32 value, v;

	rcu_read_lock();
	value = availcast_tunable_get(rcu_dereference(availcast_config), tunable);
	rcu_read_unlock();

	if (!tunable->names)
		return sysfs_emit(buf, "%u\n", value);
	for (v = tunable->min; v <= tunable->max; v++)
		len += sysfs_emit_at(buf, len, v == value ? "%s[%s]" : "%s%s",
				     v == tunable->min ? "" : " ",
				     tunable->names[v - tunable->min]);
	return len + sysfs_emit_at(buf, len, "\n");
}

struct tunable_write {
	const struct availcast_tunable *tunable;
	u32 value;
};

static int edit_tunable(struct availcast_config *cfg, const void *arg,
			struct netlink_ext_ack *extack)
{
	const struct tunable_write *write = arg;

	return availcast_config_set_tunable(cfg, write->tunable, write->value,
					    extack);
}

static int parse_enum(const struct availcast_tunable *tunable, const char *buf,
		      u32 *value)
{
	u32 v;

	for (v = tunable->min; v <= tunable->max; v++) {
		if (sysfs_streq(buf, tunable->names[v - tunable->min])) {
			*value = v;
			return 0;
		}
	}
	return -EINVAL;
}

static ssize_t tunable_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct tunable_write write = {
		.tunable = container_of(attr, struct tunable_attribute, kattr)->tunable,
	};
	char value[16];
	int err;

	err = written_value(buf, count, value, sizeof(value));
	if (err)
		return err;
	if (write.tunable->names)
		err = parse_enum(write.tunable, value, &write.value);
	else if (kstrtou32(value, 10, &write.value))
		err = -EINVAL;	/* overflow (-ERANGE) is just another bad value */
	if (!err)
		err = availcast_config_change(edit_tunable, &write, NULL);
	return err ? err : count;
}

/* Its attributes are made at init, from the tunables table. */
static struct attribute_group config_group;

/* stats/: the emitter's counters, read-only. */
struct stat_attribute {
	struct kobj_attribute kattr;
	size_t offset;		/* of the u64 in struct availcast_snapshot_meta */
};

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	size_t offset = container_of(attr, struct stat_attribute, kattr)->offset;
	struct availcast_snapshot_meta meta;

	availcast_emitter_meta(&meta);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&meta + offset));
}

static struct stat_attribute stat_attrs[] = {
	{ __ATTR(sent, 0444, stat_show, NULL),
	  offsetof(struct availcast_snapshot_meta, sent) },
	{ __ATTR(suppressed, 0444, stat_show, NULL),
	  offsetof(struct availcast_snapshot_meta, suppressed) },
	{ __ATTR(failed, 0444, stat_show, NULL),
	  offsetof(struct availcast_snapshot_meta, failed) },
	{ __ATTR(unheard, 0444, stat_show, NULL),
	  offsetof(struct availcast_snapshot_meta, unheard) },
};

static struct attribute *stats_attrs[] = {
	&stat_attrs[0].kattr.attr,
	&stat_attrs[1].kattr.attr,
	&stat_attrs[2].kattr.attr,
	&stat_attrs[3].kattr.attr,
	NULL,
};

static const struct attribute_group stats_group = {
	.name = "stats",
	.attrs = stats_attrs,
};

int availcast_sysfs_init(void)
{
	unsigned int i, n = 0;
	int err = -ENOMEM;

	tunable_attrs = kcalloc(availcast_n_tunables, sizeof(*tunable_attrs),
				GFP_KERNEL);
	/* The tunables, node_id, thresholds and the NULL that ends them. */
	config_attrs = kcalloc(availcast_n_tunables + 3, sizeof(*config_attrs),
			       GFP_KERNEL);
	if (!tunable_attrs || !config_attrs)
		goto err_free;

	for (i = 0; i < availcast_n_tunables; i++) {
		struct tunable_attribute *ta = &tunable_attrs[i];

		ta->tunable = &availcast_tunables[i];
		sysfs_attr_init(&ta->kattr.attr);
		ta->kattr.attr.name = ta->tunable->name;
		ta->kattr.attr.mode = 0644;
		ta->kattr.show = tunable_show;
		ta->kattr.store = tunable_store;
		config_attrs[n++] = &ta->kattr.attr;
	}
	config_attrs[n++] = &node_id_attr.attr;
	config_attrs[n++] = &thresholds_attr.attr;
	config_group.attrs = config_attrs;

	availcast_kobj = kobject_create_and_add("availcast", kernel_kobj);
	if (!availcast_kobj)
		goto err_free;
	err = sysfs_create_group(availcast_kobj, &config_group);
	if (!err)
		err = sysfs_create_group(availcast_kobj, &stats_group);
	if (err)
		goto err_put;
	return 0;

err_put:
	kobject_put(availcast_kobj);
err_free:
	kfree(config_attrs);
	kfree(tunable_attrs);
	return err;
}

void availcast_sysfs_exit(void)
{
	/* Waits for readers and writers still inside a show or store. */
	kobject_put(availcast_kobj);
	kfree(config_attrs);
	kfree(tunable_attrs);
}
