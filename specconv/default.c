/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `edgerun spec`: the config.json runc 1.1 writes with `runc spec` (and `--rootless`), field for
 * field and in the same order and layout (tab indentation, no trailing newline), except that
 * ociVersion is the spec version edgerun implements.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "specconv/spec.h"

#include <json-c/json.h>

#define SPEC_OCI_VERSION "1.3.0"

static json_object *strs(const char *const *v)
{
	json_object *a = json_object_new_array();

	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static void put_str(json_object *o, const char *key, const char *s)
{
	put(o, key, json_object_new_string(s));
}

static json_object *default_process(void)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
		NULL};
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
	json_object *p = json_object_new_object(), *user = json_object_new_object();
	json_object *c = json_object_new_object(), *rl = json_object_new_object();
	json_object *rls = json_object_new_array();

	put(p, "terminal", json_object_new_boolean(1));
	put(user, "uid", json_object_new_int(0));
	put(user, "gid", json_object_new_int(0));
	put(p, "user", user);
	put(p, "args", strs(args));
	put(p, "env", strs(env));
	put_str(p, "cwd", "/");
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		put(c, sets[i], strs(caps));
	put(p, "capabilities", c);
	put_str(rl, "type", "RLIMIT_NOFILE");
	put(rl, "hard", json_object_new_int(1024));
	put(rl, "soft", json_object_new_int(1024));
	json_object_array_add(rls, rl);
	put(p, "rlimits", rls);
	put(p, "noNewPrivileges", json_object_new_boolean(1));
	return p;
}

static json_object *mnt(const char *dest, const char *type, const char *src,
			const char *const *opts)
{
	json_object *m = json_object_new_object();

	put_str(m, "destination", dest);
	put_str(m, "type", type);
	put_str(m, "source", src);
	if (opts)
		put(m, "options", strs(opts));
	return m;
}

static json_object *default_mounts(bool rootless)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec",
						   "nodev", "ro",     NULL};
	static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
	json_object *a = json_object_new_array();
	json_object *devpts = mnt("/dev/pts", "devpts", "devpts", pts);

	json_object_array_add(a, mnt("/proc", "proc", "proc", NULL));
	json_object_array_add(a, mnt("/dev", "tmpfs", "tmpfs", dev));
	if (rootless) /* no gid=5: the tty group is not mapped */
		json_object_array_del_idx(json_object_object_get(devpts, "options"), 5, 1);
	json_object_array_add(a, devpts);
	json_object_array_add(a, mnt("/dev/shm", "tmpfs", "shm", shm));
	json_object_array_add(a, mnt("/dev/mqueue", "mqueue", "mqueue", mq));
	if (rootless) /* sysfs cannot be mounted without a network namespace of our own */
		json_object_array_add(a, mnt("/sys", "none", "/sys", sys_rootless));
	else
		json_object_array_add(a, mnt("/sys", "sysfs", "sysfs", sys));
	json_object_array_add(a, mnt("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	return a;
}

static json_object *idmap(unsigned int host_id)
{
	json_object *a = json_object_new_array(), *m = json_object_new_object();

	put(m, "containerID", json_object_new_int(0));
	put(m, "hostID", json_object_new_int64(host_id));
	put(m, "size", json_object_new_int(1));
	json_object_array_add(a, m);
	return a;
}

static json_object *default_linux(bool rootless)
{
	static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount"};
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     NULL};
	static const char *const ro[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
	json_object *l = json_object_new_object(), *nss = json_object_new_array();

	if (rootless) {
		put(l, "uidMappings", idmap(geteuid()));
		put(l, "gidMappings", idmap(getegid()));
	} else {
		json_object *res = json_object_new_object(), *devs = json_object_new_array();
		json_object *deny = json_object_new_object();

		put(deny, "allow", json_object_new_boolean(0));
		put_str(deny, "access", "rwm");
		json_object_array_add(devs, deny);
		put(res, "devices", devs);
		put(l, "resources", res);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		json_object *n;

		if (rootless && strcmp(ns[i], "network") == 0)
			continue;
		n = json_object_new_object();
		put_str(n, "type", ns[i]);
		json_object_array_add(nss, n);
	}
	if (rootless) {
		json_object *n = json_object_new_object();

		put_str(n, "type", "user");
		json_object_array_add(nss, n);
	}
	put(l, "namespaces", nss);
	put(l, "maskedPaths", strs(masked));
	put(l, "readonlyPaths", strs(ro));
	return l;
}

char *spec_default_json(bool rootless)
{
	json_object *doc = json_object_new_object(), *root = json_object_new_object();
	char *out;

	put_str(doc, "ociVersion", SPEC_OCI_VERSION);
	put(doc, "process", default_process());
	put_str(root, "path", "rootfs");
	put(root, "readonly", json_object_new_boolean(1));
	put(doc, "root", root);
	put_str(doc, "hostname", "runc");
	put(doc, "mounts", default_mounts(rootless));
	put(doc, "linux", default_linux(rootless));
	out = xstrdup(json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
			     JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return out;
}
