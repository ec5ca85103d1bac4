"""SKILL.md parsing and validation: the format RoomKit 0.6.7 reads, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from roomkit.errors import RoomKitError
from roomkit.skills import SkillParseError, SkillValidationError, parse_skill
from roomkit.skills.parser import parse_frontmatter, parse_skill_metadata

from .conftest import SkillMaker


def test_full_skill_file(make_skill: SkillMaker) -> None:
    folder = make_skill(
        "pdf-tools",
        "name: pdf-tools\n"
        "description: Extract text from PDFs. Use when a PDF arrives.\n"
        "license: MIT\n"
        "compatibility: needs python3\n"
        "allowed-tools: Read Bash(git status:*)\n"
        "metadata:\n"
        "  author: docs-team\n"
        '  version: "1.0"\n'
        "custom-key: hello",
        "# PDF tools\n\nRun the script.\n",
    )
    skill = parse_skill(folder)
    meta = skill.metadata
    assert meta.name == "pdf-tools"
    assert meta.description == "Extract text from PDFs. Use when a PDF arrives."
    assert meta.license == "MIT"
    assert meta.compatibility == "needs python3"
    assert meta.allowed_tools == "Read Bash(git status:*)"
    assert meta.gated_tool_names == ["Read", "Bash(git status:*)"]
    assert meta.extra_metadata == {"author": "docs-team", "version": "1.0", "custom-key": "hello"}
    assert skill.instructions == "# PDF tools\n\nRun the script."
    assert skill.path == folder.resolve()
    assert parse_skill_metadata(folder) == meta


def test_yaml_values_are_decoded() -> None:
    data, body = parse_frontmatter(
        "\ufeff---\r\n"
        "# a comment\r\n"
        "name: x\r\n"
        "single: 'it''s: fine'\r\n"
        'double: "say \\"hi\\""\r\n'
        "plain: value # trailing comment\r\n"
        "folded: >\r\n  line one\r\n  line two\r\n\r\n  next paragraph\r\n"
        "literal: |\r\n  keep\r\n  lines\r\n"
        "flow: [Read, 'Write']\r\n"
        "block:\r\n  - one\r\n  - two\r\n"
        "empty:\r\n"
        "---\r\nBody\r\n"
    )
    assert data == {
        "name": "x",
        "single": "it's: fine",
        "double": 'say "hi"',
        "plain": "value",
        "folded": "line one line two\nnext paragraph",
        "literal": "keep\nlines",
        "flow": ["Read", "Write"],
        "block": ["one", "two"],
        "empty": "",
    }
    assert body == "Body"


def test_allowed_tools_as_list_or_underscore_key(make_skill: SkillMaker) -> None:
    listed = make_skill("a", "name: a\ndescription: d\nallowed-tools:\n  - Read\n  - Write")
    assert parse_skill(listed).metadata.gated_tool_names == ["Read", "Write"]
    underscored = make_skill("b", "name: b\ndescription: d\nallowed_tools: Read, Grep")
    assert parse_skill(underscored).metadata.gated_tool_names == ["Read", "Grep"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("no frontmatter", "must start with a '---' line"),
        ("\n---\nname: x\n---\n", "must start with a '---' line"),
        ("---\nname: x\ndescription: d\n", "not closed"),
        ("---\nname: x\nnot a pair\n---\n", "line 3: expected 'key: value'"),
        ("---\nname: x\nname: y\n---\n", "'name' is given twice"),
        ("---\nname: 'x\n---\n", "unterminated single quote"),
        ('---\nname: "x\n---\n', "malformed double-quoted"),
        ("---\n  name: x\n---\n", "unexpected indentation"),
        ("---\nname: x\n  sub: y\n---\n", "has a value and indented lines"),
    ],
)
def test_malformed_frontmatter_is_a_parse_error(text: str, match: str) -> None:
    with pytest.raises(SkillParseError, match=match) as caught:
        parse_frontmatter(text)
    assert isinstance(caught.value, RoomKitError)


@pytest.mark.parametrize(
    ("folder", "frontmatter", "problem"),
    [
        ("x", "description: d", "'name' is missing"),
        ("x", "name: x", "'description' is missing"),
        ("x", "name: x\ndescription:", "'description' is missing"),
        ("Upper", "name: Upper\ndescription: d", "must be kebab-case"),
        ("a--b", "name: a--b\ndescription: d", "must be kebab-case"),
        ("-a", "name: -a\ndescription: d", "must be kebab-case"),
        ("a_b", "name: a_b\ndescription: d", "must be kebab-case"),
        ("dir", "name: other\ndescription: d", "must equal the folder's name 'dir'"),
        ("a" * 65, f"name: {'a' * 65}\ndescription: d", "65 characters; the limit is 64"),
        ("x", f"name: x\ndescription: {'d' * 1025}", "1025 characters; the limit is 1024"),
        ("x", "name: x\ndescription: [a, b]", "'description' must be a single value"),
    ],
)
def test_rule_breaking_metadata_is_a_validation_error(
    make_skill: SkillMaker, folder: str, frontmatter: str, problem: str
) -> None:
    path = make_skill(folder, frontmatter)
    with pytest.raises(SkillValidationError, match=problem) as caught:
        parse_skill(path)
    assert caught.value.folder == path.resolve()
    assert any(problem in p for p in caught.value.problems)


def test_limits_are_inclusive(make_skill: SkillMaker) -> None:
    name = "a" * 64
    path = make_skill(name, f"name: {name}\ndescription: {'d' * 1024}")
    assert parse_skill(path).name == name


def test_every_problem_is_reported_at_once(make_skill: SkillMaker) -> None:
    path = make_skill("dir", "name: Bad_Name")
    with pytest.raises(SkillValidationError) as caught:
        parse_skill(path)
    assert len(caught.value.problems) == 3  # not kebab-case, not the folder name, no description


def test_missing_file_lowercase_name_and_size_limit(tmp_path: Path) -> None:
    with pytest.raises(SkillParseError, match=r"has no SKILL\.md"):
        parse_skill(tmp_path)
    lower = tmp_path / "lower"
    lower.mkdir()
    (lower / "skill.md").write_text("---\nname: lower\ndescription: d\n---\nbody")
    assert parse_skill(lower).instructions == "body"
    big = tmp_path / "big"
    big.mkdir()
    (big / "SKILL.md").write_text("---\nname: big\ndescription: d\n---\n" + "x" * 1_000_001)
    with pytest.raises(SkillParseError, match="larger than"):
        parse_skill(big)
