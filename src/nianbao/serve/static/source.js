// The source beside the tables: a clicked cell brings its place in the source into view, a
// box on a PDF page or a marked line of a text, HTML or Word source. No inline script or
// style: the box is placed through the CSSOM (the Content-Security-Policy allows that).
(function () {
  "use strict";
  var pending = null;  // a cell clicked before the source pane arrived

  function pane() { return document.getElementById("source"); }

  function status(text) {
    var el = document.querySelector("#source .src-status");
    if (el) el.textContent = text || "";
  }

  function reveal(target) {
    var box = pane();
    if (!box || !target) return;
    var top = target.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += top - box.clientHeight / 3;
  }

  function clear() {
    document.querySelectorAll("#source .src-box").forEach(function (el) { el.remove(); });
    document.querySelectorAll("#source .src-hit").forEach(function (el) { el.classList.remove("src-hit"); });
  }

  function showPage(ref) {
    var figure = document.getElementById("P" + ref.page);
    if (!figure) { status("原文中没有第 " + ref.page + " 页"); return; }
    if (!ref.box) { figure.classList.add("src-hit"); reveal(figure); status("第 " + ref.page + " 页（未记录位置）"); return; }
    var b = ref.box.split(",").map(Number);
    var w = Number(figure.dataset.width), h = Number(figure.dataset.height);
    if (b.length !== 4 || b.some(isNaN) || !w || !h) { reveal(figure); return; }
    var mark = document.createElement("div");
    mark.className = "src-box";
    mark.style.left = (b[0] / w * 100) + "%";
    mark.style.top = (b[1] / h * 100) + "%";
    mark.style.width = Math.max((b[2] - b[0]) / w * 100, 0.5) + "%";
    mark.style.height = Math.max((b[3] - b[1]) / h * 100, 0.5) + "%";
    figure.querySelector(".src-frame").appendChild(mark);
    reveal(mark);
    status("第 " + ref.page + " 页");
  }

  function showLine(ref) {
    var target = null;
    if (ref.place) target = document.querySelector('#source [data-place="' + CSS.escape(ref.place) + '"]');
    if (!target && ref.line) target = document.getElementById("L" + ref.line);
    if (!target) { status(ref.line ? "原文中找不到第 " + ref.line + " 行" : "这个单元格没有记录出处"); return; }
    target.classList.add("src-hit");
    reveal(target);
    status(ref.line ? "第 " + ref.line + " 行" : "");
  }

  function show(ref) {
    var view = document.querySelector("#source .source-view");
    if (!view) { pending = ref; return; }
    clear();
    if (view.dataset.kind === "pages") {
      if (ref.page) showPage(ref); else status("这个单元格没有记录页码");
    } else if (view.dataset.kind === "lines") {
      showLine(ref);
    }
  }

  document.addEventListener("click", function (event) {
    var clicked = event.target.closest("[data-path]");
    if (!clicked) return;
    var cell = document.querySelector('button.cell[data-path="' + CSS.escape(clicked.dataset.path) + '"]');
    if (!cell) return;
    show({page: cell.dataset.page, box: cell.dataset.box, line: cell.dataset.line, place: cell.dataset.place});
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "source" && pending) {
      var ref = pending;
      pending = null;
      show(ref);
    }
  });
})();
