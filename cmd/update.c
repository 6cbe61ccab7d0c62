/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgerun update [--resources FILE|-] [--memory ...] ID: change the cgroup limits of a live
 * container. The resources of FILE (a LinuxResources object) come first, the flags are laid
 * over them; only what was given is sent to the container.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

/* clang-format off */
static const struct cmd_opt update_opts[] = {
	{"resources", 'r', "value",
	 "path to the file containing the resources to update or '-' to read from the standard "
	 "input"},
	{"blkio-weight", 0, "value", "Specifies per cgroup weight, range is from 10 to 1000"},
	{"cpu-period", 0, "value",
	 "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
	{"cpu-quota", 0, "value",
	 "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
	{"cpu-share", 0, "value", "CPU shares (relative weight vs. other containers)"},
	{"cpu-shares", 0, "value", "same as --cpu-share"},
	{"cpu-rt-period", 0, "value",
	 "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
	{"cpu-rt-runtime", 0, "value",
	 "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
	{"cpuset-cpus", 0, "value", "CPU(s) to use"},
	{"cpuset-mems", 0, "value", "Memory node(s) to use"},
	{"memory", 0, "value", "Memory limit (in bytes; k, m, g suffixes; -1 = unlimited)"},
	{"memory-reservation", 0, "value", "Memory reservation or soft_limit (in bytes)"},
	{"memory-swap", 0, "value",
	 "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
	{"kernel-memory", 0, "value", "(obsolete) Kernel memory limit: ignored, with a warning"},
	{"kernel-memory-tcp", 0, "value",
	 "Kernel memory limit for TCP buffers (in bytes, cgroup v1)"},
	{"pids-limit", 0, "value",
	 "Maximum number of pids allowed in the container (-1: no limit, 0: unchanged)"},
	{"l3-cache-schema", 0, "value",
	 "The string of Intel RDT/CAT L3 cache schema (not supported)"},
	{"mem-bw-schema", 0, "value",
	 "The string of Intel RDT/MBA memory bandwidth schema (not supported)"},
	{NULL},
};
/* clang-format on */

const struct cmd_verb cmd_update_verb = {
	.name = "update",
	.summary = "update container resource constraints",
	.args_usage = "<container-id>",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container.\n\n"
		"The file given to --resources (or the standard input for '-') holds a\n"
		"linux.resources object of the runtime specification; unchanged values can be\n"
		"omitted:\n\n"
		"{\n"
		"  \"memory\": {\n"
		"    \"limit\": 0,\n"
		"    \"reservation\": 0,\n"
		"    \"swap\": 0,\n"
		"    \"checkBeforeUpdate\": true\n"
		"  },\n"
		"  \"cpu\": {\n"
		"    \"shares\": 0,\n"
		"    \"quota\": 0,\n"
		"    \"period\": 0,\n"
		"    \"realtimeRuntime\": 0,\n"
		"    \"realtimePeriod\": 0,\n"
		"    \"cpus\": \"\",\n"
		"    \"mems\": \"\"\n"
		"  },\n"
		"  \"blockIO\": {\n"
		"    \"weight\": 0\n"
		"  },\n"
		"  \"pids\": {\n"
		"    \"limit\": 0\n"
		"  }\n"
		"}\n\n"
		"The options below are applied over the file's values. Memory sizes take the\n"
		"suffixes k, m, g, t, p (powers of 1024, any case, optionally followed by i or b).",
	.opts = update_opts,
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_update,
};

/* Sizes as docker's units.RAMInBytes reads them (runc uses it): a decimal number, an optional
 * space, an optional unit k/m/g/t/p (any case, powers of 1024), an optional "i", an optional
 * "b": "64m", "1.5G", "512KiB", "100". */
static int parse_ram(const char *s, int64_t *out)
{
	static const char units[] = "kmgtp";
	const char *p = s, *u;
	double mul = 1, v;

	if (!(*p >= '0' && *p <= '9'))
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return -1;
		for (p++; *p >= '0' && *p <= '9';)
			p++;
	}
	_cleanup_free_ char *num = xstrndup(s, (size_t)(p - s));
	if (*p == ' ')
		p++;
	if (*p && (u = strchr(units, *p | 0x20)) != NULL) {
		for (long i = 0; i <= u - units; i++)
			mul *= 1024;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return -1;
	v = strtod(num, NULL) * mul;
	if (!isfinite(v) || v >= 9223372036854775807.0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* --memory and friends: a size, or -1 for unlimited */
static int opt_size(const struct cmd_ctx *ctx, const char *name, bool *has, int64_t *out,
		    struct er_error *err)
{
	const char *v = cmd_opt_str(ctx, name);

	if (!v || !*v)
		return 0;
	if (!strcmp(v, "-1"))
		*out = -1;
	else if (parse_ram(v, out) < 0)
		return er_set(err, 0, "invalid value for --%s: invalid size `%s`", name, v);
	*has = true;
	return 0;
}

static int opt_u64(const struct cmd_ctx *ctx, const char *name, bool *has, uint64_t *out,
		   struct er_error *err)
{
	const char *v = cmd_opt_str(ctx, name);

	if (!v || !*v)
		return 0;
	if (parse_u64(v, out) < 0)
		return er_set(err, 0, "invalid value for --%s: `%s` is not a non-negative integer",
			      name, v);
	*has = true;
	return 0;
}

static int opt_i64(const struct cmd_ctx *ctx, const char *name, bool *has, int64_t *out,
		   struct er_error *err)
{
	const char *v = cmd_opt_str(ctx, name);

	if (!v || !*v)
		return 0;
	if (parse_i64(v, out) < 0)
		return er_set(err, 0, "invalid value for --%s: `%s` is not an integer", name, v);
	*has = true;
	return 0;
}

static void opt_string(const struct cmd_ctx *ctx, const char *name, char **dst)
{
	const char *v = cmd_opt_str(ctx, name);

	if (v && *v) {
		free(*dst);
		*dst = xstrdup(v);
	}
}

static int memory_flags(const struct cmd_ctx *ctx, struct spec_resources *r, struct er_error *err)
{
	bool ignored = false;
	int64_t kmem;

	if (opt_size(ctx, "memory", &r->has_mem_limit, &r->mem_limit, err) < 0 ||
	    opt_size(ctx, "memory-swap", &r->has_mem_swap, &r->mem_swap, err) < 0 ||
	    opt_size(ctx, "memory-reservation", &r->has_mem_reservation, &r->mem_reservation, err) <
		    0 ||
	    opt_size(ctx, "kernel-memory-tcp", &r->has_mem_kernel_tcp, &r->mem_kernel_tcp, err) < 0)
		return -1;
	/* obsolete, as in runc 1.1: checked, then ignored with a warning */
	if (opt_size(ctx, "kernel-memory", &ignored, &kmem, err) < 0)
		return -1;
	if (ignored)
		er_warn("--kernel-memory is ignored (kernel memory limits are deprecated and gone "
			"from recent kernels)");
	return 0;
}

static int cpu_flags(const struct cmd_ctx *ctx, struct spec_resources *r, struct er_error *err)
{
	if (opt_u64(ctx, "cpu-share", &r->has_cpu_shares, &r->cpu_shares, err) < 0 ||
	    opt_u64(ctx, "cpu-shares", &r->has_cpu_shares, &r->cpu_shares, err) < 0 ||
	    opt_u64(ctx, "cpu-period", &r->has_cpu_period, &r->cpu_period, err) < 0 ||
	    opt_u64(ctx, "cpu-rt-period", &r->has_cpu_rt_period, &r->cpu_rt_period, err) < 0 ||
	    opt_i64(ctx, "cpu-quota", &r->has_cpu_quota, &r->cpu_quota, err) < 0 ||
	    opt_i64(ctx, "cpu-rt-runtime", &r->has_cpu_rt_runtime, &r->cpu_rt_runtime, err) < 0)
		return -1;
	opt_string(ctx, "cpuset-cpus", &r->cpu_cpus);
	opt_string(ctx, "cpuset-mems", &r->cpu_mems);
	return 0;
}

/* The flags, laid over what --resources gave. As in runc, a zero --pids-limit or
 * --blkio-weight means "unchanged". */
static int apply_flags(const struct cmd_ctx *ctx, struct spec_resources *r, struct er_error *err)
{
	const char *rdt[] = {"l3-cache-schema", "mem-bw-schema"};
	bool has = false;
	uint64_t weight = 0;
	int64_t pids = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rdt); i++) {
		const char *v = cmd_opt_str(ctx, rdt[i]);

		if (v && *v)
			return er_set(err, 0, "--%s: Intel RDT is not supported", rdt[i]);
	}
	if (memory_flags(ctx, r, err) < 0 || cpu_flags(ctx, r, err) < 0)
		return -1;
	if (opt_i64(ctx, "pids-limit", &has, &pids, err) < 0)
		return -1;
	if (has && pids != 0) {
		r->has_pids_limit = true;
		r->pids_limit = pids;
	}
	has = false;
	if (opt_u64(ctx, "blkio-weight", &has, &weight, err) < 0)
		return -1;
	if (has && weight > UINT16_MAX)
		return er_set(err, 0, "invalid value for --blkio-weight: `%s` is out of range",
			      cmd_opt_str(ctx, "blkio-weight"));
	if (has && weight != 0) {
		r->has_blkio_weight = true;
		r->blkio_weight = (uint16_t)weight;
	}
	return 0;
}

/* All of standard input (runc reads os.Stdin for "-"). */
static char *read_stdin(size_t *len, struct er_error *err)
{
	size_t cap = 4096, n = 0;
	_cleanup_free_ char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r = read_all(STDIN_FILENO, buf + n, cap - n - 1);

		if (r < 0) {
			er_set(err, errno, "read the standard input");
			return NULL;
		}
		n += (size_t)r;
		if (n + 1 < cap)
			break; /* a short read_all is end of file */
		cap *= 2;
		buf = xrealloc(buf, cap);
	}
	buf[n] = '\0';
	*len = n;
	return TAKE_PTR(buf);
}

static int load_resources(const char *in, struct spec_resources *r, struct er_error *err)
{
	bool from_stdin = !strcmp(in, "-");
	_cleanup_free_ char *json = NULL;
	size_t len = 0;

	json = from_stdin ? read_stdin(&len, err) : read_file_at(AT_FDCWD, in, &len, err);
	if (!json)
		return er_prefix(err, "--resources");
	return spec_resources_parse(json, len, from_stdin ? "resources (standard input)" : in, r,
				    err);
}

int cmd_update(const struct cmd_ctx *ctx, struct er_error *err)
{
	const char *in = cmd_opt_str(ctx, "resources");
	struct spec_resources r = {0};
	struct er_container *c = NULL;
	int ret = -1;

	if (in && *in && load_resources(in, &r, err) < 0)
		goto out;
	if (apply_flags(ctx, &r, err) < 0)
		goto out;
	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0)
		goto out;
	ret = er_container_update(c, &r, err);
	er_container_free(c);
out:
	spec_resources_clear(&r);
	return ret;
}
