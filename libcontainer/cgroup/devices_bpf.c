/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup v2 device filter: a BPF_PROG_TYPE_CGROUP_DEVICE program written instruction by
 * instruction from the emulator's "default + exceptions" (no libbpf, no compiler), loaded
 * with bpf(2) and attached to the container's cgroup with BPF_F_ALLOW_MULTI; programs that
 * were attached before (an earlier create or update) are detached afterwards, so there is
 * never a moment without a filter.
 *
 * The program sees struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
 * where access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*. Per exception:
 *
 *     if (type != T) goto next;
 *     allow exception (default deny):  if ((access & A) != access) goto next;  (subset)
 *     deny exception (default allow):  if ((access & A) == 0) goto next;       (overlap)
 *     if (major != MA) goto next;   if (minor != MI) goto next;   (unless wildcards)
 *     return allow;
 *   next: ...
 *   return default;
 *
 * which is what the v1 kernel does with the same exceptions.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"

#define R0 BPF_REG_0
#define R1 BPF_REG_1
#define R2 BPF_REG_2
#define R3 BPF_REG_3
#define R4 BPF_REG_4
#define R5 BPF_REG_5

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static size_t emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n] = (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return p->n++;
}

static void ldx_w(struct prog *p, uint8_t dst, int16_t off)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, dst, R1, off, 0);
}

static void ret(struct prog *p, int32_t v)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, v);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int append_exception(struct prog *p, const struct cg_dev_rule *r, struct er_error *err)
{
	size_t jumps[4], nj = 0;
	int32_t type;

	switch (r->type) {
	case 'c':
		type = BPF_DEVCG_DEV_CHAR;
		break;
	case 'b':
		type = BPF_DEVCG_DEV_BLOCK;
		break;
	default:
		return er_set(err, 0, "device filter: unexpected rule type `%c`", r->type);
	}
	if (r->major > INT32_MAX || r->minor > INT32_MAX || !r->access)
		return er_set(err, 0, "device filter: invalid rule");
	jumps[nj++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0, type);
	if (r->allow && r->access != CG_DEV_ALL) {
		emit(p, BPF_ALU | BPF_MOV | BPF_X, R1, R3, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, (int32_t)r->access);
		jumps[nj++] = emit(p, BPF_JMP | BPF_JNE | BPF_X, R1, R3, 0, 0);
	} else if (!r->allow && r->access != CG_DEV_ALL) {
		emit(p, BPF_ALU | BPF_MOV | BPF_X, R1, R3, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, (int32_t)r->access);
		jumps[nj++] = emit(p, BPF_JMP | BPF_JEQ | BPF_K, R1, 0, 0, 0);
	}
	if (r->major >= 0)
		jumps[nj++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, R4, 0, 0, (int32_t)r->major);
	if (r->minor >= 0)
		jumps[nj++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, R5, 0, 0, (int32_t)r->minor);
	ret(p, r->allow ? 1 : 0);
	/* every "goto next" lands on the first instruction after this block */
	for (size_t i = 0; i < nj; i++)
		p->v[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
	return 0;
}

int cg_bpf_devices_build(const struct cg_dev_emu *e, struct cg_bpf_insn_buf *out,
			 struct er_error *err)
{
	struct prog p = {0};

	/* R2 = type, R3 = access, R4 = major, R5 = minor */
	ldx_w(&p, R2, 0);
	emit(&p, BPF_ALU | BPF_AND | BPF_K, R2, 0, 0, 0xFFFF);
	ldx_w(&p, R3, 0);
	emit(&p, BPF_ALU | BPF_RSH | BPF_K, R3, 0, 0, 16);
	ldx_w(&p, R4, 4);
	ldx_w(&p, R5, 8);
	for (size_t i = 0; i < e->n; i++) {
		if (e->ex[i].allow == e->default_allow)
			continue; /* cannot happen with the emulator's output */
		if (append_exception(&p, &e->ex[i], err) < 0) {
			free(p.v);
			return -1;
		}
	}
	ret(&p, e->default_allow ? 1 : 0);
	out->insns = p.v;
	out->n = p.n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int load(const struct cg_bpf_insn_buf *b, struct er_error *err)
{
	static const char license[] = "Apache";
	union bpf_attr attr;
	char log[4096];
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)b->insns;
	attr.insn_cnt = (uint32_t)b->n;
	attr.license = (uint64_t)(uintptr_t)license;
	fd = sys_bpf(BPF_PROG_LOAD, &attr); /* bpf fds are always O_CLOEXEC */
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != EACCES)
		return er_set(err, errno, "load the device filter (bpf BPF_PROG_LOAD)");
	/* once more with the verifier's log for the error message */
	log[0] = '\0';
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	log[sizeof(log) - 1] = '\0';
	return er_set(err, errno, "load the device filter (verifier: %.200s)", log);
}

/* The ids of the device programs attached directly to dirfd. */
static int query(int dirfd, uint32_t **ids, uint32_t *n, struct er_error *err)
{
	uint32_t cap = 16;

	for (int tries = 0; tries < 8; tries++) {
		union bpf_attr attr;
		uint32_t *v = xcalloc(cap, sizeof(*v));

		memset(&attr, 0, sizeof(attr));
		attr.query.target_fd = (uint32_t)dirfd;
		attr.query.attach_type = BPF_CGROUP_DEVICE;
		attr.query.prog_ids = (uint64_t)(uintptr_t)v;
		attr.query.prog_cnt = cap;
		if (sys_bpf(BPF_PROG_QUERY, &attr) == 0) {
			*ids = v;
			*n = attr.query.prog_cnt;
			return 0;
		}
		free(v);
		if (errno != ENOSPC)
			return er_set(err, errno, "list the device filters (bpf BPF_PROG_QUERY)");
		cap = attr.query.prog_cnt > cap ? attr.query.prog_cnt : cap * 2;
	}
	return er_set(err, ENOSPC, "list the device filters (bpf BPF_PROG_QUERY)");
}

int cg_bpf_devices_count(int dirfd)
{
	_cleanup_free_ uint32_t *ids = NULL;
	uint32_t n = 0;

	if (query(dirfd, &ids, &n, NULL) < 0)
		return -1;
	return (int)n;
}

static void detach_old(int dirfd, const uint32_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		union bpf_attr attr;
		_cleanup_close_ int fd = -1;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = ids[i];
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0) {
			er_debug("device filter: program %u is gone: %s", ids[i],
				 er_strerror(errno));
			continue;
		}
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)dirfd;
		attr.attach_bpf_fd = (uint32_t)fd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &attr) < 0)
			er_warn("device filter: cannot detach the old program %u: %s", ids[i],
				er_strerror(errno));
	}
}

int cg_bpf_devices_attach(int dirfd, const struct cg_dev_emu *e, struct er_error *err)
{
	struct cg_bpf_insn_buf b = {0};
	_cleanup_free_ uint32_t *old = NULL;
	_cleanup_close_ int fd = -1;
	union bpf_attr attr;
	uint32_t n_old = 0;

	if (query(dirfd, &old, &n_old, err) < 0)
		return -1;
	if (cg_bpf_devices_build(e, &b, err) < 0)
		return -1;
	fd = load(&b, err);
	free(b.insns);
	if (fd < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dirfd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return er_set(err, errno, "attach the device filter (bpf BPF_PROG_ATTACH)");
	er_debug("device filter attached (%zu exceptions, default %s), %u old detached", e->n,
		 e->default_allow ? "allow" : "deny", n_old);
	detach_old(dirfd, old, n_old);
	return 0;
}
