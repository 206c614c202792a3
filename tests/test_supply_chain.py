"""`make check`'s reading of pip-audit: a finding fails, missing advisory data only warns.

The reports are pip-audit 2.10's JSON (the vulnerable one from a stand-in advisory
service on loopback, the skipped one as this machine's registry filter produces it).
"""

import importlib.util
import json
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "audit_lock", Path(__file__).parents[1] / "requirements" / "audit_lock.py"
)
assert spec is not None and spec.loader is not None
audit_lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_lock)

HASH_WARNING = "WARNING:pip_audit._cli:--no-deps is supported, but users are encouraged to ...\n"


def report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_clean_audit_passes():
    clean = report({"name": "flask", "version": "3.1.3", "vulns": []})

    outcome = audit_lock.judge(0, clean, HASH_WARNING + "No known vulnerabilities found\n")

    assert (outcome.exit_code, outcome.audited) == (0, True)
    assert "no known vulnerabilities in the 1 pins" in outcome.message


def test_a_known_vulnerability_fails_naming_the_fix():
    vuln = {"id": "CVE-0000-0000", "fix_versions": ["3.1.4"], "aliases": [], "description": ""}
    found = report(
        {"name": "flask", "version": "3.1.3", "vulns": [vuln]},
        {"name": "alembic", "version": "1.20.1", "vulns": []},
    )

    outcome = audit_lock.judge(1, found, "Found 1 known vulnerability in 1 package\n")

    assert outcome.exit_code == 1
    assert "flask 3.1.3: CVE-0000-0000 (fixed in 3.1.4)" in outcome.message


def test_a_vulnerability_fails_even_when_other_packages_were_skipped():
    vuln = {"id": "PYSEC-0", "fix_versions": [], "aliases": [], "description": ""}
    found = report(
        {"name": "flask", "version": "3.1.3", "vulns": [vuln]},
        {"name": "alembic", "skip_reason": "Dependency not found on PyPI ..."},
    )

    outcome = audit_lock.judge(1, found, "")

    assert outcome.exit_code == 1
    assert "(fixed in no release yet)" in outcome.message


def test_no_advisory_data_warns_and_passes():
    # The registry answering 404 for every release: pip-audit itself says "No known
    # vulnerabilities found" and exits 0.
    skipped = report(
        {"name": "aiosmtpd", "skip_reason": "Dependency not found on PyPI and could not be ..."},
        {"name": "alembic", "skip_reason": "Dependency not found on PyPI and could not be ..."},
    )

    outcome = audit_lock.judge(0, skipped, HASH_WARNING + "No known vulnerabilities found\n")

    assert (outcome.exit_code, outcome.audited) == (0, False)
    assert outcome.message.startswith("WARNING: pip-audit did NOT audit")
    assert "no advisory data for 2 of 2 pins" in outcome.message


def test_an_unreachable_service_warns_and_passes():
    traceback = (
        "Traceback (most recent call last):\n  ...\n"
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='advisories.example',"
        " port=443): Max retries exceeded (Caused by NameResolutionError(...))\n"
    )

    outcome = audit_lock.judge(1, "", traceback)

    assert (outcome.exit_code, outcome.audited) == (0, False)
    assert "cannot be reached" in outcome.message


def test_any_other_failure_fails():
    usage = "usage: pip-audit [-h] ...\npip-audit: error: argument -r/--requirement: can't open\n"

    outcome = audit_lock.judge(2, "", usage)

    assert outcome.exit_code == 1
    assert "can't open" in outcome.message
