"""Production settings: the deploy check passes and HTTPS turns on secure cookies and HSTS."""

import json
import os
import subprocess
import sys

PRODUCTION = {
    "WECONOMICS_HTTPS": "true",
    "WECONOMICS_HSTS_PRELOAD": "true",
    "WECONOMICS_ALLOWED_HOSTS": "weconomics.example",
    "WECONOMICS_CSRF_TRUSTED_ORIGINS": "https://weconomics.example",
    "WECONOMICS_SECRET_KEY": "k" * 20 + "Xy7#-pQ2@vL9!mN4$bR8^tW3&zC6*hJ1",
}


def weconomics(tmp_path, *args, extra=None):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("WECONOMICS_")}
    env.update({"DJANGO_SETTINGS_MODULE": "weconomics.settings",
                "WECONOMICS_DATA_DIR": str(tmp_path), **(extra or {})})
    return subprocess.run([sys.executable, "-m", "weconomics", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_documented_production_settings_pass_check_deploy(tmp_path):
    result = weconomics(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                        extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_https_the_deploy_check_warns_about_cookies(tmp_path):
    result = weconomics(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                        extra={**PRODUCTION, "WECONOMICS_HTTPS": "false"})
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout


def test_https_turns_on_secure_cookies_and_hsts(tmp_path):
    script = ("import json; from django.conf import settings as s; print(json.dumps("
              "[s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
              "s.SECURE_SSL_REDIRECT]))")
    result = weconomics(tmp_path, "shell", "-c", script, extra=PRODUCTION)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, 31536000, True]


def test_a_bad_setting_fails_loudly(tmp_path):
    result = weconomics(tmp_path, "check", extra={"WECONOMICS_HTTPS": "sometimes"})
    assert result.returncode != 0
    assert "WECONOMICS_HTTPS must be true or false" in result.stderr


def test_the_secret_key_is_generated_once_into_the_data_folder(tmp_path):
    weconomics(tmp_path, "check")
    key = (tmp_path / "secret_key").read_text()
    weconomics(tmp_path, "check")
    assert (tmp_path / "secret_key").read_text() == key and len(key.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_embedded_database_runs_sqlite_in_wal_mode_with_a_busy_timeout(tmp_path):
    script = ("from django.db import connection; c = connection.cursor(); "
              "c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]; "
              "c.execute('PRAGMA busy_timeout'); print(mode, c.fetchone()[0], "
              "connection.transaction_mode)")
    result = weconomics(tmp_path, "shell", "-c", script)
    assert result.stdout.strip().splitlines()[-1].split() == ["wal", "20000", "IMMEDIATE"], (
        result.stdout + result.stderr)
    assert (tmp_path / "weconomics.sqlite3").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_and_refuses_a_port_that_is_taken(tmp_path):
    import signal
    import urllib.request

    port = str(_free_port())
    env = {key: value for key, value in os.environ.items() if not key.startswith("WECONOMICS_")}
    env.update({"DJANGO_SETTINGS_MODULE": "weconomics.settings",
                "WECONOMICS_DATA_DIR": str(tmp_path)})
    server = subprocess.Popen([sys.executable, "-m", "weconomics", "serve", "--port", port],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        while line and "running at" not in line:
            line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.status == 200
        second = weconomics(tmp_path, "serve", "--port", port)
        assert second.returncode != 0 and "is in use" in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
