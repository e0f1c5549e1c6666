/* SPDX-License-Identifier: MIT */
/* sd_notify datagrams: the input is one datagram (src/notify/notify_msg.c). */
#include "fuzz.h"

#include "base/utf8.h"
#include "notify/notify_msg.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_memdup(data, size);
        struct notify_msg m;
        int r = notify_msg_parse(buf, size, &m);

        bool bad = size == 0 || size > NOTIFY_MSG_MAX || memchr(buf, '\0', size);
        FUZZ_CHECK(r == (bad ? -EBADMSG : 0));
        if (r == 0) {
                size_t lines = 1;
                for (size_t i = 0; i < size; i++)
                        lines += buf[i] == '\n';
                FUZZ_CHECK(m.n_unknown + m.n_invalid <= lines);
                if (m.flags & NOTIFY_HAS_STATUS) {
                        FUZZ_CHECK(m.status >= buf && m.status_len <= size);
                        FUZZ_CHECK((size_t)(m.status - buf) + m.status_len <= size);
                        FUZZ_CHECK(!memchr(m.status, '\n', m.status_len));
                        FUZZ_CHECK(utf8_is_valid(m.status, m.status_len));
                } else {
                        FUZZ_CHECK(!m.status && m.status_len == 0);
                }
                FUZZ_CHECK(!(m.flags & NOTIFY_HAS_MAINPID) || m.main_pid > 0);
                FUZZ_CHECK((m.flags & NOTIFY_HAS_MAINPID) || m.main_pid == 0);
                FUZZ_CHECK((m.flags & NOTIFY_HAS_WATCHDOG_USEC) || m.watchdog_usec == 0);
                FUZZ_CHECK(!(m.flags & NOTIFY_HAS_ERRNO) || m.error >= 0);
                /* A later assignment wins: the datagram with a final
                 * READY=1 appended parses to the same fields, plus READY. */
                if (size + 9 <= NOTIFY_MSG_MAX) {
                        char *more = fuzz_alloc(size + 9);
                        struct notify_msg m2;
                        memcpy(more, buf, size);
                        memcpy(more + size, "\nREADY=1\n", 9);
                        FUZZ_CHECK(notify_msg_parse(more, size + 9, &m2) == 0);
                        FUZZ_CHECK(m2.flags == (m.flags | NOTIFY_READY));
                        FUZZ_CHECK(m2.status_len == m.status_len && m2.main_pid == m.main_pid);
                        FUZZ_CHECK(m2.n_invalid == m.n_invalid && m2.n_unknown == m.n_unknown);
                        free(more);
                }
        }
        free(buf);
        return 0;
}
