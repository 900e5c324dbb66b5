"""What this machine has of the optional parts mailbot reads and writes files with.

mailbot starts without any of them (the demo needs none), but a unit's .doc, a stamped
scan, a RAR archive and the report's PDF each need one. `mailbot check` and the console's
运行状态 page list them, so that a missing part is found when the server is set up, not
when the first unit's file cannot be read.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from mailbot.extract.ocr.engine import OCR_INSTALL
from mailbot.extract.soffice import soffice_path

REPORT_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC", "LXGW WenKai")  # templates/fonts.conf
PROBE_SECONDS = 60
# the Debian package of a system library a Python wheel loads (OpenCV's libGL above all)
LIBRARY_PACKAGES = {"libGL.so.1": "libgl1", "libgomp.so.1": "libgomp1",
                    "libglib-2.0.so.0": "libglib2.0-0", "libarchive.so.13": "libarchive13"}


class Part(Enum):
    """An optional part: its name, what it makes possible, how an administrator installs it."""

    def __init__(self, label: str, enables: str, install: str):
        self.label, self.enables, self.install = label, enables, install

    LIBREOFFICE = ("LibreOffice", "读取 .doc、.wps、.xls、.et 格式的报表和生成 PDF 格式的汇总表",
                   "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
    FONTS = ("中文字体", "在 PDF 格式的汇总表和汇总图中按公文字体显示汉字",
             "apt-get install fonts-noto-cjk fonts-lxgw-wenkai")
    OCR = ("文字识别组件", "识别扫描件和照片中的文字", OCR_INSTALL)
    ARCHIVES = ("libarchive", "读取 RAR、7z 格式的压缩包", "apt-get install libarchive13")


@dataclass(frozen=True)
class Found:
    """One part as found on this machine: `where` when present, `problem` when not."""

    part: Part
    where: str = ""
    problem: str = ""

    @property
    def present(self) -> bool:
        return not self.problem

    def sentence(self) -> str:
        """The line `check` prints and the console shows, in the staff's words."""
        part = self.part
        if self.present:
            return f"{_spaced(part.label).lstrip()}已安装（{self.where}），可以{part.enables}。"
        return f"{self.problem}，无法{part.enables}（请由管理员安装：{part.install}）。"


def survey() -> list[Found]:
    """Every optional part, looked for now (a third of a second here: two are loaded in
    child processes)."""
    return [probe() for probe in PROBES]


def libreoffice() -> Found:
    path = soffice_path()
    if path is None:
        return Found(Part.LIBREOFFICE, problem=_absent(Part.LIBREOFFICE))
    return Found(Part.LIBREOFFICE, where=path)


def fonts() -> Found:
    try:
        listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                                 timeout=PROBE_SECONDS, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return Found(Part.FONTS, problem="本机没有字体配置工具 fc-list，中文字体无从查找")
    families = {name.strip() for line in listing.splitlines() for name in line.split(",")}
    missing = [font for font in REPORT_FONTS if font not in families]
    if missing:
        return Found(Part.FONTS, problem=f"未安装中文字体 {'、'.join(missing)}")
    return Found(Part.FONTS, where="、".join(REPORT_FONTS))


def ocr() -> Found:
    """Loaded in a child process, as the OCR runs: a parent that serves the console keeps
    its memory, and a wheel that cannot load its system libraries says which one."""
    code = "import rapidocr_onnxruntime; from importlib.metadata import version; " \
           "print(version('rapidocr_onnxruntime'))"
    return _imported(Part.OCR, code, "RapidOCR ")


def archives() -> Found:
    code = "import libarchive.ffi as ffi; n = ffi.version_number(); " \
           "print(f'{n // 1000000}.{n // 1000 % 1000}.{n % 1000}')"
    return _imported(Part.ARCHIVES, code, "libarchive ")


def _imported(part: Part, code: str, named: str) -> Found:
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=PROBE_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return Found(part, problem=f"{_spaced(part.label)}未能在 {PROBE_SECONDS} 秒内加载".strip())
    if run.returncode == 0:
        return Found(part, where=named + run.stdout.strip())
    return Found(part, problem=_why_not_loaded(part, run.stderr).strip())


def _why_not_loaded(part: Part, stderr: str) -> str:
    """未安装 X, or the system library it could not open (an ImportError or OSError)."""
    library = re.search(r"(lib[\w.+-]+\.so[\d.]*): cannot open shared object file", stderr)
    if library is None:  # the package itself is missing (or libarchive-c found no libarchive)
        return _absent(part)
    name = library.group(1)
    package = LIBRARY_PACKAGES.get(name)
    needs = f"（Debian 软件包 {package}）" if package and package not in part.install else ""
    return f"{_spaced(part.label)}无法加载：缺少系统库 {name}{needs}"


def _absent(part: Part) -> str:
    return f"未安装{_spaced(part.label)}".rstrip()


def _spaced(label: str) -> str:
    """A Latin name between Chinese words, with the space either side that type sets."""
    return f" {label} " if label.isascii() else label


PROBES: tuple[Callable[[], Found], ...] = (libreoffice, fonts, ocr, archives)
