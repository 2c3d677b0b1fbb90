"""The source beside the tables (`serve/sources.py`, `store/documents.py`): the source pane of a
text and a PDF report, page images with a box, line anchors that match the cells' Ref.line,
a source gone since ingest, the sentences X-TEXT and Y-COPY findings quote marked, access by
region."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import serve_fixtures
from nianbao import render
from nianbao.generate import random_report
from nianbao.serve import create_app
from nianbao.store import Corpus
from nianbao.store.documents import Part, split_marked
from nianbao.store.schema import sources
from nianbao.store.users import add_user

# Every test on SQLite and on PostgreSQL (the shared fixtures), assigned so that a test's
# parameter of the same name is not a redefinition to the linter.
serve_db, pg_url = serve_fixtures.serve_db, serve_fixtures.pg_url
PASSWORD = "correct horse battery"
ZHIFU = "山东省烟台市芝罘区商务局"  # 370602
ZHIFU_PDF = "山东省烟台市芝罘区教育局"
FUSHAN = "山东省烟台市福山区商务局"  # 370611
HOSTILE_LINE = "<script>alert(1)</script>本机关联系电话"
COPIED = (
    "存在的主要问题：一是政策解读的形式还不够丰富，图表和视频等解读方式运用较少；"
    "二是依申请公开答复文书的规范性有待提高，个别答复说理不够充分。"
    "改进情况：{year}年，我们将进一步丰富政策解读形式，组织开展业务培训，规范答复文书。"
)


def generated(seed: int, agency: str, year: int = 2023):
    report = random_report(seed, template="2021", year=year)
    report.agency = agency
    return report


@pytest.fixture
def corpus(serve_db: str, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = render(generated(1, ZHIFU), "txt").decode("utf-8")
    (folder / "zhifu.txt").write_text(text + "\n" + HOSTILE_LINE + "\n", encoding="utf-8")
    (folder / "fushan.txt").write_bytes(render(generated(2, FUSHAN), "txt"))
    corpus = Corpus(serve_db)
    corpus.ingest([str(folder)], jobs=1)
    yield corpus
    corpus.close()


@pytest.fixture
def app(corpus: Corpus):
    app = create_app(engine=corpus.engine)
    add_user(corpus.engine, "admin", PASSWORD, "admin")
    add_user(corpus.engine, "zhifu", PASSWORD, "reviewer", region_code="370602")
    return app


def ids(corpus: Corpus) -> dict[str, int]:
    return {row.agency: row.report_id for row in corpus.current()}


def login(app, name: str) -> TestClient:
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login", data={"name": name, "password": PASSWORD, "next": "/reports", "csrf_token": token.group(1)}
    )
    assert response.status_code == 200 and response.url.path == "/reports"
    return client


def cell_refs(page: str) -> dict[str, dict[str, str]]:
    """The data attributes of every cell button of a report page, by path."""
    out = {}
    for m in re.finditer(r'<button class="cell" data-path="([^"]+)"([^>]*)>', page):
        out[m.group(1)] = dict(re.findall(r'data-(line|page|box|place|cols|field)="([^"]*)"', m.group(2)))
    return out


def test_the_report_page_loads_the_source_beside_the_tables(app, corpus):
    client = login(app, "zhifu")
    rid = ids(corpus)[ZHIFU]
    page = client.get(f"/reports/{rid}").text
    assert (
        f'<section id="source" class="source" aria-label="原文" data-report="{rid}" hx-get="/reports/{rid}/source"'
        in page
    )
    assert '<link rel="stylesheet" href="/static/source.css">' in page
    assert '<script src="/static/source.js" defer></script>' in page
    assert client.get("/static/source.js").status_code == 200
    assert client.get("/static/source.css").status_code == 200


def test_a_text_source_is_shown_escaped_with_line_anchors(app, corpus):
    client = login(app, "zhifu")
    rid = ids(corpus)[ZHIFU]
    source = client.get(f"/reports/{rid}/source")
    assert source.status_code == 200
    assert 'data-kind="lines" data-format="txt"' in source.text
    assert "<script>alert(1)</script>" not in source.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;本机关联系电话" in source.text
    lines = dict(
        re.findall(
            r'<li id="L(\d+)" data-line="\d+"><span class="no">\d+</span><span class="tx">([^<]*)</span>',
            source.text,
        )
    )
    refs = cell_refs(client.get(f"/reports/{rid}").text)
    assert len(refs) == 200
    cell = refs["t3.new_received.total"]
    assert set(cell) == {"line", "field"}  # a tab-separated text: a line and a field, no page
    report_file = next(r.path for r in corpus.current() if r.report_id == rid)
    file_lines = Path(report_file).read_text(encoding="utf-8").split("\n")
    assert lines[cell["line"]] == file_lines[int(cell["line"]) - 1]
    detail = client.get(f"/reports/{rid}/cells/t3.new_received.total").text
    assert f"第 {cell['line']} 行" in detail
    raw = re.search(r"<dt>原文</dt><dd><code>([^<]*)</code>", detail)
    assert raw and raw.group(1) in lines[cell["line"]]
    assert file_lines[int(cell["line"]) - 1].split("\t")[int(cell["field"])] == raw.group(1)
    # every cell with a line has its anchor in the pane
    assert all(c["line"] in lines for c in refs.values() if "line" in c)


def test_a_pdf_source_is_shown_as_pages_with_the_cell_box(app, corpus, tmp_path):
    try:
        data = render(generated(3, ZHIFU_PDF), "pdf")
    except Exception as exc:  # WeasyPrint or its CJK font missing
        pytest.skip(f"PDF rendering unavailable: {exc}")
    folder = tmp_path / "pdf"
    folder.mkdir()
    (folder / "zhifu.pdf").write_bytes(data)
    corpus.ingest([str(folder)], jobs=1)
    client = login(app, "zhifu")
    rid = ids(corpus)[ZHIFU_PDF]
    source = client.get(f"/reports/{rid}/source").text
    pages = re.findall(
        r'<figure class="src-page" id="P(\d+)" data-page="\d+" data-width="([\d.]+)" data-height="([\d.]+)">',
        source,
    )
    assert pages and pages[0] == ("1", "595.3", "841.9")
    assert f'<img src="/reports/{rid}/source/pages/1.png"' in source
    cell = cell_refs(client.get(f"/reports/{rid}").text)["t3.new_received.total"]
    assert cell["page"] and len(cell["box"].split(",")) == 4
    plain = client.get(f"/reports/{rid}/source/pages/{cell['page']}.png")
    boxed = client.get(f"/reports/{rid}/source/pages/{cell['page']}.png", params={"box": cell["box"]})
    for response in (plain, boxed):
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert response.headers["cache-control"] == "private, max-age=86400"
    assert plain.content != boxed.content

    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(boxed.content)).convert("RGB")
    assert image.width * image.height <= 2_400_000
    scale = image.width / 595.3
    x0, top, _, _ = (float(v) for v in cell["box"].split(","))
    red = image.getpixel((int(x0 * scale) - 3, int((top + 4) * scale)))  # on the box's left edge
    assert isinstance(red, tuple) and red[0] > 150 and red[1] < 100 and red[2] < 100
    assert client.get(f"/reports/{rid}/source/pages/{len(pages) + 1}.png").status_code == 404
    assert client.get(f"/reports/{rid}/source/pages/0.png").status_code == 404
    bad_box = client.get(f"/reports/{rid}/source/pages/1.png", params={"box": "1,2,x,4"})
    assert bad_box.status_code == 200  # a malformed box is ignored


def test_another_regions_report_is_404_on_every_source_route(app, corpus):
    client = login(app, "zhifu")
    rid = ids(corpus)[FUSHAN]
    for path in ("source", "source/pages/1.png", "source/pages/1.png?box=1,2,3,4", "sections"):
        response = client.get(f"/reports/{rid}/{path}")
        assert response.status_code == 404, path
        assert FUSHAN not in response.text
    assert login(app, "admin").get(f"/reports/{rid}/source").status_code == 200


def test_the_source_routes_need_a_login_and_take_no_post(app, corpus):
    rid = ids(corpus)[ZHIFU]
    anonymous = TestClient(app)
    for path in ("source", "source/pages/1.png", "sections"):
        response = anonymous.get(f"/reports/{rid}/{path}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    client = login(app, "zhifu")
    assert client.post(f"/reports/{rid}/source").status_code == 405
    assert client.get(f"/reports/{rid}/source/pages/1.png").status_code == 404  # a text has no pages


def test_a_source_gone_since_ingest_is_said_and_a_kept_one_is_shown(app, corpus, tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    agency = "山东省烟台市芝罘区民政局"
    path = folder / "gone.txt"
    data = render(generated(7, agency), "txt")
    path.write_bytes(data)
    corpus.ingest([str(folder)], jobs=1)
    path.write_bytes(data + "改过了\n".encode())  # changed since ingest
    client = login(app, "zhifu")
    rid = ids(corpus)[agency]
    source = client.get(f"/reports/{rid}/source").text
    assert (
        "原文不可用：语料库中没有保存这份报告的原文，导入时的文件已不存在或已被修改。表格和问题不受影响。"
        in source
    )
    path.unlink()
    assert "原文不可用" in client.get(f"/reports/{rid}/source").text
    assert f'hx-get="/reports/{rid}/cells/t3.new_received.total"' in client.get(f"/reports/{rid}").text
    # the bytes kept in the corpus (as an upload keeps them) are shown instead
    with corpus.engine.begin() as conn:
        conn.execute(
            sources.insert().values(
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                data=data,
                created_at=datetime(2025, 1, 1),
            )
        )
    source = client.get(f"/reports/{rid}/source").text
    assert "原文不可用" not in source and 'data-kind="lines"' in source


def test_the_sentence_an_x_text_finding_quotes_is_marked(app, corpus, tmp_path):
    report = generated(11, "山东省烟台市芝罘区司法局")
    sentence = "全年共受理政府信息公开申请9999件"
    report.sections["overview"].text += f"\n{sentence}。其余<b>照常</b>。"
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "x.json").write_text(json.dumps(report.to_json(), ensure_ascii=False), encoding="utf-8")
    corpus.ingest([str(folder)], jobs=1)
    client = login(app, "zhifu")
    rid = ids(corpus)[report.agency]
    page = client.get(f"/reports/{rid}").text
    assert "X-TEXT" in page
    assert (
        f'<div id="sections" hx-get="/reports/{rid}/sections" hx-trigger="load" hx-swap="innerHTML">' in page
    )
    sections = client.get(f"/reports/{rid}/sections").text
    mark = re.search(r'<mark class="quoted x-text" title="X-TEXT：([^"]*)">([^<]*)</mark>', sections)
    assert mark and mark.group(2) == sentence
    assert "正文“全年共受理政府信息公开申请9999件”称" in mark.group(1)
    assert "其余&lt;b&gt;照常&lt;/b&gt;。" in sections and "<b>照常" not in sections
    # a report without such findings loads no marked sections
    plain = client.get(f"/reports/{ids(corpus)[ZHIFU]}").text
    assert 'hx-get="/reports/' + str(ids(corpus)[ZHIFU]) + '/sections"' not in plain


def test_the_sentences_y_copy_found_copied_are_marked(app, corpus, tmp_path):
    agency = "山东省烟台市芝罘区人力资源和社会保障局"
    folder = tmp_path / "y"
    folder.mkdir()
    for year in (2022, 2023):
        report = generated(20 + year, agency, year)
        report.sections["problems"].text = COPIED.format(year=year + 1)
        (folder / f"y{year}.json").write_text(
            json.dumps(report.to_json(), ensure_ascii=False), encoding="utf-8"
        )
    corpus.ingest([str(folder)], jobs=1)
    client = login(app, "zhifu")
    rid = ids(corpus)[agency]
    assert "Y-COPY" in client.get(f"/reports/{rid}").text
    sections = client.get(f"/reports/{rid}/sections").text
    marks = re.findall(
        r'<mark class="quoted y-copy" title="Y-COPY：与 2022 年报告相同">([^<]*)</mark>', sections
    )
    assert marks == [
        "存在的主要问题：一是政策解读的形式还不够丰富，图表和视频等解读方式运用较少",
        "二是依申请公开答复文书的规范性有待提高，个别答复说理不够充分",
        "改进情况：2024年，我们将进一步丰富政策解读形式，组织开展业务培训，规范答复文书",
    ]


def test_split_marked_merges_overlaps_and_keeps_all_text():
    text = "甲乙丙丁戊己"
    parts = split_marked(text, [(1, 3, "X-TEXT", "a"), (2, 5, "Y-COPY", "b")])
    assert parts == [Part("甲"), Part("乙丙", "X-TEXT", "a"), Part("丁戊", "Y-COPY", "b"), Part("己")]
    assert "".join(p.text for p in parts) == text
    assert split_marked(text, []) == [Part(text)]
