"""Hostile and broken files: each gives its own plain error line, quickly, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from mailbot.extract import extract_attachment, extract_path, format_table
from mailbot.extract.sandbox import Limits, run
from mailbot.extract.errors import ExtractError
from tests.extract import escapes
from tests.forms import (docx_zip_bomb, entity_bomb_docx, make_form_docx, ofd_file, scan_page, scan_pdf,
                         vector_pdf, zip_bytes)


def error_of(name, data, campaign):
    [extraction] = extract_attachment(name, data, campaign)
    assert extraction.rows == ()
    return extraction.error


MEASURE = """
import json, resource, sys, time
from mailbot.config import load
from mailbot.extract import extract_attachment
from mailbot.config import PACKAGED_CONFIG
bomb = open(sys.argv[1], "rb").read()
start = time.monotonic()
[result] = extract_attachment("bomb.docx", bomb, load(PACKAGED_CONFIG).campaign)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so it would report the
# size of the (large) test process this one was forked from
peak = next(int(line.split()[1]) for line in open("/proc/self/status")
            if line.startswith("VmHWM:"))
print(json.dumps({"error": result.error, "seconds": time.monotonic() - start,
                  "self_kb": peak,
                  "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@pytest.mark.parametrize("honest", [True, False])
def test_docx_zip_bomb_is_refused_fast_and_small(tmp_path, honest):
    """Measured in a fresh process, so other tests' children do not count."""
    bomb = docx_zip_bomb(2.0, honest=honest)
    assert len(bomb) < 3_000_000
    (tmp_path / "bomb.docx").write_bytes(bomb)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path / "bomb.docx")],
                          cwd=root, capture_output=True, text=True, timeout=60, check=True,
                          env={**os.environ, "PYTHONPATH": str(root)})
    measured = json.loads(done.stdout)
    assert measured["seconds"] < 5
    # a bomb that declares its real size is refused on sight; one that lies is read only
    # up to its declared size, and then fails its checksum
    assert ("压缩内容异常" if honest else "无法解压") in measured["error"]
    assert measured["self_kb"] < 300_000 and measured["children_kb"] < 300_000


def test_xml_entity_bomb_is_refused(campaign):
    start = time.monotonic()
    error = error_of("laughs.docx", entity_bomb_docx(), campaign)
    assert time.monotonic() - start < 5
    assert error.startswith("Word 文件内含 Word 从不写入的 XML 实体声明")


@pytest.mark.parametrize("name, data, expected", [
    ("empty.docx", b"", "文件为空（0 字节）"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, "图片文件已损坏，无法打开"),
    ("notes.txt", "进展情况".encode(), "不支持的文件类型（.txt）"),
    ("报表.请于今日登录领取补贴", b"hello", "不支持的文件类型（扩展名无法识别）"),  # a sentence, not an extension
    ("README", b"hello", "不支持的文件类型（无扩展名）"),
    ("盖章版.ofd", ofd_file(), "OFD 格式（版式文件）暂不能读取，请在 OFD 阅读器"),
    ("fake.docx", b"hello world", "文件扩展名为 .docx，但内容不是该格式"),
    ("fake.pdf", b"<html></html>", "文件扩展名为 .pdf，但内容不是该格式"),
    ("old.gif", b"GIF89a" + b"\0" * 64, "GIF 格式的图片无法识别"),
    ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
     "文件设有打开密码，请取消密码后重新发送"),
])
def test_specific_errors(campaign, name, data, expected):
    assert error_of(name, data, campaign).startswith(expected)


def test_truncated_docx_and_pdf(campaign):
    docx = make_form_docx(campaign, {1: "进展"})
    assert error_of("cut.docx", docx[: len(docx) // 2], campaign).startswith(
        "Word 文件已损坏或不完整")
    pdf = vector_pdf(seal=False)
    error = error_of("cut.pdf", pdf[:200], campaign)
    assert error == "PDF 文件已损坏或不完整，请重新导出后发送"



def test_zip_members_with_gbk_names_are_each_read(campaign):
    members = {"区妇联进展情况.docx": make_form_docx(campaign, {4: "家教活动"}),
               "盖章版.pdf": scan_pdf(scan_page(seal=True)), "说明.txt": b"x"}
    found = extract_attachment("报送材料.zip", zip_bytes(members, utf8_names=False), campaign)
    by_name = {e.file: e for e in found}
    assert set(by_name) == {f"报送材料.zip/{name}" for name in members}
    assert [r.seq for r in by_name["报送材料.zip/区妇联进展情况.docx"].rows] == [4]
    assert by_name["报送材料.zip/盖章版.pdf"].seal is True
    assert by_name["报送材料.zip/说明.txt"].error.startswith("不支持的文件类型")


def test_zip_nesting_one_level_is_read_deeper_is_refused(campaign):
    inner = zip_bytes({"form.docx": make_form_docx(campaign, {8: "融媒产品"})})
    [read] = extract_attachment("outer.zip", zip_bytes({"inner.zip": inner}), campaign)
    assert read.file == "outer.zip/inner.zip/form.docx" and read.rows[0].seq == 8
    deeper = zip_bytes({"outer.zip": zip_bytes({"inner.zip": inner})})
    [refused] = extract_attachment("deep.zip", deeper, campaign)
    assert refused.error.startswith("压缩包内又含压缩包")


def test_one_bad_file_does_not_stop_the_others(campaign):
    members = {"bad.docx": b"PK\x03\x04garbage", "good.docx": make_form_docx(campaign, {5: "发放"})}
    found = extract_attachment("mail.zip", zip_bytes(members), campaign)
    assert [bool(e.error) for e in found] == [True, False]
    assert "无法读取：" in format_table(found)


def test_extract_path_reports_a_missing_file(campaign, tmp_path):
    [missing] = extract_path(tmp_path / "none.docx", campaign)
    assert missing.error.startswith("无法读取文件")


def test_sandbox_stops_a_hang_and_a_memory_hog():
    start = time.monotonic()
    with pytest.raises(ExtractError, match="超过 0.5 秒"):
        run(partial(time.sleep, 30), Limits(seconds=0.5))
    assert time.monotonic() - start < 2
    with pytest.raises(ExtractError, match="内存上限"):
        run(partial(bytearray, 2 << 30), Limits(seconds=5, memory_mb=512))
    with pytest.raises(ExtractError, match="已停止"):
        run(escapes.spin, Limits(seconds=1.2))
