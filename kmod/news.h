/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AVAILCAST_NEWS_H
#define _AVAILCAST_NEWS_H

/*
 * News travels up without a call up: the configuration and the sources
 * (pools, the sampler) say here what happened, and main.c points these at
 * whoever acts on it, before any of them can happen. Nothing is told
 * before that.
 */
struct availcast_news_ops {
	/* A level moved by delta or across a threshold. Any context. */
	void (*level)(void);
	/* The configuration changed. Process context. */
	void (*config)(void);
};

void availcast_news_init(const struct availcast_news_ops *ops);

void availcast_news_level(void);
void availcast_news_config(void);

#endif /* _AVAILCAST_NEWS_H */
