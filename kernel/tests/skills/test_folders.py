"""SkillRegistry with skill folders: discover, lookups, prompt XML and the skill tools."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from roomkit.errors import ConfigurationError
from roomkit.skills import (
    ScriptResult,
    Skill,
    SkillFileError,
    SkillFileNotFoundError,
    SkillMetadata,
    SkillRegistry,
    SkillValidationError,
)
from roomkit.skills.executor import ScriptExecutor
from roomkit.tools import UnknownToolError

from .conftest import SkillMaker


def test_discover_registers_valid_folders_and_skips_the_rest(
    make_skill: SkillMaker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_skill("alpha", "name: alpha\ndescription: First <one> & only")
    make_skill("beta", "name: beta\ndescription: Second")
    make_skill("wrong", "name: not-wrong\ndescription: d")
    (tmp_path / "skills" / "no-skill-file").mkdir()
    (tmp_path / "skills" / "loose.txt").write_text("x")
    nested = tmp_path / "skills" / "group" / "deep"
    nested.mkdir(parents=True)
    (nested / "SKILL.md").write_text("---\nname: deep\ndescription: d\n---\n")
    registry = SkillRegistry()
    with caplog.at_level(logging.WARNING, logger="roomkit.skills"):
        count = registry.discover(tmp_path / "skills", tmp_path / "missing")
    assert count == 2
    assert registry.skill_names == ["alpha", "beta"]
    assert registry.skill_count == 2
    warnings = " ".join(r.getMessage() for r in caplog.records)
    assert "must equal the folder's name 'wrong'" in warnings
    assert "missing does not exist" in warnings


def test_lookups_read_instructions_when_asked(make_skill: SkillMaker, tmp_path: Path) -> None:
    folder = make_skill("alpha", "name: alpha\ndescription: First", "Old body")
    registry = SkillRegistry()
    registry.discover(tmp_path / "skills")
    assert registry.get_metadata("alpha") == SkillMetadata(name="alpha", description="First")
    assert registry.all_metadata() == [registry.get_metadata("alpha")]
    (folder / "SKILL.md").write_text("---\nname: alpha\ndescription: First\n---\nNew body")
    skill = registry.get_skill("alpha")
    assert skill is not None
    assert skill.instructions == "New body"
    assert registry.get_skill("nope") is None
    assert registry.get_metadata("nope") is None


def test_a_later_folder_replaces_an_earlier_one(make_skill: SkillMaker, tmp_path: Path) -> None:
    make_skill("alpha", "name: alpha\ndescription: shared", root="shared")
    make_skill("alpha", "name: alpha\ndescription: project", "project body", root="project")
    registry = SkillRegistry()
    assert registry.discover(tmp_path / "shared", tmp_path / "project") == 2
    assert registry.skill_names == ["alpha"]
    skill = registry.get_skill("alpha")
    assert skill is not None
    assert skill.instructions == "project body"


def test_register_takes_a_folder_or_a_skill(make_skill: SkillMaker) -> None:
    folder = make_skill("alpha", "name: alpha\ndescription: d")
    registry = SkillRegistry()
    meta = registry.register(str(folder))
    assert meta == SkillMetadata(name="alpha", description="d")
    handler_skill = Skill(metadata=SkillMetadata(name="beta"), handler=lambda args: "ok")
    assert registry.register(handler_skill) is handler_skill
    assert registry.skill_names == ["alpha", "beta"]
    with pytest.raises(ConfigurationError, match="already registered"):
        registry.register(Skill(metadata=SkillMetadata(name="alpha"), handler=print))
    bad = make_skill("bad", "name: other\ndescription: d")
    with pytest.raises(SkillValidationError):
        registry.register(bad)
    with pytest.raises(ConfigurationError, match="takes a Skill or a skill folder"):
        registry.register(42)  # type: ignore[arg-type]
    assert registry.unregister("alpha")
    assert registry.skill_names == ["beta"]


def test_prompt_xml_lists_folders_escaped(make_skill: SkillMaker, tmp_path: Path) -> None:
    registry = SkillRegistry()
    assert registry.to_prompt_xml() == ""
    make_skill("alpha", 'name: alpha\ndescription: "Use <b> & co"\nlicense: MIT')
    make_skill("beta", "name: beta\ndescription: Plain\ncompatibility: python3")
    registry.discover(tmp_path / "skills")
    assert registry.to_prompt_xml() == (
        "<available_skills>\n"
        '  <skill name="alpha">\n'
        "    <description>Use &lt;b&gt; &amp; co</description>\n"
        "    <license>MIT</license>\n"
        "  </skill>\n"
        '  <skill name="beta">\n'
        "    <description>Plain</description>\n"
        "    <compatibility>python3</compatibility>\n"
        "  </skill>\n"
        "</available_skills>"
    )


def test_skill_files_are_listed_and_read_safely(make_skill: SkillMaker, tmp_path: Path) -> None:
    folder = make_skill(
        "alpha",
        "name: alpha\ndescription: d",
        scripts={"run.py": "print(1)", ".hidden": ""},
        references={"guide.md": "Guide text"},
    )
    (tmp_path / "secret.txt").write_text("secret")
    registry = SkillRegistry()
    registry.register(folder)
    skill = registry.get_skill("alpha")
    assert skill is not None
    assert skill.has_scripts
    assert skill.list_scripts() == ["run.py"]
    assert skill.has_references
    assert skill.list_references() == ["guide.md"]
    assert skill.read_reference("guide.md") == "Guide text"
    for bad in ("../../secret.txt", "../SKILL.md", "sub/x.md", "/etc/hostname", "..", ""):
        with pytest.raises(SkillFileError, match="not a plain file name"):
            skill.read_reference(bad)
    with pytest.raises(SkillFileNotFoundError, match=r"has no references/nope.md"):
        skill.read_reference("nope.md")
    bare = Skill(SkillMetadata("bare", "d"), "text", tmp_path / "nowhere")
    assert not bare.has_scripts
    assert bare.list_references() == []


class RecordingExecutor(ScriptExecutor):
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str] | None]] = []

    async def execute(
        self, skill: Skill, script_name: str, arguments: dict[str, str] | None = None
    ) -> ScriptResult:
        self.calls.append((skill.name, script_name, arguments))
        return ScriptResult(exit_code=0, stdout=f"ran {script_name}")


async def test_skill_tools_for_a_model(make_skill: SkillMaker) -> None:
    folder = make_skill(
        "alpha",
        "name: alpha\ndescription: d\nallowed-tools: Read",
        "Do the thing.",
        scripts={"run.py": ""},
        references={"guide.md": "Guide"},
    )
    executor = RecordingExecutor()
    registry = SkillRegistry(script_executor=executor)
    registry.register(folder)
    assert [t.name for t in registry.tools()] == [
        "activate_skill",
        "read_skill_reference",
        "run_skill_script",
    ]
    activated = json.loads(await registry.handler("activate_skill", {"name": "alpha"}))
    assert activated == {
        "name": "alpha",
        "instructions": "Do the thing.",
        "scripts": ["run.py"],
        "references": ["guide.md"],
        "allowed_tools": ["Read"],
    }
    assert (
        await registry.handler(
            "read_skill_reference", {"skill_name": "alpha", "filename": "guide.md"}
        )
        == "Guide"
    )
    ran = json.loads(
        await registry.handler(
            "run_skill_script",
            {"skill_name": "alpha", "script_name": "run.py", "arguments": {"n": 1}},
        )
    )
    assert ran["stdout"] == "ran run.py"
    assert executor.calls == [("alpha", "run.py", {"n": "1"})]
    error = json.loads(await registry.handler("activate_skill", {"name": "nope"}))
    assert "no skill folder named 'nope'" in error["error"]
    bad_file = json.loads(
        await registry.handler("read_skill_reference", {"skill_name": "alpha", "filename": "../x"})
    )
    assert "not a plain file name" in bad_file["error"]
    with pytest.raises(UnknownToolError):
        await registry.handler("something_else", {})


async def test_no_script_tool_without_an_executor(make_skill: SkillMaker) -> None:
    registry = SkillRegistry()
    registry.register(make_skill("alpha", "name: alpha\ndescription: d"))
    assert "run_skill_script" not in [t.name for t in registry.tools()]
    with pytest.raises(UnknownToolError, match="no script executor"):
        await registry.handler("run_skill_script", {"skill_name": "alpha", "script_name": "x"})


async def test_keyword_only_handlers_get_keywords() -> None:
    async def weather(**kwargs: str) -> str:
        return f"sunny in {kwargs['city']}"

    registry = SkillRegistry()
    registry.register(Skill(metadata=SkillMetadata(name="weather"), handler=weather))
    assert await registry.handler("weather", {"city": "Oslo"}) == "sunny in Oslo"


async def test_instruction_skill_cannot_be_called_as_a_tool(make_skill: SkillMaker) -> None:
    folder = make_skill("alpha", "name: alpha\ndescription: d")
    skill = Skill(SkillMetadata("alpha", "d"), "text", folder)
    with pytest.raises(SkillFileError, match="not a handler"):
        await skill.run({})
