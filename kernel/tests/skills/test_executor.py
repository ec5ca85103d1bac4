"""SubprocessScriptExecutor: no shell, a time limit, bounded output, a minimal environment."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from roomkit.errors import ConfigurationError
from roomkit.skills import (
    Skill,
    SkillFileError,
    SkillFileNotFoundError,
    SubprocessScriptExecutor,
    parse_skill,
)

from .conftest import SkillMaker

ECHO_ARGS = "import sys, os\nprint(sys.argv[1:])\nprint(os.getcwd())\n"


def skill_with(make_skill: SkillMaker, scripts: dict[str, str]) -> Skill:
    return parse_skill(make_skill("tools", "name: tools\ndescription: d", scripts=scripts))


async def test_runs_python_script_with_arguments_as_a_list(make_skill: SkillMaker) -> None:
    skill = skill_with(make_skill, {"echo.py": ECHO_ARGS})
    executor = SubprocessScriptExecutor()
    result = await executor.execute(skill, "echo.py", {"name": "a b; rm -rf /", "n": "$(id)"})
    assert result.success
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == str(["--name", "a b; rm -rf /", "--n", "$(id)"])
    assert Path(lines[1]) == skill.path
    assert result.metadata["timed_out"] is False
    assert result.metadata["truncated"] is False


async def test_failure_exit_code_and_stderr(make_skill: SkillMaker) -> None:
    skill = skill_with(make_skill, {"fail.py": "import sys\nsys.stderr.write('bad')\nsys.exit(3)"})
    result = await SubprocessScriptExecutor().execute(skill, "fail.py")
    assert not result.success
    assert result.exit_code == 3
    assert result.stderr == "bad"


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie waiting to be reaped counts as exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


async def test_time_limit_kills_the_script_and_its_children(
    make_skill: SkillMaker, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(600)\n"
    )
    skill = skill_with(make_skill, {"hang.py": script})
    # Generous limit: the script only has to start a child and write a file before it.
    executor = SubprocessScriptExecutor(timeout=5.0)
    result = await executor.execute(skill, "hang.py")
    assert not result.success
    assert result.metadata["timed_out"] is True
    assert result.stdout == "started\n"
    assert "time limit" in result.stderr
    child = int(pid_file.read_text())
    for _ in range(200):  # bounded wait for the kernel to finish the kill
        if _gone(child):
            break
        await asyncio.sleep(0.05)
    assert _gone(child)


async def test_output_is_bounded(make_skill: SkillMaker) -> None:
    skill = skill_with(make_skill, {"loud.py": "import sys\nsys.stdout.write('x' * 500_000)"})
    result = await SubprocessScriptExecutor(max_output_bytes=1000).execute(skill, "loud.py")
    assert result.success
    assert result.stdout == "x" * 1000
    assert result.metadata["truncated"] is True


async def test_environment_is_minimal(
    make_skill: SkillMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_API_KEY", "do-not-leak")
    skill = skill_with(make_skill, {"env.py": "import os\nprint(sorted(os.environ))"})
    executor = SubprocessScriptExecutor(env={"EXTRA": "1"})
    result = await executor.execute(skill, "env.py")
    names = result.stdout.strip()
    assert "SECRET_API_KEY" not in names
    assert "'EXTRA'" in names
    assert "'SKILL_DIR'" in names


async def test_shell_and_executable_scripts(make_skill: SkillMaker) -> None:
    folder = make_skill(
        "tools",
        "name: tools\ndescription: d",
        scripts={"hi.sh": 'echo "hi $2"', "bin": f"#!{sys.executable}\nprint('direct')", "no": "x"},
    )
    os.chmod(folder / "scripts" / "bin", 0o755)
    skill = parse_skill(folder)
    executor = SubprocessScriptExecutor()
    assert (await executor.execute(skill, "hi.sh", {"who": "there"})).stdout == "hi there\n"
    assert (await executor.execute(skill, "bin")).stdout == "direct\n"
    with pytest.raises(SkillFileError, match="not executable"):
        await executor.execute(skill, "no")


async def test_bad_names_are_refused_before_running(make_skill: SkillMaker) -> None:
    skill = skill_with(make_skill, {"ok.py": "print(1)"})
    executor = SubprocessScriptExecutor()
    with pytest.raises(SkillFileError, match="not a plain file name"):
        await executor.execute(skill, "../SKILL.md")
    with pytest.raises(SkillFileNotFoundError):
        await executor.execute(skill, "missing.py")
    with pytest.raises(SkillFileError, match="argument name"):
        await executor.execute(skill, "ok.py", {"--evil": "x"})


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        SubprocessScriptExecutor(timeout=0)
    with pytest.raises(ConfigurationError, match="max_output_bytes"):
        SubprocessScriptExecutor(max_output_bytes=0)
