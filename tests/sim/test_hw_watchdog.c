/* SPDX-License-Identifier: MIT */
/* The hardware watchdog (SPEC §7, §8): pets every half of the granted
 * timeout; a health failure (a reboot action after a missed software
 * watchdog) stops the pets and reboots; a snooze keeps petting and
 * postpones that reboot to the snooze's end. */
#include "sim.h"

#include "supervise/manager.h"
#include "system/end_action.h"
#include "watchdog/hw_watchdog.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define SICK "[Unit]\nFailureAction=reboot\n[Service]\nExecStart=/bin/sick\nWatchdogSec=5\n"

static void boot_system(const char *unit) {
        if (unit)
                sim_unit("sick", unit);
        struct sim_options o = { .system_mode = true, .hw_watchdog_usec = 20 * SEC, .hw_reboot_usec = 60 * SEC };
        sim_boot(&o);
}

static bool supervisor_end_action_is_reboot(void) {
        for (size_t i = sim.n_events; i-- > 0;)
                if (sim.events[i].kind == SIM_EV_EXIT)
                        return sim.events[i].pid == (pid_t)END_REBOOT;
        return false;
}

static size_t count_exits(void) {
        size_t n = 0;
        for (size_t i = 0; i < sim.n_events; i++)
                n += sim.events[i].kind == SIM_EV_EXIT;
        return n;
}

SIM_SCENARIO(hw_watchdog_pets_every_half_of_the_granted_timeout) {
        boot_system(NULL);
        struct sim_cursor c = { 0 };
        sim_advance_to(100 * SEC);
        for (uint64_t t = 0; t <= 100 * SEC; t += 10 * SEC)
                expect_pet(&c, t);
        sim_check(count_pets_between(0, 100 * SEC) == 11, "pets beyond the interval");
}

SIM_SCENARIO(hw_watchdog_health_failure_stops_the_pets_and_reboots) {
        boot_system(SICK);
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/sick", 0);
        sim_advance_to(5 * SEC);
        expect_kill(&c, -pid, SIGABRT, 5 * SEC);
        sim_advance_to(200 * SEC);
        sim_check(last_pet() < 5 * SEC, "petted after the health failure (last pet at %llu)",
                  (unsigned long long)last_pet());
        expect_exit(&c, 0, SIM_ANY_T);
        sim_check(supervisor_end_action_is_reboot(), "not a reboot");
}

SIM_SCENARIO(hw_watchdog_snooze_keeps_petting_and_postpones_the_reboot_to_its_end) {
        boot_system(SICK);
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/sick", 0);
        sim_advance_to(1 * SEC);
        uint64_t granted = 0;
        sim_check(hw_watchdog_snooze(60 * SEC, &granted) == 0 && granted == 60 * SEC, "snooze refused");
        sim_advance_to(5 * SEC);
        expect_kill(&c, -pid, SIGABRT, 5 * SEC);
        sim_advance_to(61 * SEC - 1);
        sim_check(count_exits() == 0, "rebooted during the snooze");
        sim_check(count_pets_between(5 * SEC, 61 * SEC) >= 5, "no pets during the snooze");
        sim_advance_to(300 * SEC);
        expect_exit(&c, 0, 61 * SEC); /* the postponed reboot, at the snooze's end */
        sim_check(last_pet() <= 61 * SEC, "petted after the snooze ended");
        sim_check(supervisor_end_action_is_reboot(), "not a reboot");
}

SIM_SCENARIO(hw_watchdog_snooze_is_cut_to_its_cap) {
        boot_system(NULL);
        uint64_t granted = 0;
        sim_check(hw_watchdog_snooze(10 * HW_WATCHDOG_SNOOZE_MAX_USEC, &granted) == 0, "snooze refused");
        sim_check(granted == HW_WATCHDOG_SNOOZE_MAX_USEC, "granted %llu", (unsigned long long)granted);
}

SIM_SCENARIO(hw_watchdog_requested_shutdown_sets_the_reboot_timeout_and_pets_once) {
        boot_system(NULL);
        sim_advance_to(15 * SEC);
        sim_signal(SIGTERM); /* system mode: a reboot request */
        sim_advance_to(300 * SEC);
        struct sim_cursor c = { 0 };
        for (size_t i = 0; i < sim.n_events; i++)
                if (sim.events[i].kind == SIM_EV_WD_TIMEOUT && sim.events[i].sig == 60)
                        c.next = i + 1;
        sim_check(c.next > 0, "the reboot timeout was not set");
        expect_pet(&c, 15 * SEC);
        sim_check(count_pets_between(15 * SEC + 1, 300 * SEC) == 0, "petted after the shutdown's one pet");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(hw_watchdog_pets_every_half_of_the_granted_timeout),
                cmocka_unit_test(hw_watchdog_health_failure_stops_the_pets_and_reboots),
                cmocka_unit_test(hw_watchdog_snooze_keeps_petting_and_postpones_the_reboot_to_its_end),
                cmocka_unit_test(hw_watchdog_snooze_is_cut_to_its_cap),
                cmocka_unit_test(hw_watchdog_requested_shutdown_sets_the_reboot_timeout_and_pets_once),
        };
        return cmocka_run_group_tests_name("sim_hw_watchdog", tests, NULL, NULL);
}
