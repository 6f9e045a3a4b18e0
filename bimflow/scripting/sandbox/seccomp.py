"""A small hand-assembled seccomp filter (classic BPF) for bwrap's ``--seccomp FD``.

Defence in depth: the sandbox already runs as an unprivileged uid without
capabilities; this also takes away kernel interfaces that have a history of
privilege escalations or that can look at other processes. Denied calls fail with
EPERM; a system call made through another ABI (x32, or i386 via ``int 0x80`` on
x86-64) kills the process, because the numbers below would not match it.
"""

from __future__ import annotations

import errno
import platform
import struct

# struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }
_LD_W_ABS = 0x20
_JMP_JEQ_K = 0x15
_JMP_JGE_K = 0x35
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000
_OFFSET_NR = 0
_OFFSET_ARCH = 4
_X32_SYSCALL_BIT = 0x40000000

ALWAYS_DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "keyctl", "add_key", "request_key", "bpf", "userfaultfd", "perf_event_open",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "name_to_handle_at", "open_by_handle_at", "fanotify_init", "lookup_dcookie",
    "swapon", "swapoff", "reboot", "acct", "quotactl", "syslog",
    "uselib", "modify_ldt", "iopl", "ioperm",
)  # fmt: skip

# Memory that no rlimit counts (memfd, SysV shared memory and message queues):
# denied when no memory cgroup is there to count it.
UNCOUNTED_MEMORY = ("memfd_create", "shmget", "msgget")

_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        {
            "shmget": 29, "msgget": 68, "ptrace": 101, "syslog": 103, "uselib": 134,
            "modify_ldt": 154, "pivot_root": 155, "chroot": 161, "acct": 163, "mount": 165,
            "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "iopl": 172,
            "ioperm": 173, "init_module": 175, "delete_module": 176, "quotactl": 179,
            "lookup_dcookie": 212, "kexec_load": 246, "add_key": 248, "request_key": 249,
            "keyctl": 250, "unshare": 272, "perf_event_open": 298, "fanotify_init": 300,
            "name_to_handle_at": 303, "open_by_handle_at": 304, "setns": 308,
            "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
            "finit_module": 313, "memfd_create": 319, "kexec_file_load": 320, "bpf": 321,
            "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
            "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
            "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_getfd": 438,
            "mount_setattr": 442,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "lookup_dcookie": 18, "umount2": 39, "mount": 40, "pivot_root": 41, "chroot": 51,
            "quotactl": 60, "acct": 89, "unshare": 97, "kexec_load": 104, "init_module": 105,
            "delete_module": 106, "syslog": 116, "ptrace": 117, "reboot": 142, "msgget": 186,
            "shmget": 194, "add_key": 217, "request_key": 218, "keyctl": 219, "swapon": 224,
            "swapoff": 225, "perf_event_open": 241, "fanotify_init": 262,
            "name_to_handle_at": 264, "open_by_handle_at": 265, "setns": 268,
            "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
            "finit_module": 273, "memfd_create": 279, "bpf": 280, "userfaultfd": 282,
            "kexec_file_load": 294, "io_uring_setup": 425, "io_uring_enter": 426,
            "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
            "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_getfd": 438,
            "mount_setattr": 442,
        },
    ),
}  # fmt: skip


def supported(machine: str | None = None) -> bool:
    return (machine or platform.machine()) in _ARCHES


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def build(*, deny_uncounted_memory: bool = False, machine: str | None = None) -> bytes:
    """The compiled filter: an array of ``struct sock_filter`` as bwrap reads it."""
    machine = machine or platform.machine()
    if machine not in _ARCHES:
        raise ValueError(f"no seccomp syscall table for {machine}")
    audit_arch, table = _ARCHES[machine]
    names = list(ALWAYS_DENIED) + (list(UNCOUNTED_MEMORY) if deny_uncounted_memory else [])
    numbers = sorted({table[name] for name in names if name in table})

    checks: list[tuple[int, int]] = []  # (opcode, k) of the conditional jumps to "deny"
    if machine == "x86_64":
        checks.append((_JMP_JGE_K, _X32_SYSCALL_BIT))
    checks += [(_JMP_JEQ_K, nr) for nr in numbers]

    program = [
        _insn(_LD_W_ABS, 0, 0, _OFFSET_ARCH),
        _insn(_JMP_JEQ_K, 1, 0, audit_arch),
        _insn(_RET_K, 0, 0, _RET_KILL_PROCESS),
        _insn(_LD_W_ABS, 0, 0, _OFFSET_NR),
    ]
    # After the checks come "allow" and then "deny": from check i (0-based) the
    # deny instruction is (len(checks) - i) instructions ahead.
    for index, (opcode, k) in enumerate(checks):
        distance = len(checks) - index
        if distance > 255:
            raise ValueError("seccomp filter too long for 8-bit jumps")
        program.append(_insn(opcode, distance, 0, k))
    program.append(_insn(_RET_K, 0, 0, _RET_ALLOW))
    program.append(_insn(_RET_K, 0, 0, _RET_ERRNO | errno.EPERM))
    return b"".join(program)


def denied_names(*, deny_uncounted_memory: bool) -> list[str]:
    return list(ALWAYS_DENIED) + (list(UNCOUNTED_MEMORY) if deny_uncounted_memory else [])
