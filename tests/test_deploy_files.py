"""deploy/ agrees with the code: the environment file names every setting, nginx accepts the
requests the app accepts. (The production run, tests_deploy/, starts Relay from these.)"""

import re
import runpy
from pathlib import Path

from config import Config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "relay.env.example"
# Read by gunicorn (deploy/gunicorn.conf.py), not by config.py.
NOT_IN_CONFIG = {"WEB_CONCURRENCY"}


def settings_read_by_config() -> set[str]:
    source = (ROOT / "config.py").read_text()
    found = re.findall(r"""(?:os\.environ\.get|_int|_bool|_list)\(\s*"([A-Z0-9_]+)\"""", source)
    found += re.findall(r"""os\.environ\[\s*"([A-Z0-9_]+)"\s*\]""", source)
    return set(found)


def settings_in_example() -> dict[str, bool]:
    """Each setting the example names, and whether its line is active (uncommented)."""
    named = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"(#?)([A-Z][A-Z0-9_]*)=", line)
        if match:
            named[match.group(2)] = not match.group(1)
    return named


def test_the_environment_file_names_every_setting_config_reads():
    in_config = settings_read_by_config()
    assert {"SECRET_KEY", "DATABASE_URL", "RELAY_ENV", "RELAY_PROFESSIONS"} <= in_config
    named = settings_in_example()
    missing = in_config - set(named)
    assert not missing, f"add to deploy/relay.env.example, with a comment: {sorted(missing)}"
    unknown = set(named) - in_config - NOT_IN_CONFIG
    assert not unknown, f"deploy/relay.env.example names settings nothing reads: {unknown}"


def test_the_environment_file_sets_what_production_needs():
    active = {name for name, on in settings_in_example().items() if on}
    assert {"RELAY_ENV", "SECRET_KEY", "DATABASE_URL", "BASE_URL", "PROXY_COUNT"} <= active


def test_each_setting_has_a_comment_above_it():
    lines = ENV_EXAMPLE.read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"#?[A-Z][A-Z0-9_]*=", line):
            above = next(
                (prev for prev in reversed(lines[:i]) if not re.match(r"#?[A-Z][A-Z0-9_]*=", prev)),
                "",
            )
            assert above.startswith("# ") and len(above) > 4, f"no comment above: {line}"


def test_the_environment_file_reads_the_same_in_systemd_and_sh():
    """Quoted only where a value has spaces; nothing sh would expand or systemd unescape."""
    for line in ENV_EXAMPLE.read_text().splitlines():
        body = line.removeprefix("#")
        if not re.match(r"[A-Z][A-Z0-9_]*=", body):
            continue
        value = body.split("=", 1)[1]
        assert re.fullmatch(r'"[^"$`\\]*"|[^\s"\'$`\\]*', value), f"write it plainly: {line}"
        if " " in value:
            assert value.startswith('"'), line


def test_nginx_accepts_a_request_as_large_as_the_app_does():
    site = (DEPLOY / "nginx" / "relay.conf").read_text()
    (size,) = re.findall(r"^\s*client_max_body_size (\d+)m;", site, re.M)
    assert (
        int(size) * 1024 * 1024
        == Config.MAX_CONTENT_LENGTH
        == 2 * Config.EVIDENCE_MAX_BYTES + (1024 * 1024)
    )


def test_nginx_serves_the_checkouts_static_folder_with_a_long_cache():
    site = (DEPLOY / "nginx" / "relay.conf").read_text()
    static = re.search(r"location /static/ \{(.*?)\n    \}", site, re.S)
    assert static, "no /static/ location"
    assert "alias /srv/relay/static/;" in static.group(1)
    assert "max-age=31536000" in static.group(1)
    assert (ROOT / "static").is_dir()


def test_gunicorn_reads_its_worker_count_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["workers"] == 3
    assert settings["control_socket_disable"] is True
    monkeypatch.setenv("RUNTIME_DIRECTORY", "/run/relay-web-8001")
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["control_socket"] == "/run/relay-web-8001/gunicorn.ctl"
