/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mount options -> mount(2) flags, propagation, mount_setattr(2) recursive attributes and the
 * filesystem's data string: the options runc and crun understand. Later options override
 * earlier ones ("rw,ro" is read-only). Anything not listed here is for the filesystem and is
 * passed on in `data`, in order.
 */
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/util.h"
#include "specconv/spec.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum opt_kind {
	OPT_SET,   /* set a MS_* flag */
	OPT_CLEAR, /* clear a MS_* flag */
	OPT_PROPAGATION,
	OPT_REC_SET,   /* set a MOUNT_ATTR_* recursively */
	OPT_REC_CLEAR, /* clear a MOUNT_ATTR_* recursively */
	OPT_IDMAP,
	OPT_RIDMAP,
	OPT_TMPCOPYUP,
};

struct mount_opt {
	const char *name;
	enum opt_kind kind;
	unsigned long value;
};

static const struct mount_opt mount_opts[] = {
	{"ro", OPT_SET, MS_RDONLY},
	{"rw", OPT_CLEAR, MS_RDONLY},
	{"nosuid", OPT_SET, MS_NOSUID},
	{"suid", OPT_CLEAR, MS_NOSUID},
	{"nodev", OPT_SET, MS_NODEV},
	{"dev", OPT_CLEAR, MS_NODEV},
	{"noexec", OPT_SET, MS_NOEXEC},
	{"exec", OPT_CLEAR, MS_NOEXEC},
	{"sync", OPT_SET, MS_SYNCHRONOUS},
	{"async", OPT_CLEAR, MS_SYNCHRONOUS},
	{"dirsync", OPT_SET, MS_DIRSYNC},
	{"remount", OPT_SET, MS_REMOUNT},
	{"mand", OPT_SET, MS_MANDLOCK},
	{"nomand", OPT_CLEAR, MS_MANDLOCK},
	{"noatime", OPT_SET, MS_NOATIME},
	{"atime", OPT_CLEAR, MS_NOATIME},
	{"nodiratime", OPT_SET, MS_NODIRATIME},
	{"diratime", OPT_CLEAR, MS_NODIRATIME},
	{"relatime", OPT_SET, MS_RELATIME},
	{"norelatime", OPT_CLEAR, MS_RELATIME},
	{"strictatime", OPT_SET, MS_STRICTATIME},
	{"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
	{"lazytime", OPT_SET, MS_LAZYTIME},
	{"nolazytime", OPT_CLEAR, MS_LAZYTIME},
	{"silent", OPT_SET, MS_SILENT},
	{"loud", OPT_CLEAR, MS_SILENT},
	{"iversion", OPT_SET, MS_I_VERSION},
	{"noiversion", OPT_CLEAR, MS_I_VERSION},
	{"nosymfollow", OPT_SET, MS_NOSYMFOLLOW},
	{"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
	{"bind", OPT_SET, MS_BIND},
	{"rbind", OPT_SET, MS_BIND | MS_REC},

	{"shared", OPT_PROPAGATION, MS_SHARED},
	{"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
	{"slave", OPT_PROPAGATION, MS_SLAVE},
	{"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
	{"private", OPT_PROPAGATION, MS_PRIVATE},
	{"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
	{"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
	{"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},

	{"rro", OPT_REC_SET, MOUNT_ATTR_RDONLY},
	{"rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY},
	{"rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID},
	{"rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID},
	{"rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV},
	{"rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV},
	{"rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC},
	{"rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME},
	{"rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME},
	{"rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW},
	{"rsymfollow", OPT_REC_CLEAR, MOUNT_ATTR_NOSYMFOLLOW},
	/* the atime mode is a 3-bit field (MOUNT_ATTR__ATIME); see apply_rec_atime() */
	{"rrelatime", OPT_REC_SET, MOUNT_ATTR_RELATIME},
	{"rnorelatime", OPT_REC_CLEAR, MOUNT_ATTR_RELATIME},
	{"rnoatime", OPT_REC_SET, MOUNT_ATTR_NOATIME},
	{"ratime", OPT_REC_CLEAR, MOUNT_ATTR_NOATIME},
	{"rstrictatime", OPT_REC_SET, MOUNT_ATTR_STRICTATIME},
	{"rnostrictatime", OPT_REC_CLEAR, MOUNT_ATTR_STRICTATIME},

	{"idmap", OPT_IDMAP, 0},
	{"ridmap", OPT_RIDMAP, 0},
	{"tmpcopyup", OPT_TMPCOPYUP, 0},
};

static bool is_atime_opt(const struct mount_opt *o)
{
	return strcmp(o->name, "rrelatime") == 0 || strcmp(o->name, "rnorelatime") == 0 ||
	       strcmp(o->name, "rnoatime") == 0 || strcmp(o->name, "ratime") == 0 ||
	       strcmp(o->name, "rstrictatime") == 0 || strcmp(o->name, "rnostrictatime") == 0;
}

/* The kernel changes the atime mode only when MOUNT_ATTR__ATIME is in attr_clr, and takes the
 * new mode from attr_set; clearing a mode falls back to the default, relatime. */
static void apply_rec_atime(struct spec_mount *m, const struct mount_opt *o)
{
	m->rec_attr_clr |= MOUNT_ATTR__ATIME;
	m->rec_attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
	if (o->kind == OPT_REC_SET)
		m->rec_attr_set |= o->value;
}

static void apply(struct spec_mount *m, const struct mount_opt *o)
{
	switch (o->kind) {
	case OPT_SET:
		m->flags |= o->value;
		m->clear_flags &= ~o->value;
		break;
	case OPT_CLEAR:
		m->flags &= ~o->value;
		m->clear_flags |= o->value;
		break;
	case OPT_PROPAGATION:
		m->propagation = o->value;
		break;
	case OPT_REC_SET:
	case OPT_REC_CLEAR:
		if (is_atime_opt(o)) {
			apply_rec_atime(m, o);
		} else if (o->kind == OPT_REC_SET) {
			m->rec_attr_set |= o->value;
			m->rec_attr_clr &= ~(uint64_t)o->value;
		} else {
			m->rec_attr_clr |= o->value;
			m->rec_attr_set &= ~(uint64_t)o->value;
		}
		break;
	case OPT_IDMAP:
		m->idmap = true;
		break;
	case OPT_RIDMAP:
		m->ridmap = true;
		break;
	case OPT_TMPCOPYUP:
		m->tmpcopyup = true;
		break;
	}
}

static void data_append(char **data, size_t *len, const char *opt)
{
	size_t n = strlen(opt);

	*data = xrealloc(*data, *len + n + 2);
	if (*len)
		(*data)[(*len)++] = ',';
	memcpy(*data + *len, opt, n + 1);
	*len += n;
}

int spec_mount_parse_options(struct spec_mount *m, struct er_error *err)
{
	size_t data_len = 0;

	m->flags = m->clear_flags = m->propagation = 0;
	m->rec_attr_set = m->rec_attr_clr = 0;
	m->idmap = m->ridmap = m->tmpcopyup = false;
	free(m->data);
	m->data = NULL;

	if (m->type && strcmp(m->type, "bind") == 0)
		m->flags |= MS_BIND;
	for (size_t i = 0; m->options && m->options[i]; i++) {
		const char *opt = m->options[i];
		const struct mount_opt *o = NULL;

		if (!*opt)
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(mount_opts) && !o; j++)
			if (strcmp(mount_opts[j].name, opt) == 0)
				o = &mount_opts[j];
		if (o)
			apply(m, o);
		else
			data_append(&m->data, &data_len, opt);
	}

	if (!m->n_uid_mappings != !m->n_gid_mappings)
		return er_set(err, 0, "uidMappings and gidMappings must be given together");
	if (m->n_uid_mappings && !(m->flags & MS_BIND))
		return er_set(err, 0, "uidMappings and gidMappings are only for bind mounts");
	/* Mappings alone ask for an idmapped mount, as in runc. */
	if (m->n_uid_mappings && !m->idmap && !m->ridmap)
		m->idmap = true;
	return 0;
}
