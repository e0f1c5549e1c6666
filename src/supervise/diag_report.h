/* SPDX-License-Identifier: MIT */
/* Parser diagnostics (unit files, drop-ins, EnvironmentFile=) to vigil's log. */
#ifndef VIGIL_SUPERVISE_DIAG_REPORT_H
#define VIGIL_SUPERVISE_DIAG_REPORT_H

#include "unit/unit_file.h"

/* Log each as "FILE:LINE: message" (errors and warnings), then how many
 * were dropped. */
void unit_report_diags(const struct unit_diags *d);

#endif
