/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `edgerun features`: the runtime-spec "Features structure" (features.md, features-linux.md)
 * that tells a caller what this edgerun recognizes, in runc's layout (4-space indent, one
 * newline at the end).
 *
 * Most of it is fixed by edgerun's code (hooks, mount options, namespaces, seccomp actions
 * and operators, cgroup v1/v2 with rdma, no systemd driver, no Intel RDT, no idmapped
 * mounts). What depends on the libraries and the kernel edgerun runs with comes from
 * spec_features_probe(), checked the way the engine checks it:
 *   capabilities     the names libcap has for the bits the kernel has (specconv keeps
 *                    only those, spec_process.c)
 *   seccomp archs    those both this build and the libseccomp it runs with know
 *                    (seccomp/compile.c refuses the others)
 *   supportedFlags   the known flags the running kernel accepts (probed as
 *                    seccomp/compile.c probes them before it loads a filter)
 *   apparmor/selinux enabled when this host has the LSM on: edgerun refuses
 *                    apparmorProfile / selinuxLabel otherwise (libcontainer/process.c)
 */
#ifndef EDGERUN_SPECCONV_FEATURES_H
#define EDGERUN_SPECCONV_FEATURES_H

#include <stdbool.h>

#define SPEC_FEATURES_OCI_VERSION_MIN "1.0.0"
#define SPEC_FEATURES_OCI_VERSION_MAX "1.3.0"

struct spec_features {
	/* from the caller: edgerun's build */
	const char *version; /* annotation org.edgerun.version; NULL = left out */
	const char *commit;  /* annotation org.edgerun.commit; NULL = left out */
	bool net_devices;    /* linux.netDevices.enabled */
	/* from spec_features_probe(), owned; NULL vectors print as absent */
	char **capabilities;  /* "CAP_CHOWN", ..., in bit order */
	char **seccomp_archs; /* "SCMP_ARCH_AARCH64", ..., sorted */
	char **seccomp_supported_flags;
	char *libseccomp_version; /* "2.5.4"; annotation io.github.seccomp.libseccomp.version */
	bool apparmor, selinux;
};

/* Fills the probed members of F (see above); leaves the others alone. */
void spec_features_probe(struct spec_features *f);
/* Frees the probed members and sets them to NULL. */
void spec_features_free(struct spec_features *f);

/* The features document for F, pretty-printed as `runc features` prints it, ending in a
 * newline. Caller frees. */
char *spec_features_json(const struct spec_features *f);

#endif
