"""`nianbao serve` (the reviewers' workbench) and `nianbao user` (its accounts)."""

from __future__ import annotations

import os

import click

from .inputs import open_corpus
from .options import db_option
from .output import echo


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="监听的地址（对外服务时放在反向代理之后）。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听的端口。")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="工作进程数（PostgreSQL 时可多于 1）。"
)
@click.option(
    "--proxy",
    "proxies",
    default=None,
    metavar="IP",
    help="信任这些反向代理传来的 X-Forwarded-For/-Proto（逗号分隔的地址，如 127.0.0.1）。",
)
def serve_cmd(db: str | None, host: str, port: int, workers: int, proxies: str | None) -> None:
    """启动审核工作台（网页）：报告列表、报告与原文对照、问题与审核。

    与 ingest、export 使用同一个语料库。先用 nianbao user add 建立账号。按 Ctrl-C 停止。
    """
    import uvicorn

    open_corpus(db, create=True).close()  # create and migrate the corpus once, before the workers
    if db:
        os.environ["NIANBAO_DB"] = db
    echo(f"审核工作台：http://{host}:{port}/ （按 Ctrl-C 停止）")
    uvicorn.run(
        "nianbao.serve.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies,
        server_header=False,
        log_level="warning",
    )


@click.group("user")
def user_cmd() -> None:
    """管理审核工作台的账号。"""


@user_cmd.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["admin", "reviewer", "viewer", "filer"]),
    required=True,
    help="admin 管理员；reviewer 审核员（本地区报告）；viewer 只读；filer 填报人（本机关报告）。",
)
@click.option("--region", default=None, metavar="CODE", help="所辖地区的 6 位行政区划代码（默认全部地区）。")
@click.option("--agency", default=None, metavar="NAME", help="填报人所属机关（与报告中的机关名称一致）。")
@db_option
def user_add_cmd(name: str, role: str, region: str | None, agency: str | None, db: str | None) -> None:
    """新建账号。密码取自环境变量 NIANBAO_PASSWORD，否则在终端输入（输入两次）。"""
    from ..store.users import add_user

    password = os.environ.get("NIANBAO_PASSWORD") or click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")
    corpus = open_corpus(db, create=True)
    try:
        user = add_user(corpus.engine, name, password, role, region, agency)  # AccountError: exit 2
    finally:
        corpus.close()
    echo(f"已建立账号 {user.name}（{user.role_name}，{user.region_name}）")


@user_cmd.command("list")
@db_option
def user_list_cmd(db: str | None) -> None:
    """列出账号。"""
    from ..store.users import list_users

    corpus = open_corpus(db)
    try:
        for user in list_users(corpus.engine):
            echo(f"{user.name}\t{user.role_name}\t{user.region_name}\t{user.agency or ''}")
    finally:
        corpus.close()
