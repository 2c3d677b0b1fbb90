"""docs/cli.md: the command-line reference, generated from the commands' --help texts.

Regenerate it with ``.venv/bin/python -m nianbao.cli.reference > docs/cli.md``; tests/test_docs.py
fails when it is not current. Nothing here depends on the terminal: the texts are taken from the
commands themselves, not from a formatted (wrapped) --help screen.
"""

from __future__ import annotations

import inspect
import re
import sys

import click

from . import main

REGENERATE = ".venv/bin/python -m nianbao.cli.reference > docs/cli.md"
WIDTH = 100  # the help formatter's width, fixed (click would take the terminal's)


_SPECIAL = re.compile(r"[*|]|<(?=[A-Za-z/!?])")  # emphasis, a table cell's end, an HTML tag


def _text(text: str) -> str:
    """Help text (ours, not a user's) as Markdown that shows as this text."""
    return _SPECIAL.sub(lambda m: "&lt;" if m[0] == "<" else "\\" + m[0], text)


def _code(text: str) -> str:
    """`text` as a code span (in a table, its | escaped)."""
    return "`" + text.replace("|", "\\|") + "`"


def _join(lines: list[str]) -> str:
    """The lines of a paragraph as one line, as --help rewraps them; no space between two
    Chinese characters."""
    out = ""
    for line in (x.strip() for x in lines):
        if out and line:
            out += "" if not out[-1].isascii() and not line[0].isascii() else " "
        out += line
    return out


def _paragraphs(help_text: str | None) -> list[str]:
    """A command's help as Markdown paragraphs. A paragraph click keeps unwrapped (its first
    line is \\b) keeps its line breaks; the others are joined, as --help shows them."""
    text = inspect.cleandoc(help_text or "").partition("\f")[0]
    out = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and lines[0].strip() == "\b":
            out.append("\\\n".join(_text(line.strip()) for line in lines[1:]))
        elif lines:
            out.append(_text(_join(lines)))
    return out


def _type(param: click.Parameter) -> str:
    """An argument's type as --help names it: PATH, TEXT, INTEGER RANGE (1<=x<=1000000)."""
    info = param.type.to_info_dict()
    name = str(info.get("name", "text")).upper()
    low, high = info.get("min"), info.get("max")
    if low is None and high is None:
        return name
    bounds = [
        f"{low}{'<' if info.get('min_open') else '<='}" if low is not None else "",
        "x",
        f"{'<' if info.get('max_open') else '<='}{high}" if high is not None else "",
    ]
    return f"{name} ({''.join(bounds)})"


def _count(param: click.Parameter) -> str:
    if param.nargs == -1:
        return "一个或多个" if param.required else "零个或多个"
    return "必需" if param.required else "可省略"


def _command(ctx: click.Context) -> list[str]:
    """One command's section: usage, help, arguments and options."""
    cmd = ctx.command
    usage = " ".join([ctx.command_path, *cmd.collect_usage_pieces(ctx)])
    lines = [f"## {ctx.command_path}", "", "```", usage, "```", ""]
    for paragraph in _paragraphs(cmd.help):
        lines += [paragraph, ""]
    params = cmd.get_params(ctx)
    arguments = [p for p in params if isinstance(p, click.Argument)]
    if arguments:
        lines += ["| 参数 | 类型 | 个数 |", "|---|---|---|"]
        lines += [f"| {_code(p.make_metavar(ctx))} | {_type(p)} | {_count(p)} |" for p in arguments]
        lines.append("")
    records = [r for p in params if isinstance(p, click.Option) and (r := p.get_help_record(ctx))]
    if records:
        lines += ["| 选项 | 说明 |", "|---|---|"]
        lines += [f"| {_code(name)} | {_text(help_text)} |" for name, help_text in records]
        lines.append("")
    return lines


def cli_markdown(group: click.Group = main) -> str:
    """docs/cli.md: the group's help, an index of its commands and each command's section."""
    ctx = group.make_context(
        "nianbao", [], resilient_parsing=True, terminal_width=WIDTH, max_content_width=WIDTH
    )
    commands = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    lines = [
        "# 命令行参考 CLI reference",
        "",
        f"<!-- generated from the --help texts by `{REGENERATE}`; do not edit by hand -->",
        "",
        "```",
        " ".join([ctx.command_path, *group.collect_usage_pieces(ctx)]),
        "```",
        "",
    ]
    for paragraph in _paragraphs(group.help):
        lines += [paragraph, ""]
    lines += ["| 命令 | 说明 |", "|---|---|"]
    for name, cmd in commands:
        if cmd is not None:
            summary = _paragraphs(cmd.help)[0]
            lines.append(f"| [{_code(f'nianbao {name}')}](#nianbao-{name}) | {summary} |")
    lines.append("")
    records = [
        r for p in group.get_params(ctx) if isinstance(p, click.Option) and (r := p.get_help_record(ctx))
    ]
    lines += ["| 选项 | 说明 |", "|---|---|"]
    lines += [f"| {_code(name)} | {_text(help_text)} |" for name, help_text in records]
    lines.append("")
    for name, cmd in commands:
        if cmd is not None:
            with cmd.make_context(name, [], parent=ctx, resilient_parsing=True) as sub:
                lines += _command(sub)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.buffer.write(cli_markdown().encode("utf-8"))
