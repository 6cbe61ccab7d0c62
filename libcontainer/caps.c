/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.capabilities: the bounding set is dropped while still root (PR_CAPBSET_DROP needs
 * CAP_SETPCAP), then, after setuid with PR_SET_KEEPCAPS, the effective / permitted /
 * inheritable sets are set with libcap and the ambient set with PR_CAP_AMBIENT.
 * No process.capabilities at all: capabilities are left as they are (runc does the same).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

/* Highest capability the kernel knows (and that fits our 64-bit sets). */
static int cap_last(void)
{
	int n = (int)cap_max_bits();

	if (n <= 0 || n > 64)
		n = CAP_LAST_CAP + 1;
	if (n > 64)
		n = 64;
	return n - 1;
}

/* "CAP_SYS_ADMIN" for messages. */
static void cap_label(int c, char *buf, size_t size)
{
	char *name = cap_to_name((cap_value_t)c);

	if (!name) {
		snprintf(buf, size, "%d", c);
		return;
	}
	snprintf(buf, size, "%s", name);
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	cap_free(name);
}

int caps_drop_bounding(const struct spec_caps *caps, struct er_error *err)
{
	int last = cap_last();

	if (!caps->present)
		return 0;
	for (int c = 0; c <= last; c++) {
		char label[64];
		int in;

		if (caps->bounding & CAP_BIT(c))
			continue;
		in = prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0);
		if (in < 0 && errno == EINVAL)
			continue; /* not known to this kernel */
		if (in == 0)
			continue;
		if (in > 0 && prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) == 0)
			continue;
		cap_label(c, label, sizeof(label));
		return er_set(err, errno, "drop bounding capability `%s`", label);
	}
	return 0;
}

static int set_flag(cap_t set, cap_flag_t flag, uint64_t bits, int last, struct er_error *err)
{
	for (int c = 0; c <= last; c++) {
		cap_value_t v = (cap_value_t)c;

		if (!(bits & CAP_BIT(c)))
			continue;
		if (cap_set_flag(set, flag, 1, &v, CAP_SET) < 0)
			return er_set(err, errno, "capability %d", c);
	}
	return 0;
}

static int apply_ambient(uint64_t ambient, int last, struct er_error *err)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		if (errno == EINVAL)
			return 0; /* kernel without ambient capabilities (< 4.3) */
		return er_set(err, errno, "clear ambient capabilities");
	}
	for (int c = 0; c <= last; c++) {
		char label[64];

		if (!(ambient & CAP_BIT(c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) == 0)
			continue;
		cap_label(c, label, sizeof(label));
		/* Raising needs the capability in permitted and inheritable; runc's default spec
		 * lists ambient capabilities without inheritable ones and runc skips them. */
		if (errno == EPERM || errno == EINVAL) {
			er_debug("ambient capability `%s` not raised: %s", label,
				 er_strerror(errno));
			continue;
		}
		return er_set(err, errno, "raise ambient capability `%s`", label);
	}
	return 0;
}

int caps_apply(const struct spec_caps *caps, struct er_error *err)
{
	int last = cap_last();
	cap_t set;

	if (!caps->present)
		return 0;
	if (caps_drop_bounding(caps, err) < 0)
		return -1;
	set = cap_init();
	if (!set)
		return er_set(err, errno, "cap_init");
	if (set_flag(set, CAP_EFFECTIVE, caps->effective, last, err) < 0 ||
	    set_flag(set, CAP_PERMITTED, caps->permitted, last, err) < 0 ||
	    set_flag(set, CAP_INHERITABLE, caps->inheritable, last, err) < 0) {
		cap_free(set);
		return er_prefix(err, "apply capabilities");
	}
	if (cap_set_proc(set) < 0) {
		int e = errno;

		cap_free(set);
		return er_set(err, e, "apply capabilities");
	}
	cap_free(set);
	return apply_ambient(caps->ambient, last, err);
}
