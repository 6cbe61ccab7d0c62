/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's cgroups: one interface over cgroup v1, v2 and hybrid hosts.
 *
 * The mode is detected once per process. Every controller is bound to the hierarchy that
 * serves it: on v1 each mounted v1 hierarchy; on v2 the single cgroup2 tree; on a hybrid
 * host the v1 hierarchies, plus the cgroup2 tree (/sys/fs/cgroup/unified) for whatever v1
 * does not mount there (e.g. hugetlb). Behind this header an ops table (v1.c, v2.c) does
 * the per-version work for each controller.
 *
 * How the lifecycle uses it:
 *
 *   create   cg = cgroup_create(&(struct cgroup_config){.id = id, .linux_ = spec->linux_}, err)
 *            (mkdir in every hierarchy, parents as needed, resources applied; nothing runs
 *            in it yet). Then either clone3(CLONE_INTO_CGROUP, .cgroup = cgroup_clone_fd(cg))
 *            when that fd is >= 0 (pure v2), or clone + cgroup_add_pid(cg, pid, NULL, err)
 *            before the init is let go. Save cgroup_saved(cg) in state.cgroup_path.
 *            On a later failure: cgroup_kill_all(cg, SIGKILL) + cgroup_destroy(cg).
 *   others   cg = cgroup_load(state.cgroup_path, err) in kill / delete / pause / resume /
 *            update / events / ps / state (no mkdir; a removed cgroup loads fine).
 *   kill -a  cgroup_kill_all(cg, sig)
 *   delete   cgroup_kill_all(cg, SIGKILL), reap the init, cgroup_destroy(cg)
 *   pause    cgroup_freeze(cg, true)  /  resume: cgroup_freeze(cg, false)
 *   state    cgroup_freezer_state(cg) == CGROUP_FROZEN -> "paused"
 *   update   cgroup_apply(cg, &resources) with only the changed fields present
 *   events   cgroup_stats() (+ er_stats_free) and cgroup_oom_open/fd/read
 *   ps       cgroup_pids(cg, true, &pids, &n)
 *   exec     cgroup_add_pid(cg, pid, sub, err), sub from `exec --cgroup` or NULL
 *
 * Errors name what failed, e.g.
 *   linux.resources.memory.limit: write `1000` to `/sys/fs/cgroup/memory/c1/memory.limit_in_bytes`: device or resource busy
 */
#ifndef EDGERUN_LIBCONTAINER_CGROUP_H
#define EDGERUN_LIBCONTAINER_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/events.h"
#include "specconv/spec.h"

enum cgroup_mode {
	CGROUP_UNAVAILABLE, /* no cgroup filesystem mounted */
	CGROUP_V1,
	CGROUP_V2,
	CGROUP_HYBRID, /* v1 controllers + a cgroup2 tree (normally /sys/fs/cgroup/unified) */
};

/* Detected once per process from /proc/self/mountinfo; cheap afterwards. */
enum cgroup_mode cgroup_mode(void);
const char *cgroup_mode_name(enum cgroup_mode m); /* "v1", "v2", "hybrid", "none" */

struct cgroup;

struct cgroup_config {
	const char *id; /* container id; the default cgroup path is "<id>" (relative) */
	/* linux.cgroupsPath, linux.resources and linux.devices; NULL = no linux section.
	 * The path is resolved as runc's cgroupfs driver does: absolute = under the root of
	 * each hierarchy, relative (and the default) = under the caller's own cgroup in that
	 * hierarchy (/proc/self/cgroup). ".." never leaves the base. */
	const struct spec_linux *linux_;
	/* Leave runc's default allowed devices out (see cgroup_default_device_rules()). */
	bool no_default_devices;
};

/* Creates the container's cgroup in every hierarchy (parents as needed; v1 cpuset parents
 * get cpuset.cpus/mems from their parent; on v2 the needed controllers are enabled in each
 * ancestor's cgroup.subtree_control) and applies linux.resources, with the device rules
 * being linux.resources.devices followed by runc's defaults. An existing empty cgroup is
 * used; one that already has processes is refused ("container's cgroup `DIR` is not empty:
 * N process(es) in it"), a frozen one too ("container's cgroup unexpectedly frozen"). On failure everything this call created is removed again. */
struct cgroup *cgroup_create(const struct cgroup_config *cfg, struct er_error *err);

/* Reopens a cgroup from the text of cgroup_saved(). */
struct cgroup *cgroup_load(const char *saved, struct er_error *err);

/* Closes the handle; never removes anything. NULL is fine. */
void cgroup_free(struct cgroup *cg);
static inline void cgroup_freep(struct cgroup **cg)
{
	cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

/* Where the container's cgroup is, to keep in state.json: one "<controllers>:<path>" line
 * per hierarchy, as in /proc/PID/cgroup ("memory:/c1", "name=systemd:/c1", ":/c1" for the
 * cgroup2 tree). Owned by the handle. */
const char *cgroup_saved(const struct cgroup *cg);

enum cgroup_mode cgroup_handle_mode(const struct cgroup *cg);

/* Absolute directory of the container's cgroup for a controller ("memory", "pids",
 * "devices", "freezer", "cpu", "io"/"blkio", ...) or "" for the cgroup2 tree; NULL when no
 * hierarchy serves it. Owned by the handle. */
const char *cgroup_dir(const struct cgroup *cg, const char *controller);

/* On a pure v2 host: an O_DIRECTORY fd of the container's cgroup for clone3's
 * CLONE_INTO_CGROUP (borrowed, CLOEXEC). -1 on v1 and hybrid hosts: use cgroup_add_pid. */
int cgroup_clone_fd(const struct cgroup *cg);

/* Moves PID into the container's cgroup in every hierarchy (cgroup.procs). SUB (NULL =
 * none) names an existing sub-cgroup, relative, without ".." (exec --cgroup): it is used in
 * the hierarchies where it exists, the container's cgroup elsewhere, and an error if it
 * exists nowhere. */
int cgroup_add_pid(struct cgroup *cg, pid_t pid, const char *sub, struct er_error *err);

/* Applies every field present in R (has_* set, non-empty arrays), for create and update.
 * v1 files and v2 files are mapped as runc does (cpu.weight from shares with runc's
 * conversion, cpu.max from quota/period, memory.swap.max = swap - limit, io.weight/io.max,
 * hugetlb.<size>.max, ...). Devices: R->devices exactly as given when n_devices > 0 (the
 * defaults are only added by cgroup_create: an update that re-sends the device rules must
 * pass cgroup_device_rules(), or none at all); v1 through devices.allow/deny with the fewest
 * disruptive writes, v2 through a BPF_PROG_TYPE_CGROUP_DEVICE program replacing the
 * previous one. A controller that no hierarchy serves is an error naming it; `unified` is
 * refused on v1 (on hybrid, only its keys of cgroup2-served controllers are accepted). */
int cgroup_apply(struct cgroup *cg, const struct spec_resources *r, struct er_error *err);

/* runc's default device rules (its AllowedDevices): mknod of any char/block device,
 * /dev/null zero full random urandom tty ptmx, /dev/pts/\*, /dev/net/tun. Static. */
const struct spec_device_rule *cgroup_default_device_rules(size_t *n);
/* The rules cgroup_create applies: linux.resources.devices then the defaults, leaving out a
 * default whose path appears in linux.devices (runc's rule). Free the array only. */
struct spec_device_rule *cgroup_device_rules(const struct spec_linux *l, size_t *n);

/* Freezes (pause) or thaws (resume), waiting (bounded) until the state is reached. */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct er_error *err);

enum cgroup_freezer {
	CGROUP_THAWED,
	CGROUP_FROZEN,		  /* the container's cgroup itself is frozen (= paused) */
	CGROUP_FREEZER_UNDEFINED, /* no freezer, or the cgroup is gone */
};
int cgroup_freezer_state(struct cgroup *cg, enum cgroup_freezer *st, struct er_error *err);
/* The same from a cgroup_saved() text, opening only the hierarchy that holds the freezer
 * (state and list ask it for every container). */
int cgroup_saved_freezer_state(const char *saved, enum cgroup_freezer *st, struct er_error *err);

/* The processes in the container's cgroup (cgroup.procs), sub-cgroups too if RECURSIVE.
 * *pids is malloc'ed (free it); a removed cgroup gives n = 0. */
int cgroup_pids(struct cgroup *cg, bool recursive, pid_t **pids, size_t *n, struct er_error *err);

/* Sends SIG to every process of the cgroup and its sub-cgroups: SIGKILL goes through
 * cgroup.kill where the kernel has it; otherwise the cgroup is frozen first so nothing
 * forks away, each process signalled, then thawed. Returns 0 even if it was empty. */
int cgroup_kill_all(struct cgroup *cg, int sig, struct er_error *err);

/* Removes the container's cgroup (and any sub-cgroups inside it) in every hierarchy, with a
 * bounded retry while it still holds exiting processes; never a parent. A cgroup already
 * gone is fine. */
int cgroup_destroy(struct cgroup *cg, struct er_error *err);

/* ---- statistics (struct er_stats: specconv/events.h, runc's `events --stats` shape) ---- */

/* Fills *st (zeroed first) from every controller present; free with er_stats_free. */
int cgroup_stats(struct cgroup *cg, struct er_stats *st, struct er_error *err);

/* ---- OOM notification ---- */

struct cgroup_oom;
/* v1: an eventfd registered on memory.oom_control through cgroup.event_control;
 * v2: inotify on memory.events (its oom_kill counter). */
struct cgroup_oom *cgroup_oom_open(struct cgroup *cg, struct er_error *err);
int cgroup_oom_fd(const struct cgroup_oom *o); /* poll() it for POLLIN; nonblocking, CLOEXEC */
/* After POLLIN (or any time): *count = OOM events since the last call (0 = spurious
 * wake-up); *gone = the cgroup was removed (stop watching). 0 or -1. */
int cgroup_oom_read(struct cgroup_oom *o, uint64_t *count, bool *gone, struct er_error *err);
void cgroup_oom_close(struct cgroup_oom *o);

#endif
