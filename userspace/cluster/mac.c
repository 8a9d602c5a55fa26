// SPDX-License-Identifier: GPL-2.0
/* HMAC-SHA-256 with contexts keyed once (mac.h). */

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "mac.h"

struct mac {
	EVP_MAC_CTX *ctx;
};

/* HMAC over SHA-256, as OSSL_PARAMs for EVP_MAC_init(). */
static void digest_params(OSSL_PARAM params[2])
{
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
}

struct mac *mac_new(const uint8_t key[MAC_KEY_SIZE])
{
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	struct mac *m = OPENSSL_zalloc(sizeof(*m));
	OSSL_PARAM params[2];

	digest_params(params);
	if (hmac && m)
		m->ctx = EVP_MAC_CTX_new(hmac);
	/* The context holds its own reference to the algorithm. */
	EVP_MAC_free(hmac);
	if (!m || !m->ctx || !EVP_MAC_init(m->ctx, key, MAC_KEY_SIZE, params)) {
		mac_free(m);
		return NULL;
	}
	return m;
}

void mac_free(struct mac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->ctx);
	OPENSSL_free(m);
}

bool mac_tag(struct mac *m, const uint8_t key[MAC_KEY_SIZE], const uint8_t *data,
	     size_t len, uint8_t tag[MAC_SIZE])
{
	size_t out_len = 0;

	if (!m)
		return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, MAC_KEY_SIZE, data,
				 len, tag, MAC_SIZE, &out_len) && out_len == MAC_SIZE;
	/* No key given: HMAC starts again from the pads hashed at mac_new(). */
	return EVP_MAC_init(m->ctx, NULL, 0, NULL) && EVP_MAC_update(m->ctx, data, len) &&
	       EVP_MAC_final(m->ctx, tag, &out_len, MAC_SIZE) && out_len == MAC_SIZE;
}

bool mac_verify(struct mac *m, const uint8_t key[MAC_KEY_SIZE], const uint8_t *data,
		size_t len, const uint8_t tag[MAC_SIZE])
{
	uint8_t expected[MAC_SIZE];
	bool same;

	if (!mac_tag(m, key, data, len, expected))
		return false;
	same = !CRYPTO_memcmp(expected, tag, MAC_SIZE);
	OPENSSL_cleanse(expected, sizeof(expected));
	return same;
}
