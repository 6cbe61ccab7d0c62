/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offline commands, the declaration: validation at create, param matching for every
 * request, and the argv of a request (values placed as whole argv elements, never through a
 * shell). See commands.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/commands.h"
#include "libcontainer/container.h"

#define DECL_COPY "commands.json"

/* ---------------- regular expressions ---------------- */

/* Anchored: the whole value must match (as `^(RE)$`, and the match must span it all). */
static int regex_compile(const char *re, regex_t *out, struct er_error *err)
{
	_cleanup_free_ char *anchored = xasprintf("^(%s)$", re);
	int rc = regcomp(out, anchored, REG_EXTENDED);

	if (rc != 0) {
		char why[256];

		regerror(rc, out, why, sizeof(why));
		return er_set(err, 0, "invalid regular expression `%s`: %s", re, why);
	}
	return 0;
}

int cmds_regex_full_match(const char *regex, const char *value, struct er_error *err)
{
	regex_t re;
	regmatch_t m[1];
	int rc;

	if (regex_compile(regex, &re, err) < 0)
		return -1;
	rc = regexec(&re, value, 1, m, 0);
	regfree(&re);
	return rc == 0 && m[0].rm_so == 0 && (size_t)m[0].rm_eo == strlen(value);
}

/* ---------------- placeholders ---------------- */

static const struct cmds_param *find_param(const struct cmds_command *c, const char *name,
					   size_t len)
{
	for (size_t i = 0; i < c->n_params; i++)
		if (strlen(c->params[i].name) == len && strncmp(c->params[i].name, name, len) == 0)
			return &c->params[i];
	return NULL;
}

static const char *find_value(const struct spec_kv *kv, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, name) == 0)
			return kv[i].value;
	return NULL;
}

/* Expands ARG: "{p}" -> the value of p, "{{" -> "{", "}}" -> "}". Without params (NULL)
 * it only checks. Returns the expansion (malloc'ed) or NULL with err. */
static char *expand(const struct cmds_command *c, const char *arg, const struct spec_kv *kv,
		    size_t n, struct er_error *err)
{
	size_t cap = strlen(arg) + 1, len = 0;
	char *out = xmalloc(cap);

	for (const char *s = arg; *s;) {
		const char *piece = s, *close;
		size_t plen = 1;

		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			s += 2;
		} else if (s[0] == '}') {
			free(out);
			er_set(err, 0, "unbalanced `}` in `%s` (write `}}` for a literal one)",
			       arg);
			return NULL;
		} else if (s[0] == '{') {
			const struct cmds_param *p;

			close = strchr(s, '}');
			p = close ? find_param(c, s + 1, (size_t)(close - s - 1)) : NULL;
			if (!p) {
				free(out);
				if (!close)
					er_set(err, 0,
					       "unbalanced `{` in `%s` (write `{{` for a literal "
					       "one)",
					       arg);
				else
					er_set(err, 0, "unknown placeholder `%.*s` (not in params)",
					       (int)(close - s + 1), s);
				return NULL;
			}
			piece = kv ? find_value(kv, n, p->name) : "";
			piece = piece ? piece : "";
			plen = strlen(piece);
			s = close + 1;
		} else {
			s++;
		}
		if (len + plen + 1 > cap) {
			cap = (len + plen + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, piece, plen);
		len += plen;
	}
	out[len] = '\0';
	return out;
}

/* ---------------- the declaration ---------------- */

static int check_param_name(const char *name, struct er_error *err)
{
	if (!*name || strpbrk(name, "={}"))
		return er_set(err, 0, "a param name must be non-empty, without `=`, `{` or `}`");
	return 0;
}

/* A member name in a path as specconv renders it: ".name", or ["name"] when it is not plain. */
static char *key_part(const char *k)
{
	bool plain = *k != '\0';

	for (const char *s = k; *s && plain; s++)
		plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || *s == '_' || *s == '-';
	return plain ? xasprintf(".%s", k) : xasprintf("[\"%s\"]", k);
}

static int validate_command(const struct cmds_command *c, struct er_error *err)
{
	_cleanup_free_ char *cmd = key_part(c->name);

	for (size_t i = 0; i < c->n_params; i++) {
		_cleanup_free_ char *par = key_part(c->params[i].name);
		regex_t re;

		if (check_param_name(c->params[i].name, err) < 0 ||
		    regex_compile(c->params[i].regex, &re, err) < 0)
			return er_prefix(err, CMDS_PATH "%s.params%s", cmd, par);
		regfree(&re);
	}
	for (size_t i = 0; c->args[i]; i++) {
		char *x = expand(c, c->args[i], NULL, 0, err);

		if (!x)
			return er_prefix(err, CMDS_PATH "%s.args[%zu]", cmd, i);
		free(x);
	}
	return 0;
}

int cmds_decl_validate(const struct cmds_decl *d, struct er_error *err)
{
	for (size_t i = 0; i < d->n; i++) {
		if (!*d->cmds[i].name || strchr(d->cmds[i].name, '='))
			return er_set(err, 0,
				      CMDS_PATH ": a command name must be non-empty, without `=`");
		if (validate_command(&d->cmds[i], err) < 0)
			return -1;
	}
	return 0;
}

int cmds_decl_from_annotations(const struct spec_kv *a, size_t n, struct cmds_decl *d,
			       struct er_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].key, CMDS_ANNOTATION) != 0)
			continue;
		if (cmds_decl_parse(a[i].value, d, err) < 0)
			return -1;
		if (cmds_decl_validate(d, err) < 0) {
			cmds_decl_clear(d);
			return -1;
		}
		return 1;
	}
	memset(d, 0, sizeof(*d));
	return 0;
}

const struct cmds_command *cmds_decl_find(const struct cmds_decl *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->cmds[i].name, name) == 0)
			return &d->cmds[i];
	return NULL;
}

/* ---------------- requests ---------------- */

int cmds_param_parse(const char *arg, struct spec_kv *out, struct er_error *err)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return er_set(err, 0, "invalid param `%s`: expected name=value", arg);
	out->key = xstrndup(arg, (size_t)(eq - arg));
	out->value = xstrdup(eq + 1);
	return 0;
}

static int check_value(const struct cmds_command *c, const struct cmds_param *p, const char *value,
		       struct er_error *err)
{
	int m;

	if (strlen(value) > CMDS_VALUE_MAX)
		return er_set(err, 0, "command `%s`: param `%s`: value longer than %d bytes",
			      c->name, p->name, CMDS_VALUE_MAX);
	m = cmds_regex_full_match(p->regex, value, err);
	if (m < 0)
		return er_prefix(err, "command `%s`: param `%s`", c->name, p->name);
	if (!m)
		return er_set(err, 0, "command `%s`: param `%s`: value `%s` does not match `%s`",
			      c->name, p->name, value, p->regex);
	return 0;
}

int cmds_request_check(const struct cmds_decl *d, const char *name, const struct spec_kv *params,
		       size_t n, struct er_error *err)
{
	const struct cmds_command *c = cmds_decl_find(d, name);

	if (!c)
		return er_set(err, 0, "command `%s` is not declared", name);
	for (size_t i = 0; i < n; i++) {
		const struct cmds_param *p = find_param(c, params[i].key, strlen(params[i].key));

		if (!p)
			return er_set(err, 0, "command `%s`: param `%s` is not declared", name,
				      params[i].key);
		for (size_t k = 0; k < i; k++)
			if (strcmp(params[k].key, params[i].key) == 0)
				return er_set(err, 0, "command `%s`: param `%s` given twice", name,
					      params[i].key);
		if (check_value(c, p, params[i].value, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->n_params; i++)
		if (!find_value(params, n, c->params[i].name))
			return er_set(err, 0, "command `%s`: param `%s` is missing", name,
				      c->params[i].name);
	return 0;
}

char **cmds_build_argv(const struct cmds_command *c, const struct spec_kv *params, size_t n,
		       struct er_error *err)
{
	char **argv = xcalloc(strv_len(c->args) + 1, sizeof(*argv));

	for (size_t i = 0; c->args[i]; i++) {
		argv[i] = expand(c, c->args[i], params, n, err);
		if (!argv[i]) {
			strv_free(argv);
			return NULL;
		}
	}
	return argv;
}

/* ---------------- where a declaration comes from ---------------- */

/* SPOOL/ID, made if needed (the spool itself too). */
static int spool_dir(const char *spool, const char *id, struct er_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", spool, id);

	int fd;

	if (mkdir_p(dir, 0700, err) < 0)
		return er_prefix(err, "spool");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return er_set(err, errno, "open `%s`", dir);
	return fd;
}

static int save_copy(const char *spool, const char *id, const char *json, struct er_error *err)
{
	_cleanup_close_ int dfd = spool_dir(spool, id, err);

	if (dfd < 0)
		return -1;
	if (write_file_at(dfd, DECL_COPY ".tmp", O_CREAT | O_TRUNC, 0600, json, strlen(json), err) <
	    0)
		return -1;
	if (renameat(dfd, DECL_COPY ".tmp", dfd, DECL_COPY) < 0)
		return er_set(err, errno, "rename `%s`", DECL_COPY ".tmp");
	return 0;
}

int cmds_check_spec(const char *spool, const char *id, const struct spec *spec,
		    struct er_error *err)
{
	const char *json = spec_annotation(spec, CMDS_ANNOTATION);
	struct cmds_decl d;
	struct er_error e = ER_ERROR_INIT;

	if (!json)
		return 0;
	if (cmds_decl_from_annotations(spec->annotations, spec->n_annotations, &d, err) < 0)
		return -1;
	er_debug("offline commands: %zu declared", d.n);
	cmds_decl_clear(&d);
	if (save_copy(spool, id, json, &e) < 0)
		er_warn("offline commands: keep a copy of the declaration in `%s/%s`: %s", spool,
			id, e.msg);
	er_clear(&e);
	return 0;
}

static int decl_from_json(const char *json, struct cmds_decl *d, struct er_error *err)
{
	struct spec_kv kv = {.key = (char *)CMDS_ANNOTATION, .value = (char *)json};

	return cmds_decl_from_annotations(&kv, 1, d, err);
}

static int decl_from_container(const char *root, const char *id, struct cmds_decl *d, bool *running,
			       struct er_error *err)
{
	struct er_container *c = NULL;
	const struct er_state *st;
	int r;

	if (er_container_load(root, id, &c, err) < 0)
		return -1;
	st = er_container_state(c);
	if (running)
		*running = st->status == ST_RUNNING;
	r = cmds_decl_from_annotations(st->annotations, st->n_annotations, d, err);
	er_container_free(c);
	return r;
}

int cmds_decl_for(const char *root, const char *spool, const char *id, const char *bundle,
		  struct cmds_decl *d, bool *running, struct er_error *err)
{
	struct er_error e = ER_ERROR_INIT;
	_cleanup_free_ char *copy = NULL, *path = NULL;
	struct spec *s;
	int r;

	memset(d, 0, sizeof(*d));
	if (running)
		*running = false;
	r = decl_from_container(root, id, d, running, &e);
	if (r >= 0 || e.errnum != ENOENT) {
		if (r < 0)
			*err = e;
		return r;
	}
	er_clear(&e);
	if (bundle) {
		s = spec_load(bundle, err);
		if (!s)
			return er_prefix(err, "--bundle");
		r = cmds_decl_from_annotations(s->annotations, s->n_annotations, d, err);
		spec_free(s);
		return r;
	}
	path = xasprintf("%s/%s/%s", spool, id, DECL_COPY);
	copy = read_file_at(AT_FDCWD, path, NULL, &e);
	if (!copy) {
		if (e.errnum != ENOENT) {
			*err = e;
			return -1;
		}
		er_clear(&e);
		return 0;
	}
	if (decl_from_json(copy, d, err) < 0)
		return er_prefix(err, "`%s`", path);
	return 1;
}
