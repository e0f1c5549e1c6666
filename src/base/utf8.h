/* SPDX-License-Identifier: MIT */
/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF). Pure. */
#ifndef VIGIL_BASE_UTF8_H
#define VIGIL_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence at p[0..len) (len > 0), 0 if invalid. */
size_t utf8_sequence(const unsigned char *p, size_t len);
/* Whether s[0..len) is valid UTF-8 throughout. */
bool utf8_is_valid(const char *s, size_t len);

#endif
