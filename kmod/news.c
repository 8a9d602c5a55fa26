// SPDX-License-Identifier: GPL-2.0
/*
 * Where news goes (news.h): set once by main.c before anything can tell
 * any, and never changed, so readers need no more than a marked load.
 */

#include <linux/compiler.h>

#include "news.h"

static const struct availcast_news_ops *news_ops;

void availcast_news_init(const struct availcast_news_ops *ops)
{
	WRITE_ONCE(news_ops, ops);
}

void availcast_news_level(void)
{
	const struct availcast_news_ops *ops = READ_ONCE(news_ops);

	if (ops)
		ops->level();
}

void availcast_news_config(void)
{
	const struct availcast_news_ops *ops = READ_ONCE(news_ops);

	if (ops)
		ops->config();
}
