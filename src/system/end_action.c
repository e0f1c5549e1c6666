/* SPDX-License-Identifier: MIT */
#include "system/end_action.h"

const char *end_action_name(enum end_action a) {
        switch (a) {
        case END_EXIT: return "exit";
        case END_REBOOT: return "reboot";
        case END_POWEROFF: return "poweroff";
        case END_HALT: return "halt";
        case END_HANG: return "hang";
        }
        return "?";
}
