"""Config inheritance (base:), --set, and where every value comes from."""
import pytest

import marp
from marp.cli import main
from marp.hardware.arch import ArchError, describe, load_arch
from marp.hardware.config_files import parse_sets


def test_base_inherits_then_overrides(tmp_path):
    child = tmp_path / "mine.yaml"
    child.write_text("base: qracc\nname: qracc-8\naimc:\n  arrays: 8   # our chip\n")
    a, q = load_arch(child), load_arch("qracc")
    assert a.name == "qracc-8" and a.aimc.arrays == 8
    assert a.aimc.array_rows == q.aimc.array_rows and a.digital == q.digital
    rows = {path: (value, where, comment) for path, value, where, comment in describe(child)}
    assert rows["aimc.arrays"] == (8, str(child), "our chip")
    assert rows["aimc.array_rows"][1].endswith("qracc.yaml")
    assert "IMAGINE" in rows["aimc.array_rows"][2]


def test_bases_chain_by_relative_path_and_cycles_fail(tmp_path):
    (tmp_path / "a.yaml").write_text("base: qracc\naimc:\n  arrays: 4\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\ndigital:\n  f_mhz: 100.0\n")
    b = load_arch(tmp_path / "b.yaml")
    assert (b.aimc.arrays, b.digital.f_mhz) == (4, 100.0)
    (tmp_path / "c.yaml").write_text("base: d.yaml\n")
    (tmp_path / "d.yaml").write_text("base: c.yaml\n")
    with pytest.raises(ArchError, match="inherit in a cycle"):
        load_arch(tmp_path / "c.yaml")
    (tmp_path / "e.yaml").write_text("base: nope\n")
    with pytest.raises(ValueError, match="arch='nope' is not a bundled config"):
        load_arch(tmp_path / "e.yaml")


def test_set_values():
    assert parse_sets(["aimc.arrays=8", "aimc.differential=true", "digital.f_mhz=1e2"]) == \
        {"aimc.arrays": 8, "aimc.differential": True, "digital.f_mhz": 100.0}
    for bad in ("arrays=8", "aimc.arrays", "aimc.arrays="):
        with pytest.raises(ValueError, match="is not SECTION.KEY=VALUE"):
            parse_sets([bad])
    assert load_arch("qracc", {"aimc.arrays": 8}).aimc.arrays == 8
    with pytest.raises(ArchError, match="aimc.arrays: 0 out of range"):
        load_arch("qracc", {"aimc.arrays": 0})


def test_cli_set_and_arch_show(capsys):
    assert main(["compile", "--example", "mlperf-tiny", "--set", "aimc.arrays=8",
                 "--set", "aimc.array_rows=512", "--json", "--quiet"]) == 0
    import json
    doc = json.loads(capsys.readouterr().out)
    assert doc["bank_arrays"] == 8
    assert main(["arch", "show", "qracc", "--set", "aimc.arrays=8"]) == 0
    out = capsys.readouterr().out
    assert "  arrays:" in out and "8" in out.split("  arrays:")[1].split("\n")[0]
    assert "# --set" in out and "qracc.yaml: IMAGINE macro" in out
    assert main(["arch", "list"]) == 0
    assert "zigzag_aimc" in capsys.readouterr().out
    assert main(["compile", "--example", "mlperf-tiny", "--set", "aimc.nope=1"]) == 2
    assert "aimc.nope: unknown key" in capsys.readouterr().err
