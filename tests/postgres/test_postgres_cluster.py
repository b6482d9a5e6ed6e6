"""The test server is found where Debian installs it, newest version first, and
is missing (so its tests skip) only when no version is installed."""

from __future__ import annotations

import postgres_cluster


def install(root, version: str) -> None:
    bin_dir = root / version / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("initdb", "pg_ctl"):
        (bin_dir / name).write_text("")


def test_the_newest_installed_server_is_used(tmp_path, monkeypatch):
    for version in ("9.6", "13", "15"):
        install(tmp_path, version)
    monkeypatch.setattr(postgres_cluster, "SERVER_BINARIES", tmp_path)
    assert postgres_cluster.find_server_binaries() == tmp_path / "15" / "bin"


def test_no_server_binaries_means_none(tmp_path, monkeypatch):
    (tmp_path / "15" / "bin").mkdir(parents=True)  # a client-only install
    monkeypatch.setattr(postgres_cluster, "SERVER_BINARIES", tmp_path)
    assert postgres_cluster.find_server_binaries() is None


def test_the_server_listens_on_loopback_only(postgres):
    assert postgres.host == "127.0.0.1"
    settings = (postgres.data_dir / "postmaster.opts").read_text()
    assert "listen_addresses=127.0.0.1" in settings
    assert "unix_socket_directories=" in settings
