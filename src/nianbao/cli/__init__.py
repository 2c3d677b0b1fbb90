"""The `nianbao` command: a thin layer over the library (options → one call → formatter).

One module per command or family of commands (parse, check, render, register, generate,
corpus, schema); the options they share are in :mod:`.options`, what they write in
:mod:`.output`. docs/cli.md is generated from the --help texts (:mod:`.reference`).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import UserError
from ..outfile import OutputError
from ..read import ReadError
from ..version import __version__
from .check import check_cmd, rules_cmd
from .corpus import export_cmd, ingest_cmd, stats_cmd
from .generate import generate_cmd
from .output import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    EXIT_UNREADABLE,
    debug,
    error,
    flush_stdout,
    pipe_closed,
)
from .parse import parse_cmd
from .register import register_cmd
from .render import render_cmd, template_cmd
from .schema import schema_cmd
from .serve import serve_cmd, user_cmd

COMMANDS = (
    parse_cmd,
    check_cmd,
    rules_cmd,
    render_cmd,
    register_cmd,
    template_cmd,
    generate_cmd,
    ingest_cmd,
    export_cmd,
    stats_cmd,
    schema_cmd,
    serve_cmd,
    user_cmd,
)


class _Guarded(click.Group):
    """The command group. Its guard is the last line of defence: whatever a command did not
    foresee ends as one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("\nnianbao: 已中断", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            pipe_closed()
        except (ReadError, OutputError) as exc:
            error(exc.path, exc.reason)
            sys.exit(EXIT_UNREADABLE)
        except UserError as exc:  # a setting, the database, a missing font: the message says what
            click.echo(f"nianbao: {exc}", err=True)
            sys.exit(EXIT_UNREADABLE)
        except MemoryError:
            click.echo("nianbao: 内存不足，无法完成", err=True)
            sys.exit(EXIT_INTERNAL)
        except Exception:
            if debug():
                raise
            where = f"{ctx.invoked_subcommand} 命令，" if ctx.invoked_subcommand else ""
            click.echo(
                f"nianbao: 内部错误（{where}nianbao {__version__}）：请报告此问题"
                "（设置环境变量 NIANBAO_DEBUG=1 可显示详细信息）",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            result = super().main(*args, **kwargs)
        except SystemExit:
            flush_stdout()
            raise
        flush_stdout()
        return result


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def main() -> None:
    """nianbao：政府信息公开工作年度报告的解析、校验与生成。

    \b
    退出码：0 成功；1 有错误级问题；2 有输入无法读取，或输出无法写入（--out）；
    3 内部错误（请报告此问题，设置 NIANBAO_DEBUG=1 显示详细信息）；130 被中断（Ctrl-C）；
    141 输出管道被关闭（如 | head）。
    """


for _command in COMMANDS:
    main.add_command(_command)

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PIPE_CLOSED",
    "EXIT_UNREADABLE",
    "main",
]
