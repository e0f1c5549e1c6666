/* SPDX-License-Identifier: MIT */
/* syslog datagrams: the input is one datagram (src/logcap/syslog_msg.c). */
#include "fuzz.h"

#include "logcap/syslog_msg.h"

#include <errno.h>

static bool inside(const char *p, size_t len, const char *buf, size_t size) {
        return p >= buf && (size_t)(p - buf) <= size && len <= size - (size_t)(p - buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_memdup(data, size);
        struct syslog_msg m;
        const char *why = NULL;
        int r = syslog_msg_parse(buf, size, &m, &why);

        FUZZ_CHECK(r == 0 || r == -EINVAL);
        FUZZ_CHECK(why != NULL);
        if (r == 0) {
                FUZZ_CHECK(m.priority >= -1 && m.priority <= 191);
                FUZZ_CHECK(m.message && inside(m.message, m.message_len, buf, size));
                FUZZ_CHECK(!memchr(m.message, '\0', m.message_len));
                FUZZ_CHECK(!m.tag || (inside(m.tag, m.tag_len, buf, size) && m.tag_len > 0 &&
                                      m.tag_len <= SYSLOG_TAG_MAX));
                FUZZ_CHECK(m.pid >= 0);
                FUZZ_CHECK(m.version == 0 || m.version == 1);
                FUZZ_CHECK(m.version == 0 || m.priority >= 0);
        } else {
                FUZZ_CHECK(why[0] != '\0');
        }
        free(buf);
        return 0;
}
