/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Between the files of libcontainer/cgroup/ (and their unit tests):
 *
 *   core.c          mode detection, hierarchies and their binding to controllers, path
 *                   resolution, create/load/destroy, add_pid, pids, kill, freeze and apply
 *                   dispatch through the ops table, file helpers
 *   v1.c  v2.c      the ops table for each version: resources, freezer, OOM fd
 *   stats.c         statistics readers for both versions
 *   convert.c       pure value conversions (shares -> weight, cpu.max, swap, paths, ...)
 *   devices_rules.c the device-rule emulator (runc's), v1 transitions, default rules
 *   devices_bpf.c   the cgroup v2 device filter: BPF program built by hand, load, attach
 */
#ifndef EDGERUN_LIBCONTAINER_CGROUP_INTERNAL_H
#define EDGERUN_LIBCONTAINER_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "libcontainer/cgroup/cgroup.h"
#include "specconv/spec.h"

enum cg_ctrl {
	CG_CPU,
	CG_CPUACCT,
	CG_CPUSET,
	CG_MEMORY,
	CG_DEVICES, /* v2: BPF program on the cgroup */
	CG_FREEZER, /* v2: cgroup.freeze */
	CG_BLKIO,   /* v2: io */
	CG_PIDS,
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_PERF_EVENT,
	CG_RDMA,
	CG_MISC,
	CG__MAX
};

/* v1 name and v2 name (NULL: no such controller in that version; v2 "freezer" and
 * "devices" are built in, not listed in cgroup.controllers). */
const char *cg_ctrl_name(enum cg_ctrl c, bool v2);
int cg_ctrl_from_name(const char *name, bool v2); /* -1 if unknown */

struct cg_hier {
	char *key;    /* controllers as /proc/self/cgroup prints them; "" for cgroup2 */
	char *mnt;    /* mount point */
	char *rel;    /* the container's cgroup inside the hierarchy: "/a/b" */
	char *dir;    /* its absolute directory */
	int fd;	      /* O_DIRECTORY of dir, -1 when it does not exist */
	bool v2;      /* a cgroup2 tree */
	uint32_t ctl; /* 1u << enum cg_ctrl bound to this hierarchy */
	bool created; /* this process made dir */
};

struct cgroup {
	enum cgroup_mode mode;
	struct cg_hier *h;
	size_t n;
	struct cg_hier *by_ctrl[CG__MAX];
	struct cg_hier *v2; /* the cgroup2 tree (v2 or hybrid), else NULL */
	char *saved;
};

/* One per cgroup version; every function works on the hierarchy bound to its controller. */
struct cg_ops {
	int (*memory)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*cpu)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*cpuset)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*pids)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*blkio)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*hugetlb)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*net_cls)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*net_prio)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*rdma)(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
	int (*devices)(struct cg_hier *h, const struct spec_device_rule *rules, size_t n,
		       struct er_error *err);
	int (*freeze)(struct cg_hier *h, bool frozen, struct er_error *err);
	int (*freezer_state)(struct cg_hier *h, enum cgroup_freezer *st, struct er_error *err);
	/* OOM: fills fd (and the private state) of o */
	int (*oom_open)(struct cg_hier *h, struct cgroup_oom *o, struct er_error *err);
	int (*oom_read)(struct cgroup_oom *o, uint64_t *count, bool *gone, struct er_error *err);
};
extern const struct cg_ops cg_v1_ops, cg_v2_ops;

static inline const struct cg_ops *cg_ops_of(const struct cg_hier *h)
{
	return h->v2 ? &cg_v2_ops : &cg_v1_ops;
}

struct cgroup_oom {
	int fd;			      /* eventfd (v1) or inotify (v2) */
	int dirfd;		      /* the memory cgroup directory (dup) */
	int ctl_fd;		      /* v1: memory.oom_control, kept open while registered */
	uint64_t last_kill, last_oom; /* v2: counters seen so far */
	bool v2;
};

/* ---- file helpers (core.c) ---- */

/* Writes VALUE to FILE of h in one write(2). Errors:
 * "<what>: write `VALUE` to `DIR/FILE`: <errno>" (what = the resource, e.g.
 * "linux.resources.pids.limit"). */
int cg_write_cpuset(const struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
int cg_write(const struct cg_hier *h, const char *file, const char *value, const char *what,
	     struct er_error *err);
/* Same, with fd already open. */
int cg_write_fd(int dirfd, const char *dir, const char *file, const char *value, const char *what,
		struct er_error *err);
/* Whole file, trailing whitespace trimmed; NULL + err ("read `DIR/FILE`: ..."). */
char *cg_read(const struct cg_hier *h, const char *file, struct er_error *err);
/* A single number ("max" = UINT64_MAX); missing file -> -1 with errno ENOENT in err. */
int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *v, struct er_error *err);
/* The value of KEY in a flat-keyed file ("key value" lines). -1 if the file or key is missing. */
int cg_read_key(const struct cg_hier *h, const char *file, const char *key, uint64_t *v);
bool cg_has(const struct cg_hier *h, const char *file);
/* Makes CTRL usable in h on cgroup2: "+ctrl" in cgroup.subtree_control of every ancestor
 * from the root of the tree down to the parent of h (no-op when already listed in h's
 * cgroup.controllers). */
int cg_v2_enable(struct cg_hier *h, const char *ctrl, struct er_error *err);
/* Populated? (cgroup.procs non-empty in h or a sub-cgroup). */
bool cg_populated(const struct cg_hier *h);

/* ---- pure conversions (convert.c) ---- */

/* runc 1.1: 1 + ((shares - 2) * 9999) / 262142, [2, 262144] -> [1, 10000]; 0 = unset. */
uint64_t cg_shares_to_weight(uint64_t shares);
/* runc: 1 + (weight - 10) * 9999 / 990, [10, 1000] -> [1, 10000]; 0 = unset. */
uint64_t cg_blkio_to_io_weight(uint64_t weight);
/* runc's ConvertMemorySwapToCgroupV2Value: spec swap is memory+swap, memory.swap.max is swap
 * alone. 0 = unset, -1 = max. *out = value for memory.swap.max (0 = leave alone). */
int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *out, struct er_error *err);
/* "max" for a negative value, the decimal otherwise. buf >= 24 bytes. */
const char *cg_limit_str(int64_t v, char *buf, size_t len);
/* cpu.max from quota/period. quota <= 0 = "max"; without quota the current quota (first
 * word of CURRENT, "max" if NULL) is kept; without period only the quota is written.
 * NULL when neither is given. */
char *cg_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period,
		 const char *current);
/* Hugepage size from /sys/kernel/mm/hugepages ("hugepages-2048kB" -> 2048) to runc's name:
 * "2MB", "1GB", "64KB". */
void cg_hugepage_name(uint64_t kb, char *buf, size_t len);
/* Lexically cleaned path: duplicate and trailing slashes, "." removed, ".." resolved without
 * ever going above the start (absolute stays absolute, relative stays relative; "" for an
 * empty result). Returns NULL for a path containing a newline. */
char *cg_clean_path(const char *p);
/* The container's cgroup in one hierarchy. CONFIGURED = linux.cgroupsPath (NULL/"" = id);
 * OWN = the caller's cgroup there (for relative paths). "/a/b" or NULL + err (the root). */
char *cg_resolve(const char *configured, const char *id, const char *own, struct er_error *err);
/* "0-3,5,7-8" -> malloc'ed numbers. */
int cg_parse_list(const char *s, uint16_t **out, size_t *n);
/* "key value" lines -> malloc'ed pairs (values that do not parse are skipped). */
void cg_parse_flat(const char *text, struct er_stats_kv **out, size_t *n);
/* Parse blkio v1 "8:0 Read 123" lines or v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4")
 * into runc's tables. */
void cg_parse_blkio_v1(const char *text, struct er_blkio_entry **out, size_t *n);
void cg_parse_io_stat(const char *text, struct er_blkio_entry **bytes, size_t *n_bytes,
		      struct er_blkio_entry **ios, size_t *n_ios);

/* ---- device rules (devices_rules.c) ---- */

enum {
	CG_DEV_MKNOD = 1,
	CG_DEV_READ = 2,
	CG_DEV_WRITE = 4,
	CG_DEV_ALL = 7
}; /* = BPF_DEVCG_ACC_* */

struct cg_dev_rule {
	char type;	      /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1 = wildcard */
	unsigned access;      /* CG_DEV_* */
	bool allow;
};

/* What the rules amount to, as runc's emulator computes it: a default and the exceptions to
 * it (all of the opposite kind, no duplicates). */
struct cg_dev_emu {
	bool default_allow;
	struct cg_dev_rule *ex;
	size_t n;
};

/* "rwm" subset -> CG_DEV_*; NULL = all; -1 for an empty or invalid string. */
int cg_dev_access(const char *s);
void cg_dev_access_str(unsigned access, char buf[4]);
/* "c 1:3 rwm", "a *:* rwm". */
void cg_dev_rule_str(const struct cg_dev_rule *r, char *buf, size_t len);
/* Spec rule -> internal rule; errors name the index: "linux.resources.devices[2]: ...". */
int cg_dev_rule_from_spec(const struct spec_device_rule *s, size_t idx, struct cg_dev_rule *out,
			  struct er_error *err);
/* Emulator: starts as default-allow with no exceptions (a new cgroup). */
void cg_dev_emu_init(struct cg_dev_emu *e, bool default_allow);
void cg_dev_emu_free(struct cg_dev_emu *e);
/* Applies one rule as the v1 kernel would; refuses punching a hole in a wildcard exception. */
int cg_dev_emu_apply(struct cg_dev_emu *e, const struct cg_dev_rule *r, struct er_error *err);
int cg_dev_emu_from_spec(struct cg_dev_emu *e, const struct spec_device_rule *rules, size_t n,
			 struct er_error *err);
/* Emulator from a v1 devices.list text ("a *:* rwm" = allow-all). */
int cg_dev_emu_from_list(struct cg_dev_emu *e, const char *list, struct er_error *err);
/* The writes taking a cgroup from SRC to DST with the least disruption (a wildcard rule only
 * when the default changes or SRC is allow-all). Malloc'ed. */
void cg_dev_transition(const struct cg_dev_emu *src, const struct cg_dev_emu *dst,
		       struct cg_dev_rule **out, size_t *n);
bool cg_dev_emu_equal(const struct cg_dev_emu *a, const struct cg_dev_emu *b);

/* ---- BPF device filter (devices_bpf.c) ---- */

struct cg_bpf_insn_buf {
	void *insns; /* struct bpf_insn[] */
	size_t n;
};
/* Builds the program for E (pure; for the unit test too): first matching exception wins,
 * else the default. Free insns. */
int cg_bpf_devices_build(const struct cg_dev_emu *e, struct cg_bpf_insn_buf *out,
			 struct er_error *err);
/* Loads it and attaches it to the cgroup2 directory DIRFD with BPF_F_ALLOW_MULTI, then
 * detaches the programs that were there before. */
int cg_bpf_devices_attach(int dirfd, const struct cg_dev_emu *e, struct er_error *err);
/* Number of device programs attached to DIRFD (-1 on error). */
int cg_bpf_devices_count(int dirfd);

/* ---- shared by v1.c and v2.c ---- */
/* hugepageLimits: hugetlb.<size>.<suffix>, and .<rsvd_suffix> where the kernel has it. */
int cg_hugetlb_apply(struct cg_hier *h, const struct spec_resources *r, const char *suffix,
		     const char *rsvd_suffix, struct er_error *err);
/* rdma.max lines, same format on both versions. */
int cg_rdma_apply(struct cg_hier *h, const struct spec_resources *r, struct er_error *err);
/* The page sizes of this machine ("2MB", "1GB"), from /sys/kernel/mm/hugepages (stats.c). */
char **cg_hugepage_sizes(void);
/* Error naming the supported sizes unless NAME is one of them. */
int cg_hugepage_size_check(const char *name, struct er_error *err);

/* ---- v2.c ---- */
/* linux.resources.unified: each key written as a file of the cgroup2 tree. On hybrid hosts
 * only keys of controllers bound to that tree (and cgroup.*) are accepted. */
int cg_v2_unified(struct cgroup *cg, const struct spec_resources *r, struct er_error *err);

#endif
