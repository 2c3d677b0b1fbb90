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
    document.querySelectorAll("#source mark.src-cell").forEach(function (el) {
      var parent = el.parentNode;
      parent.textContent = parent.textContent;  // the line as plain text again
    });
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
    var cell = ref.cols ? markColumns(target, ref.cols) : ref.field ? markField(target, Number(ref.field)) : null;
    reveal(cell || target);
    if (cell) {  // and across, for a long line
      var box = pane();
      box.scrollLeft += cell.getBoundingClientRect().left - box.getBoundingClientRect().left - box.clientWidth / 2;
    }
    status(ref.line ? "第 " + ref.line + " 行" : "");
  }

  // A Chinese or full-width character is two columns wide (as read/text.py counts them).
  var WIDE = /[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

  function markColumns(line, cols) {
    var span = line.querySelector(".tx");
    var c = cols.split(",").map(Number);
    if (!span || c.length !== 2 || c.some(isNaN)) return null;
    var text = span.textContent, x = 0, start = -1, end = text.length;
    for (var i = 0; i < text.length; i++) {
      if (start < 0 && x >= c[0]) start = i;
      if (x >= c[1]) { end = i; break; }
      x += WIDE.test(text[i]) ? 2 : 1;
    }
    if (start < 0) return null;
    return wrap(span, start, end);
  }

  // A tab-separated line: the cell is its field number `field` (from 0).
  function markField(line, field) {
    var span = line.querySelector(".tx");
    if (!span || span.textContent.indexOf("\t") < 0) return null;
    var parts = span.textContent.split("\t");
    if (!(field >= 0 && field < parts.length)) return null;
    var start = parts.slice(0, field).join("\t").length + (field > 0 ? 1 : 0);
    return wrap(span, start, start + parts[field].length);
  }

  function wrap(span, start, end) {
    var text = span.textContent;
    if (end <= start) return null;
    var mark = document.createElement("mark");
    mark.className = "src-cell";
    mark.textContent = text.slice(start, end);
    span.textContent = "";
    span.append(text.slice(0, start), mark, text.slice(end));
    return mark;
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
    show({page: cell.dataset.page, box: cell.dataset.box, line: cell.dataset.line, place: cell.dataset.place, cols: cell.dataset.cols, field: cell.dataset.field});
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "source" && pending) {
      var ref = pending;
      pending = null;
      show(ref);
    }
  });
})();
