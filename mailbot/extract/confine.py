"""Take a parser's privileges away before it touches untrusted bytes.

A hostile attachment runs code paths in lxml, pdfium, Pillow or LibreOffice that
nobody audits for us. Whatever it makes them do, the process that reads it must
not be able to read the worker's secrets, write the store, reach the network or
signal the worker. `confine()` makes the calling process so, for good:

- the environment is emptied (MAILBOT_*_PASSWORD never reaches a parser);
- every inherited file descriptor but the ones named is closed (the store's
  SQLite handle, the IMAP socket);
- PR_SET_NO_NEW_PRIVS, so nothing it executes gains privileges;
- a network namespace of its own where the kernel allows it (root, or
  unprivileged user namespaces): no interface but a loopback that is down;
- Landlock (Linux 5.13+): no file may be written, made or removed outside the
  folders named, no TCP connect or bind, no abstract unix socket outside, no
  signal to or ptrace of processes outside; and, where asked (the parser child),
  nothing read under /proc but its own entries, since /proc/PID/environ of the
  worker holds the passwords it was started with.

This file imports only the standard library and also runs as a script, to
confine a program before exec'ing it (LibreOffice):

    python -I confine.py --write DIR ... -- PROGRAM ARGS...
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from dataclasses import dataclass

PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
# Filesystem rights that change something, by the Landlock ABI that brought them.
FS_WRITE_RIGHTS = {1: sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
                   2: 1 << 13, 3: 1 << 14, 5: 1 << 15}
SOCKET_RIGHTS = (1 << 9) | (1 << 5)  # make a unix socket, remove it again
READ_RIGHTS = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read a file, list a folder
PROC_READABLE = ("/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/sys")
FILE_RIGHTS = (1 << 1) | (1 << 14) | (1 << 15)  # the write rights that apply to a file
ALWAYS_WRITABLE = ("/dev/null",)  # programs open it for writing as a matter of course
NET_TCP_BIND_AND_CONNECT = (1 << 0) | (1 << 1)  # ABI 4
SCOPE_ABSTRACT_UNIX_AND_SIGNAL = (1 << 0) | (1 << 1)  # ABI 6
SAFE_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


@dataclass(frozen=True)
class Confinement:
    """What `confine` achieved on this kernel (logged by the caller, asserted by tests)."""

    network_namespace: bool
    landlock_abi: int  # 0: none


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)


def confine(writable: tuple[str, ...] = (), keep_fds: tuple[int, ...] = (),
            environment: dict[str, str] | None = None,
            socket_dirs: tuple[str, ...] = (), hide_processes: bool = False) -> Confinement:
    """Confine this process for the rest of its life (see the module's docstring).

    `writable` folders may be written beneath; in `socket_dirs` only unix sockets may be
    made and removed (LibreOffice puts its pipe in /tmp whatever TMPDIR says).
    `hide_processes` keeps other processes' /proc entries unreadable (a single process
    only: its children's own entries would be hidden from them too).
    """
    os.environ.clear()
    os.environ.update(SAFE_ENVIRONMENT if environment is None else environment)
    _close_fds_except(keep_fds)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    network = _own_network_namespace()
    return Confinement(network_namespace=network,
                       landlock_abi=_landlock(writable, socket_dirs, hide_processes))


def _close_fds_except(keep: tuple[int, ...]) -> None:
    """Close every descriptor above stderr but `keep`."""
    low = 3
    for fd in sorted(set(keep)):
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def _own_network_namespace() -> bool:
    """A fresh network namespace (root), else one inside a fresh user namespace."""
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if _libc.unshare(flags) == 0:
            return True
    return False


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where it has none (or it is disabled)."""
    version = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0,
                            LANDLOCK_CREATE_RULESET_VERSION)
    return max(version, 0)


def _landlock(writable: tuple[str, ...], socket_dirs: tuple[str, ...],
              hide_processes: bool) -> int:
    abi = landlock_abi()
    if not abi:
        return 0
    write = sum(rights for since, rights in FS_WRITE_RIGHTS.items() if abi >= since)
    read = READ_RIGHTS if hide_processes else 0
    attr = _RulesetAttr(handled_access_fs=write | read,
                        handled_access_net=NET_TCP_BIND_AND_CONNECT if abi >= 4 else 0,
                        scoped=SCOPE_ABSTRACT_UNIX_AND_SIGNAL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for path in (*ALWAYS_WRITABLE, *writable):
            _allow_beneath(ruleset, path, write if os.path.isdir(path) else write & FILE_RIGHTS)
        for folder in socket_dirs:
            _allow_beneath(ruleset, folder, SOCKET_RIGHTS)
        for path in _readable() if read else ():
            _allow_beneath(ruleset, path, read if os.path.isdir(path) else read & ~(1 << 3))
        if _libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def _readable() -> list[str]:
    """Everything but /proc, and of /proc only this process and the machine's figures."""
    top = [os.path.join("/", name) for name in os.listdir("/") if name != "proc"]
    return [path for path in (*top, *PROC_READABLE) if os.path.exists(path)]


def _allow_beneath(ruleset: int, path: str, rights: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        rule = _PathBeneath(allowed_access=rights, parent_fd=fd)
        if _libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH,
                         ctypes.byref(rule), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)


def _exec_confined(argv: list[str]) -> None:
    """`--write DIR ... [--sockets DIR] [--env K=V ...] -- PROGRAM ARGS`: confine, then exec."""
    writable, sockets, environment = [], [], {}
    while argv and argv[0] != "--":
        option, value, argv = argv[0], argv[1], argv[2:]
        if option == "--write":
            writable.append(value)
        elif option == "--sockets":
            sockets.append(value)
        elif option == "--env":
            key, _, text = value.partition("=")
            environment[key] = text
        else:
            raise SystemExit(f"confine.py: unknown option {option}")
    program = argv[1:]
    if not program:
        raise SystemExit("confine.py: no program after --")
    confine(tuple(writable), environment={**SAFE_ENVIRONMENT, **environment},
            socket_dirs=tuple(sockets))
    try:
        os.execvp(program[0], program)
    except OSError as error:
        raise SystemExit(f"confine.py: cannot run {program[0]}: "
                         f"{errno.errorcode.get(error.errno, error.errno)}") from None


if __name__ == "__main__":
    _exec_confined(sys.argv[1:])
