/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signatures of signed bundles, through OpenSSL's libcrypto.
 *
 * The signature is over the manifest's exact bytes, in the forms that vendors' tools make:
 *   ECDSA (P-256, P-384, ...)  SHA-256, DER    openssl dgst -sha256 -sign KEY | base64
 *                                              cosign sign-blob
 *   RSA                         SHA-256, PKCS#1 v1.5 (openssl dgst -sha256 -sign) or PSS
 *                                              (-sigopt rsa_padding_mode:pss, any salt length)
 *   Ed25519 / Ed448             pure EdDSA     openssl pkeyutl -sign -rawin
 * stored as base64 (line breaks allowed). The trust store is a directory of PEM public keys
 * (or certificates, of which only the key is used); any of them may have signed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/signed.h"

#define KEY_MAX_BYTES (1u << 20)
#define TRUST_MAX_KEYS 256

static void pkey_freep(EVP_PKEY **k)
{
	EVP_PKEY_free(*k);
}
static void md_ctx_freep(EVP_MD_CTX **c)
{
	EVP_MD_CTX_free(*c);
}
static void bio_freep(BIO **b)
{
	BIO_free(*b);
}
#define _cleanup_pkey_ _cleanup_(pkey_freep)
#define _cleanup_md_ctx_ _cleanup_(md_ctx_freep)
#define _cleanup_bio_ _cleanup_(bio_freep)

/* libcrypto without the system's openssl.cnf: the same algorithms whatever the host's
 * configuration says, and no file opened behind our back (OpenSSL opens it without
 * O_CLOEXEC). Idempotent and thread-safe. */
static void ossl_init(void)
{
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
}

/* The last OpenSSL error as text (and the queue cleared). */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown error";
}

/* ---------------- base64 ---------------- */

unsigned char *sb_base64_decode(const char *s, size_t len, size_t *out_len)
{
	_cleanup_free_ char *clean = xmalloc(len + 1);
	unsigned char *out;
	size_t n = 0, pad = 0;
	int r;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
			continue;
		clean[n++] = s[i];
	}
	if (n == 0 || n % 4 || n > INT32_MAX)
		return NULL;
	if (clean[n - 1] == '=')
		pad = clean[n - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < n - pad; i++) {
		if (clean[i] == '=')
			return NULL;
	}
	out = xmalloc(n / 4 * 3 + 1);
	r = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
	if (r < 0 || (size_t)r < pad) {
		free(out);
		return NULL;
	}
	*out_len = (size_t)r - pad;
	return out;
}

static char *base64_encode(const unsigned char *data, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 2);
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);

	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}

/* ---------------- keys ---------------- */

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* "ECDSA P-256", "Ed25519", "RSA 3072", "RSA-PSS 2048"; NULL if not supported. */
static char *key_type(EVP_PKEY *k)
{
	char group[64] = "";

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(k, group, sizeof(group), NULL))
			return xstrdup("ECDSA");
		if (!strcmp(group, "prime256v1"))
			return xstrdup("ECDSA P-256");
		if (!strcmp(group, "secp384r1"))
			return xstrdup("ECDSA P-384");
		if (!strcmp(group, "secp521r1"))
			return xstrdup("ECDSA P-521");
		return xasprintf("ECDSA %s", group);
	case EVP_PKEY_ED25519:
		return xstrdup("Ed25519");
	case EVP_PKEY_ED448:
		return xstrdup("Ed448");
	case EVP_PKEY_RSA:
		return xasprintf("RSA %d", EVP_PKEY_get_bits(k));
	case EVP_PKEY_RSA_PSS:
		return xasprintf("RSA-PSS %d", EVP_PKEY_get_bits(k));
	default:
		return NULL;
	}
}

static bool is_eddsa(EVP_PKEY *k)
{
	int id = EVP_PKEY_get_base_id(k);

	return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

static EVP_PKEY *read_private_key(const char *path, struct er_error *err)
{
	_cleanup_free_ char *pem = NULL;
	_cleanup_bio_ BIO *bio = NULL;
	EVP_PKEY *k;
	size_t len = 0;

	pem = sb_read_file(AT_FDCWD, path, false, KEY_MAX_BYTES, &len, err);
	if (!pem)
		return NULL;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		abort();
	k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	OPENSSL_cleanse(pem, len);
	if (!k)
		er_set(err, 0,
		       "read private key `%s`: %s (a PEM private key without passphrase is needed)",
		       path, ossl_reason());
	return k;
}

/* A PEM public key, or the key of a PEM certificate. */
static EVP_PKEY *parse_public_key(const char *pem, size_t len)
{
	_cleanup_bio_ BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k;
	X509 *cert;

	if (!bio)
		abort();
	k = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	if (k)
		return k;
	ERR_clear_error();
	BIO_free(bio);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		abort();
	cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	if (!cert)
		return NULL;
	k = X509_get_pubkey(cert);
	X509_free(cert);
	return k;
}

/* ---------------- signing ---------------- */

static int verify_with(EVP_PKEY *k, const void *data, size_t len, const unsigned char *sig,
		       size_t sig_len, bool pss);

int sb_sign(const char *key_path, const void *data, size_t len, char **b64, char **type,
	    struct er_error *err)
{
	_cleanup_pkey_ EVP_PKEY *k = NULL;
	_cleanup_md_ctx_ EVP_MD_CTX *ctx = NULL;
	_cleanup_free_ unsigned char *sig = NULL;
	_cleanup_free_ char *t = NULL;
	size_t sig_len = 0;

	ossl_init();
	k = read_private_key(key_path, err);
	if (!k)
		return -1;
	t = key_type(k);
	if (!t)
		return er_set(err, 0, "key `%s`: unsupported key type (ECDSA, Ed25519, RSA)",
			      key_path);
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		abort();
	if (EVP_DigestSignInit(ctx, NULL, is_eddsa(k) ? NULL : EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, NULL, &sig_len, data, len) != 1)
		return er_set(err, 0, "sign with `%s`: %s", key_path, ossl_reason());
	sig = xmalloc(sig_len);
	if (EVP_DigestSign(ctx, sig, &sig_len, data, len) != 1)
		return er_set(err, 0, "sign with `%s`: %s", key_path, ossl_reason());
	if (verify_with(k, data, len, sig, sig_len, EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA_PSS) !=
	    1)
		return er_set(err, 0, "sign with `%s`: the signature does not verify", key_path);
	*b64 = base64_encode(sig, sig_len);
	*type = TAKE_PTR(t);
	return 0;
}

/* ---------------- verification ---------------- */

/* 1: valid; 0: not valid. RSA with pss: PSS padding, salt length from the signature. */
static int verify_with(EVP_PKEY *k, const void *data, size_t len, const unsigned char *sig,
		       size_t sig_len, bool pss)
{
	_cleanup_md_ctx_ EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int r;

	if (!ctx)
		abort();
	if (EVP_DigestVerifyInit(ctx, &pctx, is_eddsa(k) ? NULL : EVP_sha256(), NULL, k) != 1)
		goto fail;
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1))
		goto fail;
	r = EVP_DigestVerify(ctx, sig, sig_len, data, len);
	ERR_clear_error();
	return r == 1;
fail:
	er_debug("signature check: %s", ossl_reason());
	return 0;
}

/* Could SIG be a signature of key K at all (right length, DER for ECDSA)? */
static bool plausible(EVP_PKEY *k, const unsigned char *sig, size_t sig_len)
{
	const unsigned char *p = sig;
	ECDSA_SIG *es;
	bool ok;

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC:
		es = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
		ok = es && (size_t)(p - sig) == sig_len;
		ECDSA_SIG_free(es);
		ERR_clear_error();
		return ok;
	case EVP_PKEY_ED25519:
		return sig_len == 64;
	case EVP_PKEY_ED448:
		return sig_len == 114;
	default:
		return sig_len == (size_t)EVP_PKEY_get_size(k);
	}
}

static bool key_verifies(EVP_PKEY *k, const void *data, size_t len, const unsigned char *sig,
			 size_t sig_len)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		return verify_with(k, data, len, sig, sig_len, false) == 1 ||
		       verify_with(k, data, len, sig, sig_len, true) == 1;
	case EVP_PKEY_RSA_PSS:
		return verify_with(k, data, len, sig, sig_len, true) == 1;
	default:
		return verify_with(k, data, len, sig, sig_len, false) == 1;
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the candidate key files (no dot files), sorted; NULL with the problem in REP. */
static char **trust_names(const char *dir, int dfd, struct sb_report *rep)
{
	_cleanup_closedir_ DIR *d = NULL;
	char **names = NULL;
	struct dirent *de;
	struct stat st;
	int fd;

	if (fstat(dfd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		sb_report_add(rep, SB_TRUST_EMPTY, dir, "not a directory");
		return NULL;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		sb_report_add(rep, SB_TRUST_UNSAFE, dir,
			      "owned by uid %u with mode %04o: must be owned by root and not "
			      "writable by group or others",
			      (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		return NULL;
	}
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		sb_report_add(rep, SB_TRUST_EMPTY, dir, "%s", er_strerror(errno));
		return NULL;
	}
	names = xcalloc(1, sizeof(*names));
	while ((de = readdir(d)) && strv_len(names) < TRUST_MAX_KEYS) {
		if (de->d_name[0] != '.')
			strv_push(&names, xstrdup(de->d_name));
	}
	qsort(names, strv_len(names), sizeof(*names), name_cmp);
	return names;
}

/* The PEM text of file NAME of the trust store, or NULL (skipped, with a warning when it is
 * not safe). */
static char *trust_pem(const char *dir, int dfd, const char *name, size_t *len)
{
	struct er_error err = ER_ERROR_INIT;
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	char *pem;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		er_warn("trust store: key `%s/%s` is writable by others or not owned by root: "
			"ignored",
			dir, name);
		return NULL;
	}
	pem = sb_read_fd(fd, name, KEY_MAX_BYTES, len, &err);
	if (!pem) {
		er_warn("trust store: %s: ignored", err.msg);
		er_clear(&err);
	}
	return pem;
}

/* The tag of a verified (manifest, signature, key) triple for the digest cache. */
static void sig_tag(const unsigned char manifest_sha[MANIFEST_SHA256_LEN],
		    const unsigned char sig_sha[MANIFEST_SHA256_LEN], const char *pem, size_t len,
		    unsigned char tag[MANIFEST_SHA256_LEN])
{
	unsigned char buf[3 * MANIFEST_SHA256_LEN];

	memcpy(buf, manifest_sha, MANIFEST_SHA256_LEN);
	memcpy(buf + MANIFEST_SHA256_LEN, sig_sha, MANIFEST_SHA256_LEN);
	sb_sha256(pem, len, buf + 2 * MANIFEST_SHA256_LEN);
	sb_sha256(buf, sizeof(buf), tag);
}

struct sig_check {
	const void *data;
	size_t len;
	const unsigned char *sig;
	size_t sig_len;
	unsigned char data_sha[MANIFEST_SHA256_LEN], sig_sha[MANIFEST_SHA256_LEN];
	size_t n_keys, n_plausible;
};

/* 1 when the key in PEM verifies the signature (or did before: CACHE), else 0. */
static int try_key(struct sig_check *c, const char *dir, const char *name, const char *pem,
		   size_t len, struct sb_dcache *cache)
{
	_cleanup_pkey_ EVP_PKEY *k = NULL;
	_cleanup_free_ char *type = NULL;
	unsigned char tag[MANIFEST_SHA256_LEN];

	sig_tag(c->data_sha, c->sig_sha, pem, len, tag);
	if (sb_dcache_sig_known(cache, tag)) {
		er_debug("signature: verified before with `%s` (digest cache)", name);
		return 1;
	}
	k = parse_public_key(pem, len);
	type = k ? key_type(k) : NULL;
	if (!type) {
		er_warn("trust store: `%s/%s` is not a supported PEM public key: ignored", dir,
			name);
		ERR_clear_error();
		return 0;
	}
	c->n_keys++;
	if (!plausible(k, c->sig, c->sig_len))
		return 0;
	c->n_plausible++;
	if (!key_verifies(k, c->data, c->len, c->sig, c->sig_len))
		return 0;
	sb_dcache_sig_put(cache, tag);
	return 1;
}

/* Adds the problem when no key verified. */
static void no_signer(const struct sig_check *c, const char *trust_dir, struct sb_report *rep)
{
	if (c->n_keys == 0)
		sb_report_add(rep, SB_TRUST_EMPTY, trust_dir, "no usable public key");
	else if (c->n_plausible == 0)
		sb_report_add(rep, SB_SIG_BAD, SB_SIGNATURE_NAME,
			      "%zu bytes: truncated or garbage, not a signature of the form of any "
			      "of the %zu trusted key(s)",
			      c->sig_len, c->n_keys);
	else
		sb_report_add(rep, SB_SIG_UNTRUSTED, SB_SIGNATURE_NAME,
			      "no trusted key verifies it (%zu key(s) in `%s`): signed by another "
			      "key, or the manifest was changed after signing",
			      c->n_keys, trust_dir);
}

int sb_sig_check(const char *trust_dir, const void *data, size_t len, const char *sig_b64,
		 size_t sig_b64_len, struct sb_dcache *cache, char **signer, struct sb_report *rep)
{
	_cleanup_free_ unsigned char *sig = NULL;
	_cleanup_strv_ char **names = NULL;
	_cleanup_close_ int dfd = -1;
	struct sig_check c = {.data = data, .len = len};

	ossl_init();
	sig = sb_base64_decode(sig_b64, sig_b64_len, &c.sig_len);
	if (!sig || !c.sig_len) {
		sb_report_add(rep, SB_SIG_BAD, SB_SIGNATURE_NAME, "not base64");
		return 1;
	}
	c.sig = sig;
	dfd = open(trust_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		sb_report_add(rep, SB_TRUST_EMPTY, trust_dir, "%s", er_strerror(errno));
		return 1;
	}
	names = trust_names(trust_dir, dfd, rep);
	if (!names)
		return 1;
	sb_sha256(data, len, c.data_sha);
	sb_sha256(sig, c.sig_len, c.sig_sha);
	for (size_t i = 0; names[i]; i++) {
		size_t pem_len = 0;
		_cleanup_free_ char *pem = trust_pem(trust_dir, dfd, names[i], &pem_len);

		if (pem && try_key(&c, trust_dir, names[i], pem, pem_len, cache)) {
			*signer = xstrdup(names[i]);
			return 0;
		}
	}
	no_signer(&c, trust_dir, rep);
	return 1;
}
