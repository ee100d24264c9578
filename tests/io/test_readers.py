import io

import pytest

from marp.io.readers import RectsFormatError, read_2bp, read_rects_csv, read_strip


def test_csv_with_ids_any_column_order(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("id,h,w,note\na,2,3,x\nb,4,5,y\n\n")
    t = read_rects_csv(f)
    assert t.widths.tolist() == [3, 5] and t.heights.tolist() == [2, 4] and t.ids == ["a", "b"]


def test_csv_without_ids_from_stream():
    t = read_rects_csv(io.StringIO(" W , H \n1,2\n"), name="<stdin>")
    assert t.ids == [0] and t.widths.tolist() == [1]


def test_csv_empty_is_empty():
    assert read_rects_csv(io.StringIO("")).widths.size == 0
    assert read_rects_csv(io.StringIO("w,h\n")).widths.size == 0


@pytest.mark.parametrize("text,match", [
    ("a,b\n1,2\n", r"r.csv:1: header .* lacks column\(s\) w, h"),
    ("w,h\n1,2\n3,x\n", r"r.csv:3: h 'x' is not an integer"),
    ("w,h\n1,2\n0,2\n", r"r.csv:3: w 0 must be positive"),
    ("w,h\n1,2,3\n", r"r.csv:2: 3 fields, header has 2"),
    ("w,h\n1.5,2\n", r"r.csv:2: w '1.5' is not an integer"),
])
def test_csv_errors_name_file_and_line(tmp_path, text, match):
    f = tmp_path / "r.csv"
    f.write_text(text)
    with pytest.raises(RectsFormatError, match=match):
        read_rects_csv(f)


def test_missing_file():
    with pytest.raises(OSError, match="nope.csv: cannot read"):
        read_rects_csv("nope.csv")


TWO_BP = """    1        PROBLEM CLASS\r
    3        N. OF ITEMS\r
    1    1   RELATIVE AND ABSOLUTE N. OF INSTANCE\r
   10   20   HBIN,WBIN\r
    9    5   H(I),W(I),I=1,...,N\r
    2    4\r
    6   10\r
\r
    1        PROBLEM CLASS\r
    1        N. OF ITEMS\r
    2    2   RELATIVE AND ABSOLUTE N. OF INSTANCE\r
   10   20   HBIN,WBIN\r
    1    1   H(I),W(I),I=1,...,N\r
"""


def test_2bp_height_first(tmp_path):
    f = tmp_path / "c.2bp"
    f.write_text(TWO_BP)
    a, b = read_2bp(f)
    assert (a.array_cols, a.array_rows) == (20, 10)
    assert a.widths.tolist() == [5, 4, 10] and a.heights.tolist() == [9, 2, 6]
    assert (b.relative, b.absolute, b.n) == (2, 2, 1)
    assert a.name == "c.2bp_3_1"


@pytest.mark.parametrize("cut,match", [
    (7, r"c.2bp:10: truncated instance header"),
    (9, r"instance 2 announces 1 items, the file ends after 0"),
])
def test_2bp_truncated(tmp_path, cut, match):
    f = tmp_path / "c.2bp"
    f.write_text("\n".join(TWO_BP.splitlines()[:cut + 3]))
    with pytest.raises(RectsFormatError, match=match):
        read_2bp(f)


def test_2bp_bad_item_line(tmp_path):
    f = tmp_path / "c.2bp"
    f.write_text(TWO_BP.replace("    2    4", "    2    x"))
    with pytest.raises(RectsFormatError, match=r"c.2bp:6: expected item height and width"):
        read_2bp(f)


def test_all_shared_2bp_files(shared):
    files = sorted((shared / "bench-data" / "2bp").glob("*.2bp"))
    instances = [i for f in files for i in read_2bp(f)]
    assert len(instances) == 500
    assert sum(i.n for i in instances) == 30000
    assert [i.absolute for i in instances] == list(range(1, 501))


def test_strip_files(shared):
    bkw = read_strip(shared / "bench-data" / "bkw" / "BKW1")
    assert (bkw.width, bkw.height, bkw.widths.size) == (40, 40, 10)
    assert int((bkw.widths.astype(int) * bkw.heights).sum()) == 40 * 40
    zdf = read_strip(shared / "bench-data" / "zdf" / "zdf1")
    assert (zdf.width, zdf.height, zdf.widths.size) == (100, None, 580)


def test_strip_count_mismatch(tmp_path):
    f = tmp_path / "s"
    f.write_text("3\n10 10\n1 2 3\n")
    with pytest.raises(RectsFormatError, match="3 items announced, 1 found"):
        read_strip(f)


@pytest.mark.parametrize("text,match", [
    ("w,h,w\n3,4,5\n", "names column.s. w more than once"),
    ("w,h\n1_000,4\n", "w '1_000' is not an integer"),
    ("w,h\n\u0663,4\n", "is not an integer"),
    ("w,h\n3000000000,4\n", "w 3000000000 exceeds 1,073,741,823"),
])
def test_csv_numbers_are_plain_ascii_and_columns_unique(tmp_path, text, match):
    f = tmp_path / "r.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(RectsFormatError, match=match):
        read_rects_csv(f)
