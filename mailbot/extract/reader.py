"""Dispatch one file to its reader: sniff, unpack zips, convert old formats, sandbox the parse."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from mailbot.extract import archive, convert, docx, pdf, sandbox, scan, unpack, xlsx
from mailbot.extract.hint import apply_hint
from mailbot.extract.detect import detect
from mailbot.extract.errors import ExtractError
from mailbot.extract.form import FormResult, read_form
from mailbot.core.limits import Limits, scrub_filename, shorten
from mailbot.core.models import IMAGE_FORMATS, Campaign, Extraction

MAX_DEPTH = 2  # a zip inside a zip is read ("nested at most one level"); deeper is refused
MAX_ZIP_DOCUMENTS = 20  # documents read from one zip; the rest are listed as not read
LIMITS = sandbox.Limits()
QUOTED_CHARS = Limits().max_subject_chars


def read_document(filename: str, data: bytes, campaign: Campaign, depth: int,
                  budget: sandbox.Budget = sandbox.Budget()) -> list[Extraction]:
    """The file's documents; `budget` is what the whole mail may still spend parsing
    (a file past it is listed as not read; Stopped when the worker is stopping)."""
    try:
        kind = detect(filename, data)
    except ExtractError as error:
        return [Extraction(file=filename, format="unknown", error=str(error))]
    if kind == "zip":
        return _read_zip(filename, data, campaign, depth, budget)
    if kind in unpack.KINDS:
        return _read_unpacked(filename, kind, data, campaign, depth, budget)
    try:
        return [_read_one(filename, kind, data, campaign, budget)]
    except ExtractError as error:
        return [Extraction(file=filename, format=kind, error=str(error))]


def _read_one(filename: str, kind: str, data: bytes, campaign: Campaign,
              budget: sandbox.Budget) -> Extraction:
    warnings: tuple[str, ...] = ()
    if kind in IMAGE_FORMATS:
        parsed = scan.read_image(data, kind, campaign)
        return replace(parsed, file=filename, format=kind)
    limits = budget.limits(LIMITS)
    readable = kind
    if kind in convert.CONVERTIBLE:
        data, readable = convert.to_readable(data, kind)
        warnings = (f"由 .{kind} 文件经 LibreOffice 转换后读取",)
        limits = budget.limits(LIMITS)
    parsed = sandbox.run(partial(_parse, readable, data, campaign), limits, budget.stop)
    if parsed.scanned:
        parsed = scan.read_scanned(data, parsed, campaign)
    return replace(parsed, file=filename, format=kind, warnings=warnings + parsed.warnings)


def _parse(kind: str, data: bytes, campaign: Campaign) -> Extraction:
    """Runs in the sandbox: the format's reader, then the form logic."""
    if kind == "pdf":
        return pdf.read(data, campaign)
    if kind == "xlsx":
        return _as_extraction(read_form(xlsx.read(data), campaign))
    return apply_hint(_as_extraction(read_form(docx.read(data), campaign)), data, campaign)


def _as_extraction(result: FormResult) -> Extraction:
    return Extraction(file="", format="", has_form=result.has_form, rows=result.rows,
                      warnings=result.warnings)


def _read_zip(filename: str, data: bytes, campaign: Campaign, depth: int,
              budget: sandbox.Budget) -> list[Extraction]:
    """One Extraction per member (names decoded from GBK where needed), one level deep,
    at most MAX_ZIP_DOCUMENTS of them."""
    if depth >= MAX_DEPTH:
        return [_nested(filename, "zip")]
    try:
        zipped = archive.open_zip(data, "压缩包")
    except ExtractError as error:
        return [Extraction(file=filename, format="zip", error=str(error))]
    members = [info for info in zipped.infolist()
               if not info.is_dir() and not unpack.junk(info.filename)]
    if not members:
        return [_empty(filename, "zip")]
    found: list[Extraction] = []
    for info in members[:MAX_ZIP_DOCUMENTS]:
        name = member_path(filename, archive.member_name(info))
        try:
            content = archive.read_member(zipped, info.filename, "压缩包")
        except ExtractError as error:
            found.append(Extraction(file=name, format="unknown", error=str(error)))
            continue
        found.extend(read_document(name, content, campaign, depth + 1, budget))
    return found + _rest(filename, len(members) - MAX_ZIP_DOCUMENTS)


def _read_unpacked(filename: str, kind: str, data: bytes, campaign: Campaign, depth: int,
                   budget: sandbox.Budget) -> list[Extraction]:
    """A RAR or 7z archive read as a zip is: its files taken out in a parser process
    (libarchive is C reading a stranger's bytes), then each read on its own."""
    if depth >= MAX_DEPTH:
        return [_nested(filename, kind)]
    try:
        files, more = sandbox.run(partial(unpack.members, data, MAX_ZIP_DOCUMENTS),
                                  budget.limits(LIMITS), budget.stop)
    except ExtractError as error:
        return [Extraction(file=filename, format=kind, error=str(error))]
    if not files:
        return [_empty(filename, kind)]
    found = [extraction for name, content in files for extraction in
             read_document(member_path(filename, name), content, campaign, depth + 1, budget)]
    return found + _rest(filename, more)


def member_path(archive_name: str, member: str) -> str:
    """How a member is named wherever it is shown, receipts included: a stranger chose
    the name, so it loses its URLs and domains and its length as a file's name does
    (core.limits); error messages never name a member, its path does."""
    return f"{archive_name}/{shorten(scrub_filename(member), QUOTED_CHARS)}"


def _nested(filename: str, kind: str) -> Extraction:
    return Extraction(file=filename, format=kind,
                      error="压缩包内又含压缩包，只读取一层，请解压后发送")


def _empty(filename: str, kind: str) -> Extraction:
    return Extraction(file=filename, format=kind, error="压缩包是空的")


def _rest(filename: str, more: int) -> list[Extraction]:
    """The files of an archive past MAX_ZIP_DOCUMENTS, listed as not read."""
    if more <= 0:
        return []
    return [Extraction(file=f"{filename}/其余 {more} 个文件", format="unknown",
                       error=f"压缩包内文件过多，最多读取 {MAX_ZIP_DOCUMENTS} 个，其余未读取")]
