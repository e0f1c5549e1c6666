/* SPDX-License-Identifier: MIT */
/* Health probes' wire side (src/unit/probe_http.c, src/base/inet_target.c):
 * the input is at once the bytes of an HTTP reply (the status line is parsed
 * over every prefix, as the reads arrive) and a HealthHTTP=/HealthTCP= value. */
#include "fuzz.h"

#include "base/inet_target.h"
#include "unit/probe_http.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_memdup(data, size);
        /* Reads arrive in pieces: once a status line parses, a longer
         * prefix gives the same code; an error stays an error. */
        int first = 0, code = 0;
        size_t step = size > 600 ? size / 300 : 1;
        for (size_t n = 0; n <= size; n += step) {
                int c = 0;
                int r = probe_http_status_parse(buf, n, &c);
                FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL);
                if (r == 1) {
                        FUZZ_CHECK(c >= 100 && c <= 999);
                        FUZZ_CHECK(first != -EINVAL && (first == 0 || c == code));
                        first = 1, code = c;
                } else if (r == -EINVAL) {
                        FUZZ_CHECK(first != 1);
                        first = -EINVAL;
                } else
                        FUZZ_CHECK(first == 0 && n < 256);
        }
        free(buf);

        char *s = fuzz_strndup(data, size);
        struct inet_target t;
        char host[INET_TARGET_STRLEN + 16], path[PROBE_HTTP_PATH_MAX], req[PROBE_HTTP_REQUEST_MAX];
        char text[INET_TARGET_STRLEN];
        const char *why = NULL;
        if (probe_http_url_parse(s, &t, host, sizeof(host), path, sizeof(path), &why) == 0) {
                FUZZ_CHECK(path[0] == '/' && t.port > 0);
                for (const char *p = path; *p; p++)
                        FUZZ_CHECK((unsigned char)*p > ' ' && *p != 0x7f);
                size_t n = probe_http_request(host, path, req, sizeof(req));
                FUZZ_CHECK(n == strlen(req) && n < sizeof(req));
        } else
                FUZZ_CHECK(why != NULL);
        if (inet_target_parse(s, strlen(s), &t) == 0) {
                /* Formatting and parsing again is the identity. */
                struct inet_target again;
                inet_target_format(&t, text, sizeof(text));
                FUZZ_CHECK(inet_target_parse(text, strlen(text), &again) == 0);
                FUZZ_CHECK(again.family == t.family && again.port == t.port &&
                           memcmp(again.addr, t.addr, sizeof(t.addr)) == 0);
        }
        free(s);
        return 0;
}
