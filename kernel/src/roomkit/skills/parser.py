"""Reading skill folders: ``SKILL.md`` frontmatter, validation, and the :class:`Skill` built.

A ``SKILL.md`` starts with a frontmatter block between two ``---`` lines, then Markdown
instructions::

    ---
    name: pdf-tools
    description: Extract text from PDF files. Use when the user sends a PDF.
    license: MIT
    allowed-tools: Read Bash(python:*)
    metadata:
      author: docs-team
    ---
    # PDF tools
    ...

The frontmatter is the small subset of YAML these files use: ``key: value`` lines with plain,
single- or double-quoted values, ``|`` and ``>`` block values, ``[a, b]`` and ``- item`` lists,
one nested mapping level (``metadata:``), and ``#`` comments. Anything else is a
:class:`SkillParseError` naming the line, never silently dropped. Rules checked afterwards
(:class:`SkillValidationError`): ``name`` is kebab-case, at most 64 characters and equal to
the folder's name; ``description`` is present and at most 1024 characters.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from roomkit.skills.errors import SkillParseError, SkillValidationError
from roomkit.skills.models import Skill, SkillMetadata

__all__ = [
    "MAX_DESCRIPTION_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_SKILL_FILE_BYTES",
    "FrontmatterValue",
    "find_skill_md",
    "parse_frontmatter",
    "parse_skill",
    "parse_skill_metadata",
    "validate_metadata",
]

MAX_NAME_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 1024
MAX_SKILL_FILE_BYTES = 1_000_000
"""A ``SKILL.md`` larger than this is refused (instructions belong in references/)."""

SKILL_FILE_NAMES = ("SKILL.md", "skill.md")

FrontmatterValue = str | list[str] | dict[str, str]

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_][A-Za-z0-9_.-]*)\s*:(?:\s+(?P<value>.*?))?\s*$")
_FIELDS = {"name", "description", "license", "compatibility"}
_ALLOWED_TOOLS = {"allowed-tools", "allowed_tools"}


def find_skill_md(folder: Path) -> Path | None:
    """The ``SKILL.md`` (or ``skill.md``) of ``folder``, if it has one."""
    for file_name in SKILL_FILE_NAMES:
        candidate = folder / file_name
        if candidate.is_file():
            return candidate
    return None


def _split(text: str) -> tuple[list[str], str]:
    """Frontmatter lines and the body after the closing ``---``."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SkillParseError(
            "SKILL.md must start with a '---' line opening the frontmatter "
            "(name and description), then a closing '---' line"
        )
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return lines[1:index], "\n".join(lines[index + 1 :]).strip()
    raise SkillParseError("SKILL.md frontmatter is not closed: add a '---' line after it")


def _unquote(raw: str, line_no: int) -> str:
    """A scalar value: quotes decoded, a trailing ``# comment`` dropped from plain values."""
    if raw.startswith("'"):
        if len(raw) < 2 or not raw.endswith("'"):
            raise SkillParseError(f"frontmatter line {line_no}: unterminated single quote")
        return raw[1:-1].replace("''", "'")
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except ValueError:
            raise SkillParseError(
                f"frontmatter line {line_no}: malformed double-quoted value {raw}"
            ) from None
        if not isinstance(value, str):
            raise SkillParseError(f"frontmatter line {line_no}: expected a string, got {raw}")
        return value
    comment = raw.find(" #")
    return (raw[:comment] if comment >= 0 else raw).strip()


def _flow_list(raw: str, line_no: int) -> list[str]:
    inner = raw[1:-1].strip()
    if not inner:
        return []
    return [_unquote(item.strip(), line_no) for item in inner.split(",")]


def _block_scalar(style: str, lines: list[str]) -> str:
    """The text of a ``|`` (kept lines) or ``>`` (folded lines) block."""
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    stripped = [line[cut:] if line.strip() else "" for line in lines]
    while stripped and not stripped[-1]:
        stripped.pop()
    if style.startswith("|"):
        return "\n".join(stripped)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in stripped:
        if line:
            current.append(line.strip())
        else:
            paragraphs.append(" ".join(current))
            current = []
    paragraphs.append(" ".join(current))
    return "\n".join(paragraphs).strip()


def _continues(line: str) -> bool:
    """Whether ``line`` belongs to the value of the key above it."""
    return not line.strip() or line[0].isspace() or line.startswith("- ") or line == "-"


def parse_frontmatter(content: str) -> tuple[dict[str, FrontmatterValue], str]:
    """The frontmatter of a ``SKILL.md`` as a mapping, and the instructions after it."""
    lines, body = _split(content)
    data: dict[str, FrontmatterValue] = {}
    index = 0
    while index < len(lines):
        line_no = index + 2  # the opening '---' is line 1
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace():
            raise SkillParseError(
                f"frontmatter line {line_no}: unexpected indentation in {line.strip()!r}"
            )
        match = _KEY_LINE.match(line)
        if match is None:
            raise SkillParseError(
                f"frontmatter line {line_no}: expected 'key: value', got {line.strip()!r}"
            )
        key, raw = match.group("key"), (match.group("value") or "")
        if key in data:
            raise SkillParseError(f"frontmatter line {line_no}: {key!r} is given twice")
        block: list[str] = []
        while index < len(lines) and _continues(lines[index]):
            block.append(lines[index])
            index += 1
        if raw[:1] in {"|", ">"} and raw.rstrip("+-") in {"|", ">"}:
            data[key] = _block_scalar(raw, block)
            continue
        items = [b for b in block if b.strip() and not b.strip().startswith("#")]
        if raw and items:
            raise SkillParseError(
                f"frontmatter line {line_no}: {key!r} has a value and indented lines under it"
            )
        if raw.startswith("[") and raw.endswith("]"):
            data[key] = _flow_list(raw, line_no)
        elif raw:
            data[key] = _unquote(raw, line_no)
        elif not items:
            data[key] = ""
        elif all(item.strip().startswith("- ") or item.strip() == "-" for item in items):
            data[key] = [_unquote(item.strip()[1:].strip(), line_no) for item in items]
        else:
            mapping: dict[str, str] = {}
            for item in items:
                sub = _KEY_LINE.match(item.strip())
                if sub is None:
                    raise SkillParseError(
                        f"frontmatter: under {key!r}, expected 'key: value', got {item.strip()!r}"
                    )
                mapping[sub.group("key")] = _unquote(sub.group("value") or "", line_no)
            data[key] = mapping
    return data, body


def _text(value: FrontmatterValue) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(value)
    return json.dumps(value, sort_keys=True)


def validate_metadata(data: dict[str, FrontmatterValue], folder: Path) -> list[str]:
    """Every rule the frontmatter breaks, each as a sentence saying what to fix."""
    problems: list[str] = []
    name = data.get("name")
    if not name:
        problems.append("'name' is missing: add 'name: <folder name>' to the frontmatter")
    elif not isinstance(name, str):
        problems.append("'name' must be a single value")
    else:
        if len(name) > MAX_NAME_LENGTH:
            problems.append(f"'name' has {len(name)} characters; the limit is {MAX_NAME_LENGTH}")
        if not _KEBAB.match(name):
            problems.append(
                f"'name' {name!r} must be kebab-case: lowercase letters and digits in words "
                "joined by single hyphens"
            )
        if name != folder.name:
            problems.append(f"'name' {name!r} must equal the folder's name {folder.name!r}")
    description = data.get("description")
    if not description:
        problems.append("'description' is missing: say what the skill does and when to use it")
    elif not isinstance(description, str):
        problems.append("'description' must be a single value")
    elif len(description) > MAX_DESCRIPTION_LENGTH:
        problems.append(
            f"'description' has {len(description)} characters; "
            f"the limit is {MAX_DESCRIPTION_LENGTH}"
        )
    for key in ("license", "compatibility"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{key!r} must be a single value")
    return problems


def _metadata(data: dict[str, FrontmatterValue]) -> SkillMetadata:
    extra: dict[str, str] = {}
    allowed: str | None = None
    for key, value in data.items():
        if key in _FIELDS:
            continue
        if key in _ALLOWED_TOOLS:
            allowed = " ".join(value) if isinstance(value, list) else _text(value)
        elif key == "metadata" and isinstance(value, dict):
            extra.update(value)
        else:
            extra[key] = _text(value)

    def optional(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value else None

    return SkillMetadata(
        name=str(data["name"]),
        description=str(data["description"]),
        license=optional("license"),
        compatibility=optional("compatibility"),
        allowed_tools=allowed,
        extra_metadata=extra,
    )


def _read(folder: Path) -> tuple[dict[str, FrontmatterValue], str]:
    skill_file = find_skill_md(folder)
    if skill_file is None:
        raise SkillParseError(f"{folder} has no SKILL.md; a skill folder needs one")
    with skill_file.open("rb") as handle:
        raw = handle.read(MAX_SKILL_FILE_BYTES + 1)
    if len(raw) > MAX_SKILL_FILE_BYTES:
        raise SkillParseError(
            f"{skill_file} is larger than {MAX_SKILL_FILE_BYTES} bytes; "
            "move long material into references/"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SkillParseError(f"{skill_file} is not UTF-8 text: {exc}") from None
    try:
        data, body = parse_frontmatter(text)
    except SkillParseError as exc:
        raise SkillParseError(f"{skill_file}: {exc}") from None
    problems = validate_metadata(data, folder)
    if problems:
        raise SkillValidationError(folder, problems)
    return data, body


def parse_skill_metadata(folder: Path | str) -> SkillMetadata:
    """The validated metadata of the skill in ``folder`` (instructions are not kept)."""
    data, _ = _read(Path(folder).resolve())
    return _metadata(data)


def parse_skill(folder: Path | str) -> Skill:
    """The skill in ``folder``: validated metadata, instructions and the folder's path."""
    path = Path(folder).resolve()
    data, body = _read(path)
    return Skill(metadata=_metadata(data), instructions=body, path=path)
