/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interfaces between the parts of libcontainer (not used by cmd/).
 *
 *   container.c  lifecycle API (container.h), state files, locking        -> calls process.c
 *   process.c    parent side: clone the init, user ns maps, sync, runtime hooks
 *   init.c       child side: everything inside the new namespaces, then exec
 *   rootfs.c mount.c devices.c pathrs.c   filesystem set-up, called from init.c
 *   caps.c userns.c terminal.c hooks.c    as named
 */
#ifndef EDGERUN_LIBCONTAINER_INTERNAL_H
#define EDGERUN_LIBCONTAINER_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/spec.h"
#include "specconv/state.h"

/* ---------------- process.c / init.c ---------------- */

struct init_config {
	const struct spec *spec;
	const char *bundle;		/* absolute */
	const char *state_dir;		/* absolute ROOT/ID */
	const char *fifo_path;		/* ROOT/ID/exec.fifo, already made with mkfifo(0600) */
	const char *console_socket;	/* send the pty master there; NULL = none */
	bool keep_pty_master;		/* foreground run with a terminal: return the master */
	bool no_pivot, no_new_keyring;
	int preserve_fds;		/* fds 3 .. 3+N-1 are passed to the container */
	/* Template for the hooks' state JSON (id, bundle, annotations); process.c fills in
	 * pid and status="creating" before running createRuntime/prestart hooks. */
	struct er_state *state;
};

struct init_result {
	pid_t pid;			/* the container's init, as seen from the host */
	unsigned long long start_time;	/* proc_start_time(pid) */
	int pty_master;			/* -1 unless keep_pty_master */
};

/* Clones the container's init into its namespaces (joining those given by path), writes
 * the id mappings, runs prestart + createRuntime hooks at the spec's point, and returns
 * once init waits on exec.fifo. On failure the child is killed and reaped and err holds
 * the child's own message, e.g. `exec "/bin/nope": no such file or directory`. */
int process_create_init(const struct init_config *cfg, struct init_result *res,
			struct er_error *err);

/* ---------------- rootfs.c (called in the child, inside its new mount namespace) -------- */

struct rootfs_config {
	const struct spec *spec;
	const char *bundle;
	bool no_pivot;
	bool in_userns;			/* cannot mknod: bind-mount devices from the host */
};

/* Before pivot: set rootfs propagation (default rslave), bind the rootfs onto itself,
 * perform spec->mounts in order (targets resolved inside the rootfs; destinations created
 * as needed), create default and configured devices, /dev symlinks, /dev/pts + ptmx. */
int rootfs_prepare(const struct rootfs_config *rc, struct er_error *err);
/* pivot_root into the rootfs (or MS_MOVE + chroot with no_pivot); cwd becomes "/". */
int rootfs_pivot(const struct rootfs_config *rc, struct er_error *err);
/* After pivot: maskedPaths, readonlyPaths, root.readonly, final propagation fix-up. */
int rootfs_finalize(const struct rootfs_config *rc, struct er_error *err);

/* ---------------- pathrs.c: safe in-root path resolution ---------------- */

/* Opens PATH (absolute or relative, interpreted inside the tree at rootfd) without ever
 * leaving it: openat2(RESOLVE_IN_ROOT) with a bounded EAGAIN retry, falling back to a
 * component-by-component walk that resolves symlinks against rootfd. */
int pathrs_open(int rootfd, const char *path, int flags, mode_t mode, struct er_error *err);
/* mkdir -p inside the tree; returns an O_PATH|O_DIRECTORY fd of the last component. */
int pathrs_mkdir_all(int rootfd, const char *path, mode_t mode, struct er_error *err);
/* Creates (if missing) an empty regular file at PATH inside the tree (parents as needed);
 * returns an O_PATH fd to it. For bind-mounting files onto. */
int pathrs_create_file(int rootfd, const char *path, mode_t mode, struct er_error *err);

/* ---------------- hooks.c ---------------- */

/* Runs hooks in order: each gets state_json on stdin, its args/env, and is killed after its
 * timeout. The first failure stops the list: "<phase> hook `path`: exit status 3". */
int hooks_run(const struct spec_hook *hooks, size_t n, const char *phase,
	      const char *state_json, struct er_error *err);

/* ---------------- caps.c ---------------- */

/* Applies the five capability sets of the process spec, bounding first. Call after
 * setuid (PR_SET_KEEPCAPS set before it). */
int caps_apply(const struct spec_caps *caps, struct er_error *err);
int caps_drop_bounding(const struct spec_caps *caps, struct er_error *err);

/* ---------------- terminal.c ---------------- */

/* Sends the pty master to a unix socket as runc does (SCM_RIGHTS, pty name as payload). */
int terminal_send_console(const char *socket_path, int master_fd, const char *name,
			  struct er_error *err);

/* ---------------- signals.c ---------------- */
const char *signal_name(int sig);	/* "SIGTERM"; NULL if unknown */

#endif
