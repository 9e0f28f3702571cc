"""App mode without a browser: the Voila command, the offline template, the environment, ports,
the register the app opens, the DOM hooks and the server start/stop helpers."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import sorkit
from sorkit.app import mode as appmode
from tests.helpers import TODAY


def test_voila_command_serves_one_page_on_loopback_without_code() -> None:
    cmd = appmode.voila_command("notebooks/app.ipynb", 8123)
    assert cmd[:3] == [sys.executable, "-m", "voila"]
    assert "--port=8123" in cmd
    assert "--Voila.ip=127.0.0.1" in cmd
    assert "--strip_sources=True" in cmd
    assert "--no-browser" in cmd
    assert f"--template={appmode.TEMPLATE}" in cmd


def test_lab_command_is_loopback_and_offline(tmp_path: Path) -> None:
    cmd = appmode.lab_command(tmp_path, 8124)
    assert "--ServerApp.ip=127.0.0.1" in cmd
    assert "--ServerApp.port=8124" in cmd
    assert "--LabApp.news_url=None" in cmd
    assert "--LabApp.extension_manager=readonly" in cmd


def test_template_drops_the_cdn_links(tmp_path: Path) -> None:
    root = appmode.write_template(tmp_path)
    folder = root / "voila" / "templates" / appmode.TEMPLATE
    assert json.loads((folder / "conf.json").read_text()) == {"base_template": "lab"}
    index = (folder / "index.html.j2").read_text()
    assert "extends 'voila/templates/lab/index.html.j2'" in index
    # The only URLs in the template are the ones it removes from the page.
    for link in appmode._CDN_LINKS:
        assert repr(link) in index
    assert "html_head_js_mermaidjs" in index


def test_lab_settings_start_kernels_and_never_fetch_news(tmp_path: Path) -> None:
    folder = appmode.write_lab_settings(tmp_path)
    tracker = folder / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
    notes = folder / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    assert json.loads(tracker.read_text())["autoStartDefaultKernel"] is True
    assert json.loads(notes.read_text()) == {"fetchNews": "false", "checkForUpdates": False}


def test_environment_names_register_today_user_and_template(tmp_path: Path) -> None:
    env = appmode.app_environment(
        tmp_path / "r.duckdb",
        today=TODAY,
        user="admin",
        jupyter_path=tmp_path / "t",
        base={"JUPYTER_PATH": "/x", "https_proxy": "http://proxy:3128"},
    )
    assert env["SORKIT_REGISTER"] == str((tmp_path / "r.duckdb").resolve())
    assert env["SORKIT_TODAY"] == "2026-12-01"
    assert env["SORKIT_USER"] == "admin"
    assert env["JUPYTER_PATH"].split(":") == [str(tmp_path / "t"), "/x"]
    assert "https_proxy" not in env


def test_app_today_from_environment() -> None:
    assert appmode.app_today({}) is None
    assert appmode.app_today({"SORKIT_TODAY": "2027-01-02"}) == dt.date(2027, 1, 2)
    with pytest.raises(ValueError):
        appmode.app_today({"SORKIT_TODAY": "02-01-2027"})


def test_open_app_register_uses_the_environment(demo_template: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_template.read_bytes())
    reg = appmode.open_app_register({"SORKIT_REGISTER": str(copy), "SORKIT_TODAY": "2026-12-01"})
    assert reg.today == TODAY
    assert reg.user == "admin"  # a demo register opens as admin
    assert len(reg.snapshot()) > 2000
    other = tmp_path / "mine.duckdb"
    other.write_bytes(demo_template.read_bytes())
    env = {"SORKIT_REGISTER": str(other), "SORKIT_USER": "reader", "SORKIT_TODAY": "2027-01-01"}
    reg = appmode.open_app_register(env)
    assert (reg.user, reg.role, reg.today) == ("reader", "reader", dt.date(2027, 1, 1))


def test_dom_hooks_tag_every_control(demo: sorkit.Register) -> None:
    from sorkit.widgets import StewardApp

    app = appmode.add_dom_hooks(StewardApp(demo))
    assert "sorkit-app" in app._dom_classes
    assert "sorkit-app-quick_search" in app.controls["quick_search"]._dom_classes
    assert "sorkit-tree-tree" in app.tree.controls["tree"]._dom_classes
    create = app.create_form
    assert "sorkit-create" in create._dom_classes
    assert "sorkit-create-apply" in create.controls["apply"]._dom_classes
    assert "sorkit-create-findings" in create.findings._dom_classes
    assert "sorkit-close-confirm" in app.close_form.controls["confirm"]._dom_classes
    assert "sorkit-search-text" in app.search_panel.controls["text"]._dom_classes
    # Warning rows appear later; their controls are tagged when they do.
    roots = demo.roots()
    alleroed = roots[roots["name"] == "Allerød Kommune"].sor_code.iloc[0]
    parent = demo.children(alleroed).sor_code.iloc[0]
    app.select(parent)
    create.controls["name"].value = "Tandplejen Hooks"
    create.controls["unit_type"].value = "550691000005104"
    create.controls["phone"].value = "48100000"
    accept = [k for k in create.controls if k.startswith("accept_")]
    assert accept
    for key in accept:
        assert f"sorkit-create-{key}" in create.controls[key]._dom_classes


def test_free_port_and_port_in_use() -> None:
    port = appmode.free_port()
    assert not appmode.port_in_use(port)
    with socket.socket() as sock:
        sock.bind((appmode.HOST, port))
        sock.listen()
        assert appmode.port_in_use(port)
        assert appmode.serve(port=port) == 2  # a busy port is refused, nothing is started


def test_serve_refuses_a_missing_register(tmp_path: Path) -> None:
    assert appmode.serve(tmp_path / "nothing.duckdb", appmode.free_port()) == 2


def test_stop_ends_the_whole_process_group(tmp_path: Path) -> None:
    """A server and the process it started (as Voila starts kernels) both end on stop()."""
    child_pid = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time, http.server, threading\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        f"open({str(child_pid)!r}, 'w').write(str(p.pid))\n"
        "srv = http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.BaseHTTPRequestHandler)\n"
        "srv.serve_forever()\n"
    )
    port = appmode.free_port()
    server = appmode._spawn(
        "test",
        [sys.executable, "-c", script, str(port)],
        port,
        {"PATH": "/usr/bin:/bin"},
        tmp_path,
        tmp_path / "log.txt",
        f"http://127.0.0.1:{port}/",
        [tmp_path / "cleanup"],
    )
    (tmp_path / "cleanup").mkdir()
    server.wait_ready(timeout=60)
    pid = int(child_pid.read_text())
    server.stop()
    assert not server.running
    assert not appmode.port_in_use(port)
    assert not (tmp_path / "cleanup").exists()
    alive = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    assert alive.stdout.strip() in ("", "Z"), alive.stdout


def test_wait_ready_reports_a_server_that_exits(tmp_path: Path) -> None:
    port = appmode.free_port()
    server = appmode._spawn(
        "test",
        [sys.executable, "-c", "raise SystemExit(3)"],
        port,
        {"PATH": "/usr/bin:/bin"},
        tmp_path,
        tmp_path / "log.txt",
        "",
        [],
    )
    with pytest.raises(RuntimeError, match="kode 3"):
        server.wait_ready(timeout=60)
    server.stop()


@pytest.mark.slow
def test_sorkit_app_serves_on_loopback_and_stops_on_ctrl_c(
    demo_template: Path, tmp_path: Path
) -> None:
    """`sorkit app` starts Voila on 127.0.0.1; Ctrl-C stops it and its temp template."""
    import signal
    import time

    register = tmp_path / "demo.duckdb"
    register.write_bytes(demo_template.read_bytes())
    port = appmode.free_port()
    before = set(Path(tempfile.gettempdir()).glob("sorkit-voila-*"))
    sorkit_cmd = Path(sys.executable).with_name("sorkit")
    proc = subprocess.Popen(
        [str(sorkit_cmd), "app", "--register", str(register), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not appmode.http_answers(f"http://127.0.0.1:{port}/voila/static/voila.js"):
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "sorkit app did not answer"
            time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert f"http://127.0.0.1:{port}/" in out
    assert "stoppet" in out
    assert not appmode.port_in_use(port)
    assert set(Path(tempfile.gettempdir()).glob("sorkit-voila-*")) <= before
