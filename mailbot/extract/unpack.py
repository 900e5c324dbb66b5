"""RAR and 7z archives, unpacked by libarchive inside a parser process.

Chinese offices pack the Word form and the stamped scan with WinRAR, 360压缩 or 好压
as often as with zip. Python reads neither format; libarchive (the library behind
bsdtar, Debian's libarchive13, through libarchive-c) reads RAR 4, RAR 5 and 7z. It is
C code parsing a stranger's bytes, so `members` runs in the sandbox like every
reader, and the zip path's bomb limits hold (members, total, a member's size, the
ratio), counted on the bytes as they come out, since declared sizes may lie.
"""

from __future__ import annotations

import ctypes

from mailbot.extract.archive import BOMB, RATIO_FLOOR, UNREAD, Limits, megabytes
from mailbot.extract.errors import ExtractError

KINDS = {"rar": "RAR", "7z": "7z"}  # the kinds detect gives, as a unit names them
# each format by its first bytes: the kind, and libarchive's reader of it
MAGIC = ((b"Rar!\x1a\x07\x00", "rar", "rar"), (b"Rar!\x1a\x07\x01\x00", "rar", "rar5"),
         (b"7z\xbc\xaf\x27\x1c", "7z", "7zip"))
JUNK = (".DS_Store", "Thumbs.db", "desktop.ini")
PASSWORD = "压缩包设有密码，请取消密码后重新发送"
# what libarchive cannot tell apart: a damaged file, or one with a password it does not
# flag (the RAR 5 reader of Debian 12's libarchive 3.6 flags none)
DAMAGED = "压缩包无法解压，可能已损坏、不完整或设有密码，请取消密码、重新压缩后发送"

# the first `keep` files (name, bytes), and how many more there were: builtins only, as
# every answer from a parser process must be (pool's unpickler takes nothing else)
Unpacked = tuple[tuple[tuple[str, bytes], ...], int]


def kind_of(data: bytes) -> str | None:
    """rar or 7z by the archive's first bytes; None for anything else."""
    return next((kind for magic, kind, _ in MAGIC if data.startswith(magic)), None)


def members(data: bytes, keep: int, limits: Limits = Limits()) -> Unpacked:
    """Runs in the sandbox: the files of a RAR or 7z archive (folders and archivers'
    litter left out), or ExtractError saying plainly what is wrong with it."""
    kind, reader = next((kind, reader) for magic, kind, reader in MAGIC
                        if data.startswith(magic))
    try:  # libarchive-c without libarchive13 looks its functions up in Python itself
        import libarchive
    except (ImportError, OSError, AttributeError):  # libarchive-c or libarchive13 missing
        raise ExtractError(f"暂不能读取 {KINDS[kind]} 格式的压缩包，请解压后直接发送其中的"
                           "文件，或改用 ZIP 格式压缩") from None
    files: list[tuple[str, bytes]] = []
    seen = total = 0
    try:
        with libarchive.memory_reader(data, format_name=reader, filter_name="none") as archive:
            for entry in archive:
                if not entry.isfile or junk(entry.pathname or ""):
                    continue
                seen += 1
                if seen > limits.members:
                    raise ExtractError(f"{BOMB}（内含文件超过 {limits.members} 个）{UNREAD}")
                if _encrypted(entry):
                    raise ExtractError(PASSWORD)
                if len(files) < keep:  # the rest are counted, not unpacked
                    content = _content(entry, limits, total, len(data))
                    total += len(content)
                    files.append((entry.pathname, content))
    except libarchive.ArchiveError:
        raise ExtractError(DAMAGED) from None
    return tuple(files), max(seen - keep, 0)


def _content(entry, limits: Limits, total: int, packed: int) -> bytes:
    """A member's bytes, stopped as soon as they pass the member or the total limit, or
    the whole archive's ratio (a few kilobytes of 7z inflate to gigabytes)."""
    blocks, size = [], 0
    for block in entry.get_blocks():
        size += len(block)
        if size > limits.member:
            raise ExtractError(f"{BOMB}（其中有文件解压后超过 "
                               f"{megabytes(limits.member)}）{UNREAD}")
        if total + size > limits.total:
            raise ExtractError(f"{BOMB}（解压后超过 {megabytes(limits.total)}）{UNREAD}")
        ratio = (total + size) / max(packed, 1)
        if total + size > RATIO_FLOOR and ratio > limits.ratio:
            raise ExtractError(f"{BOMB}（压缩比超过 {limits.ratio}:1）{UNREAD}")
        blocks.append(block)
    return b"".join(blocks)


def _encrypted(entry) -> bool:
    """archive_entry_is_encrypted (libarchive 3.2+), which libarchive-c does not wrap."""
    from libarchive import ffi

    is_encrypted = ffi.libarchive.archive_entry_is_encrypted
    is_encrypted.argtypes, is_encrypted.restype = [ctypes.c_void_p], ctypes.c_int
    return bool(is_encrypted(entry._entry_p))


def junk(name: str) -> bool:
    """The litter of archivers: macOS's __MACOSX and .DS_Store, Windows' Thumbs.db."""
    return name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1] in JUNK
