// SPDX-License-Identifier: GPL-2.0
/*
 * availctl set: changes settings through netlink, all at once or none.
 */

#include <stdio.h>
#include <string.h>

#include "availctl.h"
#include "settings.h"

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: availctl set SETTING VALUE [SETTING VALUE]...\n\n"
		"Changes settings, all or none: a value the module refuses leaves\n"
		"every setting as it was. Needs CAP_NET_ADMIN. The settings are\n"
		"the files of /sys/kernel/availcast (dashes work for underscores):\n\n");
	for (i = 0; i < n_settings; i++) {
		const struct setting *s = &settings[i];

		if (s->type == SETTING_NUMBER)
			fprintf(out, "  %-16s %u to %u%s: %s\n", s->name, s->min,
				s->max, s->unit, s->meaning);
		else if (s->type == SETTING_THRESHOLDS)
			fprintf(out, "  %-16s up to %d levels of %u to %u, ascending,\n"
				"  %-16s separated by commas, or none: %s\n", s->name,
				AVAILCAST_THRESHOLDS_MAX, s->min, s->max, "", s->meaning);
		else if (s->type == SETTING_SWITCH)
			fprintf(out, "  %-16s 0 or 1 (off or on): %s\n", s->name, s->meaning);
		else
			fprintf(out, "  %-16s %s\n", s->name, s->meaning);
	}
	fprintf(out, "\nExample: availctl set interval_min_ms 50 thresholds 100,500\n");
}

/* "node_id, interval_min_ms, ...": for messages. */
static const char *setting_names(void)
{
	static char names[256];
	size_t i, len = 0;

	for (i = 0; i < n_settings && len < sizeof(names); i++)
		len += snprintf(names + len, sizeof(names) - len, "%s%s",
				i ? ", " : "", settings[i].name);
	return names;
}

int availctl_set(int argc, char **argv, struct availctl *ctl)
{
	struct availcast_config config;
	struct availcast_client *client;
	struct availcast_error error;
	const struct setting *setting;
	unsigned int fields = 0;
	char why[160];
	int i;

	(void)ctl;
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return AVAILCTL_EXIT_OK;
	}
	if (argc < 2)
		return availctl_usage_error("set", "give at least one SETTING VALUE pair");
	if (argc % 2 == 0)
		return availctl_usage_error("set", "'%s' has no value", argv[argc - 1]);

	memset(&config, 0, sizeof(config));
	for (i = 1; i < argc; i += 2) {
		setting = setting_find(argv[i]);
		if (!setting)
			return availctl_usage_error("set", "unknown setting '%s' (%s)",
						    argv[i], setting_names());
		if (fields & setting->field)
			return availctl_usage_error("set", "%s is given twice", setting->name);
		if (setting_parse(setting, argv[i + 1], &config, why, sizeof(why)))
			return availctl_usage_error("set", "%s: %s", setting->name, why);
		fields |= setting->field;
	}

	if (availcast_open(&client, &error))
		return availctl_fail_open("set", &error);
	if (availcast_config_set(client, &config, fields, &error)) {
		availcast_close(client);
		return availctl_fail("set", &error);
	}
	availcast_close(client);
	return AVAILCTL_EXIT_OK;
}
