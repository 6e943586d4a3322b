import pytest
from pathlib import Path

from engine.report import RENDERERS, render_console


def test_registry_formats_and_file_names(run_result, tmp_path):
    assert set(RENDERERS) == {"json", "html", "junit", "manifest", "xlsx", "sarif"}
    expected = {"json": "report.json", "html": "report.html", "junit": "junit.xml", "manifest": "manifest.json",
                "xlsx": "检核结果及备案表.xlsx", "sarif": "jianhe.sarif"}
    for fmt, render in RENDERERS.items():
        path = render(run_result, tmp_path)
        assert isinstance(path, Path)
        assert path == tmp_path / expected[fmt]
        assert path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected.values())


def test_renderers_create_missing_output_folder(run_result, tmp_path):
    out = tmp_path / "a" / "b"
    for render in RENDERERS.values():
        assert render(run_result, out).parent == out


def test_render_console_is_exported():
    assert callable(render_console)


def test_write_reports_is_atomic_and_always_adds_the_manifest(run_result, tmp_path):
    from engine.report import write_reports
    written = write_reports(run_result, tmp_path, ["json"])
    assert sorted(p.name for p in written) == ["manifest.json", "report.json"]
    shown = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".jianhe"))
    assert shown == ["manifest.json", "report.json"]  # no staging left
    assert not list(tmp_path.glob(".jianhe-staging-*"))


def test_write_reports_replaces_only_its_own_files(run_result, tmp_path):
    from engine.errors import UsageError
    from engine.report import write_reports
    write_reports(run_result, tmp_path, ["json"])
    write_reports(run_result, tmp_path, ["json", "html"])  # its own: replaced
    (tmp_path / "report.html").write_text("edited by hand", encoding="utf-8")
    with pytest.raises(UsageError, match="report.html"):
        write_reports(run_result, tmp_path, ["html"])
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "edited by hand"
