/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HMAC-SHA-256 (RFC 2104, FIPS 198-1) of the daemons' datagrams, with
 * OpenSSL 3's EVP_MAC. Two things make it about four times as fast as
 * libsodium's crypto_auth_hmacsha256() on a manager's ingest path
 * (Documentation/benchmarks.rst): OpenSSL's SHA-256 uses the CPU's SHA
 * instructions where it has them, and a context keyed once keeps the
 * key's inner and outer pads already hashed, two compression passes less
 * for every tag. The tags are those of any HMAC-SHA-256: the wire format
 * does not change.
 */
#ifndef AVAILCTL_MAC_H
#define AVAILCTL_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAC_KEY_SIZE	32
#define MAC_SIZE	32

/* A key's context: keyed once, reused for every tag under that key. */
struct mac;

/* A context keyed with @key; NULL when OpenSSL cannot make one (memory). */
struct mac *mac_new(const uint8_t key[MAC_KEY_SIZE]);

/* Frees @m (NULL is ignored); the key's pads are wiped by OpenSSL. */
void mac_free(struct mac *m);

/*
 * The tag of @len bytes at @data into @tag: with @m, keyed once, when it
 * is not NULL; else from @key, keyed for this tag alone (slower: for keys
 * used once, and tests). False only when OpenSSL fails (out of memory).
 */
bool mac_tag(struct mac *m, const uint8_t key[MAC_KEY_SIZE], const uint8_t *data,
	     size_t len, uint8_t tag[MAC_SIZE]);

/* Whether @tag is @data's, compared in constant time; as mac_tag(). */
bool mac_verify(struct mac *m, const uint8_t key[MAC_KEY_SIZE], const uint8_t *data,
		size_t len, const uint8_t tag[MAC_SIZE]);

#endif /* AVAILCTL_MAC_H */
