// SPDX-License-Identifier: GPL-2.0
/*
 * What hooks write, logged at a rate (hook_output.h): on a real pipe,
 * with the daemon's log (standard error) a real file. Lines beyond the
 * rate wait in the pipe, and are logged as time allows however often
 * the daemon's loop looks; a long line is logged in parts cut between
 * UTF-8 characters; a byte of none is written \xNN.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hook_output.h"
#include "log_queue.h"
#include "kselftest_harness.h"

FIXTURE(hook_output)
{
	struct hook_output o;
	struct node n;
	char log[64];
	int saved_stderr;
};

/* Node m1's hook output, its log in a file of its own. */
FIXTURE_SETUP(hook_output)
{
	int fd;

	memset(&self->n, 0, sizeof(self->n));
	snprintf(self->n.conf.node, sizeof(self->n.conf.node), "m1");
	ASSERT_EQ(0, hook_output_init(&self->o));
	ASSERT_EQ(0, hook_output_open(&self->o, 1));
	snprintf(self->log, sizeof(self->log), "/tmp/hook_output_test.XXXXXX");
	fd = mkstemp(self->log);
	ASSERT_LE(0, fd);
	self->saved_stderr = dup(STDERR_FILENO);
	ASSERT_LE(0, dup2(fd, STDERR_FILENO));
	close(fd);
}

FIXTURE_TEARDOWN(hook_output)
{
	dup2(self->saved_stderr, STDERR_FILENO);
	close(self->saved_stderr);
	hook_output_close(&self->o);
	unlink(self->log);
}

/* The log's lines holding @text, once those queued are written. */
static int logged(const char *log, const char *text)
{
	char line[2048];
	int count = 0;
	FILE *f;

	if (!log_queue_drain(10000))
		return -1;
	f = fopen(log, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		count += strstr(line, text) != NULL;
	fclose(f);
	return count;
}

/*
 * 300 lines at once, read every 5 ms (less than a line's 10 ms at 100 a
 * second) for 3 s: the first 100 at once, then 100 a second, all 300 by
 * the end. Each look that threw away its 5 ms would log no more after
 * the first 100.
 */
TEST_F(hook_output, lines_beyond_the_rate_wait_and_come_however_often_it_looks)
{
	uint64_t now;
	int i;

	for (i = 0; i < 300; i++)
		ASSERT_EQ(2, write(self->o.write_fd, "x\n", 2));
	hook_output_read(&self->o, &self->n, 1000, NULL, NULL);
	EXPECT_EQ(HOOK_OUTPUT_BURST, logged(self->log, " hook-output "));
	EXPECT_EQ(-1, hook_output_fd(&self->o, 1000));
	for (now = 1005; now <= 1000 + 3000; now += 5)
		hook_output_read(&self->o, &self->n, now, NULL, NULL);
	EXPECT_EQ(300, logged(self->log, " hook-output transition=1 line=x"));
}

/* A line of 'é's (2 bytes each) longer than a part: cut between them. */
TEST_F(hook_output, a_long_line_is_logged_in_parts_cut_between_characters)
{
	char text[2 * HOOK_OUTPUT_LINE + 2];
	size_t i;

	text[0] = 'a';
	for (i = 1; i + 1 < sizeof(text) - 1; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);
	text[i++] = '\n';
	ASSERT_EQ((ssize_t)i, write(self->o.write_fd, text, i));
	self->o.running.transition = 7;
	hook_output_read(&self->o, &self->n, 1000, NULL, NULL);
	EXPECT_EQ(2, logged(self->log, " part=yes"));
	/* Each part ends on a whole 'é': '"' follows its second byte. */
	EXPECT_EQ(0, logged(self->log, "\xc3\" part=yes"));
	EXPECT_EQ(3, logged(self->log, " hook-output transition=7 line=\"a") +
		     logged(self->log, " hook-output transition=7 line=\"\xc3\xa9"));
}

/*
 * A part of bytes that are part of no character (0xff): each written
 * \xNN, so that the line is UTF-8; four times longer so, the line is cut,
 * between two escapes.
 */
TEST_F(hook_output, bytes_of_no_character_are_escaped_and_cut_between_escapes)
{
	char text[HOOK_OUTPUT_LINE + 1];

	memset(text, 0xff, HOOK_OUTPUT_LINE);
	text[HOOK_OUTPUT_LINE] = '\n';
	ASSERT_EQ((ssize_t)sizeof(text), write(self->o.write_fd, text, sizeof(text)));
	self->o.running.transition = 7;
	hook_output_read(&self->o, &self->n, 1000, NULL, NULL);
	/* The part, and the bytes utf8_whole() held back as a character's start. */
	EXPECT_EQ(2, logged(self->log, " hook-output transition=7 line=\"\\xff\\xff"));
	EXPECT_EQ(1, logged(self->log, "\\xff\" cut=yes\n"));
	EXPECT_EQ(0, logged(self->log, "\xff"));
}

TEST_HARNESS_MAIN
