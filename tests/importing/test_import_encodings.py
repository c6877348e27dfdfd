"""Issue 18 §5: an unknown or wrong encoding is named, one line, exit 2."""

import pytest

GBK_SHEET = "姓名,手机,城市\n张三,13812345678,北京\n"


@pytest.fixture
def gbk_file(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes(GBK_SHEET.encode("gbk"))
    return path


def test_unknown_encoding_is_named(crm, gbk_file):
    out = crm("customer", "import", gbk_file, "--encoding", "nosuch", expect=2)
    assert "unknown encoding 'nosuch'" in out.stderr and "internal error" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("encoding, said", [
    ("utf-8", "not valid utf-8 text: byte 0xd0 at offset 0"),
    ("utf-16", "not valid utf-16 text"),
    ("latin-1", "read as latin-1; it looks like gb18030"),
    ("cp1252", "read as cp1252; it looks like gb18030"),
])
def test_wrong_encoding_on_a_gbk_file_says_so(crm, gbk_file, encoding, said):
    out = crm("customer", "import", gbk_file, "--encoding", encoding, expect=2)
    assert said in out.stderr and "internal error" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
