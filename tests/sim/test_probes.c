/* SPDX-License-Identifier: MIT */
/* The probes of `vigilctl check` (docs/CONTROL.md) at the edges of their
 * windows: --live through a whole RestartSec= wait, --startup until READY=1
 * and latched after it, --ready gone once SIGTERM reached the main command.
 * The control server's rule (control/control_probes.c) is asked directly,
 * the way its dispatcher asks it. */
#include "sim.h"

#include "base/strbuf.h"
#include "control/control_msg.h"
#include "control/control_probes.h"
#include "supervise/supervisor.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* The reply code of "check [probe]"; its text into why. */
static int probe(const char *name, char *why, size_t size) {
        char line[64];
        snprintf(line, sizeof(line), "vigil/1 check%s%s", name ? " " : "", name ? name : "");
        static struct control_request rq;
        const char *err;
        sim_check(control_request_parse(line, strlen(line), &rq, &err) == 0, "cannot parse %s: %s", line, err);
        struct strbuf b = { 0 };
        control_probes_check(&b, &rq);
        char *reply = strbuf_take(&b);
        sim_check(reply != NULL, "no reply");
        int code;
        const char *text;
        reply[strcspn(reply, "\n")] = '\0';
        sim_check(control_reply_parse_header(reply, &code, &text) == 0, "bad reply %s", reply);
        snprintf(why, size, "%s", text);
        free(reply);
        return code;
}

static void expect_probe(const char *name, int code, const char *text_part) {
        char why[512];
        int got = probe(name, why, sizeof(why));
        sim_check(got == code && strstr(why, text_part), "check %s at t=%llu us: code %d '%s', not %d '...%s...'",
                  name ? name : "(plain)", (unsigned long long)sim_t(), got, why, code, text_part);
}

SIM_SCENARIO(live_through_the_whole_restart_sec_wait) {
        struct sim_cursor c = { 0 };
        sim_unit("a", "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=5\n");
        sim_boot_default();
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(1 * SEC);
        sim_exit(pid, 1);
        expect_probe(NULL, 1, "waiting to restart");
        expect_probe("live", 0, "live");
        sim_advance_to(6 * SEC - 1);
        expect_state("a", "auto-restart");
        expect_probe("live", 0, "live");
        expect_probe("ready", 1, "a.service");
        sim_advance_to(6 * SEC);
        expect_spawn(&c, "/bin/a", 6 * SEC);
        expect_probe(NULL, 0, "healthy");
        expect_probe("ready", 0, "ready");
}

SIM_SCENARIO(live_fails_for_restart_no) {
        struct sim_cursor c = { 0 };
        sim_unit("a", "[Service]\nExecStart=/bin/a\nRestart=no\n");
        sim_unit("b", "[Service]\nExecStart=/bin/b\n");
        sim_boot_default();
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        expect_probe("live", 0, "live");
        sim_exit(pid, 1);
        expect_probe("live", 1, "a.service is failed for good (failed, result exit-code)");
        expect_probe("startup", 0, "started");
}

SIM_SCENARIO(startup_until_ready_then_latched) {
        struct sim_cursor c = { 0 };
        sim_unit("n", "[Service]\nType=notify\nExecStart=/bin/n\nRestart=always\nRestartSec=1\n");
        sim_boot_default();
        pid_t pid = expect_spawn(&c, "/bin/n", 0);
        sim_advance_to(30 * SEC);
        expect_probe("startup", 1, "n.service is still starting");
        expect_probe("ready", 1, "n.service");
        expect_probe("live", 0, "live");
        sim_notify(pid, "READY=1");
        expect_probe("startup", 0, "started");
        expect_probe("ready", 0, "ready");
        /* A restart later is not a boot unfinished. */
        sim_exit(pid, 1);
        expect_state("n", "auto-restart");
        expect_probe("startup", 0, "started");
        expect_probe("ready", 1, "waiting to restart");
}

SIM_SCENARIO(startup_waits_for_the_main_command_and_ready_ends_with_sigterm) {
        struct sim_cursor c = { 0 };
        static char *argv[] = { "/bin/main", NULL };
        struct sim_options o = { .main_argv = argv };
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        sim_boot(&o);
        expect_spawn(&c, "/bin/a", 0);
        pid_t main_pid = expect_spawn(&c, "/bin/main", 0);
        expect_probe("startup", 0, "started");
        expect_probe("ready", 0, "ready");
        sim_handle(main_pid, SIGTERM);
        sim_signal(SIGTERM);
        expect_kill(&c, main_pid, SIGTERM, SIM_ANY_T);
        sim_check(!supervisor_accepting(), "still accepting after SIGTERM to the main command");
        expect_probe("ready", 1, "vigil is stopping");
        expect_probe("live", 0, "live");
        expect_state("a", "running");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(live_through_the_whole_restart_sec_wait),
                cmocka_unit_test(live_fails_for_restart_no),
                cmocka_unit_test(startup_until_ready_then_latched),
                cmocka_unit_test(startup_waits_for_the_main_command_and_ready_ends_with_sigterm),
        };
        return cmocka_run_group_tests_name("sim_probes", tests, NULL, NULL);
}
