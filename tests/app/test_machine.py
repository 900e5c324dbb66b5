"""`mailbot check`'s survey of the optional parts: found on a machine set up as the README
says, and each one missing said plainly with the command that installs it.

Parts are made missing the way an administrator's server lacks them: LibreOffice not on
the path, no Chinese fonts in fontconfig's view, libarchive-c finding no libarchive."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from mailbot.app import machine
from mailbot.app.machine import Found, Part
from tests.forms import seven_zip
from tests.invoke import mailbot


@pytest.fixture
def no_fonts(tmp_path, monkeypatch):
    """fontconfig with no font folders: what a server without fonts-noto-cjk lists."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig><cachedir>'
                    f'{tmp_path / "cache"}</cachedir></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


def test_every_part_is_found_where_the_readme_installs_them():
    found = {found.part: found for found in machine.survey()}
    assert set(found) == set(Part)
    assert all(part.present for part in found.values()), [f.sentence() for f in found.values()]
    assert found[Part.OCR].where.startswith("RapidOCR 1.")
    assert found[Part.ARCHIVES].where.startswith("libarchive 3.")
    assert found[Part.LIBREOFFICE].sentence().startswith("LibreOffice 已安装（/")


def test_without_libreoffice_check_says_what_cannot_be_read(site, monkeypatch):
    monkeypatch.setenv("MAILBOT_SOFFICE", "")
    result = mailbot("check", cwd=site)
    assert result.returncode == 0 and "检查通过。" in result.stdout
    assert ("提醒：未安装 LibreOffice，无法读取 .doc、.wps、.xls、.et 格式的报表和生成 PDF 格式的"
            "汇总表（请由管理员安装：apt-get install libreoffice-writer-nogui "
            "libreoffice-calc-nogui）。") in result.stderr
    assert "正常：文字识别组件已安装（RapidOCR" in result.stdout


def test_without_chinese_fonts_the_missing_ones_are_named(no_fonts):
    found = machine.fonts()
    assert not found.present
    assert found.sentence() == (
        "未安装中文字体 Noto Serif CJK SC、Noto Sans CJK SC、LXGW WenKai，无法在 PDF 格式的汇总表"
        "和汇总图中按公文字体显示汉字（请由管理员安装：apt-get install fonts-noto-cjk "
        "fonts-lxgw-wenkai）。")


def test_without_libarchive_the_probe_and_the_reader_both_say_so(monkeypatch):
    archive = seven_zip({"表.docx": b"PK"})
    # libarchive-c pointed at a library without libarchive's functions: as on a server
    # without libarchive13, its first function is not found
    monkeypatch.setenv("LIBARCHIVE", ctypes.util.find_library("z"))
    assert machine.archives().sentence().startswith("未安装 libarchive，无法读取 RAR、7z 格式的压缩包")
    read = subprocess.run([sys.executable, "-c", "import sys; from mailbot.extract import unpack\n"
                           "try: unpack.members(sys.stdin.buffer.read(), 5)\n"
                           "except Exception as error: print(type(error).__name__, error)"],
                          input=archive, capture_output=True, check=True)
    assert read.stdout.decode().strip() == ("ExtractError 暂不能读取 7z 格式的压缩包，"
                                            "请解压后直接发送其中的文件，或改用 ZIP 格式压缩")


def test_a_system_library_the_wheel_lacks_is_named_with_its_package():
    said = machine._why_not_loaded(Part.OCR, "Traceback...\nImportError: libGL.so.1: cannot open "
                                             "shared object file: No such file or directory\n")
    assert Found(Part.OCR, problem=said).sentence().startswith(
        "文字识别组件无法加载：缺少系统库 libGL.so.1（Debian 软件包 libgl1），无法识别扫描件和照片中的文字"
        "（请由管理员安装：mailbot 的 ocr 组件")
