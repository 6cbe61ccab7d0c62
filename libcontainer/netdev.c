/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.netDevices (runtime-spec v1.3.0, config-linux.md "Network Devices"): host network
 * interfaces moved into the container's network namespace, through rtnetlink (libmnl).
 *
 * Parent side, after the clone and before the init is let go (process.c):
 *
 *   1. check that every move is possible before moving anything: each host device
 *      exists, no two entries want the same name, no device of that name in the target;
 *   2. per device: read its permanent global addresses (RTM_GETADDR: the kernel drops
 *      addresses when a link changes namespace), move it with one RTM_NEWLINK
 *      (IFLA_NET_NS_FD + IFLA_IFNAME + IFLA_NEW_IFINDEX, so its index there is known),
 *      re-add the addresses inside and set it up (the spec wants it up).
 *
 * Talking to the container's namespace needs a netlink socket that lives there: a short-lived
 * forked child setns()es into it, opens the socket and passes it back (SCM_RIGHTS); sockets
 * keep the namespace they were made in. The set holds an fd of the target namespace, so the
 * namespace (and virtual devices in it) outlives an init that died during create.
 *
 * A failed create moves every device back (host name, index when free, addresses, up state):
 * nothing is left behind. Delete does not: the spec says the runtime MUST NOT move devices
 * out before the namespace goes (runc 1.3 neither); the kernel then returns physical devices
 * to the initial namespace (under their container name, or dev%d on a clash) and destroys
 * virtual ones (dummy, veth with its peer, macvlan ...).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"

#define NL_RECV_SIZE 32768

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
};

struct nl_addr {
	unsigned char family, prefixlen, scope;
	uint32_t flags;
	bool has_local, has_address, has_broadcast;
	unsigned char local[16], address[16], broadcast[4];
};

struct moved_dev {
	const struct spec_net_device *spec;
	int host_index;
	unsigned int host_flags;
	struct nl_addr *addrs;
	size_t n_addrs;
	bool moved;
	int index; /* in the container's namespace, once moved */
};

struct netdev_set {
	int host_ns, target_ns;
	struct nl host, target;
	struct moved_dev *devs;
	size_t n;
};

struct link_info {
	int index;
	unsigned int flags;
	char name[IFNAMSIZ];
};

/* ---------------- netlink plumbing ---------------- */

static int nl_open_fd(struct nl *nl, int fd)
{
	nl->sock = mnl_socket_fdopen(fd);
	if (!nl->sock)
		return -1;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = 0;
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* Sends the request and reads the answers (cb for each data message) until the ack or the
 * end of the dump. 0, or -1 with errno set (the kernel's error for a refused request). */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	_cleanup_free_ char *buf = xmalloc(NL_RECV_SIZE);

	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, NL_RECV_SIZE);
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl->portid, cb, data);
		if (r == MNL_CB_ERROR) {
			if (!errno)
				errno = EPROTO;
			return -1;
		}
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *nl_link_msg(char *buf, uint16_t type, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {NULL};

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, tb);
	li->index = ifm->ifi_index;
	li->flags = ifm->ifi_flags;
	if (tb[IFLA_IFNAME])
		snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	return MNL_CB_OK;
}

/* The link named NAME (or, with NAME NULL, of INDEX): 0, or -1 with errno (ENODEV: none). */
static int link_get(struct nl *nl, const char *name, int index, struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_link_msg(buf, RTM_GETLINK, NLM_F_ACK, name ? 0 : index);

	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(li, 0, sizeof(*li));
	li->index = -1;
	if (nl_talk(nl, nlh, link_cb, li) < 0)
		return -1;
	if (li->index <= 0) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

static int max_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	int *max = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && ifm->ifi_index > *max)
		*max = ifm->ifi_index;
	return MNL_CB_OK;
}

/* An index for a device arriving in the namespace of nl: WANT when free, else max + 1. */
static int link_free_index(struct nl *nl, int want)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct link_info li;
	int max = 0;

	if (link_get(nl, NULL, want, &li) < 0 && errno == ENODEV)
		return want;
	nlh = nl_link_msg(buf, RTM_GETLINK, NLM_F_DUMP, 0);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (nl_talk(nl, nlh, max_index_cb, &max) < 0)
		return -1;
	return max + 1;
}

/* Moves link INDEX of nl's namespace into the namespace NS_FD, as NAME (NULL: keep), with
 * index NEW_INDEX there (0: the kernel's choice). */
static int link_move(struct nl *nl, int index, int ns_fd, const char *name, int new_index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_ACK, index);

	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ns_fd);
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (new_index > 0)
		mnl_attr_put_u32(nlh, IFLA_NEW_IFINDEX, (uint32_t)new_index);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int link_set_up(struct nl *nl, int index, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_link_msg(buf, RTM_NEWLINK, NLM_F_ACK, index);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	return nl_talk(nl, nlh, NULL, NULL);
}

/* ---------------- addresses ---------------- */

struct addr_dump {
	int index;
	struct nl_addr *list;
	size_t n;
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static bool copy_addr_attr(const struct nlattr *a, unsigned char *dst, size_t len)
{
	if (!a || mnl_attr_get_payload_len(a) != len)
		return false;
	memcpy(dst, mnl_attr_get_payload(a), len);
	return true;
}

/* Keeps what the spec says to carry over: permanent addresses of global scope. */
static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {NULL};
	struct nl_addr a = {0};
	size_t alen;

	if (nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != d->index)
		return MNL_CB_OK;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
	a.family = ifa->ifa_family;
	a.prefixlen = ifa->ifa_prefixlen;
	a.scope = ifa->ifa_scope;
	a.flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (!(a.flags & IFA_F_PERMANENT) || a.scope != RT_SCOPE_UNIVERSE)
		return MNL_CB_OK;
	alen = a.family == AF_INET ? 4 : 16;
	a.has_local = copy_addr_attr(tb[IFA_LOCAL], a.local, alen);
	a.has_address = copy_addr_attr(tb[IFA_ADDRESS], a.address, alen);
	if (a.family == AF_INET)
		a.has_broadcast = copy_addr_attr(tb[IFA_BROADCAST], a.broadcast, 4);
	if (!a.has_local && !a.has_address)
		return MNL_CB_OK;
	d->list = xrealloc(d->list, (d->n + 1) * sizeof(*d->list));
	d->list[d->n++] = a;
	return MNL_CB_OK;
}

static int addr_list(struct nl *nl, int index, struct nl_addr **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	struct addr_dump d = {.index = index};

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	ifa->ifa_index = (unsigned int)index;
	if (nl_talk(nl, nlh, addr_cb, &d) < 0) {
		free(d.list);
		return -1;
	}
	*out = d.list;
	*n = d.n;
	return 0;
}

/* "10.0.0.1/24" */
static void addr_format(const struct nl_addr *a, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family, a->has_local ? a->local : a->address, ip, sizeof(ip));
	snprintf(out, len, "%s/%u", ip, a->prefixlen);
}

static int addr_add(struct nl *nl, int index, const struct nl_addr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	size_t alen = a->family == AF_INET ? 4 : 16;
	/* what describes the address itself; the rest (temporary, deprecated ...) is state */
	uint32_t keep = IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE |
			IFA_F_MANAGETEMPADDR | IFA_F_PERMANENT;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_scope = a->scope;
	ifa->ifa_flags = (unsigned char)(a->flags & keep & 0xff);
	ifa->ifa_index = (unsigned int)index;
	if (a->has_local)
		mnl_attr_put(nlh, IFA_LOCAL, alen, a->local);
	if (a->has_address)
		mnl_attr_put(nlh, IFA_ADDRESS, alen, a->address);
	if (a->has_broadcast)
		mnl_attr_put(nlh, IFA_BROADCAST, 4, a->broadcast);
	mnl_attr_put_u32(nlh, IFA_FLAGS, a->flags & keep);
	return nl_talk(nl, nlh, NULL, NULL);
}

/* ---------------- a netlink socket inside another network namespace ---------------- */

static int send_fd_errno(int sock, int fd, int errnum)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &errnum, .iov_len = sizeof(errnum)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;

		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* The child: joins the namespace, makes and binds the socket, sends it (or its errno). */
__attribute__((noreturn)) static void netns_socket_child(int ns_fd, int sock)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd = -1, e = 0;

	if (setns(ns_fd, CLONE_NEWNET) < 0)
		e = errno;
	else if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0)
		e = errno;
	else if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		e = errno;
	_exit(send_fd_errno(sock, e ? -1 : fd, e) < 0 ? 1 : 0);
}

static int recv_fd_errno(int sock, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int errnum = 0;
	struct iovec iov = {.iov_base = &errnum, .iov_len = sizeof(errnum)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(errnum))
		return n < 0 ? errno : EPROTO;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (!errnum && *fd < 0)
		errnum = EPROTO;
	return errnum;
}

/* A NETLINK_ROUTE socket living in the network namespace NS_FD (SEQPACKET: a child that dies
 * without sending is an end of file, not a wait). */
static int netns_socket(int ns_fd, struct nl *nl, struct er_error *err)
{
	int sp[2], fd = -1, e, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return er_set(err, errno, "socketpair");
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(sp[0]);
		close(sp[1]);
		return er_set(err, e, "fork");
	}
	if (pid == 0) {
		close(sp[0]);
		netns_socket_child(ns_fd, sp[1]);
	}
	close(sp[1]);
	e = recv_fd_errno(sp[0], &fd);
	close(sp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (e) {
		if (fd >= 0)
			close(fd);
		return er_set(err, e, "open a netlink socket in the container's network namespace");
	}
	if (nl_open_fd(nl, fd) < 0) {
		e = errno;
		close(fd);
		return er_set(err, e, "netlink socket");
	}
	return 0;
}

static int host_socket(struct nl *nl, struct er_error *err)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return er_set(err, errno, "open a netlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		nl_close(nl);
		return er_set(err, e, "bind a netlink socket");
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

/* ---------------- the set ---------------- */

void netdev_set_free(struct netdev_set *set)
{
	if (!set)
		return;
	nl_close(&set->host);
	nl_close(&set->target);
	if (set->host_ns >= 0)
		close(set->host_ns);
	if (set->target_ns >= 0)
		close(set->target_ns);
	for (size_t i = 0; i < set->n; i++)
		free(set->devs[i].addrs);
	free(set->devs);
	free(set);
}

static const char *target_name(const struct spec_net_device *d)
{
	return d->name ? d->name : d->host_name;
}

static int open_namespaces(struct netdev_set *set, pid_t pid, struct er_error *err)
{
	char path[64];
	struct stat a, b;

	set->host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (set->host_ns < 0)
		return er_set(err, errno, "open `/proc/self/ns/net`");
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	set->target_ns = open(path, O_RDONLY | O_CLOEXEC);
	if (set->target_ns < 0)
		return er_set(err, errno, "open `%s`", path);
	if (fstat(set->host_ns, &a) < 0 || fstat(set->target_ns, &b) < 0)
		return er_set(err, errno, "stat network namespace");
	if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		return er_set(err, 0,
			      "linux.netDevices: the container is in the runtime's own network "
			      "namespace: nothing to move the devices into");
	if (host_socket(&set->host, err) < 0)
		return -1;
	return netns_socket(set->target_ns, &set->target, err);
}

/* Step 1: everything that can be known before moving (the spec: check that each move is
 * possible), plus what each device has (index, flags, addresses). */
static int check_device(struct netdev_set *set, size_t i, struct er_error *err)
{
	struct moved_dev *m = &set->devs[i];
	const char *host = m->spec->host_name, *name = target_name(m->spec);
	struct link_info li;

	for (size_t j = 0; j < i; j++)
		if (strcmp(target_name(set->devs[j].spec), name) == 0 && !strchr(name, '%'))
			return er_set(err, 0,
				      "linux.netDevices[\"%s\"]: name `%s` is also given to "
				      "linux.netDevices[\"%s\"]",
				      host, name, set->devs[j].spec->host_name);
	if (link_get(&set->host, host, 0, &li) < 0) {
		if (errno == ENODEV)
			return er_set(
				err, 0,
				"linux.netDevices[\"%s\"]: network device `%s` does not exist "
				"on the host",
				host, host);
		return er_set(err, errno, "linux.netDevices[\"%s\"]: look up `%s`", host, host);
	}
	m->host_index = li.index;
	m->host_flags = li.flags;
	if (!strchr(name, '%')) {
		if (link_get(&set->target, name, 0, &li) == 0)
			return er_set(
				err, 0,
				"linux.netDevices[\"%s\"]: network device `%s` already exists "
				"in the container's network namespace",
				host, name);
		if (errno != ENODEV)
			return er_set(err, errno,
				      "linux.netDevices[\"%s\"]: look up `%s` in the container's "
				      "network namespace",
				      host, name);
	}
	if (addr_list(&set->host, m->host_index, &m->addrs, &m->n_addrs) < 0)
		return er_set(err, errno, "linux.netDevices[\"%s\"]: list the addresses of `%s`",
			      host, host);
	return 0;
}

/* Step 2: move, re-add the addresses, set up. */
static int move_device(struct netdev_set *set, struct moved_dev *m, struct er_error *err)
{
	const char *host = m->spec->host_name;
	int want = link_free_index(&set->target, m->host_index);
	struct link_info li;
	char addr[INET6_ADDRSTRLEN + 8];

	if (want < 0)
		return er_set(err, errno, "linux.netDevices[\"%s\"]: list the container's devices",
			      host);
	if (link_move(&set->host, m->host_index, set->target_ns, m->spec->name, want) < 0) {
		int e = errno;

		/* the kernel moves first and renames after: a failed rename leaves it moved */
		if (link_get(&set->host, NULL, m->host_index, &li) < 0 && errno == ENODEV) {
			m->moved = true;
			m->index = want;
		}
		return er_set(err, e,
			      "linux.netDevices[\"%s\"]: move `%s` into the container's network "
			      "namespace",
			      host, host);
	}
	m->moved = true;
	m->index = want;
	if (link_get(&set->target, NULL, want, &li) < 0)
		return er_set(err, errno,
			      "linux.netDevices[\"%s\"]: find `%s` (index %d) in the container's "
			      "network namespace",
			      host, target_name(m->spec), want);
	er_debug("network device %s moved into the container as %s (index %d)", host, li.name,
		 li.index);
	for (size_t k = 0; k < m->n_addrs; k++) {
		addr_format(&m->addrs[k], addr, sizeof(addr));
		if (addr_add(&set->target, m->index, &m->addrs[k]) < 0 && errno != EEXIST)
			return er_set(err, errno,
				      "linux.netDevices[\"%s\"]: add address `%s` to `%s`", host,
				      addr, li.name);
		er_debug("network device %s: address %s", li.name, addr);
	}
	if (link_set_up(&set->target, m->index, true) < 0)
		return er_set(err, errno, "linux.netDevices[\"%s\"]: set `%s` up", host, li.name);
	return 0;
}

/* Back to the host: its name, its index when free, its addresses, its up state. */
static void restore_device(struct netdev_set *set, struct moved_dev *m)
{
	const char *host = m->spec->host_name;
	int want = link_free_index(&set->host, m->host_index);
	struct link_info li;
	char addr[INET6_ADDRSTRLEN + 8];

	(void)link_set_up(&set->target, m->index, false);
	if (link_move(&set->target, m->index, set->host_ns, host, want > 0 ? want : 0) < 0) {
		er_warn("linux.netDevices[\"%s\"]: move `%s` back to the host: %s", host, host,
			er_strerror(errno));
		return;
	}
	m->moved = false;
	if (link_get(&set->host, host, 0, &li) < 0) {
		er_warn("linux.netDevices[\"%s\"]: `%s` not found after moving it back: %s", host,
			host, er_strerror(errno));
		return;
	}
	for (size_t k = 0; k < m->n_addrs; k++) {
		if (addr_add(&set->host, li.index, &m->addrs[k]) == 0 || errno == EEXIST)
			continue;
		addr_format(&m->addrs[k], addr, sizeof(addr));
		er_warn("linux.netDevices[\"%s\"]: restore address `%s`: %s", host, addr,
			er_strerror(errno));
	}
	if ((m->host_flags & IFF_UP) && link_set_up(&set->host, li.index, true) < 0)
		er_warn("linux.netDevices[\"%s\"]: set `%s` up: %s", host, host,
			er_strerror(errno));
	er_debug("network device %s moved back to the host", host);
}

void netdev_rollback(struct netdev_set *set)
{
	if (!set)
		return;
	for (size_t i = set->n; i-- > 0;)
		if (set->devs[i].moved)
			restore_device(set, &set->devs[i]);
	netdev_set_free(set);
}

int netdev_attach(const struct spec *spec, pid_t pid, struct netdev_set **out, struct er_error *err)
{
	const struct spec_linux *l = spec->linux_;
	struct netdev_set *set;

	*out = NULL;
	if (!l || !l->n_net_devices)
		return 0;
	set = xcalloc(1, sizeof(*set));
	set->host_ns = set->target_ns = -1;
	set->devs = xcalloc(l->n_net_devices, sizeof(*set->devs));
	set->n = l->n_net_devices;
	for (size_t i = 0; i < set->n; i++)
		set->devs[i].spec = &l->net_devices[i];
	if (open_namespaces(set, pid, err) < 0)
		goto fail;
	for (size_t i = 0; i < set->n; i++)
		if (check_device(set, i, err) < 0)
			goto fail;
	for (size_t i = 0; i < set->n; i++)
		if (move_device(set, &set->devs[i], err) < 0)
			goto fail;
	*out = set;
	return 0;
fail:
	netdev_rollback(set);
	return -1;
}
