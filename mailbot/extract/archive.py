"""Zip containers, checked before they are opened: archives and DOCX alike.

python-docx and zipfile trust the sizes a zip declares and read whole members
into memory, so a few kilobytes can inflate to gigabytes. Every zip is vetted
on its central directory first, and members are read with a hard cap as well,
because the declared sizes themselves may lie. The messages never name a member:
a stranger chose its name (reader.member_path names it, scrubbed).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from mailbot.extract.errors import ExtractError

MAX_MEMBERS = 2000
MAX_TOTAL = 100 * 1024 * 1024
MAX_MEMBER = 100 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # small members may compress extremely well (XML of blanks)


@dataclass(frozen=True)
class Limits:
    members: int = MAX_MEMBERS
    total: int = MAX_TOTAL
    member: int = MAX_MEMBER
    ratio: int = MAX_RATIO


BOMB = "压缩内容异常"
UNREAD = "，出于安全考虑未读取"


def megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def open_zip(data: bytes, what: str, limits: Limits = Limits()) -> zipfile.ZipFile:
    """A ZipFile whose central directory passed the bomb checks; `what` names the file kind."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExtractError(f"{what}已损坏或不完整") from None
    except (OSError, ValueError, EOFError):
        raise ExtractError(f"{what}无法打开，可能已损坏") from None
    check_bomb(archive.infolist(), limits)
    return archive


def check_bomb(infos: list[zipfile.ZipInfo], limits: Limits = Limits()) -> None:
    """Refuse archives with too many members, too much data, or an absurd compression ratio."""
    if len(infos) > limits.members:
        raise ExtractError(f"{BOMB}（内含 {len(infos)} 个文件，上限 {limits.members} 个）{UNREAD}")
    total = sum(info.file_size for info in infos)
    if total > limits.total:
        raise ExtractError(f"{BOMB}（解压后共 {megabytes(total)}，"
                           f"上限 {megabytes(limits.total)}）{UNREAD}")
    for info in infos:
        if info.file_size > limits.member:
            raise ExtractError(f"{BOMB}（其中有文件解压后 "
                               f"{megabytes(info.file_size)}，上限 {megabytes(limits.member)}）"
                               f"{UNREAD}")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.ratio:
            raise ExtractError(f"{BOMB}（其中有文件压缩比 {ratio:.0f}:1，"
                               f"上限 {limits.ratio}:1）{UNREAD}")


def read_member(archive: zipfile.ZipFile, name: str, what: str,
                limits: Limits = Limits()) -> bytes:
    """A member's bytes, never more than the declared size nor the member limit."""
    info = archive.getinfo(name)
    if info.flag_bits & 0x1:
        raise ExtractError(f"{what}已加密（设有密码），无法读取，请去掉密码后重新发送")
    cap = min(info.file_size, limits.member)
    try:
        with archive.open(info) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
        raise ExtractError(f"{what}已损坏（其中有内容无法解压）") from None
    if len(data) > cap:
        raise ExtractError(f"{BOMB}（其中有文件解压后超出其声明的大小）{UNREAD}")
    return data


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: without the UTF-8 flag, names are GBK (Chinese Windows zip)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename
