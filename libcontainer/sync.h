/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one protocol between edgerun (parent) and the processes it clones (the optional
 * namespace-joining helper and the container's init).
 *
 * Transport: a socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC). The parent keeps one end;
 * the children inherit the other across clone (CLOEXEC: it is gone at the container's
 * execve). SOCK_SEQPACKET keeps message boundaries, so one message is one datagram:
 *
 *   +-----------------+-----------------+-----------------+---------------------------+
 *   | type   (u32)    | errnum (i32)    | length (u32)    | payload: `length` bytes   |
 *   +-----------------+-----------------+-----------------+---------------------------+
 *
 * plus at most one file descriptor as SCM_RIGHTS ancillary data. The receiver peeks the
 * header, allocates exactly `length` bytes and reads the whole datagram; a size mismatch,
 * a truncated datagram or a payload above SYNC_MAX_PAYLOAD is an error, never a silent cut.
 * A receive of 0 bytes means the peer closed its end (the child died).
 *
 * Ladder (the helper exists only when a namespace is joined by path or a new time namespace
 * is requested; otherwise the parent clones the init itself):
 *
 *   parent                          helper                          init
 *     |-- clone ---------------------->|                               |
 *     |                                | setns() joins, unshare(TIME), |
 *     |                                | write timens_offsets          |
 *     |                                |-- clone(CLONE_PARENT|NEW*) -->|
 *     |<-------------- HELPER_PID{pid} |                               |
 *     |  (reap helper; exit 0)         x                               |
 *     |  write uid_map, setgroups, gid_map, oom_score_adj (cgroup)     |
 *     |-- GO{host pid} ------------------------------------------------>|
 *     |                  unshare(CGROUP) if asked, setsid, rootfs_prepare|
 *     |<---------------------------------------------------------- HOOKS| (only with
 *     |  prestart + createRuntime hooks (runtime namespaces)           |  such hooks)
 *     |-- HOOKS_DONE --------------------------------------------------->|
 *     |                        createContainer hooks, rootfs_pivot, pty |
 *     |<------------------------------------------ PTY{name} + fd master| (process.terminal)
 *     |  send master to --console-socket or keep it                    |
 *     |                  hostname, sysctl, rootfs_finalize, keyring,    |
 *     |                  rlimits, ..., groups/uid/caps, cwd, lookup     |
 *     |                  seccomp(2) with a listener (SCMP_ACT_NOTIFY):  |
 *     |                  before the caps drop or after the lookup; sent |
 *     |                  by a helper sharing the init's fd table (the   |
 *     |                  init itself makes no syscall until it is done) |
 *     |<------------------------------------------- SECCOMP + fd listener| (notify only)
 *     |  send fd + process state to linux.seccomp.listenerPath          |
 *     |-- SECCOMP_DONE ------------------------------------------------->|
 *     |<---------------------------------------------------------- READY|
 *     |  return; the init blocks reading exec.fifo (opened O_RDWR by   |
 *     |  the parent before the clone) until `start` writes one byte    |
 *
 * Any child may send ERROR{errnum, message} instead of its next message and then _exit(1);
 * the parent rebuilds the er_error from it, kills and reaps the child.
 */
#ifndef EDGERUN_LIBCONTAINER_SYNC_H
#define EDGERUN_LIBCONTAINER_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum sync_type {
	SYNC_GO = 1,	   /* parent -> init: id maps written; payload: init's host pid (i32) */
	SYNC_HELPER_PID,   /* helper -> parent: payload: init's host pid (i32) */
	SYNC_HOOKS,	   /* init -> parent: run prestart + createRuntime hooks now */
	SYNC_HOOKS_DONE,   /* parent -> init: hooks succeeded, go on */
	SYNC_PTY,	   /* init -> parent: fd = pty master; payload: slave path */
	SYNC_READY,	   /* init -> parent: set up, about to block on exec.fifo */
	SYNC_ERROR,	   /* child -> parent: errnum + message (payload, no NUL) */
	SYNC_SECCOMP,	   /* init's helper -> parent: fd = seccomp listener (SCMP_ACT_NOTIFY) */
	SYNC_SECCOMP_DONE, /* parent -> init's helper: the listener has it */
	SYNC__MAX
};

struct sync_hdr {
	uint32_t type;
	int32_t errnum;
	uint32_t length;
};

#define SYNC_MAX_PAYLOAD (64u * 1024u)

struct sync_msg {
	enum sync_type type;
	int errnum;
	char *payload; /* owned; `len` bytes plus a terminating NUL (not counted) */
	size_t len;
	int fd; /* received descriptor (O_CLOEXEC), or -1 */
};

#define SYNC_MSG_INIT                                                                              \
	{                                                                                          \
		0, 0, NULL, 0, -1                                                                  \
	}

const char *sync_type_name(enum sync_type t); /* "go", "ready", ...; "unknown" */

/* Sends one message (fd < 0: none). MSG_NOSIGNAL: a dead peer gives EPIPE, not SIGPIPE. */
int sync_send(int sock, enum sync_type type, int errnum, const void *payload, size_t len, int fd,
	      struct er_error *err);
/* Receives one message: 1 with *msg filled, 0 if the peer closed its end, -1 on error. */
int sync_recv(int sock, struct sync_msg *msg, struct er_error *err);
void sync_msg_clear(struct sync_msg *msg);

/* Receives a message that must be of type `want`. An ERROR message becomes *err (the peer's
 * own text and errno); EOF and other types are errors. 0 or -1. */
int sync_expect(int sock, enum sync_type want, struct sync_msg *msg, struct er_error *err);

/* Child side: sends `e` as an ERROR message (best effort; nothing to report it to). */
void sync_send_error(int sock, const struct er_error *e);
/* Turns a received ERROR message into *err (message verbatim, errnum kept). Returns -1. */
int sync_error_from_msg(const struct sync_msg *msg, struct er_error *err);

/* Convenience for the pid payloads. */
int sync_send_pid(int sock, enum sync_type type, int32_t pid, struct er_error *err);
int sync_msg_pid(const struct sync_msg *msg, int32_t *pid, struct er_error *err);

#endif
