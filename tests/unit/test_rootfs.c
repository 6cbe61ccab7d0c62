/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rootfs_prepare / rootfs_pivot / rootfs_finalize for real: each scenario forks a child
 * into new mount + pid namespaces, builds the container filesystem of a busybox rootfs
 * from a hand-made struct spec, and execs a shell script in it; the checks read what the
 * script printed. Needs root and /bin/busybox (busybox-static); skipped otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "libcontainer/internal.h"
#include "libcontainer/rootfs_internal.h"
#include "tests/unit/tap.h"

static char base[64];	 /* /tmp/rootfs-test-XXXXXX */
static char bundle[128]; /* base/bundle */
static char rootfs[160]; /* base/bundle/rootfs */

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void xsystem_argv(char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s failed\n", argv[0]);
		exit(2);
	}
}

static void mkpath(const char *dir, const char *sub)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	char *const argv[] = {"mkdir", "-p", p, NULL};
	xsystem_argv(argv);
}

static void write_to(const char *path, const char *content)
{
	FILE *f = fopen(path, "we");
	if (!f)
		die(path);
	fputs(content, f);
	fclose(f);
}

static void build_busybox_rootfs(void)
{
	static const char *const applets[] = {
		"sh",	"ls",	"cat",	 "touch", "wc",	   "readlink", "stat",	 "test",
		"echo", "grep", "mkdir", "id",	  "mount", "head",     "printf", "["};
	char p[PATH_MAX], t[PATH_MAX];

	snprintf(base, sizeof(base), "/tmp/rootfs-test-XXXXXX");
	if (!mkdtemp(base))
		die("mkdtemp");
	snprintf(bundle, sizeof(bundle), "%s/bundle", base);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
	mkpath(rootfs, "bin");
	mkpath(rootfs, "etc");
	mkpath(rootfs, "tmp");
	mkpath(base, "hostdir/sub");
	mkpath(base, "hostile-out");
	snprintf(p, sizeof(p), "%s/bin/busybox", rootfs);
	char *const cp[] = {"cp", "/bin/busybox", p, NULL};
	xsystem_argv(cp);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		snprintf(t, sizeof(t), "%s/bin/%s", rootfs, applets[i]);
		if (symlink("busybox", t) < 0)
			die(t);
	}
	snprintf(p, sizeof(p), "%s/hostfile", bundle);
	write_to(p, "HOSTFILE\n");
	snprintf(p, sizeof(p), "%s/tmp/keep", rootfs);
	write_to(p, "KEEP\n");
	snprintf(p, sizeof(p), "%s/hostdir/file", base);
	write_to(p, "HOSTDIR\n");
}

/* ---- running a scenario ---- */

struct scenario {
	struct spec *spec;
	struct rootfs_config rc;
	bool legacy;	     /* mount(2) + pathrs walk fallbacks */
	bool userns;	     /* a real user namespace: 0 -> 100000, 65536 ids */
	void (*setup)(void); /* in the child, before rootfs_prepare */
	const char *script;
};

static void child_fail(const char *step, struct er_error *err)
{
	printf("ERR %s: %s\n", step, err->msg ? err->msg : "?");
	fflush(stdout);
	_exit(1);
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* pid 1 of the new pid namespace: the container's init. */
static void container_init(const struct scenario *sc)
{
	struct er_error err = ER_ERROR_INIT;
	mnt_force_legacy = sc->legacy;
	pathrs_force_fallback = sc->legacy;
	if (sc->setup)
		sc->setup();
	int fds = count_fds();
	if (rootfs_prepare(&sc->rc, &err) < 0)
		child_fail("prepare", &err);
	if (rootfs_pivot(&sc->rc, &err) < 0)
		child_fail("pivot", &err);
	if (rootfs_finalize(&sc->rc, &err) < 0)
		child_fail("finalize", &err);
	printf("FDS %d\n", count_fds() - fds);
	fflush(stdout);
	execl("/bin/sh", "sh", "-c", sc->script, (char *)NULL);
	printf("ERR exec: %s\n", strerror(errno));
	fflush(stdout);
	_exit(127);
}

/* Runs the scenario; returns its output (static buffer) and exit status in *status. */
static void write_map(pid_t pid, const char *file)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, file);
	write_to(p, "0 100000 65536\n");
}

static const char *run(const struct scenario *sc, int *status)
{
	static char out[1 << 16];
	int pfd[2], go[2], ready[2];
	if (pipe2(pfd, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
		die("pipe");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		int flags = CLONE_NEWNS | CLONE_NEWPID | (sc->userns ? CLONE_NEWUSER : 0);
		if (unshare(flags) < 0) {
			printf("ERR unshare: %s\n", strerror(errno));
			_exit(1);
		}
		if (sc->userns) {
			char c = 0;
			if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1 ||
			    setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
				printf("ERR userns set-up: %s\n", strerror(errno));
				_exit(1);
			}
		}
		pid_t init = fork();
		if (init == 0)
			container_init(sc);
		int st = 0;
		waitpid(init, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	close(pfd[1]);
	if (sc->userns) {
		char c;
		if (read(ready[0], &c, 1) != 1)
			die("userns child");
		write_map(pid, "uid_map");
		write_map(pid, "gid_map");
		if (write(go[1], &c, 1) != 1)
			die("userns go");
	}
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(out) - 1 && (n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

static bool has(const char *out, const char *needle)
{
	return strstr(out, needle) != NULL;
}

/* ---- the specs ---- */

#define RO MS_RDONLY
#define NSD (MS_NOSUID | MS_NODEV)
#define NSDE (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static struct spec_device devices[] = {
	{.path = "/dev/fuse",
	 .type = 'c',
	 .major = 10,
	 .minor = 229,
	 .has_file_mode = true,
	 .file_mode = 0600,
	 .has_uid = true,
	 .uid = 1000,
	 .has_gid = true,
	 .gid = 1000},
	{.path = "/dev/zero",
	 .type = 'c',
	 .major = 1,
	 .minor = 5,
	 .has_file_mode = true,
	 .file_mode = 0600},
};

static char *masked[] = {"/proc/keys", "/proc/acpi", "/proc/kcore", "/proc/nonexistent", NULL};
static char *readonly[] = {"/proc/sys",	   "/proc/bus", "/proc/sysrq-trigger",
			   "/proc/uptime", "/nope",	NULL};

static struct spec_mount full_mounts[] = {
	{.destination = "/proc", .type = "proc", .source = "proc"},
	{.destination = "/dev",
	 .type = "tmpfs",
	 .source = "tmpfs",
	 .flags = MS_NOSUID | MS_STRICTATIME,
	 .data = "mode=755,size=65536k"},
	{.destination = "/dev/pts",
	 .type = "devpts",
	 .source = "devpts",
	 .flags = MS_NOSUID | MS_NOEXEC,
	 .data = "newinstance,ptmxmode=0666,mode=0620,gid=5"},
	{.destination = "/dev/shm",
	 .type = "tmpfs",
	 .source = "shm",
	 .flags = NSDE,
	 .data = "mode=1777,size=65536k"},
	{.destination = "/dev/mqueue", .type = "mqueue", .source = "mqueue", .flags = NSDE},
	{.destination = "/sys", .type = "sysfs", .source = "sysfs", .flags = NSDE | RO},
	{.destination = "/sys/fs/cgroup",
	 .type = "cgroup",
	 .source = "cgroup",
	 .flags = NSDE | MS_RELATIME | RO},
	/* relative source: from the bundle; a file: the destination becomes a file */
	{.destination = "/etc/hostfile",
	 .type = "bind",
	 .source = "hostfile",
	 .flags = MS_BIND | RO},
	/* recursive read-only (rro) over a tree with a sub-mount */
	{.destination = "/mnt/hostdir",
	 .type = "none",
	 .flags = MS_BIND | MS_REC | RO,
	 .rec_attr_set = MOUNT_ATTR_RDONLY,
	 .propagation = MS_PRIVATE | MS_REC},
	{.destination = "/tmp",
	 .type = "tmpfs",
	 .source = "tmpfs",
	 .flags = NSD,
	 .tmpcopyup = true},
	/* a read-only tmpfs is remounted read-only only at the end: nested mounts still work */
	{.destination = "/data", .type = "tmpfs", .source = "tmpfs", .flags = RO},
	{.destination = "/data/inner", .type = "tmpfs", .source = "tmpfs"},
};

static char hostdir[160];

static void setup_submount(void)
{
	char sub[200];
	snprintf(sub, sizeof(sub), "%s/sub", hostdir);
	if (mount("tmpfs", sub, "tmpfs", 0, "size=1m") < 0)
		die("mount sub");
}

static const char full_script[] =
	"echo '== ls'; ls -ln /dev\n"
	"echo '== mounts'; cat /proc/mounts\n"
	"echo '== checks'\n"
	"[ \"$(readlink /dev/ptmx)\" = pts/ptmx ] && echo PTMX_OK\n"
	"[ \"$(readlink /dev/fd)\" = /proc/self/fd ] && echo FD_OK\n"
	"[ \"$(readlink /dev/stderr)\" = /proc/self/fd/2 ] && echo STDERR_OK\n"
	"touch /rootfile 2>/dev/null || echo ROOT_RO_OK\n"
	"[ -z \"$(cat /proc/keys)\" ] && echo KEYS_MASKED\n"
	"[ -z \"$(ls /proc/acpi)\" ] && echo ACPI_MASKED\n"
	"cat /etc/hostfile\n"
	"cat /mnt/hostdir/file\n"
	"touch /mnt/hostdir/sub/x 2>/dev/null || echo RRO_OK\n"
	"cat /tmp/keep && touch /tmp/new && echo TMP_RW\n"
	"touch /data/x 2>/dev/null || echo DATA_RO\n"
	"touch /data/inner/x && echo INNER_RW\n"
	"touch /dev/shm/x && echo SHM_RW\n"
	"touch /dev/newfile 2>/dev/null && echo DEV_RW\n"
	"stat -c 'FUSE %a %u %g %t %T' /dev/fuse\n"
	"stat -c 'ZERO %a %t %T' /dev/zero\n"
	"stat -c 'NULL %a %u %g %t %T %F' /dev/null\n"
	"ls /sys/fs/cgroup | head -3\n"
	"touch /sys/fs/cgroup/x 2>/dev/null || echo CGROUP_RO\n"
	"stat -c 'STDIN %t %T' -L /proc/self/fd/0\n"
	"echo DONE\n";

static void init_spec(struct spec *s, struct spec_linux *l, struct spec_mount *mounts, size_t n)
{
	memset(s, 0, sizeof(*s));
	memset(l, 0, sizeof(*l));
	s->root_path = rootfs;
	s->mounts = mounts;
	s->n_mounts = n;
	s->linux_ = l;
}

/* The host's cgroup layout decides what the "cgroup" mount becomes: on a cgroup v2-only host
 * (cgroup2 at /sys/fs/cgroup) the cgroup2 tree, on a v1 or hybrid host (a tmpfs there) a
 * tmpfs holding one mount per v1 hierarchy. */
static bool host_cgroup2_only(void)
{
	struct statfs sfs;
	return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static void check_full(const char *mode, bool legacy, bool no_pivot)
{
	struct spec s;
	struct spec_linux l;
	init_spec(&s, &l, full_mounts, sizeof(full_mounts) / sizeof(full_mounts[0]));
	snprintf(hostdir, sizeof(hostdir), "%s/hostdir", base);
	full_mounts[8].source = hostdir;
	full_mounts[8].rec_attr_set = legacy ? 0 : MOUNT_ATTR_RDONLY;
	s.root_readonly = true;
	l.devices = devices;
	l.n_devices = 2;
	l.masked_paths = masked;
	l.readonly_paths = readonly;
	struct scenario sc = {
		.spec = &s,
		.rc = {.spec = &s, .bundle = bundle, .no_pivot = no_pivot},
		.legacy = legacy,
		.setup = setup_submount,
		.script = full_script,
	};
	int status;
	const char *out = run(&sc, &status);
	if (!is_int(status, 0, "%s: container ran", mode) || !has(out, "DONE"))
		diag("output:\n%s", out);
	ok(has(out, "proc /proc proc rw,"), "%s: /proc is procfs", mode);
	ok(has(out, "tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755"), "%s: /dev tmpfs", mode);
	ok(has(out, "devpts /dev/pts devpts rw,nosuid,noexec,"), "%s: devpts", mode);
	ok(has(out, "mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec"), "%s: mqueue", mode);
	ok(has(out, "sysfs /sys sysfs ro,nosuid,nodev,noexec"), "%s: sysfs read-only", mode);
	if (host_cgroup2_only()) {
		ok(has(out, " /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec"),
		   "%s: cgroup2 tree mounted read-only (cgroup v2 host)", mode);
		ok(!has(out, " /sys/fs/cgroup tmpfs ") && !has(out, " cgroup ro,") &&
			   !has(out, " cgroup rw,"),
		   "%s: no cgroup v1 layout on a cgroup v2 host", mode);
	} else {
		ok(has(out, "tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec"),
		   "%s: cgroup tmpfs read-only", mode);
		ok(has(out, "/sys/fs/cgroup/memory cgroup ro,nosuid,nodev,noexec"),
		   "%s: cgroup v1 memory hierarchy bound read-only", mode);
	}
	ok(has(out, "CGROUP_RO"), "%s: cgroup tree not writable", mode);
	ok(has(out, "PTMX_OK") && has(out, "FD_OK") && has(out, "STDERR_OK"), "%s: /dev links",
	   mode);
	ok(has(out, "ROOT_RO_OK"), "%s: root.readonly", mode);
	ok(has(out, "KEYS_MASKED") && has(out, "/proc/keys"), "%s: masked file", mode);
	ok(has(out, "tmpfs /proc/acpi tmpfs ro,") && has(out, "ACPI_MASKED"),
	   "%s: masked directory is a read-only tmpfs", mode);
	ok(has(out, "proc /proc/sys proc ro,nosuid,nodev,noexec"), "%s: readonly /proc/sys", mode);
	ok(has(out, "proc /proc/uptime proc ro,nosuid,nodev,noexec"), "%s: readonly file", mode);
	ok(has(out, "HOSTFILE") && has(out, " /etc/hostfile "), "%s: relative file bind", mode);
	/* rro needs mount_setattr, which a kernel without the new mount API lacks */
	ok(has(out, "HOSTDIR") && (legacy || has(out, "RRO_OK")), "%s: rbind with rro", mode);
	ok(has(out, "KEEP") && has(out, "TMP_RW"), "%s: tmpcopyup", mode);
	ok(has(out, "DATA_RO") && has(out, "INNER_RW"), "%s: delayed read-only tmpfs", mode);
	ok(has(out, "SHM_RW") && has(out, "DEV_RW"), "%s: /dev and /dev/shm writable", mode);
	ok(has(out, "FUSE 600 1000 1000 a e5"), "%s: configured device", mode);
	ok(has(out, "ZERO 600 1 5"), "%s: configured device replaces the default", mode);
	ok(has(out, "NULL 666 0 0 1 3 character special file"), "%s: default device", mode);
	ok(has(out, "STDIN 1 3"), "%s: stdio /dev/null", mode);
	if (!has(out, "DONE") || status != 0)
		return;
	ok(has(out, "FDS 0"), "%s: no fd left open by the rootfs set-up", mode);
	if (!ok(!has(out, "ERR "), "%s: no error", mode) || getenv("SHOW"))
		diag("output:\n%s", out);
}

/* The image's /dev is an absolute symlink to a host directory, and /proc a symlink. */
static void check_hostile(void)
{
	char p[PATH_MAX], target[128];
	snprintf(target, sizeof(target), "%s/hostile-out", base);
	snprintf(p, sizeof(p), "%s/dev", rootfs);
	rmdir(p);
	if (symlink(target, p) < 0)
		die(p);
	snprintf(p, sizeof(p), "%s/etc/mnt-link", rootfs);
	if (symlink("../../../../../../..", p) < 0)
		die(p);

	struct spec s;
	struct spec_linux l;
	static struct spec_mount mounts[] = {
		{.destination = "/etc/mnt-link/escaped", .type = "tmpfs", .source = "tmpfs"},
	};
	init_spec(&s, &l, mounts, 1);
	struct scenario sc = {
		.spec = &s,
		.rc = {.spec = &s, .bundle = bundle},
		.script = "[ -c /dev/null ] && echo DONE",
	};
	int status;
	const char *out = run(&sc, &status);
	if (!ok(status == 0 && has(out, "DONE"), "hostile: container ran"))
		diag("output:\n%s", out);
	struct stat st;
	snprintf(p, sizeof(p), "%s/hostile-out/null", base);
	ok(lstat(p, &st) < 0, "hostile: nothing created through the image's /dev symlink");
	snprintf(p, sizeof(p), "%s%s/null", rootfs, target);
	ok(lstat(p, &st) == 0 && S_ISCHR(st.st_mode),
	   "hostile: /dev/null made at the symlink's target inside the rootfs");
	snprintf(p, sizeof(p), "%s/escaped", rootfs);
	ok(lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && access("/escaped", F_OK) < 0,
	   "hostile: a mount through an escaping symlink lands inside the rootfs");

	/* proc on a symlinked /proc is refused with a clear message. */
	snprintf(p, sizeof(p), "%s/proc", rootfs);
	rmdir(p);
	if (symlink("/tmp", p) < 0)
		die(p);
	static struct spec_mount pm[] = {
		{.destination = "/proc", .type = "proc", .source = "proc"}};
	init_spec(&s, &l, pm, 1);
	out = run(&sc, &status);
	if (!ok(status == 1 && has(out, "ERR prepare: mount `proc` on `/proc`: filesystem `proc` "
					"must be mounted on an ordinary directory: `/proc` is a "
					"symlink"),
		"hostile: proc over a symlink refused"))
		diag("output:\n%s", out);

	/* a bind over /proc from a non-proc source is refused */
	unlink(p);
	static struct spec_mount bm[] = {
		{.destination = "/proc", .type = "bind", .source = "/tmp", .flags = MS_BIND}};
	init_spec(&s, &l, bm, 1);
	out = run(&sc, &status);
	ok(status == 1 && has(out, "cannot be mounted because it is not of type proc"),
	   "hostile: non-proc bind over /proc refused");
	static struct spec_mount im[] = {{.destination = "/proc/self", .type = "tmpfs"}};
	init_spec(&s, &l, im, 1);
	out = run(&sc, &status);
	ok(status == 1 && has(out, "cannot be mounted because it is inside /proc"),
	   "hostile: mount inside /proc refused");

	snprintf(p, sizeof(p), "%s/dev", rootfs);
	unlink(p);
}

/* In a user namespace devices are bind mounts of the host's nodes. */
static void check_userns_devices(void)
{
	struct spec s;
	struct spec_linux l;
	static struct spec_mount mounts[] = {
		{.destination = "/proc", .type = "proc", .source = "proc"},
		{.destination = "/dev", .type = "tmpfs", .source = "tmpfs", .data = "mode=755"},
	};
	init_spec(&s, &l, mounts, 2);
	struct scenario sc = {
		.spec = &s,
		.rc = {.spec = &s, .bundle = bundle, .in_userns = true},
		.script = "stat -c 'NULL %t %T' /dev/null; grep ' /dev/null ' /proc/mounts; "
			  "echo hi > /dev/null && echo WRITE_OK",
	};
	int status;
	const char *out = run(&sc, &status);
	ok(status == 0 && has(out, "NULL 1 3") && has(out, " /dev/null ") && has(out, "WRITE_OK"),
	   "userns: /dev/null is a bind mount of the host's");
	if (status != 0)
		diag("output:\n%s", out);
}

/* A real user namespace: mount sources the container's root cannot reach (opened on the
 * runtime side), devices bound from the host, sysfs bound when it cannot be mounted. */
static void check_userns(void)
{
	char p[PATH_MAX], secret[128];
	/* readable itself, but under a directory only the host's root may enter */
	snprintf(secret, sizeof(secret), "%s/private", base);
	if (mkdir(secret, 0700) < 0)
		die(secret);
	snprintf(secret, sizeof(secret), "%s/private/data", base);
	if (mkdir(secret, 0755) < 0)
		die(secret);
	snprintf(p, sizeof(p), "%s/f", secret);
	write_to(p, "SECRET\n");
	char *const chown_[] = {"chown", "-R", "100000:100000", rootfs, NULL};
	xsystem_argv(chown_);
	chmod(base, 0755);
	chmod(bundle, 0755);

	static struct spec_mount mounts[] = {
		{.destination = "/proc", .type = "proc", .source = "proc"},
		{.destination = "/dev", .type = "tmpfs", .source = "tmpfs", .data = "mode=755"},
		{.destination = "/sys", .type = "sysfs", .source = "sysfs", .flags = NSDE | RO},
		{.destination = "/secret", .type = "bind", .flags = MS_BIND | MS_REC | RO},
	};
	mounts[3].source = secret;
	struct spec s;
	struct spec_linux l;
	init_spec(&s, &l, mounts, 4);
	s.root_readonly = true;
	l.masked_paths = masked;
	l.readonly_paths = readonly;
	struct er_error err = ER_ERROR_INIT;
	int *fds = NULL;
	if (!ok(rootfs_open_mount_sources(&s, bundle, &fds, &err) == 0 && fds[3] >= 0 &&
			fds[0] == -1,
		"userns: bind sources opened on the runtime side")) {
		diag("%s", err.msg ? err.msg : "?");
		return;
	}
	struct scenario sc = {
		.spec = &s,
		.rc = {.spec = &s, .bundle = bundle, .in_userns = true, .mount_fds = fds},
		.userns = true,
		.script = "cat /secret/f; touch /secret/x 2>/dev/null || echo SECRET_RO\n"
			  "cat /proc/self/uid_map; cat /proc/mounts\n"
			  "stat -c 'NULL %t %T' /dev/null; echo hi > /dev/null && echo WRITE_OK\n"
			  "ls /sys/kernel >/dev/null && echo SYS_OK\n"
			  "[ -z \"$(cat /proc/keys)\" ] && echo KEYS_MASKED\n"
			  "touch /rootfile 2>/dev/null || echo ROOT_RO_OK\n",
	};
	int status;
	const char *out = run(&sc, &status);
	rootfs_close_mount_sources(fds, s.n_mounts);
	if (!is_int(status, 0, "userns: container ran") || getenv("SHOW"))
		diag("output:\n%s", out);
	ok(has(out, "100000"), "userns: in a user namespace");
	ok(has(out, "SECRET\n") && has(out, "SECRET_RO"),
	   "userns: a bind source the container's root cannot reach works, read-only");
	ok(has(out, "NULL 1 3") && has(out, " /dev/null ") && has(out, "WRITE_OK"),
	   "userns: /dev/null is a bind mount of the host's");
	ok(has(out, " /sys sysfs ro,") && has(out, "SYS_OK"),
	   "userns: sysfs without a network namespace is the host's, read-only");
	ok(has(out, "KEYS_MASKED") && has(out, "proc /proc/sys proc ro,"),
	   "userns: masked and read-only paths");
	ok(has(out, "ROOT_RO_OK"), "userns: root.readonly");
}

static bool host_mounts_clean(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool clean = true;
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, base)) {
			diag("left over: %s", line);
			clean = false;
		}
	if (f)
		fclose(f);
	return clean;
}

int main(void)
{
	struct stat st;
	if (geteuid() != 0 || stat("/bin/busybox", &st) < 0) {
		ok(true, "# SKIP needs root and /bin/busybox");
		return done_testing();
	}
	build_busybox_rootfs();

	check_full("new API", false, false);
	check_full("legacy mount(2)", true, false);
	check_full("no-pivot", false, true);
	check_userns_devices();
	check_hostile();
	check_userns();
	ok(host_mounts_clean(), "no mount left on the host");

	char *const rm[] = {"rm", "-rf", base, NULL};
	xsystem_argv(rm);
	return done_testing();
}
