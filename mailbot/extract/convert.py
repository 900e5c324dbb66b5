"""Old Word/WPS/RTF -> DOCX through LibreOffice headless.

Each conversion gets a private LibreOffice profile (two soffice processes
sharing one fail silently), a timeout, and its own process group, which is
killed whole on timeout so no soffice.bin is left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from mailbot.extract.errors import ExtractError

CONVERTIBLE = ("doc", "wps", "rtf")
TIMEOUT = 60.0
INSTALL_HINT = ("LibreOffice (soffice) is not installed: "
                "apt-get install libreoffice-writer-nogui")


def soffice() -> str | None:
    """The soffice executable, or None (MAILBOT_SOFFICE overrides the PATH lookup)."""
    return os.environ.get("MAILBOT_SOFFICE") or shutil.which("soffice") \
        or shutil.which("libreoffice")


def convert(data: bytes, source: str, target: str, timeout: float = TIMEOUT) -> bytes:
    """`data` (a .{source} file) converted to .{target}; ExtractError on any failure."""
    program = soffice()
    if program is None:
        raise ExtractError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="mailbot-soffice-") as work:
        folder = Path(work)
        source_path = folder / f"input.{source}"
        source_path.write_bytes(data)
        command = [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nologo", "--convert-to", target,
                   "--outdir", str(folder / "out"), str(source_path)]
        _run(command, timeout)
        produced = folder / "out" / f"input.{target}"
        if not produced.is_file():
            raise ExtractError(f"LibreOffice could not convert this .{source} file "
                               "(damaged, encrypted or not really that format)")
        return produced.read_bytes()


def to_docx(data: bytes, kind: str) -> bytes:
    return convert(data, kind, "docx")


def _run(command: list[str], timeout: float) -> None:
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        process.wait()
        raise ExtractError(f"LibreOffice conversion took longer than {timeout:g} s "
                           "and was stopped") from None
    finally:
        _kill_group(process.pid)  # stray children (soffice.bin) of a finished conversion


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
