/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The features document (see features.h): fixed lists, the host probes, and a printer with
 * runc's layout (Go's json.Encoder with a 4-space indent: `"key": value`, `[]` and `{}` when
 * empty, a newline at the end).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/features.h"

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* ---------------- what edgerun's code recognizes ---------------- */

/* specconv/spec.c's hook kinds, in the order they run */
static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL,
};

/* specconv/mountopts.c's options, sorted, without idmap and ridmap: recognized there, but
 * libcontainer/mount.c refuses idmapped mounts. Anything else goes to the filesystem. */
static const char *const mount_options[] = {
	"async",	  "atime",	 "bind",	 "dev",		"diratime",
	"dirsync",	  "exec",	 "iversion",	 "lazytime",	"loud",
	"mand",		  "noatime",	 "nodev",	 "nodiratime",	"noexec",
	"noiversion",	  "nolazytime",	 "nomand",	 "norelatime",	"nostrictatime",
	"nosuid",	  "nosymfollow", "private",	 "ratime",	"rbind",
	"rdev",		  "rdiratime",	 "relatime",	 "remount",	"rexec",
	"rnoatime",	  "rnodev",	 "rnodiratime",	 "rnoexec",	"rnorelatime",
	"rnostrictatime", "rnosuid",	 "rnosymfollow", "ro",		"rprivate",
	"rrelatime",	  "rro",	 "rrw",		 "rshared",	"rslave",
	"rstrictatime",	  "rsuid",	 "rsymfollow",	 "runbindable", "rw",
	"shared",	  "silent",	 "slave",	 "strictatime", "suid",
	"symfollow",	  "sync",	 "tmpcopyup",	 "unbindable",	NULL,
};

/* specconv/spec_linux.c's namespace types, sorted (time: with linux.timeOffsets) */
static const char *const namespaces[] = {
	"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
};

/* specconv/spec_seccomp.c's actions and operators, sorted */
static const char *const seccomp_actions[] = {
	"SCMP_ACT_ALLOW",	"SCMP_ACT_ERRNO",
	"SCMP_ACT_KILL",	"SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY",	"SCMP_ACT_TRACE",
	"SCMP_ACT_TRAP",	NULL,
};

static const char *const seccomp_operators[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE",	     "SCMP_CMP_GT", "SCMP_CMP_LE",
	"SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

/* seccomp/compile.c's flags, with the bits to probe the kernel with (WAIT_KILLABLE_RECV is
 * only accepted together with NEW_LISTENER, which compile.c adds for a notify rule) */
static const struct {
	const char *name;
	unsigned int probe;
} seccomp_flags[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER},
};

/* seccomp/compile.c's architectures (the same #ifdefs), sorted */
static const char *const seccomp_archs[] = {
	"SCMP_ARCH_AARCH64",	 "SCMP_ARCH_ARM",
#ifdef SCMP_ARCH_LOONGARCH64
	"SCMP_ARCH_LOONGARCH64",
#endif
#ifdef SCMP_ARCH_M68K
	"SCMP_ARCH_M68K",
#endif
	"SCMP_ARCH_MIPS",	 "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
	"SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_S390",	 "SCMP_ARCH_S390X",
#ifdef SCMP_ARCH_SH
	"SCMP_ARCH_SH",		 "SCMP_ARCH_SHEB",
#endif
	"SCMP_ARCH_X32",	 "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",
};

/* ---------------- host probes ---------------- */

/* The names libcap gives the capability bits the running kernel has; spec_process.c drops
 * any other name from a config (libcap's cap_max_bits() is the kernel's count). */
static char **probe_capabilities(void)
{
	unsigned int n = cap_max_bits();
	char **out = xcalloc(1, sizeof(char *));

	for (unsigned int i = 0; i < n && i < 64; i++) {
		char *name = cap_to_name((cap_value_t)i);

		/* libcap prints a bit it has no name for as its number */
		if (name && strncmp(name, "cap_", 4) == 0) {
			char *up = xstrdup(name);

			for (char *p = up; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			strv_push(&out, up);
		}
		cap_free(name);
	}
	return out;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64": known to the libseccomp we run with */
static bool libseccomp_knows_arch(const char *name)
{
	_cleanup_free_ char *lower = xstrdup(name + strlen("SCMP_ARCH_"));

	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return seccomp_arch_resolve_name(lower) != 0;
}

static char **probe_archs(void)
{
	char **out = xcalloc(1, sizeof(char *));

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_archs); i++) {
		if (libseccomp_knows_arch(seccomp_archs[i]))
			strv_push(&out, xstrdup(seccomp_archs[i]));
	}
	return out;
}

/* seccomp(2) checks the flags before it copies the program: EFAULT for a NULL program means
 * the flags were accepted and nothing was loaded. */
static char **probe_seccomp_flags(void)
{
	char **out = xcalloc(1, sizeof(char *));

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_flags); i++) {
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, seccomp_flags[i].probe, NULL) <
			    0 &&
		    errno == EFAULT)
			strv_push(&out, xstrdup(seccomp_flags[i].name));
	}
	return out;
}

/* As libcontainer/process.c decides whether an LSM label can be applied. */
static bool lsm_on(const char *path, const char *want)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[8] = "";

	if (fd < 0)
		return false;
	if (!want)
		return true;
	return read(fd, buf, sizeof(buf) - 1) > 0 && str_has_prefix(buf, want);
}

void spec_features_probe(struct spec_features *f)
{
	const struct scmp_version *v = seccomp_version();

	spec_features_free(f);
	f->capabilities = probe_capabilities();
	f->seccomp_archs = probe_archs();
	f->seccomp_supported_flags = probe_seccomp_flags();
	if (v)
		f->libseccomp_version = xasprintf("%u.%u.%u", v->major, v->minor, v->micro);
	f->apparmor = lsm_on("/sys/module/apparmor/parameters/enabled", "Y");
	f->selinux = lsm_on("/sys/fs/selinux/enforce", NULL);
}

void spec_features_free(struct spec_features *f)
{
	strv_free(f->capabilities);
	strv_free(f->seccomp_archs);
	strv_free(f->seccomp_supported_flags);
	free(f->libseccomp_version);
	f->capabilities = f->seccomp_archs = f->seccomp_supported_flags = NULL;
	f->libseccomp_version = NULL;
}

/* ---------------- the document ---------------- */

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static void put_strv(json_object *o, const char *key, const char *const *v)
{
	json_object *a;

	if (!v)
		return;
	a = json_object_new_array();
	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	put(o, key, a);
}

static json_object *enabled(bool on)
{
	json_object *o = json_object_new_object();

	put(o, "enabled", json_object_new_boolean(on));
	return o;
}

static json_object *cgroup_object(void)
{
	json_object *o = json_object_new_object();

	put(o, "v1", json_object_new_boolean(1));
	put(o, "v2", json_object_new_boolean(1));
	put(o, "systemd", json_object_new_boolean(0)); /* --systemd-cgroup is refused */
	put(o, "systemdUser", json_object_new_boolean(0));
	put(o, "rdma", json_object_new_boolean(1));
	return o;
}

static json_object *seccomp_object(const struct spec_features *f)
{
	json_object *o = json_object_new_object();
	json_object *known = json_object_new_array();

	put(o, "enabled", json_object_new_boolean(1));
	put_strv(o, "actions", seccomp_actions);
	put_strv(o, "operators", seccomp_operators);
	put_strv(o, "archs", (const char *const *)f->seccomp_archs);
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_flags); i++)
		json_object_array_add(known, json_object_new_string(seccomp_flags[i].name));
	put(o, "knownFlags", known);
	put_strv(o, "supportedFlags", (const char *const *)f->seccomp_supported_flags);
	return o;
}

static json_object *linux_object(const struct spec_features *f)
{
	json_object *o = json_object_new_object(), *ext = json_object_new_object();

	put_strv(o, "namespaces", namespaces);
	put_strv(o, "capabilities", (const char *const *)f->capabilities);
	put(o, "cgroup", cgroup_object());
	put(o, "seccomp", seccomp_object(f));
	put(o, "apparmor", enabled(f->apparmor));
	put(o, "selinux", enabled(f->selinux));
	put(o, "intelRdt", enabled(false));
	put(ext, "idmap", enabled(false));
	put(o, "mountExtensions", ext);
	put(o, "netDevices", enabled(f->net_devices));
	return o;
}

/* Sorted by key, as Go prints a map. */
static json_object *annotations_object(const struct spec_features *f)
{
	json_object *o = json_object_new_object();

	if (f->libseccomp_version)
		put(o, "io.github.seccomp.libseccomp.version",
		    json_object_new_string(f->libseccomp_version));
	if (f->commit)
		put(o, "org.edgerun.commit", json_object_new_string(f->commit));
	if (f->version)
		put(o, "org.edgerun.version", json_object_new_string(f->version));
	return o;
}

static json_object *features_object(const struct spec_features *f)
{
	json_object *o = json_object_new_object();

	put(o, "ociVersionMin", json_object_new_string(SPEC_FEATURES_OCI_VERSION_MIN));
	put(o, "ociVersionMax", json_object_new_string(SPEC_FEATURES_OCI_VERSION_MAX));
	put_strv(o, "hooks", hooks);
	put_strv(o, "mountOptions", mount_options);
	put(o, "linux", linux_object(f));
	put(o, "annotations", annotations_object(f));
	return o;
}

/* ---------------- printing, as runc prints it ---------------- */

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", out);
}

static void print_string(FILE *out, const char *s)
{
	json_object *str = json_object_new_string(s);

	fputs(json_object_to_json_string_ext(str, JSON_C_TO_STRING_NOSLASHESCAPE), out);
	json_object_put(str);
}

static void print_value(FILE *out, json_object *v, int depth);

static void print_object(FILE *out, json_object *o, int depth)
{
	bool first = true;

	if (json_object_object_length(o) == 0) {
		fputs("{}", out);
		return;
	}
	fputs("{\n", out);
	json_object_object_foreach(o, key, member)
	{
		if (!first)
			fputs(",\n", out);
		first = false;
		indent(out, depth + 1);
		print_string(out, key);
		fputs(": ", out);
		print_value(out, member, depth + 1);
	}
	fputc('\n', out);
	indent(out, depth);
	fputc('}', out);
}

static void print_array(FILE *out, json_object *a, int depth)
{
	size_t n = json_object_array_length(a);

	if (n == 0) {
		fputs("[]", out);
		return;
	}
	fputs("[\n", out);
	for (size_t i = 0; i < n; i++) {
		indent(out, depth + 1);
		print_value(out, json_object_array_get_idx(a, i), depth + 1);
		fputs(i + 1 < n ? ",\n" : "\n", out);
	}
	indent(out, depth);
	fputc(']', out);
}

static void print_value(FILE *out, json_object *v, int depth)
{
	switch (json_object_get_type(v)) {
	case json_type_object:
		print_object(out, v, depth);
		break;
	case json_type_array:
		print_array(out, v, depth);
		break;
	default: /* scalars: json-c's plain form ("x", true, 1, null) */
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE),
		      out);
		break;
	}
}

char *spec_features_json(const struct spec_features *f)
{
	json_object *doc = features_object(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		abort(); /* out of memory, as xmalloc */
	print_value(out, doc, 0);
	fputc('\n', out);
	fclose(out);
	json_object_put(doc);
	return buf;
}
