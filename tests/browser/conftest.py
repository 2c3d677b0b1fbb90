"""The browser tests' fixtures: one chromium per session (Debian's, driven by Playwright; nothing is
downloaded), a live workbench per module (uvicorn in a thread on a free port over a temporary
SQLite corpus), and a fresh page per test whose console is watched for CSP violations and script
errors. Screenshots go to out/screenshots/ (not committed)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nianbao.generate import random_report
from nianbao.serve import create_app
from nianbao.store import Corpus
from nianbao.store.users import add_user

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
SIZES = ((1366, 768), (1920, 1080))

PASSWORD = "correct horse battery"
ZHIFU = "山东省烟台市芝罘区商务局"  # 370602
FUSHAN = "山东省烟台市福山区商务局"  # 370611
WEIJIAN = "青石市卫生健康委员会"  # examples/qingshi-weijian-2022.txt: table 3 does not balance


def _chromium() -> str:
    """Debian's chromium, or skip: the tests never let Playwright download a browser."""
    pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    path = CHROMIUM if CHROMIUM.exists() else None
    found = shutil.which("chromium")
    if path is None and found:
        path = Path(found)
    if path is None:
        pytest.skip(
            "Debian's chromium is not installed (scripts/system-deps installs it: apt-get install chromium)"
        )
    return str(path)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


def _write_report(folder: Path, seed: int, agency: str) -> None:
    report = random_report(seed, template="2021", year=2023)
    report.agency = agency
    text = json.dumps(report.to_json(), ensure_ascii=False)
    (folder / f"r{seed}.json").write_text(text, encoding="utf-8")


@dataclass
class Server:
    """A live workbench: its URL and the corpus behind it."""

    url: str
    corpus: Corpus
    ids: dict[str, int] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two counties' reports (芝罘区, 福山区) and the example with findings, an admin, and a viewer
    of 芝罘区, served by uvicorn on a free port."""
    import uvicorn

    tmp = tmp_path_factory.mktemp("workbench")
    folder = tmp / "in"
    folder.mkdir()
    _write_report(folder, 1, ZHIFU)
    _write_report(folder, 2, FUSHAN)
    shutil.copy(ROOT / "examples" / "qingshi-weijian-2022.txt", folder)
    corpus = Corpus(str(tmp / "wb.db"))
    corpus.ingest([str(folder)], jobs=1)
    add_user(corpus.engine, "admin", PASSWORD, "admin")
    add_user(corpus.engine, "zhifu", PASSWORD, "viewer", region_code="370602")
    app = create_app(engine=corpus.engine)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not live.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the workbench did not start")
        time.sleep(0.02)
    ids = {row.agency: row.report_id for row in corpus.current()}
    yield Server(f"http://127.0.0.1:{port}", corpus, ids)
    live.should_exit = True
    thread.join(timeout=10)
    corpus.close()


class Console:
    """What the browser reported: console errors (CSP violations among them) and uncaught errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[str] = []

    def report(self, url: str, text: str) -> None:
        self.errors.append(f"{url}: {text}")

    def allow(self, fragment: str) -> None:
        """An expected console error (the 'Failed to load resource' of a page that is a 404)."""
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed)]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Any, server: Server, console: Console) -> Iterator[Any]:
    """A fresh page (own cookies) at 1366×768; at the end of the test the console must be clean."""
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    context.set_default_timeout(5000)
    page = context.new_page()
    page.on("console", lambda msg: console.report(page.url, msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console.report(page.url, f"uncaught: {exc}"))
    yield page
    context.close()
    unexpected = console.unexpected()
    assert not unexpected, "the browser console reported errors:\n" + "\n".join(unexpected)


def login(page: Any, name: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/reports")


def texts(page: Any, selector: str) -> list[str]:
    """The stripped inner texts of the elements `selector` finds."""
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def screenshot(page: Any, name: str, full_page: bool = True) -> list[Path]:
    """The page at 1366×768 and 1920×1080 in out/screenshots/ (its full length, or only what the
    window shows for the report page, whose panes scroll on their own); the page must not scroll
    sideways at either width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    before = page.viewport_size
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        if not full_page:  # the window from the top; the source's page images load lazily
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        path = SHOTS / f"{name}-{width}x{height}.png"
        page.screenshot(path=str(path), full_page=full_page)
        paths.append(path)
    page.set_viewport_size(before)
    return paths
