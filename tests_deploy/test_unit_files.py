"""The systemd units in deploy/ as systemd itself reads them (`systemd-analyze verify`), with
this checkout in place of /srv/relay. No systemd needs to be running: the production run
starts the same ExecStart lines (tests_deploy/stack.py), this checks the rest of each file."""

import shutil
import subprocess

import pytest

from tests_deploy.stack import DEPLOY, EXAMPLE_CHECKOUT, ROOT

ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed (package systemd)")
def test_systemd_accepts_the_units(tmp_path):
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} == {
        "relay-web@.service",
        "relay-mail.service",
        "relay-notify.service",
        "relay-notify.timer",
    }
    for unit in units:
        text = unit.read_text()
        assert EXAMPLE_CHECKOUT in text or unit.suffix == ".timer", unit.name
        (tmp_path / unit.name).write_text(text.replace(EXAMPLE_CHECKOUT, str(ROOT)))
    # A template is verified as one of its instances.
    shutil.copy(tmp_path / "relay-web@.service", tmp_path / "relay-web@8001.service")
    names = [
        "relay-web@8001.service",
        "relay-mail.service",
        "relay-notify.service",
        "relay-notify.timer",
    ]
    result = subprocess.run(
        [ANALYZE, "verify", *names], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
