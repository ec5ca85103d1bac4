"""``roomkit plugins new`` for every supported kind, installed and checked as an author would.

One fresh virtualenv gets the kernel and the conformance suite (with its ``llm`` extra) from
the checkout, not editable; then, for each kind, a plugin is generated outside the checkout,
installed with its test extra, its own tests run, and ``roomkit conformance`` passes it.
The four messaging-provider kinds share one piece with kind-specific contracts: each is
generated and checked on its own, and runs the messaging suite's webhook and receipt tests
against its wire fake.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from roomkit.cli.scaffold import PluginSpec, supported_kinds, variables

ROOT = Path(__file__).resolve().parents[2]
KINDS = supported_kinds()
MESSAGING = {"sms_provider", "rcs_provider", "email_provider", "messaging_provider"}


def _name(kind: str) -> str:
    return "t" + "".join(part[:4] for part in kind.split("_"))


@pytest.fixture(scope="module")
def venv(new_venv: Callable[[str], Any]) -> Any:
    where = new_venv("template-venv")
    where.install(ROOT / "kernel", f"{ROOT / 'conformance'}[llm]")
    return where


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("authors")


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


@pytest.mark.parametrize("kind", KINDS)
def test_generated_plugin_installs_tests_green_and_passes_conformance(
    kind: str, venv: Any, workdir: Path
) -> None:
    name = _name(kind)
    _ok(venv.run(venv.bin / "roomkit", "plugins", "new", name, "--kind", kind, cwd=workdir))
    folder = workdir / f"roomkit-{name}"
    venv.install(f"{folder}[test]")
    tests = _ok(venv.run(venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=folder))
    assert " passed" in tests.stdout
    assert "failed" not in tests.stdout
    listed = _ok(venv.run(venv.bin / "roomkit", "plugins", "list", "--json", cwd=workdir))
    record = next(p for p in json.loads(listed.stdout)["plugins"] if p["name"] == name)
    assert record["status"] == "ok", record
    assert record["components"] == [f"{kind}:{name}"]
    checked = _ok(venv.run(venv.bin / "roomkit", "conformance", name, "--json", cwd=workdir))
    (result,) = json.loads(checked.stdout)["results"]
    assert result["status"] == "passed", result
    assert result["passed"] >= 5
    if kind in MESSAGING:  # sending, failures, signed webhooks, receipts: not skipped
        assert result["passed"] >= 20, result
    names = variables(PluginSpec(name, kind))
    code = f"from roomkit import {names['Class']} as C; print(C.__module__)"
    resolved = _ok(venv.run(venv.python, "-c", code, cwd=workdir))
    assert resolved.stdout.strip() == f"roomkit_{name}.{names['module']}"
