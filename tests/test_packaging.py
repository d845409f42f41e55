"""The package as users get it: a wheel, installed outside the checkout, scans on its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """Build a wheel from the checkout and install it, without dependencies, in a new venv.

    The venv sees the system's site-packages for the dependencies (spaCy, scikit-learn, …),
    but policy_scan itself must come from the wheel: the test checks where it was imported from.
    """
    work = tmp_path_factory.mktemp("wheel")
    # A clean copy: setuptools reuses a checkout's build/ folder, which could hide a file
    # missing from the package data.
    source = work / "source"
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".*cache")
    )
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stderr[-2000:]}")
    wheels = list((work / "dist").glob("policy_scan-*.whl"))
    assert len(wheels) == 1, wheels
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(work / "venv")
    python = work / "venv" / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheels[0])],
        capture_output=True,
        text=True,
    )
    if install.returncode != 0:
        pytest.fail(f"installing the wheel failed:\n{install.stderr[-2000:]}")
    return python


def test_wheel_scans_the_example_without_a_checkout(installed_wheel, tmp_path, example_plan):
    plan = tmp_path / "plan.pdf"
    shutil.copy(example_plan, plan)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [installed_wheel, "-c", "import policy_scan, policy_scan.ruleset as r; print(policy_scan.__file__); "
         "print(r.default_rules_dir())"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=True,
    ).stdout.split("\n")
    venv_dir = installed_wheel.parent.parent
    assert Path(where[0]).is_relative_to(venv_dir), f"policy_scan imported from {where[0]}, not the wheel"
    assert Path(where[1]).is_relative_to(venv_dir), f"rules read from {where[1]}, not the wheel"
    run = subprocess.run(
        [installed_wheel, "-m", "policy_scan", "scan", str(plan), "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["findings"], "the wheel's scan found nothing in the example plan"
    assert any(f["source"] in ("classifier", "both") for f in result["findings"]), "the model is not in the wheel"
    assert {t for f in result["findings"] for t in f["themes"]} >= {"T2", "T3"}
