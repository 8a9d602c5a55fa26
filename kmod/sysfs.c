// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/availcast/: the tunables as files, one value each. Writes are
 * root only (mode 0644) and go through the same validation as netlink's
 * CONFIG_SET: a refused value returns -EINVAL and changes nothing.
 * Documentation/ABI/testing/sysfs-kernel-availcast describes every file.
 */

#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "config.h"
#include "sysfs.h"

static struct kobject *availcast_kobj;

static ssize_t node_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	ssize_t len;

	rcu_read_lock();
	len = sysfs_emit(buf, "%s\n", rcu_dereference(availcast_config)->node_id);
	rcu_read_unlock();
	return len;
}

static ssize_t node_id_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	char id[AVAILCAST_NODE_ID_SIZE];
	size_t len = count;
	int err;

	/* echo(1) appends one newline; anything else is part of the value. */
	if (len && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(id) || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(id, buf, len);
	id[len] = '\0';

	err = availcast_config_change(availcast_config_set_node_id, id, NULL);
	return err ? err : count;
}

static struct kobj_attribute node_id_attr = __ATTR_RW(node_id);

static struct attribute *availcast_attrs[] = {
	&node_id_attr.attr,
	NULL,
};

static const struct attribute_group availcast_attr_group = {
	.attrs = availcast_attrs,
};

int availcast_sysfs_init(void)
{
	int err;

	availcast_kobj = kobject_create_and_add("availcast", kernel_kobj);
	if (!availcast_kobj)
		return -ENOMEM;

	err = sysfs_create_group(availcast_kobj, &availcast_attr_group);
	if (err)
		kobject_put(availcast_kobj);
	return err;
}

void availcast_sysfs_exit(void)
{
	/* Waits for readers and writers still inside a show or store. */
	kobject_put(availcast_kobj);
}
