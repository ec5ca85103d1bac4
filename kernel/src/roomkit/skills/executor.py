"""Running a skill's scripts: the :class:`ScriptExecutor` contract and a subprocess runner.

:class:`SubprocessScriptExecutor` runs ``scripts/<name>`` of a skill folder as a child
process: never through a shell (arguments are passed as a list, so no quoting or injection),
with the skill folder as working directory, a minimal environment (the parent's secrets are
not inherited), a time limit after which the whole process group is killed, and stdout and
stderr each cut at ``max_output_bytes``.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from roomkit.errors import ConfigurationError
from roomkit.skills.errors import SkillFileError
from roomkit.skills.models import SCRIPTS_DIR, ScriptResult, Skill

__all__ = ["ScriptExecutor", "SubprocessScriptExecutor"]

_ARGUMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
_CHUNK = 65536


class ScriptExecutor(ABC):
    """Runs one script of a skill and reports what it printed."""

    @abstractmethod
    async def execute(
        self, skill: Skill, script_name: str, arguments: dict[str, str] | None = None
    ) -> ScriptResult:
        """Run ``scripts/<script_name>`` of ``skill`` with ``arguments``."""

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release resources (running processes, sandboxes)."""


def default_interpreters() -> dict[str, list[str]]:
    """Commands that run a script by its suffix; other scripts must be executable files."""
    return {".py": [sys.executable], ".sh": ["/bin/sh"]}


class SubprocessScriptExecutor(ScriptExecutor):
    """Runs skill scripts as child processes, bounded in time and output.

    ``arguments`` become ``--name value`` pairs after the script path (names are letters,
    digits, ``-`` and ``_``). ``env`` adds variables to the minimal environment given to the
    script (``PATH``, locale, ``TMPDIR`` and ``SKILL_DIR``). ``interpreters`` maps a suffix to
    the command that runs such a script.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        max_output_bytes: int = 64_000,
        env: Mapping[str, str] | None = None,
        interpreters: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        if timeout <= 0:
            raise ConfigurationError("timeout must be a positive number of seconds")
        if max_output_bytes < 1:
            raise ConfigurationError("max_output_bytes must be at least 1")
        self.timeout = timeout
        self.max_output_bytes = max_output_bytes
        self.env = dict(env or {})
        self.interpreters = {
            k: list(v) for k, v in (interpreters or default_interpreters()).items()
        }
        self._running: set[asyncio.subprocess.Process] = set()

    def command(
        self, skill: Skill, script_name: str, arguments: dict[str, str] | None = None
    ) -> list[str]:
        """The argument list that runs the script (checked, never a shell string)."""
        if not skill.has_scripts and skill.path is not None:
            raise SkillFileError(f"skill {skill.name!r} has no scripts/ folder")
        script = skill.file_in(SCRIPTS_DIR, script_name)
        argv = [*self.interpreters.get(script.suffix, []), str(script)]
        if len(argv) == 1 and not os.access(script, os.X_OK):
            raise SkillFileError(
                f"{SCRIPTS_DIR}/{script_name} is not executable and its suffix has no "
                f"interpreter (known: {sorted(self.interpreters)})"
            )
        for name, value in (arguments or {}).items():
            if not _ARGUMENT_NAME.match(str(name)):
                raise SkillFileError(
                    f"argument name {name!r} must be letters, digits, '-' or '_' (max 64)"
                )
            argv += [f"--{name}", str(value)]
        return argv

    def environment(self, skill: Skill) -> dict[str, str]:
        """The environment a script runs with: minimal, plus ``env`` and ``SKILL_DIR``."""
        environ = {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}
        environ.update(self.env)
        if skill.path is not None:
            environ["SKILL_DIR"] = str(skill.path)
        return environ

    async def execute(
        self, skill: Skill, script_name: str, arguments: dict[str, str] | None = None
    ) -> ScriptResult:
        argv = self.command(skill, script_name, arguments)
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=str(skill.path) if skill.path is not None else None,
            env=self.environment(skill),
            start_new_session=True,
        )
        self._running.add(process)
        assert process.stdout is not None
        assert process.stderr is not None
        out = asyncio.ensure_future(self._read(process.stdout))
        err = asyncio.ensure_future(self._read(process.stderr))
        timed_out = False
        try:
            await asyncio.wait_for(process.wait(), self.timeout)
        except TimeoutError:
            timed_out = True
            self._kill(process)
            await process.wait()
        finally:
            self._running.discard(process)
        (stdout, out_cut), (stderr, err_cut) = await asyncio.gather(out, err)
        exit_code = process.returncode if process.returncode is not None else -1
        if timed_out:
            stderr += f"\n[roomkit] script stopped after {self.timeout:g}s time limit"
        return ScriptResult(
            exit_code=exit_code,
            stdout=stdout,
            stderr=stderr,
            success=exit_code == 0 and not timed_out,
            metadata={
                "timed_out": timed_out,
                "truncated": out_cut or err_cut,
                "duration": round(time.monotonic() - started, 3),
                "script": script_name,
            },
        )

    async def _read(self, stream: asyncio.StreamReader) -> tuple[str, bool]:
        """Up to ``max_output_bytes`` of ``stream``; the rest is read and dropped."""
        kept = bytearray()
        cut = False
        while chunk := await stream.read(_CHUNK):
            room = self.max_output_bytes - len(kept)
            if room > 0:
                kept += chunk[:room]
            if len(chunk) > room:
                cut = True
        return kept.decode("utf-8", errors="replace"), cut

    @staticmethod
    def _kill(process: asyncio.subprocess.Process) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()

    async def close(self) -> None:
        """Kill scripts still running."""
        for process in list(self._running):
            self._kill(process)
        self._running.clear()
