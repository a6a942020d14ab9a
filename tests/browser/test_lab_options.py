"""The options ``make lab`` gives JupyterLab, without a browser (the browser test drives them)."""

from jupyterlab.labapp import LabApp

from tests import ROOT
from tests.browser.lab import lab_options


def test_make_lab_opens_on_the_student_notebooks():
    """JupyterLab's own ``/lab`` overrides ``ServerApp.default_url``; LabApp's is the one."""
    app = LabApp()
    app.parse_command_line(lab_options())
    assert app.default_url == "/lab/tree/notebooks"
    assert "ServerApp.default_url" not in (ROOT / "Makefile").read_text()
