/* SPDX-License-Identifier: MIT */
/* Service output through real pipes and the real loop. vigil's "stdout" is a
 * pipe the test reads (or, to stall it, does not read). Writers that must
 * outrun a pipe's capacity are forked children. */
#include "base/linebuf.h"
#include "core/loop.h"
#include "os/event.h"
#include "logcap/output.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

/* ---- harness: vigil's stdout, a reader on it, running until a condition ---- */

static int out_rd = -1, out_wr = -1;
static struct {
        char *p;
        size_t n, cap;
} got;
static struct loop_io reader = { .fd = -1 };
static size_t reader_chunk;             /* bytes per wake-up */
static bool reader_on;
/* When set, the reader keeps only lines this returns true for (a flood
 * would not fit in memory); lines are reassembled with a linebuf. */
static bool (*reader_keep)(const char *line, size_t len);
static struct linebuf reader_lines;

static void got_put(const char *p, size_t len) {
        if (got.n + len + 1 > got.cap) {
                got.cap = (got.n + len + 1) * 2;
                got.p = realloc(got.p, got.cap);
                assert_non_null(got.p);
        }
        memcpy(got.p + got.n, p, len);
        got.n += len;
        got.p[got.n] = '\0';
}

/* vigil's lines may be longer than LINEBUF_MAX (prefix, mark): reassemble. */
static void keep_line(const char *line, size_t len, bool cut, void *userdata) {
        static char whole[2 * LINEBUF_MAX];
        static size_t n;
        (void)userdata;
        assert_true(n + len <= sizeof(whole));
        memcpy(whole + n, line, len);
        n += len;
        if (cut)
                return;
        if (reader_keep(whole, n)) {
                got_put(whole, n);
                got_put("\n", 1);
        }
        n = 0;
}

static void reader_ready(struct loop_io *io, uint32_t events) {
        static char buf[1 << 16];
        (void)events;
        ssize_t n = read(io->fd, buf, reader_chunk);
        if (n <= 0)
                return;
        if (reader_keep)
                linebuf_feed(&reader_lines, buf, (size_t)n, keep_line, NULL);
        else
                got_put(buf, (size_t)n);
}

static void start_reader(size_t chunk) {
        reader_chunk = chunk;
        reader = (struct loop_io){ .fd = out_rd, .ready = reader_ready };
        assert_int_equal(loop_io_add(&reader, OS_EVENT_IN), 0);
        reader_on = true;
}

static bool (*until)(void);
static uint64_t until_deadline;
static struct loop_timer check_timer;

static void check(struct loop_timer *t) {
        if (until())
                loop_exit(0);
        else if (loop_now() > until_deadline)
                loop_exit(1);
        else
                assert_int_equal(loop_timer_arm_in(t, 2000), 0);
}

/* Run the loop until pred() holds; fail after seconds. */
static void run_until(bool (*pred)(void), unsigned seconds) {
        until = pred;
        until_deadline = loop_now() + seconds * 1000000ULL;
        loop_timer_init(&check_timer, check, NULL);
        assert_int_equal(loop_timer_arm_in(&check_timer, 0), 0);
        if (loop_run() != 0)
                fail_msg("condition not reached in %u s; got %zu bytes", seconds, got.n);
}

static bool no_sources(void) {
        return output_source_count() == 0;
}

static void setup_format(enum log_format format) {
        int p[2];
        assert_int_equal(loop_init(), 0);
        assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        out_rd = p[0];
        out_wr = p[1];
        /* vigil's real stdout is blocking and shared: only the test's read end is non-blocking */
        assert_int_equal(fcntl(out_wr, F_SETFL, 0), 0);
        assert_int_equal(output_init(format, out_wr), 0);
        got.n = 0;
        reader_keep = NULL;
        linebuf_init(&reader_lines);
}

static pid_t children[4];
static bool in_child;

/* Also after a failed assertion: the next test starts clean. */
static int teardown(void **state) {
        (void)state;
        for (size_t i = 0; i < 4; i++) {
                if (children[i] > 0) {
                        kill(children[i], SIGKILL);
                        (void)waitpid(children[i], NULL, 0);
                }
                children[i] = 0;
        }
        if (reader_on)
                loop_io_del(&reader);
        reader_on = false;
        linebuf_free(&reader_lines);
        output_free();
        loop_free();
        if (out_rd >= 0)
                close(out_rd);
        if (out_wr >= 0)
                close(out_wr);
        out_rd = out_wr = -1;
        free(got.p);
        got.p = NULL;
        got.n = got.cap = 0;
        return 0;
}

static struct output_source *open_source(const char *ident, pid_t pid, int *ret_write_fd) {
        struct output_source *s;
        char *copy = strdup(ident); /* the source must keep its own copy */
        assert_int_equal(output_source_open(copy, &s, ret_write_fd), 0);
        free(copy);
        output_source_set_pid(s, pid);
        return s;
}

static void write_all(int fd, const char *p, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n <= 0 && in_child)
                        _exit(1); /* never into cmocka's failure path from a child */
                assert_true(n > 0);
                p += n;
                len -= (size_t)n;
        }
}

/* Fork a child that runs fn(fd) with only fd (and 0-2) open, then exits. */
static pid_t fork_writer(int fd, void (*fn)(int fd, long arg), long arg) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                in_child = true;
                signal(SIGPIPE, SIG_DFL); /* a writer whose reader is gone just dies */
                if (fd != 3)
                        (void)dup2(fd, 3);
                close_range(4, ~0U, 0);
                fn(3, arg);
                _exit(0);
        }
        close(fd);
        for (size_t i = 0; i < 4; i++) {
                if (children[i] == 0) {
                        children[i] = pid;
                        return pid;
                }
        }
        fail_msg("too many children");
        return -1;
}

static void reap(pid_t pid) {
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        for (size_t i = 0; i < 4; i++)
                if (children[i] == pid)
                        children[i] = 0;
}

/* ---- rendering ---- */

struct render_case {
        enum log_format format;
        const char *ident;
        pid_t pid;
        const char *line;
        size_t len;
        bool cut;
        const char *want;
};

#define L(lit) lit, sizeof(lit) - 1

static const struct render_case render_cases[] = {
        { LOG_FORMAT_PREFIXED, "web", 42, L("hello"), false, "web[42]: hello\n" },
        { LOG_FORMAT_PREFIXED, "web", 0, L("no pid yet"), false, "web: no pid yet\n" },
        { LOG_FORMAT_PREFIXED, "web", 42, L("xyz"), true, "web[42]: xyz [line cut]\n" },
        { LOG_FORMAT_PREFIXED, "web", 42, L(""), false, "web[42]: \n" },
        { LOG_FORMAT_PLAIN, "web", 42, L("hello"), false, "hello\n" },
        { LOG_FORMAT_PLAIN, "web", 42, L("xyz"), true, "xyz [line cut]\n" },
        { LOG_FORMAT_JSON, "web", 42, L("hello"), false, "{\"unit\":\"web\",\"pid\":42,\"message\":\"hello\"}\n" },
        { LOG_FORMAT_JSON, "web", 0, L("x"), false, "{\"unit\":\"web\",\"message\":\"x\"}\n" },
        { LOG_FORMAT_JSON, "web", 7, L("x"), true, "{\"unit\":\"web\",\"pid\":7,\"message\":\"x\",\"cut\":true}\n" },
        { LOG_FORMAT_JSON, "a\"b\\c", 1, L("q\"b\\s/"), false,
          "{\"unit\":\"a\\\"b\\\\c\",\"pid\":1,\"message\":\"q\\\"b\\\\s/\"}\n" },
        { LOG_FORMAT_JSON, "u", 1, L("\b\f\n\r\t\x01\x1f\x7f\x1b[0m"), false,
          "{\"unit\":\"u\",\"pid\":1,\"message\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u001b[0m\"}\n" },
        { LOG_FORMAT_JSON, "u", 1, L("a\0b"), false, "{\"unit\":\"u\",\"pid\":1,\"message\":\"a\\u0000b\"}\n" },
        /* valid UTF-8 as is: é € 😀 U+10FFFF */
        { LOG_FORMAT_JSON, "u", 1, L("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"), false,
          "{\"unit\":\"u\",\"pid\":1,\"message\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}\n" },
        /* each byte that starts no valid sequence: \ufffd */
        { LOG_FORMAT_JSON, "u", 1, L("\xff|\xc3(|\xc0\xaf|\xe0\x80\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82"), false,
          "{\"unit\":\"u\",\"pid\":1,\"message\":\"\\ufffd|\\ufffd(|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
          "\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"}\n" },
};

static void renders_each_format(void **state) {
        (void)state;
        char buf[512];
        for (size_t i = 0; i < sizeof(render_cases) / sizeof(render_cases[0]); i++) {
                const struct render_case *c = &render_cases[i];
                size_t n = output_render_line(c->format, c->ident, c->pid, c->line, c->len, c->cut, buf, sizeof(buf));
                if (n != strlen(c->want) || memcmp(buf, c->want, n) != 0)
                        fail_msg("case %zu: got %.*s want %s", i, (int)n, buf, c->want);
                /* one byte short does not fit; exact room does */
                assert_int_equal(output_render_line(c->format, c->ident, c->pid, c->line, c->len, c->cut, buf, n - 1), 0);
                assert_int_equal(output_render_line(c->format, c->ident, c->pid, c->line, c->len, c->cut, buf, n), n);
        }
        size_t n = output_render_dropped(LOG_FORMAT_PREFIXED, 12, buf, sizeof(buf));
        assert_string_equal((buf[n] = '\0', buf), "vigil: dropped 12 lines of service output\n");
        n = output_render_dropped(LOG_FORMAT_JSON, 3, buf, sizeof(buf));
        assert_string_equal((buf[n] = '\0', buf),
                            "{\"unit\":\"vigil\",\"message\":\"dropped 3 lines of service output\",\"dropped\":3}\n");
}

/* ---- through the pipes ---- */

static void run_three_lines(enum log_format format, const char *want) {
        int w;
        setup_format(format);
        start_reader(1 << 16);
        open_source("web", 42, &w);
        assert_int_equal(output_source_count(), 1);
        write_all(w, "hello\nwor", 9);
        write_all(w, "ld\npartial", 10);
        close(w); /* EOF: the unterminated last line still comes out */
        run_until(no_sources, 10);
        run_until(no_sources, 0); /* loop_run can run again */
        loop_io_del(&reader);
        reader_on = false;
        reader_ready(&reader, 0);
        assert_string_equal(got.p, want);
        teardown(NULL);
}

static void writes_lines_in_each_format_and_eof_flushes_the_partial_line(void **state) {
        (void)state;
        run_three_lines(LOG_FORMAT_PREFIXED, "web[42]: hello\nweb[42]: world\nweb[42]: partial\n");
        run_three_lines(LOG_FORMAT_PLAIN, "hello\nworld\npartial\n");
        run_three_lines(LOG_FORMAT_JSON,
                        "{\"unit\":\"web\",\"pid\":42,\"message\":\"hello\"}\n"
                        "{\"unit\":\"web\",\"pid\":42,\"message\":\"world\"}\n"
                        "{\"unit\":\"web\",\"pid\":42,\"message\":\"partial\"}\n");
}

static bool got_two_lines(void) {
        return got.n > 0 && memchr(got.p, '\n', got.n) != memrchr(got.p, '\n', got.n);
}

static void binary_bytes_pass_verbatim_prefixed_and_escaped_in_json(void **state) {
        static const char data[] = "a\0b\x01\xff\x1b[31mred\r\n\0\n";
        int w;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        start_reader(1 << 16);
        open_source("bin", 7, &w);
        write_all(w, data, sizeof(data) - 1);
        run_until(got_two_lines, 10);
        static const char want[] = "bin[7]: a\0b\x01\xff\x1b[31mred\r\nbin[7]: \0\n";
        assert_int_equal(got.n, sizeof(want) - 1);
        assert_memory_equal(got.p, want, sizeof(want) - 1);
        close(w);
        teardown(NULL);

        setup_format(LOG_FORMAT_JSON);
        start_reader(1 << 16);
        open_source("bin", 7, &w);
        write_all(w, data, sizeof(data) - 1);
        run_until(got_two_lines, 10);
        assert_string_equal(got.p, "{\"unit\":\"bin\",\"pid\":7,\"message\":\"a\\u0000b\\u0001\\ufffd\\u001b[31mred\\r\"}\n"
                                   "{\"unit\":\"bin\",\"pid\":7,\"message\":\"\\u0000\"}\n");
        close(w);
}

static void write_x(int fd, long bytes) {
        static char block[65536];
        memset(block, 'x', sizeof(block));
        for (long done = 0; done < bytes; done += (long)sizeof(block))
                write_all(fd, block, sizeof(block));
}

/* 10 MiB without a newline: pieces of at most LINEBUF_MAX, marked, and the
 * whole of it delivered. The reader counts instead of keeping it. */
static size_t huge_pieces, huge_x, huge_unmarked;
static bool count_piece(const char *line, size_t len) {
        static const char prefix[] = "big[9]: ", mark[] = " [line cut]";
        assert_true(len >= sizeof(prefix) - 1);
        assert_memory_equal(line, prefix, sizeof(prefix) - 1);
        size_t payload = len - (sizeof(prefix) - 1);
        bool cut = payload >= sizeof(mark) - 1 && memcmp(line + len - (sizeof(mark) - 1), mark, sizeof(mark) - 1) == 0;
        if (cut)
                payload -= sizeof(mark) - 1;
        else
                huge_unmarked++;
        assert_true(payload <= LINEBUF_MAX);
        for (size_t i = 0; i < payload; i++)
                if (line[sizeof(prefix) - 1 + i] != 'x')
                        fail_msg("byte %zu of piece %zu is not x", i, huge_pieces);
        huge_pieces++;
        huge_x += payload;
        return false;
}

static bool huge_done(void) {
        return no_sources() && huge_unmarked == 1; /* the last piece was read too */
}

static void a_10mb_line_without_newline_is_cut_and_marked(void **state) {
        const long size = 10L << 20;
        int w;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        huge_pieces = huge_x = huge_unmarked = 0;
        reader_keep = count_piece;
        start_reader(1 << 16);
        open_source("big", 9, &w);
        pid_t child = fork_writer(w, write_x, size);
        run_until(huge_done, 60);
        reap(child);
        assert_int_equal(huge_x, (size_t)size);
        assert_int_equal(huge_pieces, (size_t)size / LINEBUF_MAX);
        assert_int_equal(huge_unmarked, 1); /* only the last piece, at EOF */
}

/* N numbered lines of about 1000 bytes each. */
static void write_numbered(int fd, long n) {
        char line[1024];
        memset(line, '.', sizeof(line));
        for (long i = 0; i < n; i++) {
                int k = snprintf(line, sizeof(line), "%06ld ", i);
                line[k] = '.';
                line[999] = '\n';
                write_all(fd, line, 1000);
        }
}

/* Lines "PREFIX%06ld ...." in order, then optionally a drop notice; returns
 * how many lines were delivered, and the notice's count. */
static long check_numbered(const char *prefix, unsigned long long *ret_dropped) {
        long delivered = 0, last = -1;
        *ret_dropped = 0;
        for (char *p = got.p, *nl; p < got.p + got.n; p = nl + 1) {
                nl = memchr(p, '\n', (size_t)(got.p + got.n - p));
                assert_non_null(nl);
                if (sscanf(p, "vigil: dropped %llu lines", ret_dropped) == 1)
                        continue;
                assert_int_equal(strncmp(p, prefix, strlen(prefix)), 0);
                long i = strtol(p + strlen(prefix), NULL, 10);
                assert_true(i > last);
                last = i;
                delivered++;
        }
        return delivered;
}

static bool got_drop_notice(void) {
        return got.n > 0 && strstr(got.p, "vigil: dropped ") && got.p[got.n - 1] == '\n';
}

/* Nobody reads vigil's stdout: vigil does not block, the unit is not held
 * forever either (after OUTPUT_STALL_USEC lines are dropped), and once
 * stdout moves again one line counts what was dropped: every line is either
 * delivered, in order, or counted. */
static void a_stalled_stdout_never_blocks_and_drops_with_a_count(void **state) {
        const long lines = 4000;
        int w;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        open_source("flood", 5, &w);
        uint64_t start = loop_now();
        pid_t child = fork_writer(w, write_numbered, lines);
        run_until(no_sources, 30);
        reap(child);
        assert_true(loop_now() - start >= OUTPUT_STALL_USEC);
        assert_false(fcntl(out_wr, F_GETFL) & O_NONBLOCK); /* the shared description is untouched */

        start_reader(1 << 16);
        run_until(got_drop_notice, 10);
        unsigned long long dropped;
        long delivered = check_numbered("flood[5]: ", &dropped);
        assert_true(dropped > 0);
        assert_int_equal((unsigned long long)delivered + dropped, (unsigned long long)lines);
}

static bool all_3000(void) {
        return no_sources() && got.n == 3000 * 1009;
}

/* A reader slower than the unit: the buffer fills, sources pause and resume,
 * and nothing is lost. */
static void a_slow_reader_throttles_the_unit_and_loses_nothing(void **state) {
        int w;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        start_reader(4096);
        open_source("slow", 6, &w);
        pid_t child = fork_writer(w, write_numbered, 3000);
        run_until(all_3000, 30);
        reap(child);
        unsigned long long dropped;
        assert_int_equal(check_numbered("slow[6]: ", &dropped), 3000);
        assert_int_equal(dropped, 0);
}

static bool all_600_each(void) {
        return no_sources() && got.n == 8 * 600 * 100;
}

/* Eight sources with 60 KiB each ready at once: read in turns (at most
 * OUTPUT_READ_MAX each per wake-up), so no source is finished before every
 * source has started. */
static void many_sources_are_read_in_turns(void **state) {
        enum { N = 8, LINES = 600 };
        int w[N];
        char line[128];
        (void)state;
        setup_format(LOG_FORMAT_PLAIN);
        start_reader(1 << 16);
        for (int s = 0; s < N; s++) {
                char ident[16];
                snprintf(ident, sizeof(ident), "s%d", s);
                open_source(ident, 100 + s, &w[s]);
                for (int i = 0; i < LINES; i++) {
                        snprintf(line, sizeof(line), "%d %04d %-92s\n", s, i, "");
                        write_all(w[s], line, 100);
                }
                close(w[s]);
        }
        run_until(all_600_each, 10);
        assert_int_equal(got.n, (size_t)N * LINES * 100);
        long first[N], last[N];
        for (int s = 0; s < N; s++)
                first[s] = last[s] = -1;
        for (long i = 0; i < N * LINES; i++) {
                int s = got.p[i * 100] - '0';
                assert_int_equal(atoi(got.p + i * 100 + 2), last[s] < 0 ? 0 : atoi(got.p + last[s] * 100 + 2) + 1);
                if (first[s] < 0)
                        first[s] = i;
                last[s] = i;
        }
        long latest_start = 0, earliest_end = N * LINES;
        for (int s = 0; s < N; s++) {
                latest_start = first[s] > latest_start ? first[s] : latest_start;
                earliest_end = last[s] < earliest_end ? last[s] : earliest_end;
        }
        assert_true(latest_start < earliest_end);
}

static void write_forever(int fd, long arg) {
        (void)arg;
        write_numbered(fd, 1L << 40); /* until killed */
}

static bool keep_quiet(const char *line, size_t len) {
        return len >= 7 && memcmp(line, "quiet[", 6) == 0;
}

static bool got_quiet(void) {
        return got.n > 0;
}

static int quiet_fd = -1;
static void say_quiet(struct loop_timer *t) {
        (void)t;
        write_all(quiet_fd, "still here\n", 11);
}

/* A unit flooding without pause does not starve a quiet one. */
static void a_flood_does_not_starve_a_quiet_unit(void **state) {
        int wf;
        struct loop_timer later;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        reader_keep = keep_quiet;
        start_reader(1 << 16);
        open_source("flood", 11, &wf);
        pid_t child = fork_writer(wf, write_forever, 0);
        open_source("quiet", 12, &quiet_fd);
        loop_timer_init(&later, say_quiet, NULL);
        assert_int_equal(loop_timer_arm_in(&later, 200000), 0);
        run_until(got_quiet, 5);
        assert_string_equal(got.p, "quiet[12]: still here\n");
        kill(child, SIGKILL);
        reap(child);
        close(quiet_fd);
        run_until(no_sources, 10);
}

static void flush_drains_open_sources_with_their_partial_lines(void **state) {
        int w;
        char buf[256];
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        open_source("x", 1, &w);
        write_all(w, "a\nb", 3);
        output_flush(); /* the loop never ran */
        ssize_t n = read(out_rd, buf, sizeof(buf) - 1);
        assert_true(n > 0);
        buf[n] = '\0';
        assert_string_equal(buf, "x[1]: a\nx[1]: b\n");
        assert_int_equal(output_source_count(), 1); /* still open: output_free closes it */
        close(w);
}

static void flush_gives_up_on_a_stalled_stdout(void **state) {
        int w;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        open_source("x", 1, &w);
        assert_true(fcntl(w, F_SETPIPE_SZ, 1 << 20) >= 1 << 20); /* more than stdout and the buffer hold */
        pid_t child = fork_writer(w, write_forever, 0);
        usleep(300000); /* let it fill its pipe: flush reads only what is there */
        uint64_t start = loop_now();
        output_flush();
        uint64_t took = loop_now() - start;
        assert_true(took >= OUTPUT_FLUSH_USEC / 2);
        assert_true(took < OUTPUT_FLUSH_USEC + 2000000);
        kill(child, SIGKILL);
        reap(child);
}

static bool got_one_line(void) {
        return got.n > 0 && got.p[got.n - 1] == '\n';
}

/* A socket as stdout (send with MSG_DONTWAIT) and a regular file. */
static void writes_to_a_socket_and_to_a_file(void **state) {
        int sv[2], w;
        (void)state;
        assert_int_equal(loop_init(), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(output_init(LOG_FORMAT_PREFIXED, sv[0]), 0);
        out_rd = sv[1];
        out_wr = sv[0];
        assert_int_equal(fcntl(out_rd, F_SETFL, O_NONBLOCK), 0);
        start_reader(1 << 16);
        open_source("sock", 3, &w);
        write_all(w, "over a socket\n", 14);
        close(w);
        run_until(got_one_line, 10);
        assert_string_equal(got.p, "sock[3]: over a socket\n");
        teardown(state);

        char buf[64];
        int fd = memfd_create("out", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(loop_init(), 0);
        assert_int_equal(output_init(LOG_FORMAT_PLAIN, fd), 0);
        open_source("file", 4, &w);
        write_all(w, "into a file\n", 12);
        close(w);
        run_until(no_sources, 10);
        assert_int_equal(pread(fd, buf, sizeof(buf), 0), 12);
        assert_memory_equal(buf, "into a file\n", 12);
        close(fd);
}

/* Nobody will ever read stdout again (EPIPE): output is discarded, units
 * are still read to EOF. */
static void a_closed_stdout_discards_output(void **state) {
        int w;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        close(out_rd);
        out_rd = -1;
        open_source("gone", 2, &w);
        pid_t child = fork_writer(w, write_numbered, 2000);
        run_until(no_sources, 10);
        reap(child);
}

static void the_write_end_is_above_stdio_cloexec_and_blocking(void **state) {
        int w;
        struct output_source *s;
        (void)state;
        setup_format(LOG_FORMAT_PREFIXED);
        assert_int_equal(output_source_open("x", &s, &w), 0);
        assert_true(w > 2);
        assert_true(fcntl(w, F_GETFD) & FD_CLOEXEC);
        assert_false(fcntl(w, F_GETFL) & O_NONBLOCK);
        close(w);
        run_until(no_sources, 10);
}

int main(void) {
        signal(SIGPIPE, SIG_IGN); /* vigil blocks it; here a write to a closed pipe must return EPIPE */
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(renders_each_format, teardown),
                cmocka_unit_test_teardown(writes_lines_in_each_format_and_eof_flushes_the_partial_line, teardown),
                cmocka_unit_test_teardown(binary_bytes_pass_verbatim_prefixed_and_escaped_in_json, teardown),
                cmocka_unit_test_teardown(a_10mb_line_without_newline_is_cut_and_marked, teardown),
                cmocka_unit_test_teardown(a_stalled_stdout_never_blocks_and_drops_with_a_count, teardown),
                cmocka_unit_test_teardown(a_slow_reader_throttles_the_unit_and_loses_nothing, teardown),
                cmocka_unit_test_teardown(many_sources_are_read_in_turns, teardown),
                cmocka_unit_test_teardown(a_flood_does_not_starve_a_quiet_unit, teardown),
                cmocka_unit_test_teardown(flush_drains_open_sources_with_their_partial_lines, teardown),
                cmocka_unit_test_teardown(flush_gives_up_on_a_stalled_stdout, teardown),
                cmocka_unit_test_teardown(writes_to_a_socket_and_to_a_file, teardown),
                cmocka_unit_test_teardown(a_closed_stdout_discards_output, teardown),
                cmocka_unit_test_teardown(the_write_end_is_above_stdio_cloexec_and_blocking, teardown),
        };
        alarm(300); /* a blocked write would hang the test otherwise */
        return cmocka_run_group_tests(tests, NULL, NULL);
}
