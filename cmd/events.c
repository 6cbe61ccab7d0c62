/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgerun events [--stats] [--interval D] ID: runc's event stream, one JSON object a line:
 * a statistics sample of the container's cgroup every interval and an "oom" event for each
 * OOM kill in the container, until the container stops or its cgroup is removed. With
 * --stats, one sample and exit.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

/* How often the stream looks at whether the container has stopped (ms). */
#define EVENTS_STATE_CHECK_MS 1000
/* After the container stopped: how long an OOM notification still in flight may take. */
#define EVENTS_OOM_GRACE_MS 100

static const struct cmd_opt events_opts[] = {
	{"interval", 0, "value", "set the stats collection interval (default: 5s)"},
	{"stats", 0, NULL, "display the container's stats then exit"},
	{NULL},
};

const struct cmd_verb cmd_events_verb = {
	.name = "events",
	.summary = "display container events such as OOM notifications, cpu, memory, and IO "
		   "usage statistics",
	.args_usage = "<container-id>",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container.\n\n"
		"DESCRIPTION:\n"
		"   The events command displays information about the container. By default the\n"
		"information is displayed once every 5 seconds, and an \"oom\" event each time\n"
		"the kernel's OOM killer kills a process of the container, until the container\n"
		"stops. --interval takes a duration such as 500ms, 5s, 1m or 1m30s.",
	.opts = events_opts,
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_events,
};

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Go's time.ParseDuration: a sign, then numbers (decimals allowed) each with a unit
 * (ns us µs ms s m h): "5s", "1.5h", "1m30s", "-2ms"; "0" alone needs no unit. */
static int parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = {
		{"ns", 1},   {"us", 1e3}, {"\u00b5s", 1e3}, {"\u03bcs", 1e3},
		{"ms", 1e6}, {"s", 1e9},  {"m", 60e9},	    {"h", 3600e9},
	};
	double total = 0;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		const char *num = s, *unit;
		bool digits = false, found = false;
		size_t ulen;

		for (; is_digit(*s); s++)
			digits = true;
		if (*s == '.')
			for (s++; is_digit(*s); s++)
				digits = true;
		if (!digits)
			return -1;
		_cleanup_free_ char *text = xstrndup(num, (size_t)(s - num));
		for (unit = s; *s && *s != '.' && !is_digit(*s); s++)
			;
		ulen = (size_t)(s - unit);
		for (size_t i = 0; i < ARRAY_SIZE(units) && !found; i++) {
			if (strlen(units[i].name) == ulen && !strncmp(units[i].name, unit, ulen)) {
				total += strtod(text, NULL) * units[i].ns;
				found = true;
			}
		}
		if (!found || total >= 9223372036854775807.0)
			return -1;
	}
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One event line; flushed, as a reader of the stream waits for each. */
static void print_event(char *json)
{
	printf("%s\n", json);
	fflush(stdout);
	free(json);
}

static int print_stats(struct er_container *c, const char *id, struct er_error *err)
{
	struct er_stats st = {0};
	int r = er_container_stats(c, &st, err);

	if (r == 0)
		print_event(events_stats_json(id, &st));
	er_stats_free(&st);
	return r;
}

/* Waits up to TIMEOUT ms for an OOM notification and prints one event per OOM kill.
 * *gone: the cgroup was removed, the stream ends. */
static int wait_oom(struct er_oom *oom, const char *id, int timeout, bool *gone,
		    struct er_error *err)
{
	struct pollfd p = {.fd = er_container_oom_fd(oom), .events = POLLIN};
	uint64_t count = 0;
	int r = poll(&p, 1, timeout);

	if (r < 0)
		return errno == EINTR ? 0 : er_set(err, errno, "wait for OOM notifications");
	if (r == 0)
		return 0;
	if (p.revents & POLLNVAL)
		return er_set(err, EBADF, "wait for OOM notifications");
	if (er_container_oom_read(oom, &count, gone, err) < 0)
		return -1;
	for (; count > 0; count--)
		print_event(events_oom_json(id));
	if (p.revents & (POLLERR | POLLHUP))
		*gone = true;
	return 0;
}

/* The stream: poll the OOM notification with the time left until the next sample (at
 * most EVENTS_STATE_CHECK_MS, to notice a stopped container). runc logs a failed sample and
 * goes on; so does this. */
static int stream(struct er_container *c, const char *id, int64_t interval_ms, struct er_error *err)
{
	struct er_oom *oom = er_container_oom_open(c, err);
	int64_t next = now_ms() + interval_ms;
	bool gone = false;
	int ret = 0;

	if (!oom)
		return -1;
	/* other commands on the container (update, pause, delete) may run meanwhile */
	er_container_unlock(c);
	while (!gone) {
		int64_t wait = next - now_ms();

		if (wait < 0)
			wait = 0;
		if (wait > EVENTS_STATE_CHECK_MS)
			wait = EVENTS_STATE_CHECK_MS;
		if (wait_oom(oom, id, (int)wait, &gone, err) < 0) {
			ret = -1;
			break;
		}
		if (gone)
			break;
		if (er_container_state(c)->status == ST_STOPPED) {
			/* an OOM kill that stopped the container is reported before the end */
			ret = wait_oom(oom, id, EVENTS_OOM_GRACE_MS, &gone, err);
			break;
		}
		if (now_ms() >= next) {
			struct er_error e = ER_ERROR_INIT;

			if (print_stats(c, id, &e) < 0) {
				er_warn("%s", e.msg);
				er_clear(&e);
			}
			next += interval_ms;
			if (next <= now_ms())
				next = now_ms() + interval_ms;
		}
	}
	er_container_oom_close(oom);
	return ret;
}

int cmd_events(const struct cmd_ctx *ctx, struct er_error *err)
{
	const char *interval = cmd_opt_str(ctx, "interval");
	const char *id = ctx->args[0];
	struct er_container *c = NULL;
	int64_t ns = 5000000000LL;
	int r;

	if (interval && parse_duration(interval, &ns) < 0)
		return er_set(err, 0, "invalid value \"%s\" for flag -interval: parse error",
			      interval);
	if (ns <= 0)
		return er_set(err, 0, "duration interval must be greater than 0");
	if (er_container_load(ctx->g->root, id, &c, err) < 0)
		return -1;
	if (er_container_state(c)->status == ST_STOPPED) {
		er_container_free(c);
		return er_set(err, 0, "container `%s` is not running", id);
	}
	if (cmd_opt_bool(ctx, "stats"))
		r = print_stats(c, id, err);
	else
		r = stream(c, id, ns / 1000000 > 0 ? ns / 1000000 : 1, err);
	er_container_free(c);
	return r;
}
