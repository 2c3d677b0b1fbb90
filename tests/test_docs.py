"""Documentation stays in step with the code: docs/rules.md, --help texts and the README."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nianbao.check.output import rules_markdown
from nianbao.check.registry import RULES
from nianbao.cli import main
from nianbao.cli.reference import REGENERATE as REGENERATE_CLI
from nianbao.cli.reference import cli_markdown

ROOT = Path(__file__).resolve().parent.parent
RULES_MD = ROOT / "docs" / "rules.md"
CLI_MD = ROOT / "docs" / "cli.md"
REGENERATE = ".venv/bin/nianbao rules --format md > docs/rules.md"
DOC_SECTIONS = ("检查什么", "为什么", "示例", "应当")
COMMANDS = ("parse", "check", "rules", "schema")


def rule_pages(markdown: str) -> dict[str, str]:
    """Each rule's part of docs/rules.md, by rule id (the part under its `## ID …` heading)."""
    pages = {}
    for part in markdown.split("\n## ")[1:]:
        pages[part.split(maxsplit=1)[0]] = part
    return pages


def test_rules_md_is_generated_from_the_registry():
    committed = RULES_MD.read_text(encoding="utf-8")
    assert committed == rules_markdown(), f"docs/rules.md is out of date; regenerate it: {REGENERATE}"


def test_cli_md_is_generated_from_the_help_texts(monkeypatch):
    committed = CLI_MD.read_text(encoding="utf-8")
    assert committed == cli_markdown(), f"docs/cli.md is out of date; regenerate it: {REGENERATE_CLI}"
    monkeypatch.setenv("COLUMNS", "30")  # the terminal's width changes nothing
    assert cli_markdown() == committed


def test_cli_md_documents_every_command_and_option():
    markdown = CLI_MD.read_text(encoding="utf-8")
    for name, cmd in main.commands.items():
        assert f"\n## nianbao {name}\n" in markdown
        page = markdown.split(f"\n## nianbao {name}\n")[1].split("\n## ")[0]
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert f"`{param.opts[-1]}" in page or f" {param.opts[-1]}" in page, (name, param.opts)
    anchors = {github_slug(h) for h in re.findall(r"^#{1,6} (.+)$", markdown, re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", markdown)
    assert len(links) == len(main.commands)
    assert [link for link in links if link not in anchors] == []


def test_rules_md_documents_every_rule():
    pages = rule_pages(RULES_MD.read_text(encoding="utf-8"))
    assert sorted(pages) == sorted(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_doc_has_the_four_sections(rule_id):
    doc = RULES[rule_id].doc()
    for title in DOC_SECTIONS:
        match = re.search(rf"^## {title}\b.*\n\n(.+)", doc, re.MULTILINE)
        assert match, f"{rule_id}: no “{title}” section"
        assert match.group(1).strip(), f"{rule_id}: “{title}” is empty"
    page = rule_pages(RULES_MD.read_text(encoding="utf-8"))[rule_id]
    for title in DOC_SECTIONS:
        assert f"\n### {title}" in page, f"docs/rules.md, {rule_id}: no “{title}” section"


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LNM")
    return kept.replace(" ", "-")


def test_rules_md_index_links_resolve():
    markdown = RULES_MD.read_text(encoding="utf-8")
    anchors = {github_slug(h) for h in re.findall(r"^#{1,6} (.+)$", markdown, re.MULTILINE)}
    anchors |= set(re.findall(r'<a (?:id|name)="([^"]+)"', markdown))
    links = re.findall(r"\]\(#([^)]+)\)", markdown)
    assert links
    assert [link for link in links if link not in anchors] == []


def test_the_cli_has_the_documented_commands():
    assert set(COMMANDS) <= set(main.commands)


@pytest.mark.parametrize("command", sorted(set(COMMANDS) | set(main.commands)))
def test_every_command_has_help(command):
    cmd = main.commands[command]
    assert cmd.help and cmd.help.strip(), f"nianbao {command}: no help text"
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert cmd.help.strip().splitlines()[0] in result.output
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help and param.help.strip(), f"nianbao {command} {param.opts[0]}: no help text"


def test_main_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in main.commands:
        assert command in result.output


@pytest.mark.parametrize("command", sorted(set(COMMANDS) | set(main.commands)))
def test_readme_mentions_every_command(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"nianbao {command}" in readme, f"README.md does not mention `nianbao {command}`"


def test_readme_points_to_the_rules_doc():
    assert "docs/rules.md" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("readme", sorted(p.name for p in ROOT.glob("README*.md")))
def test_readme_points_to_the_cli_reference(readme):
    assert "docs/cli.md" in (ROOT / readme).read_text(encoding="utf-8")


def test_the_rule_in_adding_a_rule_md_runs():
    """The guide's example rule registers, breaks on its failing case and holds on its passing one."""
    from nianbao.check.registry import RULES
    from nianbao.check.runner import Settings, check

    guide = (ROOT / "docs" / "adding-a-rule.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", guide, re.DOTALL)
    assert code, "docs/adding-a-rule.md: no python example"
    try:
        exec(compile(code.group(1), "adding-a-rule.md", "exec"), {})
        rule = RULES["T4-EXAMPLE"]
        failing = check(rule.failing.build(), Settings(select=[rule.id]))
        assert [tuple(f.cells) for f in failing] == list(rule.failing.expect)
        assert [f.message for f in failing] == ["表四“行政复议”行“结果纠正”列 3 大于总计 2"]
        assert check(rule.passing.build(), Settings(select=[rule.id])) == []
    finally:
        RULES.pop("T4-EXAMPLE", None)


def test_the_module_map_matches_the_code():
    """docs/architecture.md names every module (or its package, as `pkg/`) and nothing that is gone."""
    package = ROOT / "src" / "nianbao"
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    named = {n for n in re.findall(r"`([a-z_/]+(?:\.py|/))`", text) if not n.startswith(("tests/", "scripts/"))}
    modules = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if ("migrations" not in p.parts and p.name != "__init__.py") or p.parent == package
    }
    packages = {n for n in named if n.endswith("/")}
    unmapped = sorted(m for m in modules if m not in named and not any(m.startswith(p) for p in packages))
    assert unmapped == [], "modules missing from docs/architecture.md"
    gone = sorted(n for n in named if not (package / n).exists())
    assert gone == [], "docs/architecture.md names modules that do not exist"
