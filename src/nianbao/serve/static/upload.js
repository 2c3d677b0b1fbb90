// The upload page: files dropped or chosen are listed, then sent with a progress bar; without
// this script the plain form posts the same files. No inline script (the CSP forbids it).
(function () {
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("[data-files]");
  var zone = form.querySelector("[data-dropzone]");
  var list = form.querySelector("[data-chosen]");
  var status = form.querySelector("[data-status]");
  var bar = form.querySelector("[data-progress]");
  var barText = form.querySelector("[data-progress-text]");
  var error = form.querySelector("[data-error]");
  var submit = form.querySelector("[data-submit]");
  var chosen = [];

  function sizeText(n) {
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " 字节";
  }
  function show() {
    list.textContent = "";
    chosen.forEach(function (file, i) {
      var li = document.createElement("li");
      li.textContent = file.name + "（" + sizeText(file.size) + "）";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = "移除";
      remove.addEventListener("click", function () { chosen.splice(i, 1); show(); });
      li.appendChild(remove);
      list.appendChild(li);
    });
    input.required = chosen.length === 0;
  }
  function add(files) {
    for (var i = 0; i < files.length; i++) chosen.push(files[i]);
    show();
  }
  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    status.hidden = true;
    submit.disabled = false;
  }

  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files) add(event.dataTransfer.files);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    if (chosen.length === 0) { fail("请先选择或拖入要上传的文件"); return; }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    chosen.forEach(function (file) { data.append("files", file, file.name); });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", document.body.dataset.csrf);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      barText.textContent = "正在上传 " + sizeText(e.loaded) + " / " + sizeText(e.total);
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 200 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var detail = page.querySelector(".error-page p");
      var title = page.querySelector(".error-page h1");
      fail((title ? title.textContent + "：" : "") + (detail ? detail.textContent : "上传失败（" + xhr.status + "）"));
    });
    xhr.addEventListener("error", function () { fail("上传中断：网络连接失败，或文件超过了大小上限"); });
    submit.disabled = true;
    status.hidden = false;
    barText.textContent = "正在上传…";
    xhr.send(data);
  });
})();
