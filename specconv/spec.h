/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The typed form of an OCI runtime-spec v1.3.0 config.json.
 *
 * specconv/ is the only code that touches JSON. spec_load() parses and validates the whole
 * file in one pass; everything below is owned by the struct spec and freed by spec_free().
 * Paths are as written in config.json except root.path, which is made absolute against the
 * bundle. Optional scalars come with a `has_*` flag. Arrays are (pointer, count) pairs;
 * string lists are NULL-terminated vectors (NULL when absent).
 */
#ifndef EDGERUN_SPECCONV_SPEC_H
#define EDGERUN_SPECCONV_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

struct spec_kv {
	char *key;
	char *value;
};

/* ---- process ---- */

struct spec_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
};

struct spec_caps {
	bool present; /* process.capabilities given at all */
	/* Bit n set = capability n (CAP_* value) in the set; names unknown to this kernel/libcap
	 * are dropped with a debug message. */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t hard, soft;
};

struct spec_scheduler {
	int policy; /* SCHED_* */
	int nice;
	int priority;
	uint64_t flags; /* SCHED_FLAG_* */
	uint64_t runtime, deadline, period;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	unsigned int console_height, console_width;
	char *cwd; /* absolute, required */
	char **env;
	char **args; /* at least one */
	struct spec_user user;
	struct spec_caps caps;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_scheduler;
	struct spec_scheduler scheduler;
	bool has_io_priority;
	int io_priority_class; /* IOPRIO_CLASS_RT=1, BE=2, IDLE=3 */
	int io_priority;
	char *apparmor_profile;
	char *selinux_label;
};

/* ---- mounts ---- */

struct spec_idmap {
	uint32_t container_id, host_id, size;
};

struct spec_mount {
	char *destination; /* absolute, inside the container */
	char *type;	   /* may be NULL (then "none"; bind mounts) */
	char *source;	   /* may be NULL */
	char **options;	   /* as written */
	/* Derived from options by specconv (see mountopts.c): */
	unsigned long flags;	   /* MS_* to set (MS_BIND, MS_REC, MS_RDONLY, MS_NOSUID ...) */
	unsigned long clear_flags; /* MS_* explicitly cleared (rw, suid, dev, exec ...) */
	unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE (|MS_REC) or 0 */
	uint64_t rec_attr_set; /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) (rro, rnosuid ...) */
	uint64_t rec_attr_clr; /* MOUNT_ATTR_* to clear recursively (rrw, rsuid ...) */
	char *data;	       /* remaining options joined with ',' for the filesystem, or NULL */
	bool idmap, ridmap;    /* "idmap" / "ridmap" options */
	bool tmpcopyup;
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

/* ---- hooks ---- */

struct spec_hook {
	char *path;  /* absolute */
	char **args; /* may be NULL */
	char **env;  /* may be NULL */
	int timeout; /* seconds, 0 = none */
};

enum spec_hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK__MAX
};

struct spec_hooks {
	struct spec_hook *list[HOOK__MAX];
	size_t n[HOOK__MAX];
};

/* ---- linux ---- */

struct spec_namespace {
	int type;   /* CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWIPC,
					 * CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWTIME */
	char *path; /* join this namespace; NULL = create a new one */
};

struct spec_device {
	char *path; /* absolute, inside the container */
	char type;  /* 'c', 'b', 'u' (= 'c'), 'p' */
	int64_t major, minor;
	bool has_file_mode;
	uint32_t file_mode; /* permission bits */
	bool has_uid, has_gid;
	uint32_t uid, gid;
};

struct spec_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

/* linux.resources (cgroups; applied by the cgroups issue). Absent values: has_* false. */
struct spec_device_rule {
	bool allow;
	char type; /* 'a', 'c', 'b' ('a' when absent) */
	bool has_major, has_minor;
	int64_t major, minor; /* -1 = wildcard when absent */
	char *access;	      /* "rwm" subset, NULL = all */
};

struct spec_throttle {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct spec_resources {
	struct spec_device_rule *devices;
	size_t n_devices;
	/* memory */
	bool has_mem_limit, has_mem_reservation, has_mem_swap, has_mem_kernel, has_mem_kernel_tcp,
		has_mem_swappiness, has_mem_disable_oom_killer, has_mem_use_hierarchy,
		has_mem_check_before_update;
	int64_t mem_limit, mem_reservation, mem_swap, mem_kernel, mem_kernel_tcp;
	uint64_t mem_swappiness;
	bool mem_disable_oom_killer, mem_use_hierarchy, mem_check_before_update;
	/* cpu */
	bool has_cpu_shares, has_cpu_quota, has_cpu_burst, has_cpu_period, has_cpu_rt_runtime,
		has_cpu_rt_period, has_cpu_idle;
	uint64_t cpu_shares, cpu_period, cpu_rt_period, cpu_burst;
	int64_t cpu_quota, cpu_rt_runtime, cpu_idle;
	char *cpu_cpus, *cpu_mems;
	/* pids */
	bool has_pids_limit;
	int64_t pids_limit;
	/* blockIO */
	bool has_blkio_weight, has_blkio_leaf_weight;
	uint16_t blkio_weight, blkio_leaf_weight;
	struct spec_weight_device *blkio_weight_devices;
	size_t n_blkio_weight_devices;
	struct spec_throttle *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
		*throttle_write_iops;
	size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
		n_throttle_write_iops;
	/* hugepageLimits: pageSize ("2MB") -> limit */
	struct spec_kv *hugepage_limits; /* value is the decimal limit */
	size_t n_hugepage_limits;
	/* network */
	bool has_net_class_id;
	uint32_t net_class_id;
	struct spec_kv *net_priorities; /* interface name -> decimal priority */
	size_t n_net_priorities;
	/* rdma: device -> "hcaHandles hcaObjects" limits */
	struct spec_rdma {
		char *device;
		bool has_hca_handles, has_hca_objects;
		uint32_t hca_handles, hca_objects;
	} * rdma;
	size_t n_rdma;
	/* unified: cgroup v2 file -> value */
	struct spec_kv *unified;
	size_t n_unified;
};

/* linux.seccomp (applied by the seccomp issue). */
struct spec_seccomp_arg {
	unsigned int index;
	uint64_t value, value_two;
	int op; /* enum scmp_compare (SCMP_CMP_NE ... SCMP_CMP_MASKED_EQ) */
};

struct spec_seccomp_rule {
	char **names;
	uint32_t action; /* SCMP_ACT_* value (without errno/trace data) */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	uint32_t default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64" ... */
	char **flags;	      /* "SECCOMP_FILTER_FLAG_TSYNC" ... */
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_rule *rules;
	size_t n_rules;
};

struct spec_net_device {
	char *host_name; /* key of linux.netDevices */
	char *name;	 /* name inside the container, NULL = keep */
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path; /* NULL when absent */
	bool has_resources;
	struct spec_resources resources;
	struct spec_seccomp *seccomp;	  /* NULL when absent */
	unsigned long rootfs_propagation; /* MS_* (with MS_REC), 0 = default (rslave) */
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	struct spec_kv *sysctl;
	size_t n_sysctl;
	bool has_personality;
	unsigned long personality_domain; /* PER_LINUX or PER_LINUX32 */
	char **personality_flags;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
	bool has_intel_rdt; /* parsed presence only: refused as unsupported */
};

struct spec {
	char *oci_version;
	char *root_path; /* absolute (bundle-relative paths resolved) */
	bool root_readonly;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process; /* NULL when absent */
	char *hostname;		      /* NULL when absent */
	char *domainname;	      /* NULL when absent */
	struct spec_hooks hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux *linux_; /* NULL when absent */
};

/* Reads and validates BUNDLE/config.json. `bundle` must be an absolute path.
 * Errors name the JSON path: "process.user.uid: expected a non-negative integer". */
struct spec *spec_load(const char *bundle, struct er_error *err);
/* Same, from a buffer (unit tests); bundle is used to resolve root.path. */
struct spec *spec_parse(const char *json, size_t len, const char *bundle, struct er_error *err);
void spec_free(struct spec *s);

/* Helpers on a parsed spec. */
const struct spec_namespace *spec_namespace(const struct spec *s, int clone_type);
const char *spec_annotation(const struct spec *s, const char *key);

/* `edgerun spec`: the default config.json text (runc's defaults), or the rootless variant. */
char *spec_default_json(bool rootless);

/* Mount option parsing, exposed for unit tests: fills the derived fields of m from
 * m->options. Unknown options go to m->data. */
int spec_mount_parse_options(struct spec_mount *m, struct er_error *err);

/* linux.resources on its own: `update --resources FILE` (a LinuxResources object, as
 * containerd and podman send it) and the copy saved in state.json. DOC names the input in
 * errors ("resources: memory.limit: expected an integer"). Fills *r (zeroed first). */
int spec_resources_parse(const char *json, size_t len, const char *doc, struct spec_resources *r,
			 struct er_error *err);
/* The LinuxResources JSON of R (compact, only the fields present, runtime-spec names),
 * parseable by spec_resources_parse. */
char *spec_resources_to_json(const struct spec_resources *r);
/* Overlays SRC on DST: every field present in SRC replaces DST's (arrays as a whole). */
void spec_resources_merge(struct spec_resources *dst, const struct spec_resources *src);
void spec_resources_clear(struct spec_resources *r); /* frees members, zeroes */

/* A runtime-spec Process object on its own: `exec --process FILE`. Validated as
 * config.json's `process` (args non-empty, cwd absolute); DOC names the input in errors
 * ("process.json: cwd: missing"). Fills *p (zeroed first; cleared again on error). */
int spec_process_parse(const char *json, size_t len, const char *doc, struct spec_process *p,
		       struct er_error *err);
void spec_process_clear(struct spec_process *p); /* frees members, zeroes */

#endif
