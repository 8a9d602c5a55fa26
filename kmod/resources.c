// SPDX-License-Identifier: GPL-2.0
/*
 * Reading every resource at once, and writing them into messages: the one
 * place that decides what a snapshot says.
 */

#include <linux/slab.h>
#include <net/netlink.h>

#include "config.h"
#include "pool.h"
#include "resources.h"
#include "sampler.h"

static u32 aggregate(const struct availcast_resources *res, u32 aggregation)
{
	u32 lowest = AVAILCAST_LEVEL_MAX;
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < res->n; i++) {
		sum += res->view[i].level;
		lowest = min(lowest, res->view[i].level);
	}
	if (aggregation == AVAILCAST_AGGREGATION_MEAN && res->n)
		return div_u64(sum, res->n);
	return lowest;
}

struct availcast_resources *availcast_resources_alloc(gfp_t gfp)
{
	struct availcast_resources *res;

	/* Room for every pool there can be: no second pass if one is added. */
	return kmalloc(struct_size(res, view, AVAILCAST_RESOURCES_MAX), gfp);
}

void availcast_resources_sample(struct availcast_resources *res, bool mark)
{
	unsigned int i;

	res->n = AVAILCAST_N_BUILTINS;
	for (i = 0; i < res->n; i++)
		availcast_sampler_read(i, &res->view[i], mark);
	res->n += availcast_pools_read(&res->view[res->n], mark, &res->generation);
	res->level = aggregate(res, rcu_dereference(availcast_config)->aggregation);
}

struct availcast_resources *availcast_resources_read(bool mark)
{
	struct availcast_resources *res = availcast_resources_alloc(GFP_KERNEL);

	if (!res)
		return NULL;
	/* A request, not the emitter: the list and its generation as one. */
	availcast_pools_lock();
	rcu_read_lock();
	availcast_resources_sample(res, mark);
	rcu_read_unlock();
	availcast_pools_unlock();
	return res;
}

size_t availcast_resource_size(void)
{
	return nla_total_size(AVAILCAST_NAME_SIZE) +		/* NAME */
	       nla_total_size(sizeof(u32)) +			/* KIND */
	       nla_total_size_64bit(sizeof(u64)) +		/* CAPACITY */
	       nla_total_size_64bit(sizeof(u64)) +		/* USED */
	       nla_total_size(sizeof(u32));			/* LEVEL */
}

int availcast_resource_fill(struct sk_buff *skb,
			    const struct availcast_resource_view *view)
{
	if (nla_put_string(skb, AVAILCAST_RES_A_NAME, view->name) ||
	    nla_put_u32(skb, AVAILCAST_RES_A_KIND, view->kind) ||
	    nla_put_u64_64bit(skb, AVAILCAST_RES_A_CAPACITY, view->capacity,
			      AVAILCAST_RES_A_PAD) ||
	    nla_put_s64(skb, AVAILCAST_RES_A_USED, view->used,
			AVAILCAST_RES_A_PAD) ||
	    nla_put_u32(skb, AVAILCAST_RES_A_LEVEL, view->level))
		return -EMSGSIZE;
	return 0;
}

size_t availcast_snapshot_size(unsigned int n, bool with_stats)
{
	size_t size;

	size = nla_total_size(AVAILCAST_NODE_ID_SIZE) +		/* NODE_ID */
	       3 * nla_total_size_64bit(sizeof(u64)) +		/* SEQ, TIMESTAMP, DEADLINE */
	       2 * nla_total_size(sizeof(u32)) +			/* LEVEL, REASON */
	       n * nla_total_size(availcast_resource_size());		/* RESOURCE */
	if (with_stats)
		size += nla_total_size(4 * nla_total_size_64bit(sizeof(u64)));
	return size;
}

static int stats_fill(struct sk_buff *skb,
		      const struct availcast_snapshot_meta *meta)
{
	struct nlattr *nest = nla_nest_start(skb, AVAILCAST_A_STATS);

	if (!nest ||
	    nla_put_u64_64bit(skb, AVAILCAST_STATS_A_SENT, meta->sent,
			      AVAILCAST_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, AVAILCAST_STATS_A_SUPPRESSED,
			      meta->suppressed, AVAILCAST_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, AVAILCAST_STATS_A_FAILED, meta->failed,
			      AVAILCAST_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, AVAILCAST_STATS_A_UNHEARD, meta->unheard,
			      AVAILCAST_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int availcast_snapshot_fill(struct sk_buff *skb,
			    const struct availcast_resources *res,
			    const struct availcast_snapshot_meta *meta)
{
	struct nlattr *nest;
	unsigned int i;
	int err;

	rcu_read_lock();
	err = nla_put_string(skb, AVAILCAST_A_NODE_ID,
			     rcu_dereference(availcast_config)->node_id);
	rcu_read_unlock();
	if (err ||
	    nla_put_u64_64bit(skb, AVAILCAST_A_SEQ, meta->seq, AVAILCAST_A_PAD) ||
	    nla_put_u64_64bit(skb, AVAILCAST_A_TIMESTAMP_NS, meta->timestamp_ns,
			      AVAILCAST_A_PAD) ||
	    nla_put_u32(skb, AVAILCAST_A_LEVEL, res->level))
		return -EMSGSIZE;
	if (meta->reason && nla_put_u32(skb, AVAILCAST_A_REASON, meta->reason))
		return -EMSGSIZE;
	if (meta->deadline_ns &&
	    nla_put_u64_64bit(skb, AVAILCAST_A_NEXT_DEADLINE_NS,
			      meta->deadline_ns, AVAILCAST_A_PAD))
		return -EMSGSIZE;

	for (i = 0; i < res->n; i++) {
		nest = nla_nest_start(skb, AVAILCAST_A_RESOURCE);
		if (!nest || availcast_resource_fill(skb, &res->view[i]))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}

	if (meta->with_stats)
		return stats_fill(skb, meta);
	return 0;
}
