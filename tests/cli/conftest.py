"""Shared fixtures: where the deliverysim binary and the bundled scenarios are."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("DELIVERYSIM", str(ROOT / "build" / "deliverysim"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"no deliverysim binary at {path}; set DELIVERYSIM or build first")
    return path


@pytest.fixture(scope="session")
def scenarios():
    return ROOT / "scenarios"


@pytest.fixture
def deliverysim(binary):
    """Runs deliverysim with the given arguments and returns the completed process."""

    def run(*args, check=False):
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True,
                                timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"exit {result.returncode}: {result.stderr}")
        return result

    return run
