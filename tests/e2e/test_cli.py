"""The command line as other scripts use it: exit codes, JSON on stdout, the report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.rulebook import DEFAULT_RULES_DIR


def prereview(*args: str, data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PREREVIEW_DATA_DIR": str(data), **env}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          text=True, env=environment, timeout=600)


def test_missing_case_json_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "case").mkdir()
    done = prereview("verify", str(tmp_path / "case"), data=tmp_path / "d")
    assert done.returncode == 2
    assert "case.json" in done.stderr and "Traceback" not in done.stderr


def test_not_a_folder(tmp_path: Path) -> None:
    done = prereview("verify", str(tmp_path / "nowhere"), data=tmp_path / "d")
    assert done.returncode == 2 and "not a directory" in done.stderr


def test_bad_case_json(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    (case / "case.json").write_text('{"product": "mortgage", "loan": {}}')
    done = prereview("verify", str(case), data=tmp_path / "d")
    assert done.returncode == 3 and "applicant" in done.stderr


def test_invalid_rules_refuse_to_verify(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    path = rules / "checks" / "owner.yaml"
    path.write_text(path.read_text().replace("severity: reject", "severity: maybe"))
    case = tmp_path / "case"
    case.mkdir()
    done = prereview("verify", str(case), data=tmp_path / "d", PREREVIEW_RULES_DIR=str(rules))
    assert done.returncode == 4 and "checks/owner.yaml:" in done.stderr
    check = prereview("rules", "validate", str(rules), data=tmp_path / "d")
    assert check.returncode == 4 and "maybe" in check.stderr


@pytest.mark.parametrize(("setting", "value"), [
    ("PREREVIEW_OCR_ENGINE", "paddle"), ("PREREVIEW_INFERENCE", "tensorrt"),
    ("PREREVIEW_INFERENCE_PRECISION", "int4")])
def test_a_reading_setting_that_names_nothing_refuses_to_verify(
        tmp_path: Path, setting: str, value: str) -> None:
    """Before any file is read: not a verdict whose every file failed to read."""
    case = tmp_path / "case"
    case.mkdir()
    done = prereview("verify", str(case), data=tmp_path / "d", **{setting: value})
    assert done.returncode == 2 and "settings.ocr_engine" in done.stderr
    assert value in done.stderr and "Traceback" not in done.stderr


def test_rules_validate_and_test_pass_on_shipped_rules(tmp_path: Path) -> None:
    assert prereview("rules", "validate", data=tmp_path).returncode == 0
    done = prereview("rules", "test", data=tmp_path)
    assert done.returncode == 0, done.stdout
    assert " 0 failed" in done.stdout


def test_rules_test_fails_when_a_rule_changes(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    path = rules / "policy.yaml"
    text = path.read_text().replace("income_ratio_reject: 1.5", "income_ratio_reject: 1.2")
    path.write_text(text)
    done = prereview("rules", "test", str(rules), data=tmp_path / "d")
    assert done.returncode == 1 and "FAIL" in done.stdout


@pytest.mark.slow
def test_verify_json_and_report(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "samples", "cases", "--out", str(tmp_path / "c"),
                    "--scenarios", "balance_broken", "--seed", "5"], check=True,
                   capture_output=True)
    case = next((tmp_path / "c").iterdir())
    report = tmp_path / "report.html"
    done = prereview("verify", str(case), "--json", "--report", str(report), data=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["verdict"] == "reject"
    assert {f["code"] for f in verdict["findings"]} == {"fraud.balance_chain_broken"}
    html = report.read_text("utf-8")
    assert "fraud.balance_chain_broken" in html and "data:image/png;base64," in html
    applicant = json.loads((case / "case.json").read_text("utf-8"))["applicant"]
    assert applicant["id_number"] not in html  # masked for the approver
