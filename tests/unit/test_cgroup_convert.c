/* SPDX-License-Identifier: Apache-2.0 */
/* libcontainer/cgroup: the pure parts (value conversions, paths, parsers, device rules and the
 * BPF device program, run here through a small interpreter). No cgroup is touched. */
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"
#include "tap.h"

static void test_weights(void)
{
	is_int((long long)cg_shares_to_weight(0), 0, "shares 0 = unset");
	is_int((long long)cg_shares_to_weight(2), 1, "shares 2 -> weight 1");
	is_int((long long)cg_shares_to_weight(1024), 39, "shares 1024 -> weight 39 (runc 1.1)");
	is_int((long long)cg_shares_to_weight(512), 20, "shares 512 -> weight 20");
	is_int((long long)cg_shares_to_weight(262144), 10000, "shares 262144 -> weight 10000");
	is_int((long long)cg_shares_to_weight(1), 1, "shares below 2 clamp to weight 1");
	is_int((long long)cg_shares_to_weight(1000000), 10000, "shares above max clamp");
	is_int((long long)cg_blkio_to_io_weight(0), 0, "blkio weight 0 = unset");
	is_int((long long)cg_blkio_to_io_weight(10), 1, "blkio 10 -> io 1");
	is_int((long long)cg_blkio_to_io_weight(100), 910, "blkio 100 -> io 910");
	is_int((long long)cg_blkio_to_io_weight(500), 4950, "blkio 500 -> io 4950");
	is_int((long long)cg_blkio_to_io_weight(1000), 10000, "blkio 1000 -> io 10000");
}

static void swap_case(int64_t swap, int64_t mem, int want_ret, int64_t want, const char *name)
{
	struct er_error err = ER_ERROR_INIT;
	int64_t out = 12345;
	int ret = cg_swap_to_v2(swap, mem, &out, &err);

	if (want_ret < 0) {
		ok(ret < 0 && err.msg, "%s: refused (%s)", name, err.msg ? err.msg : "no message");
	} else {
		ok(ret == 0 && out == want, "%s: %lld", name, (long long)out);
	}
	er_clear(&err);
}

static void test_swap(void)
{
	swap_case(0, -1, 0, -1, "unlimited memory, no swap -> swap max");
	swap_case(-1, 100, 0, -1, "swap -1 -> max");
	swap_case(0, 100, 0, 0, "no swap -> leave alone");
	swap_case(300, 100, 0, 200, "memory+swap 300, memory 100 -> swap.max 200");
	swap_case(100, 100, 0, 0, "memory+swap == memory -> swap.max 0");
	swap_case(300, -1, -1, 0, "swap with unlimited memory refused (runc 1.1)");
	swap_case(50, 100, -1, 0, "memory+swap below memory");
	swap_case(200, 0, -1, 0, "swap without memory limit");
}

static void test_cpu_max(void)
{
	char buf[32];
	char *s;

	s = cg_cpu_max(true, 50000, true, 100000, NULL);
	is_str(s, "50000 100000", "cpu.max quota+period");
	free(s);
	s = cg_cpu_max(true, -1, true, 100000, NULL);
	is_str(s, "max 100000", "cpu.max unlimited quota");
	free(s);
	s = cg_cpu_max(true, 0, false, 0, NULL);
	is_str(s, "max", "cpu.max quota 0 = max");
	free(s);
	s = cg_cpu_max(true, 20000, false, 0, "max 100000");
	is_str(s, "20000", "cpu.max quota alone keeps the period");
	free(s);
	s = cg_cpu_max(false, 0, true, 50000, "30000 100000\n");
	is_str(s, "30000 50000", "cpu.max period alone keeps the quota");
	free(s);
	s = cg_cpu_max(false, 0, true, 50000, NULL);
	is_str(s, "max 50000", "cpu.max period alone, nothing known");
	free(s);
	ok(cg_cpu_max(false, 0, false, 0, NULL) == NULL, "cpu.max nothing to write");
	is_str(cg_limit_str(-1, buf, sizeof(buf)), "max", "limit -1 -> max");
	is_str(cg_limit_str(4096, buf, sizeof(buf)), "4096", "limit 4096");
}

static void test_hugepage_names(void)
{
	char buf[16];

	cg_hugepage_name(2048, buf, sizeof(buf));
	is_str(buf, "2MB", "2048kB -> 2MB");
	cg_hugepage_name(1048576, buf, sizeof(buf));
	is_str(buf, "1GB", "1048576kB -> 1GB");
	cg_hugepage_name(64, buf, sizeof(buf));
	is_str(buf, "64KB", "64kB -> 64KB");
	cg_hugepage_name(32768, buf, sizeof(buf));
	is_str(buf, "32MB", "32768kB -> 32MB");
}

static void clean_case(const char *in, const char *want)
{
	char *got = cg_clean_path(in);

	is_str(got, want, "clean `%s`", in);
	free(got);
}

static void resolve_case(const char *cfg, const char *own, const char *want)
{
	struct er_error err = ER_ERROR_INIT;
	char *got = cg_resolve(cfg, "ctr", own, &err);

	if (want)
		is_str(got, want, "resolve `%s` (own `%s`)", cfg ? cfg : "(null)", own);
	else
		ok(!got && err.msg, "resolve `%s` refused", strchr(cfg, '\n') ? "<newline>" : cfg);
	free(got);
	er_clear(&err);
}

static void test_paths(void)
{
	clean_case("/a//b/./c/", "/a/b/c");
	clean_case("/../a", "/a");
	clean_case("/a/b/../../..", "/");
	clean_case("a/../../b", "b");
	clean_case("../..", "");
	clean_case("/", "/");
	ok(cg_clean_path("a\nb") == NULL, "clean refuses a newline");
	/* runc's cgroupfs driver: empty = the id, relative = under the caller's cgroup,
	 * absolute = from the root of each hierarchy */
	resolve_case(NULL, "/", "/ctr");
	resolve_case("", "/user.slice/session-1.scope", "/user.slice/session-1.scope/ctr");
	resolve_case("/default/ctr1", "/whatever", "/default/ctr1");
	resolve_case("/k8s/../pod/./c", "/", "/pod/c");
	resolve_case("../../x", "/a/b", "/a/b/x");
	resolve_case("sub/..", "/a", NULL);
	resolve_case("/", "/a", NULL);
	resolve_case("/..", "/a", NULL);
	resolve_case("/a\nb", "/", NULL);
}

static void test_parsers(void)
{
	uint16_t *v = NULL;
	size_t n = 0;
	struct er_stats_kv *kv = NULL;
	struct er_blkio_entry *b = NULL, *i = NULL;
	size_t nb = 0, ni = 0;

	ok(cg_parse_list("0-3,5\n", &v, &n) == 0 && n == 5 && v[3] == 3 && v[4] == 5,
	   "cpu list 0-3,5");
	free(v);
	ok(cg_parse_list("", &v, &n) == 0 && n == 0, "empty cpu list");
	free(v);
	ok(cg_parse_list("3-1", &v, &n) < 0, "reversed range refused");
	ok(cg_parse_list("x", &v, &n) < 0, "garbage refused");

	cg_parse_flat("cache 4096\nrss 8192\nbad x\ntotal_rss 1\n", &kv, &n);
	ok(n == 3 && strcmp(kv[0].key, "cache") == 0 && kv[0].value == 4096 &&
		   strcmp(kv[2].key, "total_rss") == 0,
	   "memory.stat parsed (bad line skipped)");
	for (size_t k = 0; k < n; k++)
		free(kv[k].key);
	free(kv);

	cg_parse_blkio_v1("8:0 Read 100\n8:0 Write 200\n8:16 300\nTotal 300\n", &b, &nb);
	ok(nb == 3 && b[1].value == 200 && strcmp(b[1].op, "Write") == 0 && b[2].minor == 16 &&
		   b[2].op[0] == '\0',
	   "blkio v1 lines parsed, Total skipped");
	free(b);
	cg_parse_io_stat("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n", &b, &nb, &i,
			 &ni);
	ok(nb == 2 && ni == 2 && b[0].value == 10 && strcmp(b[0].op, "Read") == 0 &&
		   i[1].value == 2 && strcmp(i[1].op, "Write") == 0,
	   "io.stat mapped to runc's tables");
	free(b);
	free(i);
}

/* ---------------- device rules ---------------- */

static struct spec_device_rule rule(bool allow, char type, int64_t ma, int64_t mi, char *acc)
{
	return (struct spec_device_rule){.allow = allow,
					 .type = type,
					 .has_major = ma >= 0,
					 .has_minor = mi >= 0,
					 .major = ma,
					 .minor = mi,
					 .access = acc};
}

static char rwm[] = "rwm", rw[] = "rw", w[] = "w", r_[] = "r";

static void test_rule_strings(void)
{
	struct cg_dev_rule r = {.type = 'c', .major = 1, .minor = 3, .access = CG_DEV_ALL};
	char buf[64];

	cg_dev_rule_str(&r, buf, sizeof(buf));
	is_str(buf, "c 1:3 rwm", "rule c 1:3 rwm");
	r = (struct cg_dev_rule){.type = 'a', .major = -1, .minor = -1, .access = CG_DEV_ALL};
	cg_dev_rule_str(&r, buf, sizeof(buf));
	is_str(buf, "a *:* rwm", "rule a *:* rwm");
	r = (struct cg_dev_rule){.type = 'b', .major = 8, .minor = -1, .access = CG_DEV_READ};
	cg_dev_rule_str(&r, buf, sizeof(buf));
	is_str(buf, "b 8:* r", "rule b 8:* r");
	is_int(cg_dev_access(NULL), CG_DEV_ALL, "no access = rwm");
	is_int(cg_dev_access(""), -1, "empty access refused");
	is_int(cg_dev_access("rx"), -1, "unknown access refused");
	is_int(cg_dev_access("mr"), CG_DEV_MKNOD | CG_DEV_READ, "access mr");
}

static void test_default_rules(void)
{
	size_t n = 0, m = 0;
	const struct spec_device_rule *d = cgroup_default_device_rules(&n);
	struct spec_device_rule own[1] = {rule(false, 'a', -1, -1, rwm)};
	struct spec_device rootdev[1] = {{.path = (char *)"/dev/null", .type = 'c'}};
	struct spec_linux l = {.has_resources = true, .devices = rootdev, .n_devices = 1};
	struct spec_device_rule *all;

	is_int((long long)n, 11, "runc 1.1 has 11 default device rules");
	ok(d[10].major == 10 && d[10].minor == 200, "the last default is /dev/net/tun");
	l.resources.devices = own;
	l.resources.n_devices = 1;
	all = cgroup_device_rules(&l, &m);
	is_int((long long)m, 11, "own rule + defaults minus /dev/null (listed in linux.devices)");
	ok(all[0].type == 'a' && !all[0].allow, "own rules come first");
	ok(all[3].major == 1 && all[3].minor == 8, "the /dev/null default is left out");
	free(all);
	all = cgroup_device_rules(NULL, &m);
	is_int((long long)m, 11, "no linux section: the defaults");
	free(all);
}

static struct spec_device_rule *docker_rules(size_t *n)
{
	size_t nd;
	const struct spec_device_rule *d = cgroup_default_device_rules(&nd);
	struct spec_device_rule *v = xcalloc(nd + 1, sizeof(*v));

	v[0] = rule(false, 'a', -1, -1, rwm); /* docker's "deny all" first */
	memcpy(v + 1, d, nd * sizeof(*v));
	*n = nd + 1;
	return v;
}

static void test_emulator(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct cg_dev_emu want, cur, again;
	struct cg_dev_rule *tr = NULL;
	size_t n, nt;
	_cleanup_free_ struct spec_device_rule *rules = docker_rules(&n);
	char buf[64];

	ok(cg_dev_emu_from_spec(&want, rules, n, &err) == 0, "docker-style rules accepted");
	ok(!want.default_allow && want.n == 11, "default deny with 11 exceptions");
	/* a new cgroup inherits "a *:* rwm" */
	ok(cg_dev_emu_from_list(&cur, "a *:* rwm\n", &err) == 0 && cur.default_allow,
	   "devices.list of an allow-all cgroup");
	cg_dev_transition(&cur, &want, &tr, &nt);
	cg_dev_rule_str(&tr[0], buf, sizeof(buf));
	ok(nt == 12 && !tr[0].allow && strcmp(buf, "a *:* rwm") == 0,
	   "new cgroup: deny `a *:* rwm` then 11 allows (%zu writes)", nt);
	cg_dev_rule_str(&tr[1], buf, sizeof(buf));
	is_str(buf, "b *:* m", "writes are sorted as runc does (major, minor, type)");
	free(tr);
	cg_dev_emu_free(&cur);

	/* the same again: nothing to write */
	ok(cg_dev_emu_from_list(&cur,
				"c *:* m\nb *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\n"
				"c 1:9 rwm\nc 5:0 rwm\nc 5:2 rwm\nc 10:200 rwm\nc 136:* rwm\n",
				&err) == 0,
	   "devices.list of a configured cgroup");
	ok(cg_dev_emu_equal(&cur, &want), "it equals the wanted state");
	cg_dev_transition(&cur, &want, &tr, &nt);
	is_int((long long)nt, 0, "no writes when nothing changes");
	free(tr);

	/* drop tun, narrow /dev/null to rw */
	cg_dev_emu_init(&again, false);
	for (size_t i = 0; i < want.n; i++) {
		struct cg_dev_rule r = want.ex[i];

		if (r.major == 10)
			continue;
		if (r.major == 1 && r.minor == 3)
			r.access = CG_DEV_READ | CG_DEV_WRITE;
		cg_dev_emu_apply(&again, &r, &err);
	}
	cg_dev_transition(&cur, &again, &tr, &nt);
	ok(nt == 2, "update: two writes, no disruptive wildcard");
	if (nt == 2) {
		cg_dev_rule_str(&tr[0], buf, sizeof(buf));
		ok(!tr[0].allow && strcmp(buf, "c 1:3 m") == 0, "deny `c 1:3 m` (%s)", buf);
		cg_dev_rule_str(&tr[1], buf, sizeof(buf));
		ok(!tr[1].allow && strcmp(buf, "c 10:200 rwm") == 0, "deny `c 10:200 rwm` (%s)",
		   buf);
	}
	free(tr);
	cg_dev_emu_free(&again);
	cg_dev_emu_free(&cur);
	cg_dev_emu_free(&want);

	{
		struct spec_device_rule hole[] = {rule(false, 'a', -1, -1, rwm),
						  rule(true, 'c', 1, -1, rwm),
						  rule(false, 'c', 1, 3, w)};

		ok(cg_dev_emu_from_spec(&want, hole, 3, &err) < 0 && err.msg &&
			   strstr(err.msg, "punch a hole"),
		   "punching a hole in a wildcard is refused: %s", err.msg ? err.msg : "-");
		er_clear(&err);
	}
	{
		struct spec_device_rule bad = rule(true, 'c', 1, 3, (char *)"");

		ok(cg_dev_emu_from_spec(&want, &bad, 1, &err) < 0 && err.msg &&
			   strstr(err.msg, "linux.resources.devices[0]"),
		   "empty access refused, naming the rule: %s", err.msg ? err.msg : "-");
		er_clear(&err);
	}
}

/* ---------------- the BPF program, interpreted ---------------- */

/* Runs the subset of eBPF the device filter uses; -1 on anything else. */
static int bpf_run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access,
		   uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = {type | (access << 16), major, minor};
	uint64_t r[11] = {0};

	r[1] = (uint64_t)(uintptr_t)ctx;
	for (size_t pc = 0, steps = 0; pc < n && steps < 4096; pc++, steps++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t src =
			BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			if (i->src_reg != 1 || i->off < 0 || i->off > 8)
				return -1;
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_ALU | BPF_AND | BPF_X:
			r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & src);
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> (src & 31);
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
		case BPF_ALU | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint32_t)src;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = src;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
		case BPF_JMP | BPF_JNE | BPF_X:
			if (r[i->dst_reg] != src)
				pc += i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == src)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			return -1;
		}
	}
	return -1;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define RD BPF_DEVCG_ACC_READ
#define WR BPF_DEVCG_ACC_WRITE
#define MK BPF_DEVCG_ACC_MKNOD

static void test_bpf_program(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct cg_bpf_insn_buf b = {0};
	struct cg_dev_emu e;
	size_t n;
	_cleanup_free_ struct spec_device_rule *rules = docker_rules(&n);

	cg_dev_emu_from_spec(&e, rules, n, &err);
	ok(cg_bpf_devices_build(&e, &b, &err) == 0, "program built for the default rules");
	is_int(bpf_run(b.insns, b.n, C, RD | WR, 1, 3), 1, "/dev/null rw allowed");
	is_int(bpf_run(b.insns, b.n, C, RD, 1, 9), 1, "/dev/urandom r allowed");
	is_int(bpf_run(b.insns, b.n, C, RD | WR, 136, 7), 1, "/dev/pts/7 allowed (wildcard minor)");
	is_int(bpf_run(b.insns, b.n, C, RD, 4, 1), 0, "/dev/tty1 denied");
	is_int(bpf_run(b.insns, b.n, C, MK, 4, 1), 1, "mknod of any char device allowed");
	is_int(bpf_run(b.insns, b.n, C, MK | RD, 4, 1), 0, "mknod+read of it denied");
	is_int(bpf_run(b.insns, b.n, B, RD, 8, 0), 0, "/dev/sda read denied");
	is_int(bpf_run(b.insns, b.n, B, MK, 8, 0), 1, "mknod of a block device allowed");
	free(b.insns);
	cg_dev_emu_free(&e);

	/* default allow with a deny exception: a request touching a denied bit is denied */
	{
		struct spec_device_rule deny[] = {rule(false, 'c', 1, 3, w),
						  rule(false, 'b', 8, -1, r_)};

		cg_dev_emu_from_spec(&e, deny, 2, &err);
		ok(e.default_allow && e.n == 2, "allow-all with two deny exceptions");
		cg_bpf_devices_build(&e, &b, &err);
		is_int(bpf_run(b.insns, b.n, C, RD, 1, 3), 1, "deny-w: read allowed");
		is_int(bpf_run(b.insns, b.n, C, RD | WR, 1, 3), 0, "deny-w: read+write denied");
		is_int(bpf_run(b.insns, b.n, B, RD, 8, 16), 0, "deny b 8:* r: sdb read denied");
		is_int(bpf_run(b.insns, b.n, B, WR, 8, 16), 1, "deny b 8:* r: sdb write allowed");
		is_int(bpf_run(b.insns, b.n, C, RD | WR, 5, 0), 1, "others allowed");
		free(b.insns);
		cg_dev_emu_free(&e);
	}
	/* a narrowed allow: rw on /dev/zero, not mknod */
	{
		struct spec_device_rule narrow[] = {rule(false, 'a', -1, -1, rwm),
						    rule(true, 'c', 1, 5, rw)};

		cg_dev_emu_from_spec(&e, narrow, 2, &err);
		cg_bpf_devices_build(&e, &b, &err);
		is_int(bpf_run(b.insns, b.n, C, RD | WR, 1, 5), 1, "zero rw allowed");
		is_int(bpf_run(b.insns, b.n, C, MK, 1, 5), 0, "zero mknod denied");
		is_int(bpf_run(b.insns, b.n, B, RD, 1, 5), 0, "block 1:5 denied (type checked)");
		ok(b.n == 6 + 8 + 2, "program size: prologue 6 + block 8 + default 2 (%zu)", b.n);
		free(b.insns);
		cg_dev_emu_free(&e);
	}
	er_clear(&err);
}

int main(void)
{
	test_weights();
	test_swap();
	test_cpu_max();
	test_hugepage_names();
	test_paths();
	test_parsers();
	test_rule_strings();
	test_default_rules();
	test_emulator();
	test_bpf_program();
	return done_testing();
}
