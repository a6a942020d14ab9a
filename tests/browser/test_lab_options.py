"""The options ``make lab`` gives JupyterLab, without a browser (the browser test drives them)."""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyterlab.labapp import LabApp

from autograder.lab import NoDelayKernelConnection
from tests import ROOT
from tests.browser.lab import lab_options


def test_make_lab_opens_on_the_student_notebooks():
    """JupyterLab's own ``/lab`` overrides ``ServerApp.default_url``; LabApp's is the one."""
    app = LabApp()
    app.parse_command_line(lab_options())
    assert app.default_url == "/lab/tree/notebooks"
    assert "ServerApp.default_url" not in (ROOT / "Makefile").read_text()


def test_make_lab_turns_nagles_algorithm_off_on_kernel_websockets(monkeypatch):
    app = LabApp()
    app.parse_command_line(lab_options())
    assert app.config.ServerApp.kernel_websocket_connection_class == (
        "autograder.lab.NoDelayKernelConnection"
    )
    calls = []
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append("up"))
    connection = NoDelayKernelConnection.__new__(NoDelayKernelConnection)
    handler = type("Handler", (), {"set_nodelay": lambda self, value: calls.append(value)})()
    connection._trait_values["websocket_handler"] = handler  # no server behind it
    connection.connect()
    assert calls == [True, "up"]  # before the connection is used
