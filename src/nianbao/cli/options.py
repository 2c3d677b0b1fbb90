"""The options several commands share, each written once: --format, --out, --db, --year,
--template, --agency, the check settings and the corpus filters."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..agency import KIND_NAMES
from ..check import Settings
from ..check.runner import SettingsError
from ..model import YEARS
from ..template import TEMPLATES

F = TypeVar("F", bound=Callable[..., Any])


def _apply(fn: Callable[..., Any], options: Sequence[Callable[[Any], Any]]) -> Any:
    """`options` applied as decorators listed top to bottom (the order --help shows them)."""
    for option in reversed(options):
        fn = option(fn)
    return fn


def format_option(
    *choices: str, help: str, default: str | None = None, required: bool = False
) -> Callable[[F], F]:
    """--format (the parameter `fmt`): one of `choices`; a default or required."""
    if required:  # no default at all: click counts even a default of None as given
        return click.option("--format", "fmt", type=click.Choice(list(choices)), required=True, help=help)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=default is not None,
        help=help,
    )


def out_option(help: str = "写入文件而不是标准输出。", required: bool = False) -> Callable[[F], F]:
    """--out: the file (or folder) written, all or nothing; by default stdout, or required."""
    if required:  # no default at all: click counts even a default of None as given
        return click.option("--out", type=click.Path(), required=True, help=help)
    return click.option("--out", type=click.Path(), default=None, help=help)


def db_option(fn: F) -> F:
    """--db: the corpus database, the same for every command that reads or writes it."""
    return click.option(
        "--db",
        default=None,
        envvar="NIANBAO_DB",
        metavar="URL",
        help="语料库数据库：SQLite 文件路径（默认 ./nianbao.db）或 postgresql://… 地址；也可用环境变量 NIANBAO_DB。",
    )(fn)


def _year(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """--year within the years nianbao knows (a date built from 99999 would overflow)."""
    if value is not None and value not in YEARS:
        raise click.BadParameter(f"年度 {value} 超出范围（{YEARS.start}—{YEARS.stop - 1}）")
    return value


def year_option(help: str) -> Callable[[F], F]:
    """--year: the one year a command works on (required)."""
    return click.option("--year", type=int, required=True, callback=_year, help=help)


def template_option(help: str) -> Callable[[F], F]:
    """--template: a template id (the parameter `template`), default chosen by the year."""
    return click.option("--template", type=click.Choice(sorted(TEMPLATES)), default=None, help=help)


def agency_option(help: str, metavar: str | None = None) -> Callable[[F], F]:
    """--agency: the agency's name written into the report."""
    return click.option("--agency", default=None, metavar=metavar, help=help)


def _split(values: Sequence[str]) -> list[str]:
    """Repeated and comma-separated values as one list: `--select T3,F --select X`."""
    return [v.strip() for x in values for v in x.split(",") if v.strip()]


def settings_options(fn: F) -> F:
    """--select/--ignore/--min-severity/--config, given to the command as `settings` (Settings)."""

    @functools.wraps(fn)
    def with_settings(*args: Any, **kwargs: Any) -> Any:
        select, ignore = kwargs.pop("select"), kwargs.pop("ignore")
        min_severity, config = kwargs.pop("min_severity"), kwargs.pop("config")
        try:
            settings = Settings.load(
                config, select=_split(select), ignore=_split(ignore), min_severity=min_severity
            )
        except SettingsError as exc:
            raise click.UsageError(str(exc)) from None
        return fn(*args, settings=settings, **kwargs)

    options: list[Callable[[Any], Any]] = [
        click.option(
            "--select",
            multiple=True,
            metavar="ID",
            help="只运行这些规则（规则号或前缀，如 T3），可多次给出。",
        ),
        click.option(
            "--ignore", multiple=True, metavar="ID", help="不运行这些规则（规则号或前缀），可多次给出。"
        ),
        click.option(
            "--min-severity",
            type=click.Choice(["info", "warning", "error"]),
            default=None,
            help="只报告不低于此严重程度的问题（默认 info）。",
        ),
        click.option(
            "--config", type=click.Path(), default=None, help="设置文件（默认当前目录的 nianbao.toml）。"
        ),
    ]
    return _apply(with_settings, options)  # functools.wraps carries fn's click params over


def filter_options(fn: F) -> F:
    """--region/--year/--kind/--rule, given to the command as `filters` (store.Filters): which
    reports of the corpus it looks at."""

    @functools.wraps(fn)
    def with_filters(*args: Any, **kwargs: Any) -> Any:
        from ..store import Filters  # SQLAlchemy: only for the corpus commands

        region, years = kwargs.pop("region"), kwargs.pop("years")
        kinds, rules = kwargs.pop("kinds"), kwargs.pop("rules")
        return fn(*args, filters=Filters(region, tuple(years), tuple(kinds), tuple(rules)), **kwargs)

    options: list[Callable[[Any], Any]] = [
        click.option(
            "--region",
            default=None,
            help="地区：名称（山东省、烟台市、山东省烟台市）或行政区划代码（370600）。",
        ),
        click.option("--year", "years", multiple=True, type=int, help="报告年度，可多次给出。"),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(list(KIND_NAMES)),
            help="机关类型：government 人民政府、government_office 政府办公室、department 政府部门、township 乡镇（街道），可多次给出。",
        ),
        click.option(
            "--rule",
            "rules",
            multiple=True,
            metavar="ID",
            help="只看有此规则问题的报告（规则号或前缀），可多次给出。",
        ),
    ]
    return _apply(with_filters, options)
