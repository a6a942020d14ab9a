"""The JupyterLab server of ``make lab``: a setting jupyter_server lacks.

Kernel websockets without Nagle's algorithm. jupyter_server (2.x) leaves TCP_NODELAY off
on the websocket between the page and the server, so a small message written while the
browser has not yet acknowledged the previous one waits for the browser's delayed ACK,
40 ms on Linux. A widget redraw is a burst of small messages (status, echo, clear
output, the figure), and it paid those 40 ms on every key press: measured in headless
Chromium, a slider showing a precomputed PNG took 50-60 ms from key press to decoded
image with the default connection and 10-25 ms with this one. ``make lab`` selects it
with ``--ServerApp.kernel_websocket_connection_class`` (the Makefile's LAB_OPTIONS).
"""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayKernelConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection, with TCP_NODELAY set on connecting."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()
