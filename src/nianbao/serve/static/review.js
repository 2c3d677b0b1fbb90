// Review actions (serve/review.py): a refused action answers 422 with the form and its message;
// htmx swaps it in like any answer, so the reviewer sees why. Only inside [data-review].
document.addEventListener("htmx:beforeSwap", function (event) {
  var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (event.detail.xhr.status === 422 && elt && elt.closest("[data-review]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
