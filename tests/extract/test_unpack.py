"""RAR and 7z attachments: unpacked by libarchive in a parser process, each file read.

The 7z archives are written here by libarchive (as 7-Zip, 360压缩 and 好压 write them);
no free tool writes RAR, so the RAR files are libarchive's own test archives
(tests/data/rar/README.md): WinRAR's RAR 4 and RAR 5, some with passwords.
"""

from pathlib import Path

import pytest

from mailbot.extract import extract_attachment, unpack
from mailbot.extract.archive import Limits
from mailbot.extract.detect import detect
from mailbot.extract.errors import ExtractError
from tests.forms import make_form_docx, scan_page, scan_pdf, seven_zip, zip_bytes

RAR = Path(__file__).parent.parent / "data" / "rar"


def test_a_7z_of_the_form_and_the_stamped_scan_reads_as_both_files(campaign):
    form, stamped = "区妇联报送/区妇联进展情况.docx", "区妇联报送/盖章版.pdf"
    archive = seven_zip({form: make_form_docx(campaign, {4: "培训150人"}),
                         stamped: scan_pdf(scan_page(seal=True)),
                         "__MACOSX/区妇联报送/._盖章版.pdf": b"\0\5\26\7", "Thumbs.db": b"x"})
    found = {e.file: e for e in extract_attachment("报送材料.7z", archive, campaign)}
    assert set(found) == {f"报送材料.7z/{form}", f"报送材料.7z/{stamped}"}
    assert [(row.seq, row.progress) for row in found[f"报送材料.7z/{form}"].rows] == [
        (4, "培训150人")]
    assert found[f"报送材料.7z/{stamped}"].seal is True


def test_a_rar_is_opened_and_each_file_in_it_read_or_refused_plainly(campaign):
    for name in ("rar.rar", "rar5_multiple_files.rar"):
        found = extract_attachment(f"报送材料{name}", (RAR / name).read_bytes(), campaign)
        assert found and all(e.file.startswith(f"报送材料{name}/") for e in found), name
        assert all(e.error.startswith("不支持的文件类型") for e in found), [e.error for e in found]
    names = [e.file for e in extract_attachment("a.rar", (RAR / "rar.rar").read_bytes(), campaign)]
    assert names == ["a.rar/test.txt", "a.rar/testdir/test.txt"]  # no link, no folder


@pytest.mark.parametrize("name", ["rar4_encrypted.rar", "rar5_encrypted.rar",
                                  "rar5_encrypted_filenames.rar"])
def test_a_rar_with_a_password_is_refused_with_what_to_do(campaign, name):
    [refused] = extract_attachment("报表.rar", (RAR / name).read_bytes(), campaign)
    assert refused.format == "rar"
    assert refused.error in (unpack.PASSWORD, unpack.DAMAGED)  # RAR 4 flags its password
    assert name != "rar4_encrypted.rar" or refused.error == unpack.PASSWORD


def test_a_cut_off_or_bogus_archive_is_said_to_be_damaged(campaign):
    whole = seven_zip({"报表.docx": make_form_docx(campaign, {4: "培训"})})
    for data in (whole[:len(whole) // 2], b"Rar!\x1a\x07\x01\x00" + bytes(40)):
        [refused] = extract_attachment("报表.7z", data, campaign)
        assert refused.error == unpack.DAMAGED


def test_bombs_are_refused_by_the_zip_limits_counted_on_the_bytes_out():
    zeros = seven_zip({"a.docx": bytes(3 << 20)})
    with pytest.raises(ExtractError, match="压缩比"):
        unpack.members(zeros, 20)
    with pytest.raises(ExtractError, match="上限|超过"):
        unpack.members(zeros, 20, Limits(member=1 << 20))
    many = seven_zip({f"{n}.txt": b"x" for n in range(30)})
    with pytest.raises(ExtractError, match="内含文件超过 25 个"):
        unpack.members(many, 20, Limits(members=25))


def test_past_twenty_files_the_rest_are_listed_as_not_read(campaign):
    found = extract_attachment("多.7z", seven_zip({f"{n:02}.txt": b"x" for n in range(23)}),
                               campaign)
    assert len(found) == 21 and found[-1].file == "多.7z/其余 3 个文件"


def test_an_archive_in_an_archive_is_read_one_level_deep(campaign):
    inner = seven_zip({"form.docx": make_form_docx(campaign, {8: "融媒产品"})})
    [read] = extract_attachment("outer.zip", zip_bytes({"inner.7z": inner}), campaign)
    assert read.file == "outer.zip/inner.7z/form.docx" and read.rows[0].seq == 8
    [refused] = extract_attachment("deep.7z", seven_zip({"outer.zip": zip_bytes(
        {"inner.7z": inner})}), campaign)
    assert refused.error.startswith("压缩包内又含压缩包")


def test_detect_knows_rar_and_7z_by_content_not_name():
    assert detect("报表.dat", (RAR / "rar.rar").read_bytes()) == "rar"
    assert detect("报表", seven_zip({"a.txt": b"x"})) == "7z"
    with pytest.raises(ExtractError, match="扩展名为 .rar，但内容不是该格式"):
        detect("报表.rar", b"not an archive at all")
