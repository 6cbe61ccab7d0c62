/* SPDX-License-Identifier: Apache-2.0 */
/* The offline-command journal: framing, torn and damaged tails, request ids, purge. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "edge/commands.h"
#include "tap.h"

static char spool[] = "/tmp/test-journal-XXXXXX";

static void test_frame(void)
{
	const char *json = "{\"t\":\"base\",\"seq\":1}", *got;
	size_t len, jlen, used;
	char *line = journal_frame(json, &len), *bad;

	is_int(journal_crc32("123456789", 9), 0xcbf43926, "CRC-32 check value");
	is_int(journal_unframe(line, len, &got, &jlen, &used), 1, "a frame reads back: %s", line);
	ok(jlen == strlen(json) && memcmp(got, json, jlen) == 0 && used == len, "its JSON");
	is_int(journal_unframe(line, len - 1, &got, &jlen, &used), 0, "without its newline: torn");
	is_int(journal_unframe(line, 5, &got, &jlen, &used), 0, "a prefix: torn");
	bad = xstrdup(line);
	bad[len - 3] ^= 1; /* one bit in the JSON */
	is_int(journal_unframe(bad, len, &got, &jlen, &used), -1, "a flipped bit: damaged");
	is_int((long long)used, (long long)len, "the damaged line is skipped whole");
	free(bad);
	is_int(journal_unframe("5 00000000 abc\n", 15, &got, &jlen, &used), -1,
	       "a wrong length: damaged");
	is_int(journal_unframe("garbage\n", 8, &got, &jlen, &used), -1, "garbage: damaged");
	is_int(journal_unframe("\n", 1, &got, &jlen, &used), -1, "an empty line: damaged");
	is_int(journal_unframe("03 00000000 {}\n", 15, &got, &jlen, &used), -1,
	       "a leading zero: damaged");
	free(line);
}

static uint64_t queue(struct journal *j, const char *n, const char *rid, bool *existed)
{
	struct spec_kv kv = {.key = (char *)"n", .value = (char *)n};
	struct cmds_rec q = {.type = CMDS_REC_QUEUE,
			     .ms = cmds_now_ms(),
			     .name = (char *)"mark",
			     .params = &kv,
			     .n_params = 1,
			     .request_id = (char *)rid};
	struct er_error err = ER_ERROR_INIT;
	uint64_t seq = 0;
	bool ex = false;

	if (journal_queue(j, &q, NULL, &seq, &ex, &err) < 0) {
		diag("queue: %s", err.msg);
		er_clear(&err);
		return 0;
	}
	if (existed)
		*existed = ex;
	return seq;
}

static size_t count(struct journal *j, struct journal_view *v)
{
	struct er_error err = ER_ERROR_INIT;

	journal_view_clear(v);
	if (journal_refresh(j, v, &err) < 0) {
		diag("refresh: %s", err.msg);
		er_clear(&err);
	}
	return v->n;
}

static char *journal_path(void)
{
	return xasprintf("%s/c1/journal", spool);
}

static void append_raw(const char *s)
{
	char *path = journal_path();
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd >= 0) {
		(void)write_all(fd, s, strlen(s));
		close(fd);
	}
	free(path);
}

static off_t size_of(void)
{
	char *path = journal_path();
	struct stat st = {0};

	stat(path, &st);
	free(path);
	return st.st_size;
}

static void test_journal(void)
{
	struct journal *j = NULL;
	struct journal_view v = {0};
	struct er_error err = ER_ERROR_INIT;
	bool existed = false;
	size_t dropped = 0;
	off_t before;

	if (!ok(journal_open(spool, "c1", true, &j, &err) == 0, "open (create)")) {
		diag("%s", err.msg);
		return;
	}
	is_int((long long)count(j, &v), 0, "empty");
	is_int((long long)queue(j, "1", "a", NULL), 1, "first seq");
	is_int((long long)queue(j, "2", NULL, NULL), 2, "second seq");
	is_int((long long)queue(j, "1", "a", &existed), 1, "same request id: the first seq");
	ok(existed, "... and said so");
	is_int((long long)count(j, &v), 2, "stored once");
	ok(journal_has_marker(spool, "c1"), "the queued marker exists");

	/* a torn write: half a record at the end */
	before = size_of();
	append_raw("41 1234abcd {\"t\":\"queue\",\"se");
	is_int((long long)count(j, &v), 2, "a torn tail is ignored");
	is_int((long long)queue(j, "3", NULL, NULL), 3, "the next append gets the next seq");
	is_int((long long)count(j, &v), 3, "... and reads back (the torn tail was cut)");
	ok(size_of() > before, "the file grew");

	/* damaged lines in the middle are skipped */
	append_raw("garbage\n12 00000000 {\"t\":\"x\"}\n");
	is_int((long long)queue(j, "4", NULL, NULL), 4, "append after damaged lines");
	is_int((long long)count(j, &v), 4, "damaged lines skipped");
	is_int((long long)v.skipped, 2, "... and counted");

	/* state records fold; purge keeps queued ones and the numbering */
	struct cmds_rec done = {.type = CMDS_REC_STATE, .seq = 1, .ms = 1, .state = CMDS_DONE};
	ok(journal_append(j, &done, 1, &err) == 0, "append a state record");
	done.seq = 3;
	ok(journal_append(j, &done, 1, &err) == 0, "and another");
	count(j, &v);
	ok(journal_find(&v, 1)->state == CMDS_DONE && journal_find(&v, 2)->state == CMDS_QUEUED,
	   "states fold per seq");
	ok(journal_purge(j, 0, &dropped, &err) == 0, "purge");
	is_int((long long)dropped, 2, "two finished entries dropped");
	is_int((long long)count(j, &v), 2, "the queued ones stay");
	ok(v.e[0].seq == 2 && v.e[1].seq == 4 && v.skipped == 0, "2 and 4; damaged lines gone");
	is_int((long long)queue(j, "5", NULL, NULL), 5, "numbering goes on after purge");
	is_int((long long)queue(j, "1", "a", &existed), 6,
	       "a purged request id is forgotten (a new seq)");
	is_int(journal_clear_marker_if_idle(j, &err), 0, "not idle: the marker stays");

	/* incremental refresh sees only what is new; a purge (new inode) resets the view */
	count(j, &v);
	queue(j, "7", NULL, NULL);
	ok(journal_refresh(j, &v, &err) == 0 && v.n == 5 && v.e[4].seq == 7, "incremental read");
	journal_view_clear(&v);
	journal_close(j);
}

int main(void)
{
	char *cmd;

	if (!mkdtemp(spool))
		return 1;
	test_frame();
	test_journal();
	cmd = xasprintf("%s/c1", spool);
	/* clean up: a few known files */
	for (const char *f = "journal\0journal.lock\0queued\0"; *f; f += strlen(f) + 1) {
		char *p = xasprintf("%s/%s", cmd, f);
		unlink(p);
		free(p);
	}
	rmdir(cmd);
	rmdir(spool);
	free(cmd);
	return done_testing();
}
