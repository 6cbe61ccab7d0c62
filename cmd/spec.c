/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun spec [--bundle DIR] [--rootless]: write a starter config.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"

static const struct cmd_opt spec_opts[] = {
	{"bundle", 'b', "value", "path to the root of the bundle directory"},
	{"rootless", 0, NULL, "generate a configuration for a rootless container"},
	{NULL},
};

const struct cmd_verb cmd_spec_verb = {
	.name = "spec",
	.summary = "create a new specification file",
	.args_usage = "",
	.description =
		"DESCRIPTION:\n"
		"   The spec command creates the new specification file named \"config.json\" for\n"
		"the bundle. It is a starter file to edit: its process runs \"sh\" with a "
		"terminal.\n\n"
		"EXAMPLE:\n"
		"    mkdir -p mycontainer/rootfs && cd mycontainer\n"
		"    (fill rootfs/, e.g. with a static busybox and its links)\n"
		"    " CMD_NAME " spec\n"
		"    " CMD_NAME " run container1\n\n"
		"With --rootless the file gets a user namespace mapping the caller's ids, for\n"
		"containers started without root privileges.",
	.opts = spec_opts,
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_spec,
};

int cmd_spec(const struct cmd_ctx *ctx, struct er_error *err)
{
	const char *b = cmd_opt_str(ctx, "bundle");
	_cleanup_free_ char *bundle = cmd_abs_path(b && *b ? b : ".");
	_cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
	_cleanup_free_ char *json = spec_default_json(cmd_opt_bool(ctx, "rootless"));

	if (write_file_at(AT_FDCWD, path, O_CREAT | O_EXCL, 0666, json, strlen(json), err) < 0) {
		if (err->errnum == EEXIST) {
			er_clear(err);
			return er_set(err, 0, "File config.json exists. Remove it first");
		}
		return -1;
	}
	return 0;
}
