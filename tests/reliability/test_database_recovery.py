"""The real database goes away under gunicorn: readers get a 503 with a plain
sentence, and the site comes back by itself when the database does."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress

import pytest

pytestmark = pytest.mark.reliability


class TcpProxy:
    """A cuttable line between the app and PostgreSQL."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        self.up = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.close()

    def cut(self):
        self.up = False
        for sock in self.sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self.sockets.clear()

    def restore(self):
        self.up = True


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_a_database_outage_is_a_503_and_the_site_recovers(scratch_database, start_app):
    if scratch_database.startswith("postgres"):
        proxy = TcpProxy(5432)
        proxied = scratch_database.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        base, data, _server = start_app(scratch_database, app_database_url=proxied)
        go_down, come_back = proxy.cut, proxy.restore
    else:
        path = scratch_database.removeprefix("sqlite:///")
        base, data, _server = start_app(scratch_database)

        def go_down():
            shutil.move(path, path + ".away")
            os.mkdir(path)  # the file cannot be opened at all

        def come_back():
            os.rmdir(path)
            shutil.move(path + ".away", path)

    page = f"{base}/burst/{data['post']}.html"
    assert _get(page)[0] == 200

    go_down()
    # A page no reader has asked for yet (a page already read may be served
    # from the anonymous page cache, which needs no database).
    outage = [_get(f"{base}/burst/?page={n}") for n in range(1, 4)]
    api_status, _headers, api_body = _get(f"{base}/api/journals/")
    come_back()
    time.sleep(0.5)
    recovered = [_get(page)[0] for _ in range(3)]

    for status, headers, body in outage:
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "briefly unavailable" in body and "Traceback" not in body
    assert api_status == 503 and '"code": "unavailable"' in api_body.replace(
        '":"', '": "'
    )
    assert recovered == [200, 200, 200]
