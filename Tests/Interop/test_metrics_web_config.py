"""`metrics.web_config_file` (issue 21): the Prometheus exporter-toolkit web config file on the
separate /metrics listener, checked with curl as an operator would: TLS, bcrypt basic auth
(htpasswd's $2y$ and Python bcrypt's $2b$), security headers, a certificate and a user rotated
while the server runs, a broken edit that leaves the last good file in force, client
certificates, and startup errors that name the key."""
import os
import shutil
import subprocess
import time
from pathlib import Path

import bcrypt
import pytest

from helpers import SERVER, free_port, make_pki, stop, wait_for

PASSWORD = "s3cret"


def bcrypt_hash(password, prefix="$2y$"):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode().replace("$2b$", prefix, 1)


def curl(port, *args, user=None, cacert=None):
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"]
    command += ["--cacert", str(cacert)] if cacert else ["-k"]
    if user:
        command += ["-u", user]
    result = subprocess.run(command + list(args) + [f"https://127.0.0.1:{port}/metrics"], capture_output=True, text=True)
    return result.stdout


def peer_subject(port):
    result = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}"], input="", capture_output=True, text=True, timeout=20)
    return next((line for line in result.stdout.splitlines() if line.startswith("subject=")), "")


def start(directory, **env):
    port, metrics_port = free_port(), free_port()
    log = open(directory / "server.log", "wb")
    process = subprocess.Popen([str(SERVER), "--host", "127.0.0.1", "--port", str(port)], cwd=directory, stdout=log, stderr=log, env=dict(
        os.environ, SYNSE_PLUGIN_EMBEDDED="emulator", SYNSE_METRICS_ENABLED="true", SYNSE_METRICS_PORT=str(metrics_port),
        SYNSE_METRICS_HOST="127.0.0.1", SYNSE_METRICS_WEB_CONFIG_FILE=str(directory / "web.yml"), **env))
    return process, metrics_port


@pytest.fixture(scope="module")
def pki():
    return make_pki()


def web_config(directory, users, extra=""):
    lines = ["tls_server_config:", "  cert_file: cert.pem", "  key_file: key.pem", extra,
             "http_server_config:", "  headers:", "    X-Content-Type-Options: nosniff", "basic_auth_users:"]
    lines += [f"  {name}: '{hashed}'" for name, hashed in users.items()]
    (directory / "web.yml").write_text("\n".join(lines) + "\n")


def test_tls_and_bcrypt_users_and_rotation_while_running(tmp_path, pki):
    for name in ("cert.pem", "key.pem"):
        shutil.copy(pki / name.replace("cert", "server-a").replace("key.pem", "server-a.key"), tmp_path / name)
    web_config(tmp_path, {"prometheus": bcrypt_hash(PASSWORD), "grafana": bcrypt_hash("other", "$2b$")})
    process, port = start(tmp_path)
    try:
        wait_for(lambda: curl(port) == "401")
        assert curl(port, user=f"prometheus:{PASSWORD}", cacert=pki / "ca-a.pem") == "200"
        assert curl(port, user="grafana:other") == "200"  # $2b$ as Python and Go write it
        assert curl(port, user="prometheus:wrong") == "401"
        assert curl(port, user=f"nobody:{PASSWORD}") == "401"
        headers = subprocess.run(["curl", "-sk", "-D", "-", "-o", "/dev/null", "-u", f"prometheus:{PASSWORD}",
                                  f"https://127.0.0.1:{port}/metrics"], capture_output=True, text=True).stdout
        assert "x-content-type-options: nosniff" in headers.lower()
        assert "CN = server" in peer_subject(port)
        # Plain HTTP on the TLS port is refused, not served.
        plain = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                                f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True).stdout
        assert plain != "200"

        # The certificate is rotated (CA b's now): new connections get it, no restart.
        assert curl(port, user=f"prometheus:{PASSWORD}", cacert=pki / "ca-b.pem") != "200"
        # Half-way (the certificate copied, not yet its key) every handshake, the first too,
        # still gets the previous pair.
        shutil.copy(pki / "server-b.pem", tmp_path / "cert.pem")
        for _ in range(3):
            assert curl(port, user=f"prometheus:{PASSWORD}", cacert=pki / "ca-a.pem") == "200"
        shutil.copy(pki / "server-b.key", tmp_path / "key.new")
        os.replace(tmp_path / "key.new", tmp_path / "key.pem")
        wait_for(lambda: curl(port, user=f"prometheus:{PASSWORD}", cacert=pki / "ca-b.pem") == "200")
        assert curl(port, user=f"prometheus:{PASSWORD}", cacert=pki / "ca-a.pem") != "200"

        # A user is added and another removed by editing the file.
        web_config(tmp_path, {"ops": bcrypt_hash("new-one")})
        wait_for(lambda: curl(port, user="ops:new-one") == "200")
        assert curl(port, user=f"prometheus:{PASSWORD}") == "401"

        # A broken edit is refused; the last good file stays in force.
        (tmp_path / "web.yml").write_text("basic_auth_users: [not, a, mapping\n")
        time.sleep(0.2)
        assert curl(port, user="ops:new-one") == "200"
        assert curl(port) == "401"
        assert process.poll() is None
    finally:
        stop(process)
    log = (tmp_path / "server.log").read_text()
    assert "previous one stays in force" in log and "new-one" not in log and PASSWORD not in log


def test_client_certificates_required_and_verified(tmp_path, pki):
    shutil.copy(pki / "server-a.pem", tmp_path / "cert.pem")
    shutil.copy(pki / "server-a.key", tmp_path / "key.pem")
    shutil.copy(pki / "ca-a.pem", tmp_path / "clients.pem")
    (tmp_path / "web.yml").write_text(
        "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n"
        "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients.pem\n  min_version: TLS13\n")
    process, port = start(tmp_path)
    try:
        with_cert = lambda: curl(port, "--cert", str(pki / "client-a.pem"), "--key", str(pki / "client-a.key"))
        wait_for(lambda: with_cert() == "200")
        assert curl(port) != "200"  # no client certificate: the handshake fails
        assert curl(port, "--cert", str(pki / "server-b.pem"), "--key", str(pki / "server-b.key")) != "200"  # another CA's
        assert curl(port, "--cert", str(pki / "client-a.pem"), "--key", str(pki / "client-a.key"), "--tls-max", "1.2") != "200"
    finally:
        stop(process)


@pytest.mark.parametrize("content, env, expected", [
    ("basic_auth_users: {a: plaintext}\n", {}, "basic_auth_users.a: not a bcrypt hash"),
    ("tls_server_config: {cert_file: cert.pem, key_file: key.pem, cipher_suites: [TLS_AES_128_GCM_SHA256]}\n", {},
     "tls_server_config.cipher_suites: not supported"),
    ("tls_server_config: {cert_file: cert.pem, key_file: key.pem, client_auth_type: RequireAnyClientCert}\n", {},
     "tls_server_config.client_auth_type: 'RequireAnyClientCert' is not one of"),
    ("tls_server_config: {cert_file: missing.pem, key_file: key.pem}\n", {}, "tls_server_config.cert_file: no PEM certificate in"),
    ("tls_server_config: {cert_file: cert.pem, key_file: other.key}\n", {}, "does not match the certificate"),
    ("tls_server_config: {cert_file: cert.pem, key_file: key.pem, min_version: TLS14}\n", {}, "min_version: 'TLS14' is not one of"),
    ("tls_server_config: {cert_file: cert.pem, key_file: key.pem, min_version: TLS13, max_version: TLS12}\n", {},
     "max_version is below min_version"),
    ("basic_auth_users: {a: '$2b$99$" + "C" * 53 + "'}\n", {}, "basic_auth_users.a: not a bcrypt hash"),
    ("basic_auth_users: {a: '$2b$10$" + "!" * 53 + "'}\n", {}, "basic_auth_users.a: not a bcrypt hash"),
    ("basic_auth_users: {'a:b': '$2b$10$" + "C" * 53 + "'}\n", {}, "'a:b' cannot be a user name"),
    ("http_server_config: {headers: {Server: synse}}\n", {}, "http_server_config.headers: 'Server' cannot be set"),
    ("basic_auth_users: {}\ntls_config: {}\n", {}, "tls_config: unknown key"),
    ("", {"SYNSE_METRICS_AUTH_TOKEN": "t"}, "'metrics.web_config_file' and 'metrics.auth' both protect /metrics"),
    ("", {"SYNSE_METRICS_PORT": ""}, "'metrics.web_config_file' needs 'metrics.port'"),
])
def test_a_bad_file_stops_startup_naming_the_key(tmp_path, pki, content, env, expected):
    shutil.copy(pki / "server-a.pem", tmp_path / "cert.pem")
    shutil.copy(pki / "server-a.key", tmp_path / "key.pem")
    shutil.copy(pki / "server-b.key", tmp_path / "other.key")
    (tmp_path / "web.yml").write_text(content)
    environment = dict(os.environ, SYNSE_METRICS_ENABLED="true", SYNSE_METRICS_PORT=str(free_port()), SYNSE_PLUGIN_EMBEDDED="",
                       SYNSE_METRICS_WEB_CONFIG_FILE=str(tmp_path / "web.yml"))
    environment.update(env)
    if environment.get("SYNSE_METRICS_PORT") == "":
        del environment["SYNSE_METRICS_PORT"]
    result = subprocess.run([str(SERVER), "--host", "127.0.0.1", "--port", str(free_port())], cwd=tmp_path,
                            capture_output=True, text=True, timeout=30, env=environment)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stdout + result.stderr
