/* SPDX-License-Identifier: Apache-2.0 */
/* specconv: config.json -> struct spec, its error messages, and `edgerun spec`'s output. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/spec.h"
#include "tap.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* ---- helpers ---- */

static char *fixture(const char *name)
{
	const char *slash = strrchr(__FILE__, '/');
	int dirlen = slash ? (int)(slash - __FILE__) : 1;
	_cleanup_free_ char *path =
		xasprintf("%.*s/fixtures/%s", dirlen, slash ? __FILE__ : ".", name);
	struct er_error err = ER_ERROR_INIT;
	char *buf = read_file_at(AT_FDCWD, path, NULL, &err);

	if (!buf) {
		diag("cannot read fixture: %s", err.msg);
		er_clear(&err);
		exit(1);
	}
	return buf;
}

/* JSON written with single quotes, for readability: 'a' -> "a". */
static char *dq(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

/* Parses (single-quoted) JSON with bundle "/b"; returns the error message or NULL. */
static char *parse_error(const char *sq)
{
	_cleanup_free_ char *json = dq(sq);
	struct er_error err = ER_ERROR_INIT;
	struct spec *s = spec_parse(json, strlen(json), "/b", &err);

	if (s) {
		spec_free(s);
		return NULL;
	}
	return err.msg;
}

static struct spec *parse_ok(const char *sq)
{
	_cleanup_free_ char *json = dq(sq);
	struct er_error err = ER_ERROR_INIT;
	struct spec *s = spec_parse(json, strlen(json), "/b", &err);

	if (!s) {
		diag("unexpected error: %s", err.msg);
		er_clear(&err);
	}
	return s;
}

#define CAP(c) (UINT64_C(1) << (c))

/* A minimal valid document with extra members appended. */
#define DOC(...) "{'ociVersion':'1.3.0','root':{'path':'rootfs'}" __VA_ARGS__ "}"
#define PROC(...) DOC(",'process':{'cwd':'/','args':['sh']" __VA_ARGS__ "}")
#define LINUX(...) DOC(",'linux':{" __VA_ARGS__ "}")
#define RES(...) LINUX("'resources':{" __VA_ARGS__ "}")
#define SECCOMP(...) LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'," __VA_ARGS__ "}")

/* ---- a full config ---- */

static void check_process(const struct spec_process *p)
{
	is_int(p->terminal, 1, "process.terminal");
	ok(p->has_console_size && p->console_height == 25 && p->console_width == 80,
	   "process.consoleSize");
	is_int(p->user.uid, 1000, "process.user.uid");
	is_int(p->user.gid, 100, "process.user.gid");
	ok(p->user.has_umask && p->user.umask == 022, "process.user.umask");
	ok(p->user.n_additional_gids == 3 && p->user.additional_gids[0] == 5 &&
		   p->user.additional_gids[2] == 4294967295u,
	   "process.user.additionalGids (uint32 max kept)");
	ok(strv_len(p->args) == 3 && strcmp(p->args[2], "echo hi") == 0, "process.args");
	ok(strv_len(p->env) == 2 && strcmp(p->env[1], "TERM=xterm") == 0, "process.env");
	is_str(p->cwd, "/home/user", "process.cwd");
	ok(p->caps.present, "process.capabilities present");
	is_int((long long)p->caps.bounding,
	       CAP(CAP_CHOWN) | CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE), "capabilities.bounding");
	is_int((long long)p->caps.effective, CAP(CAP_KILL), "capabilities.effective");
	is_int((long long)p->caps.inheritable, 0, "capabilities.inheritable (empty)");
	is_int((long long)p->caps.permitted, CAP(CAP_CHOWN) | CAP(CAP_KILL),
	       "capabilities.permitted");
	is_int((long long)p->caps.ambient, CAP(CAP_NET_BIND_SERVICE),
	       "capabilities.ambient (unknown CAP_ name skipped)");
	ok(p->n_rlimits == 2 && p->rlimits[0].resource == RLIMIT_NOFILE &&
		   p->rlimits[0].hard == 4096 && p->rlimits[0].soft == 1024,
	   "process.rlimits[0]");
	ok(p->rlimits[1].resource == RLIMIT_CORE && p->rlimits[1].hard == UINT64_MAX,
	   "process.rlimits[1] (uint64 max)");
	is_int(p->no_new_privileges, 1, "process.noNewPrivileges");
	ok(p->has_oom_score_adj && p->oom_score_adj == -500, "process.oomScoreAdj");
	ok(p->has_scheduler && p->scheduler.policy == SCHED_DEADLINE && p->scheduler.nice == -5 &&
		   p->scheduler.priority == 3,
	   "process.scheduler policy/nice/priority");
	is_int((long long)p->scheduler.flags, SCHED_FLAG_RESET_ON_FORK | SCHED_FLAG_RECLAIM,
	       "process.scheduler.flags");
	ok(p->scheduler.runtime == 10000000 && p->scheduler.deadline == 20000000 &&
		   p->scheduler.period == 30000000,
	   "process.scheduler deadline parameters");
	ok(p->has_io_priority && p->io_priority_class == 2 && p->io_priority == 4,
	   "process.ioPriority");
	is_str(p->apparmor_profile, "edgerun-default", "process.apparmorProfile");
	is_str(p->selinux_label, "system_u:system_r:container_t:s0", "process.selinuxLabel");
}

static void check_mounts_hooks(const struct spec *s)
{
	const struct spec_mount *m;

	is_int((long long)s->n_mounts, 3, "3 mounts");
	m = &s->mounts[0];
	ok(strcmp(m->destination, "/proc") == 0 && strcmp(m->type, "proc") == 0 &&
		   strcmp(m->source, "proc") == 0 && !m->options && !m->data && !m->flags,
	   "mounts[0] proc");
	m = &s->mounts[1];
	is_int((long long)m->flags, MS_BIND | MS_REC | MS_NOSUID, "mounts[1] flags");
	is_int((long long)m->clear_flags, MS_RDONLY, "mounts[1] clear_flags (rw)");
	is_int((long long)m->propagation, MS_PRIVATE | MS_REC, "mounts[1] propagation");
	is_int((long long)m->rec_attr_set, MOUNT_ATTR_RDONLY, "mounts[1] rro");
	ok(m->idmap && !m->ridmap, "mounts[1] idmap");
	ok(m->n_uid_mappings == 1 && m->uid_mappings[0].host_id == 100000 &&
		   m->uid_mappings[0].size == 65536 && m->n_gid_mappings == 1 &&
		   m->gid_mappings[0].host_id == 200000,
	   "mounts[1] uid/gid mappings");
	m = &s->mounts[2];
	is_str(m->data, "mode=1777,size=64m", "mounts[2] data");
	ok(m->tmpcopyup, "mounts[2] tmpcopyup");

	ok(s->hooks.n[HOOK_PRESTART] == 1 && s->hooks.list[HOOK_PRESTART][0].timeout == 5 &&
		   strcmp(s->hooks.list[HOOK_PRESTART][0].path, "/usr/bin/pre") == 0 &&
		   strv_len(s->hooks.list[HOOK_PRESTART][0].args) == 2 &&
		   strv_len(s->hooks.list[HOOK_PRESTART][0].env) == 1,
	   "hooks.prestart");
	ok(s->hooks.n[HOOK_CREATE_RUNTIME] == 2 &&
		   strcmp(s->hooks.list[HOOK_CREATE_RUNTIME][1].path, "/bin/cr2") == 0 &&
		   s->hooks.list[HOOK_CREATE_RUNTIME][1].timeout == 0 &&
		   !s->hooks.list[HOOK_CREATE_RUNTIME][1].args,
	   "hooks.createRuntime");
	ok(s->hooks.n[HOOK_CREATE_CONTAINER] == 1 && s->hooks.n[HOOK_START_CONTAINER] == 1 &&
		   s->hooks.n[HOOK_POSTSTART] == 1 && s->hooks.n[HOOK_POSTSTOP] == 1 &&
		   s->hooks.list[HOOK_POSTSTOP][0].timeout == 30,
	   "hooks: all six kinds");
}

static void check_linux(const struct spec_linux *l)
{
	ok(l->n_namespaces == 8 && l->namespaces[0].type == CLONE_NEWPID &&
		   l->namespaces[7].type == CLONE_NEWTIME && !l->namespaces[0].path,
	   "linux.namespaces");
	ok(l->namespaces[1].type == CLONE_NEWNET &&
		   strcmp(l->namespaces[1].path, "/var/run/netns/edge") == 0,
	   "linux.namespaces[1] with path");
	ok(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 1000 && l->n_gid_mappings == 2 &&
		   l->gid_mappings[1].container_id == 1,
	   "linux uid/gid mappings");
	ok(l->time_monotonic.present && l->time_monotonic.secs == 7881 &&
		   l->time_monotonic.nanosecs == 2718281,
	   "linux.timeOffsets.monotonic");
	ok(l->time_boottime.present && l->time_boottime.secs == -1337 &&
		   l->time_boottime.nanosecs == 0,
	   "linux.timeOffsets.boottime");
	ok(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].major == 10 &&
		   l->devices[0].minor == 229 && l->devices[0].has_file_mode &&
		   l->devices[0].file_mode == 0666 && l->devices[0].has_uid &&
		   l->devices[0].has_gid,
	   "linux.devices[0]");
	ok(l->devices[1].type == 'p' && !l->devices[1].has_file_mode && !l->devices[1].has_uid,
	   "linux.devices[1] fifo without major/minor");
	ok(l->n_net_devices == 2 && strcmp(l->net_devices[0].host_name, "eth1") == 0 &&
		   strcmp(l->net_devices[0].name, "net0") == 0 && !l->net_devices[1].name,
	   "linux.netDevices");
	is_str(l->cgroups_path, "/edge/ctr", "linux.cgroupsPath");
	is_int((long long)l->rootfs_propagation, MS_SHARED | MS_REC, "linux.rootfsPropagation");
	ok(strv_len(l->masked_paths) == 2 && strv_len(l->readonly_paths) == 1,
	   "linux.maskedPaths / readonlyPaths");
	is_str(l->mount_label, "system_u:object_r:container_file_t:s0", "linux.mountLabel");
	ok(l->n_sysctl == 2 && strcmp(l->sysctl[0].key, "net.ipv4.ip_forward") == 0 &&
		   strcmp(l->sysctl[1].value, "8192") == 0,
	   "linux.sysctl in file order");
	ok(l->has_personality && l->personality_domain == PER_LINUX32 && l->personality_flags &&
		   !l->personality_flags[0],
	   "linux.personality");
	ok(l->has_intel_rdt, "linux.intelRdt present");
}

static void check_resources(const struct spec_resources *r)
{
	ok(r->n_devices == 3 && !r->devices[0].allow && r->devices[0].type == 'a' &&
		   r->devices[0].major == -1 && !r->devices[0].has_major &&
		   strcmp(r->devices[0].access, "rwm") == 0,
	   "resources.devices[0] deny all");
	ok(r->devices[1].allow && r->devices[1].type == 'c' && r->devices[1].major == 10 &&
		   r->devices[1].minor == 229,
	   "resources.devices[1]");
	ok(r->devices[2].type == 'b' && r->devices[2].major == 8 && r->devices[2].minor == -1 &&
		   !r->devices[2].access,
	   "resources.devices[2] wildcard minor, all access");
	ok(r->has_mem_limit && r->mem_limit == 536870912 && r->mem_reservation == 268435456 &&
		   r->has_mem_swap && r->mem_swap == -1 && r->has_mem_kernel &&
		   r->mem_kernel == 0 && r->mem_kernel_tcp == 1024 && r->mem_swappiness == 60,
	   "resources.memory values");
	ok(r->has_mem_disable_oom_killer && r->mem_disable_oom_killer && r->has_mem_use_hierarchy &&
		   !r->mem_use_hierarchy && r->has_mem_check_before_update &&
		   r->mem_check_before_update,
	   "resources.memory booleans");
	ok(r->cpu_shares == 1024 && r->cpu_quota == 50000 && r->cpu_burst == 1000 &&
		   r->cpu_period == 100000 && r->cpu_rt_runtime == 950000 &&
		   r->cpu_rt_period == 1000000 && r->has_cpu_idle && r->cpu_idle == 1 &&
		   strcmp(r->cpu_cpus, "0-1") == 0 && strcmp(r->cpu_mems, "0") == 0,
	   "resources.cpu");
	ok(r->has_pids_limit && r->pids_limit == 32768, "resources.pids");
	ok(r->has_blkio_weight && r->blkio_weight == 500 && r->blkio_leaf_weight == 300 &&
		   r->n_blkio_weight_devices == 1 && r->blkio_weight_devices[0].has_weight &&
		   !r->blkio_weight_devices[0].has_leaf_weight,
	   "resources.blockIO weights");
	ok(r->n_throttle_read_bps == 1 && r->throttle_read_bps[0].rate == 1048576 &&
		   r->n_throttle_write_bps == 1 && r->throttle_write_bps[0].minor == 16 &&
		   r->n_throttle_read_iops == 1 && r->n_throttle_write_iops == 2 &&
		   r->throttle_write_iops[1].rate == 300,
	   "resources.blockIO throttles");
	ok(r->n_hugepage_limits == 1 && strcmp(r->hugepage_limits[0].key, "2MB") == 0 &&
		   strcmp(r->hugepage_limits[0].value, "209715200") == 0,
	   "resources.hugepageLimits");
	ok(r->has_net_class_id && r->net_class_id == 1048577 && r->n_net_priorities == 1 &&
		   strcmp(r->net_priorities[0].key, "eth0") == 0 &&
		   strcmp(r->net_priorities[0].value, "500") == 0,
	   "resources.network");
	ok(r->n_rdma == 2 && strcmp(r->rdma[0].device, "mlx5_1") == 0 &&
		   r->rdma[0].hca_handles == 3 && r->rdma[0].hca_objects == 10000 &&
		   !r->rdma[1].has_hca_handles && r->rdma[1].has_hca_objects,
	   "resources.rdma");
	ok(r->n_unified == 2 && strcmp(r->unified[1].value, "default 100") == 0,
	   "resources.unified");
}

static void check_seccomp(const struct spec_seccomp *sc)
{
	const struct spec_seccomp_rule *r;

	if (!ok(sc != NULL, "linux.seccomp present"))
		return;
	is_int(sc->default_action, SCMP_ACT_ERRNO(0), "seccomp.defaultAction base value");
	ok(sc->has_default_errno_ret && sc->default_errno_ret == 38, "seccomp.defaultErrnoRet");
	ok(strv_len(sc->architectures) == 2 && strcmp(sc->architectures[1], "SCMP_ARCH_X86") == 0,
	   "seccomp.architectures kept as strings");
	ok(strv_len(sc->flags) == 1, "seccomp.flags");
	is_str(sc->listener_path, "/run/seccomp.sock", "seccomp.listenerPath");
	is_str(sc->listener_metadata, "meta", "seccomp.listenerMetadata");
	is_int((long long)sc->n_rules, 4, "seccomp: 4 rules");
	r = &sc->rules[0];
	ok(strv_len(r->names) == 2 && r->action == SCMP_ACT_ALLOW && !r->has_errno_ret &&
		   !r->n_args,
	   "syscalls[0]");
	r = &sc->rules[1];
	ok(r->action == SCMP_ACT_ERRNO(0) && r->has_errno_ret && r->errno_ret == 1 &&
		   r->n_args == 2,
	   "syscalls[1] errno");
	ok(r->args[0].index == 0 && r->args[0].value == 8 && r->args[0].op == SCMP_CMP_EQ,
	   "syscalls[1].args[0]");
	ok(r->args[1].index == 5 && r->args[1].value == 255 && r->args[1].value_two == 4 &&
		   r->args[1].op == SCMP_CMP_MASKED_EQ,
	   "syscalls[1].args[1]");
	is_int(sc->rules[2].action, SCMP_ACT_NOTIFY, "syscalls[2] notify");
	is_int(sc->rules[3].action, SCMP_ACT_KILL_PROCESS, "syscalls[3] kill process");
}

/* linux.resources of the full config, through spec_resources_to_json and back. */
static void check_resources_round_trip(const struct spec_resources *r)
{
	_cleanup_free_ char *json = spec_resources_to_json(r);
	struct er_error err = ER_ERROR_INIT;
	struct spec_resources back;

	if (!ok(spec_resources_parse(json, strlen(json), "resources", &back, &err) == 0,
		"resources of the full config: to_json parses back")) {
		diag("%s", err.msg);
		er_clear(&err);
		return;
	}
	diag("round trip of the full config's resources:");
	check_resources(&back);
	spec_resources_clear(&back);
}

static void test_full_config(void)
{
	char tmpl[] = "/tmp/edgerun-unit-XXXXXX";
	_cleanup_free_ char *json = fixture("full-config.json");
	_cleanup_free_ char *cfg = NULL, *rootfs = NULL;
	struct er_error err = ER_ERROR_INIT;
	struct spec *s;

	if (!ok(mkdtemp(tmpl) != NULL, "make a bundle directory"))
		return;
	cfg = xasprintf("%s/config.json", tmpl);
	rootfs = xasprintf("%s/rootfs", tmpl);
	write_file_at(AT_FDCWD, cfg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, json,
		      strlen(json), &err);
	s = spec_load(tmpl, &err);
	unlink(cfg);
	rmdir(tmpl);
	if (!ok(s != NULL, "spec_load of a full config")) {
		diag("%s", err.msg);
		er_clear(&err);
		return;
	}
	is_str(s->oci_version, "1.3.0", "ociVersion");
	is_str(s->root_path, rootfs, "root.path made absolute against the bundle and cleaned");
	is_int(s->root_readonly, 1, "root.readonly");
	is_str(s->hostname, "edge", "hostname");
	is_str(s->domainname, "example.org", "domainname");
	ok(s->n_annotations == 2 && strcmp(s->annotations[0].key, "org.example.key") == 0,
	   "annotations in file order");
	is_str(spec_annotation(s, "second"), "", "spec_annotation: empty value");
	is_str(spec_annotation(s, "nope"), NULL, "spec_annotation: absent key");
	ok(spec_namespace(s, CLONE_NEWNET) == &s->linux_->namespaces[1], "spec_namespace found");
	if (ok(s->process != NULL, "process present"))
		check_process(s->process);
	check_mounts_hooks(s);
	if (ok(s->linux_ != NULL, "linux present")) {
		check_linux(s->linux_);
		ok(s->linux_->has_resources, "linux.resources present");
		check_resources(&s->linux_->resources);
		check_resources_round_trip(&s->linux_->resources);
		check_seccomp(s->linux_->seccomp);
	}
	spec_free(s);
}

/* ---- errors ---- */

struct error_case {
	const char *json; /* single-quoted */
	const char *want;
};

static const struct error_case error_cases[] = {
	/* the document */
	{"", "config.json: invalid JSON: empty document (line 1, column 1)"},
	{"{'ociVersion': '1.3.0',\n 'root': {'path': 'rootfs'},,\n}",
	 "config.json: invalid JSON: quoted object property name expected (line 2, column 29)"},
	{"{'ociVersion': '1.3.0'", "config.json: invalid JSON: unexpected end of input "
				   "(line 1, column 23)"},
	{DOC() " {}", "config.json: invalid JSON: unexpected character (line 1, column 49)"},
	{DOC(",'hostname':'a\\u0000b'"), "hostname: contains a NUL character"},
	{"['ociVersion']", "config.json: expected a JSON object at the top level"},
	{"{}", "ociVersion: missing"},
	{"{'ociVersion': null}", "ociVersion: missing"},
	{"{'ociVersion': 1}", "ociVersion: expected a string"},
	{"{'ociVersion': ''}", "ociVersion: must not be empty"},
	{"{'ociVersion': '1.3.0'}", "root: missing"},
	{"{'ociVersion': '1.3.0', 'root': 'rootfs'}", "root: expected an object"},
	{"{'ociVersion': '1.3.0', 'root': {}}", "root.path: missing"},
	{"{'ociVersion': '1.3.0', 'root': {'path': ''}}", "root.path: must not be empty"},
	{"{'ociVersion': '1.3.0', 'root': {'path': 'r', 'readonly': 'yes'}}",
	 "root.readonly: expected a boolean"},
	/* mounts */
	{DOC(",'mounts':{}"), "mounts: expected an array"},
	{DOC(",'mounts':['proc']"), "mounts[0]: expected an object"},
	{DOC(",'mounts':[{'destination':'/a'},{'destination':'/b'},{'destination':'c'}]"),
	 "mounts[2].destination: must be an absolute path"},
	{DOC(",'mounts':[{'type':'tmpfs'}]"), "mounts[0].destination: missing"},
	{DOC(",'mounts':[{'destination':'/a','options':['ro',1]}]"),
	 "mounts[0].options[1]: expected a string"},
	{DOC(",'mounts':[{'destination':'/a','type':'bind','uidMappings':[{'containerID':0,"
	     "'hostID':1}]}]"),
	 "mounts[0].uidMappings[0].size: missing"},
	{DOC(",'mounts':[{'destination':'/a','type':'bind','uidMappings':[{'containerID':0,"
	     "'hostID':1,'size':1}]}]"),
	 "mounts[0]: uidMappings and gidMappings must be given together"},
	/* process */
	{DOC(",'process':[]"), "process: expected an object"},
	{PROC(",'user':{'uid':-1,'gid':0}"), "process.user.uid: expected a non-negative integer"},
	{PROC(",'user':{'uid':'0','gid':0}"), "process.user.uid: expected a non-negative integer"},
	{PROC(",'user':{'uid':1.5,'gid':0}"), "process.user.uid: expected a non-negative integer"},
	{PROC(",'user':{'uid':4294967296,'gid':0}"),
	 "process.user.uid: value 4294967296 out of range (0 to 4294967295)"},
	{PROC(",'user':{'uid':0}"), "process.user.gid: missing"},
	{PROC(",'user':{'uid':0,'gid':0,'additionalGids':[1,-2]}"),
	 "process.user.additionalGids[1]: expected a non-negative integer"},
	{DOC(",'process':{'args':['sh']}"), "process.cwd: missing"},
	{DOC(",'process':{'cwd':'home','args':['sh']}"), "process.cwd: must be an absolute path"},
	{DOC(",'process':{'cwd':'/'}"), "process.args: missing"},
	{DOC(",'process':{'cwd':'/','args':[]}"), "process.args: must not be empty"},
	{DOC(",'process':{'cwd':'/','args':['sh',2]}"), "process.args[1]: expected a string"},
	{PROC(",'terminal':'true'"), "process.terminal: expected a boolean"},
	{PROC(",'consoleSize':{'height':1}"), "process.consoleSize.width: missing"},
	{PROC(",'capabilities':{'bounding':['CAP_KILL','chown']}"),
	 "process.capabilities.bounding[1]: invalid capability name \"chown\""},
	{PROC(",'capabilities':{'ambient':'CAP_KILL'}"),
	 "process.capabilities.ambient: expected an array"},
	{PROC(",'rlimits':[{'type':'RLIMIT_FOO','hard':1,'soft':1}]"),
	 "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
	{PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':1},"
	      "{'type':'RLIMIT_NOFILE','hard':2,'soft':2}]"),
	 "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\""},
	{PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1}]"),
	 "process.rlimits[0].hard: missing"},
	{PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':2}]"),
	 "process.rlimits[0].soft: must not be greater than hard"},
	{PROC(",'oomScoreAdj':1001"),
	 "process.oomScoreAdj: value 1001 out of range (-1000 to 1000)"},
	{PROC(",'scheduler':{'policy':'SCHED_FOO'}"),
	 "process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\""},
	{PROC(",'scheduler':{'policy':'SCHED_RR','flags':['SCHED_FLAG_NOPE']}"),
	 "process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_NOPE\""},
	{PROC(",'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
	 "process.scheduler.nice: value 20 out of range (-20 to 19)"},
	{PROC(",'ioPriority':{'class':'IOPRIO_CLASS_NONE','priority':0}"),
	 "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\""},
	{PROC(",'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}"),
	 "process.ioPriority.priority: value 8 out of range (0 to 7)"},
	/* hooks, annotations */
	{DOC(",'hooks':{'prestart':[{'path':'hook'}]}"),
	 "hooks.prestart[0].path: must be an absolute path"},
	{DOC(",'hooks':{'poststop':[{'path':'/a'},{'path':'/b','timeout':0}]}"),
	 "hooks.poststop[1].timeout: must be greater than zero"},
	{DOC(",'hooks':{'createRuntime':{}}"), "hooks.createRuntime: expected an array"},
	{DOC(",'hooks':{'startContainer':[{'args':['x']}]}"),
	 "hooks.startContainer[0].path: missing"},
	{DOC(",'annotations':{'org.example':1}"),
	 "annotations[\"org.example\"]: expected a string"},
	{DOC(",'annotations':[]"), "annotations: expected an object"},
	/* linux */
	{LINUX("'namespaces':[{'type':'pid'},{'type':'foo'}]"),
	 "linux.namespaces[1].type: unknown namespace type \"foo\""},
	{LINUX("'namespaces':[{'type':'pid'},{'type':'pid'}]"),
	 "linux.namespaces[1].type: duplicate namespace type \"pid\""},
	{LINUX("'namespaces':[{'type':'network','path':'run/netns/x'}]"),
	 "linux.namespaces[0].path: must be an absolute path"},
	{LINUX("'namespaces':[{'path':'/proc/1/ns/pid'}]"), "linux.namespaces[0].type: missing"},
	{LINUX("'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]"),
	 "linux.devices[0].type: unknown device type \"x\""},
	{LINUX("'devices':[{'path':'/dev/x','type':'c','minor':1}]"),
	 "linux.devices[0].major: missing"},
	{LINUX("'devices':[{'path':'dev/x','type':'c','major':1,'minor':1}]"),
	 "linux.devices[0].path: must be an absolute path"},
	{LINUX("'rootfsPropagation':'rshare'"),
	 "linux.rootfsPropagation: unknown propagation \"rshare\""},
	{LINUX("'personality':{'domain':'LINUX64'}"),
	 "linux.personality.domain: unknown personality domain \"LINUX64\""},
	{LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'realtime':{'secs':1}}"),
	 "linux.timeOffsets.realtime: unknown clock \"realtime\""},
	{LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'nanosecs':1000000000}}"),
	 "linux.timeOffsets.boottime.nanosecs: must be less than 1000000000"},
	{LINUX("'maskedPaths':['/proc/kcore','sys/firmware']"),
	 "linux.maskedPaths[1]: must be an absolute path"},
	{LINUX("'sysctl':{'net.ipv4.ip_forward':1}"),
	 "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string"},
	{LINUX("'namespaces':[{'type':'network'}],'netDevices':{'eth/0':{}}"),
	 "linux.netDevices[\"eth/0\"]: invalid interface name \"eth/0\""},
	{LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':0,"
	       "'size':0}]"),
	 "linux.uidMappings[0].size: must be greater than zero"},
	{LINUX("'intelRdt':true"), "linux.intelRdt: expected an object"},
	/* linux.resources */
	{RES("'memory':{'limit':'1G'}"), "linux.resources.memory.limit: expected an integer"},
	{RES("'memory':{'limit':9223372036854775808}"),
	 "linux.resources.memory.limit: value 9223372036854775808 out of range "
	 "(-9223372036854775808 to 9223372036854775807)"},
	{RES("'devices':[{'access':'rwm'}]"), "linux.resources.devices[0].allow: missing"},
	{RES("'devices':[{'allow':true,'access':'rwx'}]"),
	 "linux.resources.devices[0].access: invalid access \"rwx\" (expected r, w, m)"},
	{RES("'devices':[{'allow':true,'type':'p'}]"),
	 "linux.resources.devices[0].type: unknown device type \"p\""},
	{RES("'blockIO':{'weight':70000}"),
	 "linux.resources.blockIO.weight: value 70000 out of range (0 to 65535)"},
	{RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
	 "linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing"},
	{RES("'hugepageLimits':[{'limit':1}]"),
	 "linux.resources.hugepageLimits[0].pageSize: missing"},
	{RES("'network':{'priorities':[{'name':'eth0','priority':-1}]}"),
	 "linux.resources.network.priorities[0].priority: expected a non-negative integer"},
	{RES("'rdma':{'mlx5_1':{'hcaHandles':'3'}}"),
	 "linux.resources.rdma.mlx5_1.hcaHandles: expected a non-negative integer"},
	{RES("'pids':{'limit':true}"), "linux.resources.pids.limit: expected an integer"},
	/* linux.seccomp */
	{LINUX("'seccomp':{}"), "linux.seccomp.defaultAction: missing"},
	{LINUX("'seccomp':{'defaultAction':'SCMP_ACT_DENY'}"),
	 "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\""},
	{SECCOMP("'defaultErrnoRet':70000"),
	 "linux.seccomp.defaultErrnoRet: value 70000 out of range (0 to 65535)"},
	{SECCOMP("'syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]"),
	 "linux.seccomp.syscalls[0].names: must not be empty"},
	{SECCOMP("'syscalls':[{'names':['read']}]"), "linux.seccomp.syscalls[0].action: missing"},
	{SECCOMP("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
		 "'value':1,'op':'SCMP_CMP_LIKE'}]}]"),
	 "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_LIKE\""},
	{SECCOMP("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':6,"
		 "'value':1,'op':'SCMP_CMP_EQ'}]}]"),
	 "linux.seccomp.syscalls[0].args[0].index: must be less than 6"},
	{SECCOMP("'architectures':['SCMP_ARCH_X86_64',64]"),
	 "linux.seccomp.architectures[1]: expected a string"},
	/* across sections */
	{DOC(",'hostname':'h'"), "hostname: needs a uts namespace"},
	/* valid: no hostname without uts; joining a user namespace with or without mappings */
	{LINUX("'namespaces':[{'type':'pid'}]"), NULL},
	{LINUX("'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]"), NULL},
	{LINUX("'namespaces':[{'type':'user','path':'/proc/1/ns/user'}],'uidMappings':[{"
	       "'containerID':0,'hostID':0,'size':1}],'gidMappings':[{'containerID':0,'hostID':0,"
	       "'size':1}]"),
	 NULL},
	{LINUX("'uidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
	 "linux: uidMappings and gidMappings need a user namespace"},
	{LINUX("'namespaces':[{'type':'user'}]"),
	 "linux: a new user namespace needs uidMappings and gidMappings"},
	{LINUX("'timeOffsets':{'monotonic':{'secs':1}}"),
	 "linux.timeOffsets: needs a new time namespace"},
	{LINUX("'netDevices':{'eth1':{}}"), "linux.netDevices: needs a network namespace"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		_cleanup_free_ char *msg = parse_error(error_cases[i].json);

		if (error_cases[i].want)
			is_str(msg, error_cases[i].want, "error: %s", error_cases[i].want);
		else
			is_str(msg, NULL, "accepted: %s", error_cases[i].json);
	}
}

static void test_load_errors(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct spec *s = spec_load("/nonexistent-edgerun-bundle", &err);

	ok(!s, "spec_load of a missing bundle fails");
	is_str(err.msg, "open `/nonexistent-edgerun-bundle/config.json`: no such file or directory",
	       "spec_load: missing file message");
	is_int(err.errnum, ENOENT, "spec_load: errnum ENOENT");
	er_clear(&err);
}

/* ---- unknown fields, details ---- */

static void test_unknown_and_details(void)
{
	struct spec *s = parse_ok(
		"{'ociVersion':'1.3.0','future':{'x':[1,2]},'root':{'path':'/abs//root/','new':1},"
		"'mounts':[{'destination':'/x','type':'bind','source':'/y','later':true}],"
		"'process':{'cwd':'/','args':['sh'],'user':{'uid':0,'gid':0,'username':'w'},"
		"'commandLine':'x','capabilities':{'bounding':[],'future':['CAP_X']}},"
		"'hooks':{'unknownHook':[{'path':'rel'}]},"
		"'linux':{'resources':{'future':{}},'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
		"'future':1},'uidMappings':null},'windows':{'layerFolders':[]}}");

	if (ok(s != NULL, "unknown fields at every level are ignored")) {
		is_str(s->root_path, "/abs/root", "absolute root.path is cleaned, bundle not used");
		is_int((long long)s->mounts[0].flags, MS_BIND, "type bind -> MS_BIND");
		ok(s->process->caps.present && !s->process->caps.bounding,
		   "empty capabilities object");
		ok(!s->linux_->n_uid_mappings && !s->linux_->uid_mappings, "null is absent");
	}
	spec_free(s);

	s = parse_ok(DOC(",'process':{'cwd':'/','args':['sh'],'capabilities':null}"));
	ok(s && !s->process->caps.present && !s->process->has_scheduler &&
		   !s->process->has_oom_score_adj && !s->process->has_io_priority && !s->linux_ &&
		   !s->hostname,
	   "absent sections stay absent");
	spec_free(s);

	s = parse_ok(LINUX("'namespaces':[{'type':'network','path':''},{'type':'uts'}],"
			   "'rootfsPropagation':''"));
	ok(s && !s->linux_->namespaces[0].path && s->linux_->rootfs_propagation == 0,
	   "empty namespace path means new; empty propagation means default");
	ok(s && spec_namespace(s, CLONE_NEWUSER) == NULL, "spec_namespace: absent type");
	spec_free(s);

	s = parse_ok("{'ociVersion':'1.3.0','root':{'path':'../other/./rootfs'}}");
	is_str(s ? s->root_path : NULL, "/other/rootfs", "relative root.path with ..");
	spec_free(s);
}

/* ---- `edgerun spec` ---- */

static char *replace_version(char *json)
{
	char *p = strstr(json, "\"1.0.2-dev\"");

	if (p) { /* "1.0.2-dev" -> "1.3.0" */
		memmove(p + 7, p + 11, strlen(p + 11) + 1);
		memcpy(p, "\"1.3.0\"", 7);
	}
	return json;
}

static void test_default_spec(void)
{
	_cleanup_free_ char *runc = replace_version(fixture("runc-spec.json"));
	_cleanup_free_ char *runc_rl = replace_version(fixture("runc-spec-rootless.json"));
	_cleanup_free_ char *ours = spec_default_json(false);
	_cleanup_free_ char *ours_rl = spec_default_json(true);
	struct er_error err = ER_ERROR_INIT;
	struct spec *s;

	is_str(ours, runc, "spec: same text as `runc spec` (ociVersion 1.3.0)");
	if (geteuid() == 0 && getegid() == 0)
		is_str(ours_rl, runc_rl, "spec --rootless: same text as `runc spec --rootless`");
	else
		ok(strstr(ours_rl, "\"hostID\"") != NULL,
		   "spec --rootless (not root: text not compared)");

	s = spec_parse(ours, strlen(ours), "/bundle", &err);
	if (!ok(s != NULL, "default spec parses")) {
		diag("%s", err.msg);
		er_clear(&err);
		return;
	}
	is_str(s->root_path, "/bundle/rootfs", "default: root");
	ok(s->process->terminal && strcmp(s->process->args[0], "sh") == 0, "default: process");
	is_int((long long)s->process->caps.bounding,
	       CAP(CAP_AUDIT_WRITE) | CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE), "default: caps");
	ok(s->process->caps.ambient == s->process->caps.bounding && !s->process->caps.inheritable,
	   "default: ambient = bounding, no inheritable");
	ok(s->process->n_rlimits == 1 && s->process->rlimits[0].soft == 1024, "default: rlimits");
	is_int((long long)s->n_mounts, 7, "default: 7 mounts");
	is_int((long long)s->mounts[2].flags, MS_NOSUID | MS_NOEXEC, "default: /dev/pts flags");
	is_str(s->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5",
	       "default: /dev/pts data");
	is_int((long long)s->mounts[5].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY,
	       "default: /sys flags");
	is_int((long long)s->mounts[6].flags,
	       MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY, "default: cgroup flags");
	ok(s->linux_->n_namespaces == 5 && s->linux_->resources.n_devices == 1 &&
		   !s->linux_->resources.devices[0].allow,
	   "default: namespaces, deny-all devices");
	ok(strv_len(s->linux_->masked_paths) == 10 && strv_len(s->linux_->readonly_paths) == 5,
	   "default: masked and readonly paths");
	spec_free(s);

	s = spec_parse(ours_rl, strlen(ours_rl), "/bundle", &err);
	if (!ok(s != NULL, "rootless default spec parses")) {
		diag("%s", err.msg);
		er_clear(&err);
		return;
	}
	ok(spec_namespace(s, CLONE_NEWUSER) && !spec_namespace(s, CLONE_NEWNET),
	   "rootless: user namespace, no network namespace");
	ok(s->linux_->n_uid_mappings == 1 && s->linux_->uid_mappings[0].host_id == geteuid() &&
		   s->linux_->gid_mappings[0].host_id == getegid(),
	   "rootless: maps the caller's ids");
	is_int((long long)s->mounts[5].flags,
	       MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY,
	       "rootless: /sys is an rbind");
	ok(!s->linux_->has_resources, "rootless: no resources");
	spec_free(s);
}

/* ---- linux.resources on its own (update --resources, state.json) ---- */

struct res_error {
	const char *doc; /* the name given to spec_resources_parse */
	const char *json;
	const char *want;
};

static const struct res_error res_errors[] = {
	{"resources", "{'memory':{'limit':'1G'}}", "resources: memory.limit: expected an integer"},
	{NULL, "{'memory':{'limit':'1G'}}", "memory.limit: expected an integer"},
	{"resources", "{", "resources: invalid JSON: unexpected end of input (line 1, column 2)"},
	{"resources", "", "resources: invalid JSON: empty document (line 1, column 1)"},
	{"resources", "[]", "resources: expected a JSON object at the top level"},
	{"resources", "{'memory':[]}", "resources: memory: expected an object"},
	{"resources", "{'cpu':{'cpus':0}}", "resources: cpu.cpus: expected a string"},
	{"resources", "{'cpu':{'shares':-2}}",
	 "resources: cpu.shares: expected a non-negative integer"},
	{"res.json", "{'pids':{'limit':1.5}}", "res.json: pids.limit: expected an integer"},
	{"resources", "{'devices':[{'allow':true},{'access':'r'}]}",
	 "resources: devices[1].allow: missing"},
	{"resources", "{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':65536}]}}",
	 "resources: blockIO.weightDevice[0].weight: value 65536 out of range (0 to 65535)"},
	{"resources", "{'blockIO':{'throttleWriteIOPSDevice':[{'minor':0,'rate':1}]}}",
	 "resources: blockIO.throttleWriteIOPSDevice[0].major: missing"},
	{"resources", "{'hugepageLimits':[{'pageSize':'','limit':1}]}",
	 "resources: hugepageLimits[0].pageSize: must not be empty"},
	{"resources", "{'network':{'classID':4294967296}}",
	 "resources: network.classID: value 4294967296 out of range (0 to 4294967295)"},
	{"resources", "{'rdma':{'mlx5_1':[]}}", "resources: rdma.mlx5_1: expected an object"},
	{"resources", "{'unified':{'cpu.max':1}}",
	 "resources: unified[\"cpu.max\"]: expected a string"},
};

static void test_resources_parse_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(res_errors); i++) {
		_cleanup_free_ char *json = dq(res_errors[i].json);
		struct er_error err = ER_ERROR_INIT;
		struct spec_resources r;

		ok(spec_resources_parse(json, strlen(json), res_errors[i].doc, &r, &err) < 0 &&
			   !r.devices && !r.has_mem_limit,
		   "resources error %zu fails, left cleared", i);
		is_str(err.msg, res_errors[i].want, "resources error: %s", res_errors[i].want);
		er_clear(&err);
	}
}

/* Parses single-quoted JSON as a LinuxResources object; NULL on error (reported). */
static bool res_parse(const char *sq, struct spec_resources *r)
{
	_cleanup_free_ char *json = dq(sq);
	struct er_error err = ER_ERROR_INIT;

	if (spec_resources_parse(json, strlen(json), "resources", r, &err) < 0) {
		diag("unexpected error: %s", err.msg);
		er_clear(&err);
		return false;
	}
	return true;
}

/* in -> struct -> JSON must give want (NULL: in itself), and that JSON the same again. */
static void res_round_trip(const char *in, const char *want, const char *what)
{
	_cleanup_free_ char *expect = dq(want ? want : in);
	_cleanup_free_ char *json = NULL, *again = NULL;
	struct er_error err = ER_ERROR_INIT;
	struct spec_resources r, back;

	if (!ok(res_parse(in, &r), "%s: parses", what))
		return;
	json = spec_resources_to_json(&r);
	is_str(json, expect, "%s: to_json", what);
	spec_resources_clear(&r);
	if (!ok(spec_resources_parse(json, strlen(json), "resources", &back, &err) == 0,
		"%s: to_json parses back", what)) {
		diag("%s", err.msg);
		er_clear(&err);
		return;
	}
	again = spec_resources_to_json(&back);
	is_str(again, expect, "%s: same JSON after a round trip", what);
	spec_resources_clear(&back);
}

static const struct {
	const char *in, *want, *what;
} res_trips[] = {
	{"{}", NULL, "nothing"},
	{"{'devices':[{'allow':false,'type':'a','access':'rwm'},{'allow':true,'type':'c','major':"
	 "10,'minor':229,'access':'rw'},{'allow':true,'type':'b','major':8,'minor':-1}]}",
	 NULL, "devices"},
	{"{'devices':[{'allow':true},{'allow':false,'type':'','access':''}]}",
	 "{'devices':[{'allow':true,'type':'a'},{'allow':false,'type':'a'}]}",
	 "devices: type defaults to a, empty access means all"},
	{"{'memory':{'limit':536870912,'reservation':268435456,'swap':-1,'kernel':0,'kernelTCP':"
	 "1024,'swappiness':60,'disableOOMKiller':true,'useHierarchy':false,'checkBeforeUpdate':"
	 "true}}",
	 NULL, "memory"},
	{"{'cpu':{'shares':1024,'quota':-9223372036854775808,'burst':1000,'period':"
	 "18446744073709551615,'realtimeRuntime':950000,'realtimePeriod':1000000,'cpus':'0-1',"
	 "'mems':'0','idle':1}}",
	 NULL, "cpu (with the extreme values)"},
	{"{'pids':{'limit':-1}}", NULL, "pids"},
	{"{'blockIO':{'weight':500,'leafWeight':300,'weightDevice':[{'major':8,'minor':0,'weight':"
	 "600},{'major':8,'minor':16,'leafWeight':10},{'major':9,'minor':1}],"
	 "'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}],'throttleWriteBpsDevice':"
	 "[{'major':8,'minor':16,'rate':2097152}],'throttleReadIOPSDevice':[{'major':8,'minor':0,"
	 "'rate':100}],'throttleWriteIOPSDevice':[{'major':8,'minor':0,'rate':200},{'major':8,"
	 "'minor':16,'rate':300}]}}",
	 NULL, "blockIO with weightDevice and throttles"},
	{"{'hugepageLimits':[{'pageSize':'2MB','limit':209715200},{'pageSize':'1GB','limit':"
	 "18446744073709551615}]}",
	 NULL, "hugepageLimits"},
	{"{'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500},{'name':"
	 "'lo','priority':0}]}}",
	 NULL, "network"},
	{"{'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'mlx4_0':{'hcaObjects':7},'x':{}}}",
	 NULL, "rdma"},
	{"{'unified':{'cpu.max':'50000 100000','io.weight':'default 100','memory.high':''}}", NULL,
	 "unified"},
	{"{'devices':[],'blockIO':{'weightDevice':[]},'hugepageLimits':[],'network':{'priorities':"
	 "[]},'rdma':{},'unified':{}}",
	 NULL, "empty arrays and maps are kept"},
	{"{'memory':{'limit':1,'swap':null,'future':2},'cpu':null,'pids':{},'blockIO':{},"
	 "'network':{},'future':{'x':1}}",
	 "{'memory':{'limit':1}}", "nulls, empty sections and unknown members dropped"},
	{"{'unified':{'a/b':'c\\\"d'},'cpu':{'cpus':'0'},'memory':{'swap':0},'devices':[{'allow':"
	 "true}]}",
	 "{'devices':[{'allow':true,'type':'a'}],'memory':{'swap':0},'cpu':{'cpus':'0'},'unified':"
	 "{'a/b':'c\\\"d'}}",
	 "runtime-spec member order; slashes and quotes"},
};

static void test_resources_round_trip(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(res_trips); i++)
		res_round_trip(res_trips[i].in, res_trips[i].want, res_trips[i].what);
}

static const char merge_dst[] =
	"{'devices':[{'allow':false,'type':'a','access':'rwm'}],'memory':{'limit':100,'swap':200},"
	"'cpu':{'shares':512,'cpus':'0'},'pids':{'limit':10},'blockIO':{'weight':100,"
	"'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1},{'major':8,'minor':16,'rate':2}]},"
	"'hugepageLimits':[{'pageSize':'2MB','limit':1}],'rdma':{'x':{'hcaHandles':1}},"
	"'unified':{'a':'1','b':'2'}}";

static void merge_case(const char *dst_sq, const char *src_sq, const char *want_sq,
		       const char *what)
{
	_cleanup_free_ char *want = dq(want_sq);
	_cleanup_free_ char *json = NULL;
	struct spec_resources dst, src;

	if (!res_parse(dst_sq, &dst) || !res_parse(src_sq, &src)) {
		ok(0, "%s: inputs parse", what);
		return;
	}
	spec_resources_merge(&dst, &src);
	spec_resources_clear(&src); /* dst must own copies of everything */
	json = spec_resources_to_json(&dst);
	is_str(json, want, "%s", what);
	spec_resources_clear(&dst);
}

static void test_resources_merge(void)
{
	struct spec_resources a, b;
	_cleanup_free_ char *a_json = NULL, *b_json = NULL;

	merge_case(
		merge_dst,
		"{'memory':{'limit':300,'reservation':50},'cpu':{'quota':1000,'cpus':'1-2'},"
		"'blockIO':{'throttleReadBpsDevice':[{'major':9,'minor':0,'rate':3}]},"
		"'network':{'classID':5},'unified':{'c':'3'}}",
		"{'devices':[{'allow':false,'type':'a','access':'rwm'}],'memory':{'limit':300,"
		"'reservation':50,'swap':200},'cpu':{'shares':512,'quota':1000,'cpus':'1-2'},"
		"'pids':{'limit':10},'blockIO':{'weight':100,'throttleReadBpsDevice':[{'major':9,"
		"'minor':0,'rate':3}]},'hugepageLimits':[{'pageSize':'2MB','limit':1}],"
		"'network':{'classID':5},'rdma':{'x':{'hcaHandles':1}},'unified':{'c':'3'}}",
		"merge: scalars field by field, arrays and maps replaced whole");
	merge_case(merge_dst, "{}", merge_dst, "merge: an empty update changes nothing");
	merge_case("{}", merge_dst, merge_dst, "merge into nothing copies everything");
	merge_case(
		merge_dst,
		"{'devices':[],'blockIO':{'throttleReadBpsDevice':[]},'hugepageLimits':[],"
		"'rdma':{},'unified':{}}",
		"{'devices':[],'memory':{'limit':100,'swap':200},'cpu':{'shares':512,'cpus':'0'},"
		"'pids':{'limit':10},'blockIO':{'weight':100,'throttleReadBpsDevice':[]},"
		"'hugepageLimits':[],'rdma':{},'unified':{}}",
		"merge: an empty array or map empties the field");
	merge_case(
		"{'memory':{'disableOOMKiller':true},'pids':{'limit':5},'network':{'priorities':"
		"[{'name':'eth0','priority':1}]},'blockIO':{'weightDevice':[{'major':1,'minor':2,"
		"'weight':10}]}}",
		"{'memory':{'disableOOMKiller':false},'pids':{'limit':-1},'network':{'priorities':"
		"[{'name':'lo','priority':2}]},'blockIO':{'weightDevice':[{'major':3,'minor':4,"
		"'leafWeight':20}]},'rdma':{'d':{'hcaObjects':4}}}",
		"{'memory':{'disableOOMKiller':false},'pids':{'limit':-1},'blockIO':{"
		"'weightDevice':[{'major':3,'minor':4,'leafWeight':20}]},'network':{'priorities':"
		"[{'name':'lo','priority':2}]},'rdma':{'d':{'hcaObjects':4}}}",
		"merge: false and -1 are values too; weightDevice, priorities, rdma");

	/* no aliasing: the copies are distinct allocations */
	if (res_parse(merge_dst, &b)) {
		memset(&a, 0, sizeof(a));
		spec_resources_merge(&a, &b);
		ok(a.cpu_cpus != b.cpu_cpus && a.devices != b.devices &&
			   a.devices[0].access != b.devices[0].access && a.unified != b.unified &&
			   a.unified[0].key != b.unified[0].key &&
			   a.hugepage_limits[0].value != b.hugepage_limits[0].value &&
			   a.rdma[0].device != b.rdma[0].device &&
			   a.throttle_read_bps != b.throttle_read_bps,
		   "merge: deep copies, no shared pointers");
		b.cpu_cpus[0] = '7';
		b.unified[0].value[0] = '9';
		a_json = spec_resources_to_json(&a);
		b_json = spec_resources_to_json(&b);
		ok(strstr(a_json, "\"cpus\":\"0\"") && strstr(a_json, "{\"a\":\"1\"") &&
			   strstr(b_json, "\"cpus\":\"7\""),
		   "merge: changing the source afterwards leaves the result alone");
		spec_resources_merge(&a, &a);
		ok(a.cpu_cpus && strcmp(a.cpu_cpus, "0") == 0, "merge with itself is a no-op");
		spec_resources_clear(&a);
		spec_resources_clear(&b);
		ok(!a.devices && !a.n_devices && !a.cpu_cpus && !a.unified && !a.has_pids_limit &&
			   !b.rdma && !b.n_rdma,
		   "spec_resources_clear frees and zeroes");
		spec_resources_clear(&a);
		spec_resources_clear(NULL);
		ok(1, "spec_resources_clear twice and on NULL");
	}
}

int main(void)
{
	test_full_config();
	test_errors();
	test_load_errors();
	test_unknown_and_details();
	test_default_spec();
	test_resources_parse_errors();
	test_resources_round_trip();
	test_resources_merge();
	return done_testing();
}
