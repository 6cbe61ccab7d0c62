/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun features: what this edgerun recognizes, as the runtime-spec features document. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "specconv/features.h"

/* linux.netDevices: libcontainer/netdev.c moves the devices (netdev_attach in process.c) */
#define FEATURES_NET_DEVICES true

const struct cmd_verb cmd_features_verb = {
	.name = "features",
	.summary = "show the enabled features",
	.args_usage = "",
	.description =
		"DESCRIPTION:\n"
		"   Show the enabled features.\n"
		"   The result is parsable as a JSON.\n"
		"   See https://github.com/opencontainers/runtime-spec/blob/main/features.md for "
		"the type definition.",
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_features,
};

int cmd_features(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct spec_features f = {
		.version = EDGERUN_VERSION,
		.commit = EDGERUN_COMMIT,
		.net_devices = FEATURES_NET_DEVICES,
	};
	char *json;

	(void)ctx;
	(void)err;
	spec_features_probe(&f);
	json = spec_features_json(&f);
	spec_features_free(&f);
	fputs(json, stdout);
	free(json);
	return 0;
}
