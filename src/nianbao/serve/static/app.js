// The workbench's only script (no inline script: the Content-Security-Policy forbids it).
// htmx sends the CSRF token with every request; a clicked cell stays marked.
document.addEventListener("htmx:configRequest", function (event) {
  event.detail.headers["X-CSRF-Token"] = document.body.dataset.csrf;
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-path]");
  if (!button) return;
  document.querySelectorAll(".selected").forEach(function (el) { el.classList.remove("selected"); });
  document.querySelectorAll('button.cell[data-path="' + CSS.escape(button.dataset.path) + '"]').forEach(function (el) {
    el.closest("td").classList.add("selected");
    el.scrollIntoView({block: "nearest", inline: "nearest"});
  });
});
