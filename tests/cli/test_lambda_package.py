import zipfile
from io import BytesIO

from warmstart.__main__ import main
from warmstart.lambda_package import deterministic_zip


def test_same_input_same_bytes_whatever_the_order():
    one = deterministic_zip({"bootstrap": b"\x7fELF...", "extra": b"x"})
    two = deterministic_zip({"extra": b"x", "bootstrap": b"\x7fELF..."})
    assert one == two


def test_entries_are_executable_with_a_fixed_timestamp():
    archive = zipfile.ZipFile(BytesIO(deterministic_zip({"b": b"2", "a": b"1"})))
    infos = archive.infolist()
    assert [i.filename for i in infos] == ["a", "b"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100755}
    assert archive.read("b") == b"2"


def test_cli_packages_a_binary(tmp_path, capsys):
    binary = tmp_path / "bootstrap"
    binary.write_bytes(b"binary" * 100)
    out = tmp_path / "out" / "fn.zip"
    assert main(["package-lambda", str(binary), str(out)]) == 0
    assert zipfile.ZipFile(out).read("bootstrap") == b"binary" * 100
    assert capsys.readouterr().out == f"wrote {out} ({out.stat().st_size} bytes)\n"
