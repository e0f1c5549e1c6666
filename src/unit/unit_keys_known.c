/* SPDX-License-Identifier: MIT */
/* Keys of systemd's that vigil knows but does not apply (docs/UNITS.md):
 * the sandboxing and security settings, and the rest (resource control,
 * logging knobs, cgroup and scheduling settings). A unit that sets any gets
 * one summary line per kind (unit_load.c), not a warning per line. */
#include "unit/unit_keys.h"

#include <string.h>

static const char *const sandboxing[] = {
        "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateNetwork", "PrivateUsers",
        "PrivateMounts", "PrivateIPC", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
        "ProtectControlGroups", "ProtectClock", "ProtectHostname", "ProtectProc", "ProcSubset",
        "RestrictAddressFamilies", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID",
        "RestrictFileSystems", "LockPersonality", "MemoryDenyWriteExecute", "SystemCallFilter",
        "SystemCallArchitectures", "SystemCallErrorNumber", "SystemCallLog", "CapabilityBoundingSet",
        "AmbientCapabilities", "ReadWritePaths", "ReadOnlyPaths", "InaccessiblePaths", "ExecPaths",
        "NoExecPaths", "ReadWriteDirectories", "ReadOnlyDirectories", "InaccessibleDirectories",
        "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths", "DeviceAllow", "DevicePolicy", "IPAddressAllow",
        "IPAddressDeny", "KeyringMode", "DynamicUser", "RemoveIPC", "SecureBits", "SELinuxContext",
        "AppArmorProfile", "SmackProcessLabel", "RootDirectory", "RootImage", "MountFlags", "MountAPIVFS",
        "PrivateDevices", "ProtectKernelModules", "NetworkNamespacePath", "IPCNamespacePath", "UMask-",
        "RestrictNetworkInterfaces", "SocketBindAllow", "SocketBindDeny", "NFTSet", "ProtectHostnameMode",
        "PrivatePIDs", "LoadCredential", "LoadCredentialEncrypted", "SetCredential", "SetCredentialEncrypted",
        "ImportCredential", "PAMName", "Personality", "IgnoreSIGPIPE", "NoExecPaths", "ExecSearchPath",
};

static const char *const unapplied[] = {
        "OOMScoreAdjust", "Slice", "Delegate", "CPUQuotaPeriodSec", "CPUShares",
        "CPUAccounting", "MemoryAccounting", "MemoryLow", "MemoryMin", "MemorySwapMax",
        "MemoryLimit", "TasksAccounting", "IOAccounting", "IODeviceWeight", "IOReadBandwidthMax",
        "IOWriteBandwidthMax", "BlockIOWeight", "BlockIOAccounting", "StartupCPUWeight", "StartupIOWeight",
        "IPAccounting", "ManagedOOMSwap", "ManagedOOMMemoryPressure", "IOSchedulingClass",
        "IOSchedulingPriority", "CPUSchedulingPolicy", "CPUSchedulingPriority", "CPUSchedulingResetOnFork",
        "CPUAffinity", "NUMAPolicy", "NUMAMask", "TimerSlackNSec", "SyslogFacility", "SyslogLevel",
        "SyslogLevelPrefix", "LogLevelMax", "LogRateLimitIntervalSec", "LogRateLimitBurst", "LogExtraFields",
        "LogNamespace", "LogFilterPatterns", "TTYVHangup", "TTYVTDisallocate",
        "FinalKillSignal", "RestartKillSignal", "TimeoutAbortSec", "Sockets", "FileDescriptorStoreMax",
        "FileDescriptorStorePreserve", "BusName", "USBFunctionDescriptors", "USBFunctionStrings",
        "UtmpIdentifier", "UtmpMode", "GuessMainPID", "ExitType", "OOMScoreAdjust", "CoredumpFilter",
        "KeyringMode", "RuntimeMaxSec", "RuntimeRandomizedExtraSec", "ReloadSignal",
        "DisableControllers", "AllowedCPUs", "AllowedMemoryNodes", "CollectMode", "JobTimeoutSec",
        "JobRunningTimeoutSec", "JobTimeoutAction", "IgnoreOnIsolate", "AllowIsolate", "RefuseManualStart",
        "RefuseManualStop", "StopWhenUnneeded", "SourcePath", "Requisite", "Upholds",
        "PropagatesReloadTo", "ReloadPropagatedFrom", "PropagatesStopTo", "StopPropagatedFrom", "JoinsNamespaceOf",
        "RequiresMountsFor", "WantsMountsFor", "OnFailureJobMode", "SurviveFinalKillSignal", "ConditionKernelVersion",
        "ConditionMemory", "ConditionCPUs", "ConditionOSRelease", "ConditionControlGroupController",
        "ConditionCredential", "ConditionPathIsEncrypted", "ConditionCPUFeature", "ConditionFirmware",
        "AssertKernelVersion", "AssertMemory", "AssertCPUs", "AssertOSRelease", "AssertControlGroupController",
        "AssertCredential", "AssertPathIsEncrypted", "ConditionCPUPressure", "ConditionIOPressure",
        "ConditionMemoryPressure", "StartupMemoryLow", "MemoryZSwapMax", "DefaultMemoryLow", 
};

static bool listed(const char *const *v, size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], key) == 0)
                        return true;
        return false;
}

enum unit_key_known unit_keys_known(const char *key) {
        if (listed(sandboxing, sizeof(sandboxing) / sizeof(sandboxing[0]), key))
                return UNIT_KEY_SANDBOXING;
        if (listed(unapplied, sizeof(unapplied) / sizeof(unapplied[0]), key))
                return UNIT_KEY_NOT_APPLIED;
        return UNIT_KEY_UNKNOWN;
}
