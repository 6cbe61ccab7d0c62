/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 for the seccomp cache and signed bundles: see sha256.h for why not EVP. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"

#ifdef OPENSSL_NO_DEPRECATED_3_0
void er_sha256_init(struct er_sha256 *s)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		abort();
	s->u.evp = c;
}

void er_sha256_update(struct er_sha256 *s, const void *data, size_t len)
{
	if (EVP_DigestUpdate(s->u.evp, data, len) != 1)
		abort();
}

void er_sha256_final(struct er_sha256 *s, unsigned char out[ER_SHA256_LEN])
{
	if (EVP_DigestFinal_ex(s->u.evp, out, NULL) != 1)
		abort();
	EVP_MD_CTX_free(s->u.evp);
	s->u.evp = NULL;
}
#else
_Static_assert(sizeof(SHA256_CTX) <= sizeof(((struct er_sha256 *)0)->u.state), "state size");
_Static_assert(ER_SHA256_LEN == SHA256_DIGEST_LENGTH, "digest length");

static SHA256_CTX *ctx_of(struct er_sha256 *s)
{
	return (SHA256_CTX *)(void *)s->u.state;
}

void er_sha256_init(struct er_sha256 *s)
{
	SHA256_Init(ctx_of(s));
}

void er_sha256_update(struct er_sha256 *s, const void *data, size_t len)
{
	SHA256_Update(ctx_of(s), data, len);
}

void er_sha256_final(struct er_sha256 *s, unsigned char out[ER_SHA256_LEN])
{
	SHA256_Final(out, ctx_of(s));
	memset(s, 0, sizeof(*s));
}
#endif

void er_sha256(const void *data, size_t len, unsigned char out[ER_SHA256_LEN])
{
	struct er_sha256 s;

	er_sha256_init(&s);
	er_sha256_update(&s, data, len);
	er_sha256_final(&s, out);
}
