"""LibreOffice headless conversions (DOCX -> PDF, .doc/.wps -> DOCX...), one at a time safely.

Two soffice processes sharing a profile make the second fail silently, so every
conversion gets its own throw-away profile; a hung conversion is killed with its
whole process group. LibreOffice reads untrusted files, so it runs confined
(confine.py: no secrets in its environment, no network, no writes outside its
scratch folder): a hostile document's remote images and links fetch nothing. The
fonts Chinese offices name (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312...) are
mapped to the closest free fonts by mailbot/templates/fonts.conf, so a PDF made
here shows them instead of tofu or a random face.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)
INSTALL_HINT = "apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-lxgw-wenkai"
CONFINE_SCRIPT = str(Path(__file__).with_name("confine.py"))
OSL_PIPE_DIR = "/tmp"  # LibreOffice makes its single-instance pipe here, whatever TMPDIR says
FONTS_CONF = Path(str(resources.files("mailbot") / "templates" / "fonts.conf"))


class ConvertError(Exception):
    """A conversion failed; the message says why in words an operator can act on."""


def soffice_path() -> str | None:
    """The soffice executable, or None (MAILBOT_SOFFICE, when set, overrides PATH)."""
    if "MAILBOT_SOFFICE" in os.environ:
        return os.environ["MAILBOT_SOFFICE"] or None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, fmt: str, outdir: Path, timeout: float = 120,
            infilter: str | None = None) -> Path:
    """Convert `src` to `fmt` ("pdf", "docx", "docx:MS Word 2007 XML"...) into `outdir`.

    `infilter` names LibreOffice's import filter where its guess would be wrong (HTML
    saved as .doc opens in Writer/Web, which cannot export DOCX)."""
    soffice = soffice_path()
    if soffice is None:
        raise ConvertError(f"本机未安装 LibreOffice，无法转换《{src.name}》"
                           f"（请由管理员安装：{INSTALL_HINT}）")
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{src.stem}.{fmt.split(':', 1)[0]}"
    with tempfile.TemporaryDirectory(prefix="mailbot-soffice-") as scratch:
        profile = Path(scratch) / "profile"
        env = {"FONTCONFIG_FILE": str(FONTS_CONF), "HOME": scratch, "TMPDIR": scratch}
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--nologo", "--nolockcheck", "--nodefault",
                   *([f"--infilter={infilter}"] if infilter else []),
                   "--convert-to", fmt, "--outdir", str(outdir), str(src)]
        stderr = _run(confined(command, env, (scratch, str(outdir))), timeout, src)
    if not target.is_file():
        if stderr:
            log.warning("LibreOffice could not convert %s to %s: %s", src.name, fmt, stderr)
        raise ConvertError(f"LibreOffice 无法转换《{src.name}》，文件可能已损坏、加密或并非该格式")
    return target


def confined(command: list[str], env: dict[str, str], writable: tuple[str, ...]) -> list[str]:
    """`command` run through confine.py: only `env`, writes only beneath `writable`."""
    launcher = [sys.executable, "-I", CONFINE_SCRIPT]
    for folder in writable:
        launcher += ["--write", folder]
    for key, value in env.items():
        launcher += ["--env", f"{key}={value}"]
    return [*launcher, "--sockets", OSL_PIPE_DIR, "--", *command]


def _run(command: list[str], timeout: float, src: Path) -> str:
    """Run soffice in its own process group; kill the group if it overstays."""
    process = subprocess.Popen(command, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ConvertError(f"LibreOffice 转换《{src.name}》超过 {timeout:g} 秒，已停止") from None
    lines = [line for line in err.decode("utf-8", "replace").splitlines()
             if line.strip() and "javaldx" not in line]
    return " ".join(lines[-3:])

