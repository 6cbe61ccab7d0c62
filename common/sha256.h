/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 through OpenSSL's low-level interface (the same assembly as EVP, SHA-NI where the
 * CPU has it). OpenSSL 3 deprecates it, but the EVP route loads and initialises the default
 * provider on first use, about 2.5 ms per process on a small CPU: more than a warm-cache
 * seccomp start or a cached bundle verification takes in all. Builds of OpenSSL without the
 * deprecated API (OPENSSL_NO_DEPRECATED_3_0) use EVP. Used by the seccomp cache (seccomp/)
 * and signed bundles (edge/). Out of memory aborts, as everywhere.
 */
#ifndef EDGERUN_COMMON_SHA256_H
#define EDGERUN_COMMON_SHA256_H

#include <stddef.h>

#define ER_SHA256_LEN 32

struct er_sha256 {
	union {		   /* opaque */
		void *evp; /* an EVP_MD_CTX (OPENSSL_NO_DEPRECATED_3_0) */
		_Alignas(8) unsigned char state[128]; /* a SHA256_CTX */
	} u;
};

void er_sha256_init(struct er_sha256 *s);
void er_sha256_update(struct er_sha256 *s, const void *data, size_t len);
void er_sha256_final(struct er_sha256 *s, unsigned char out[ER_SHA256_LEN]);
/* one call for one buffer */
void er_sha256(const void *data, size_t len, unsigned char out[ER_SHA256_LEN]);

#endif
