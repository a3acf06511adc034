/* gongkai web: upload with progress, report-page interactions, compare deltas. Plain JS, no network. */
(function () {
  "use strict";
  function $(sel, root) { return (root || document).querySelector(sel); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  /* the CSRF token every state-changing request sends (X-CSRF-Token), from the base layout */
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  var STATUS = {ok: "无问题", problems: "有问题", failed: "读取失败", rejected: "已拒绝"};

  /* ---------------------------------------------------------------- upload */
  function initUpload() {
    var drop = $("#drop"), input = $("#file-input");
    if (!drop || !input) return;
    var queue = [], busy = false, done = 0, total = 0;
    var table = $("#upload-results"), tbody = table.querySelector("tbody");
    function addFiles(files) {
      for (var i = 0; i < files.length; i++) {
        var row = el("tr");
        row.appendChild(el("td", files[i].name, "file"));
        row.appendChild(el("td", "等待", "state"));
        for (var k = 0; k < 4; k++) row.appendChild(el("td", ""));
        tbody.appendChild(row);
        queue.push({file: files[i], row: row});
        total++;
      }
      table.hidden = false;
      $("#progress").hidden = false;
      next();
    }
    function overall() {
      $("#bar-fill").style.width = (total ? Math.round(100 * done / total) : 0) + "%";
      $("#progress-text").textContent = "已完成 " + done + " / " + total + " 个文件";
    }
    function fill(row, results) {
      var r = results[0] || {};
      var cells = row.children;
      var badge = el("span", STATUS[r.status] || r.status || "?", "badge " + (r.status || ""));
      cells[2].textContent = "";
      cells[2].appendChild(badge);
      if (r.error) cells[2].appendChild(el("div", r.error, "hint"));
      if (r.duplicate) cells[2].appendChild(el("div", "已存在（相同内容）", "hint"));
      if (r.id && r.status !== "failed") {
        var a = el("a", r.agency || "查看报告");
        a.href = "/report/" + encodeURIComponent(r.id);
        cells[3].textContent = "";
        cells[3].appendChild(a);
      } else { cells[3].textContent = r.agency || ""; }
      cells[4].textContent = r.year || "";
      cells[5].textContent = r.findings === undefined ? "" : r.findings;
      for (var i = 1; i < results.length; i++) {  /* zip members */
        var extra = el("tr");
        extra.appendChild(el("td", results[i].name, "file"));
        extra.appendChild(el("td", "完成"));
        var td = el("td"); td.appendChild(el("span", STATUS[results[i].status] || results[i].status, "badge " + results[i].status));
        if (results[i].error) td.appendChild(el("div", results[i].error, "hint"));
        extra.appendChild(td);
        var ag = el("td");
        if (results[i].id && results[i].status !== "failed") {
          var l = el("a", results[i].agency || "查看报告"); l.href = "/report/" + encodeURIComponent(results[i].id); ag.appendChild(l);
        }
        extra.appendChild(ag);
        extra.appendChild(el("td", results[i].year || ""));
        extra.appendChild(el("td", results[i].findings === undefined ? "" : results[i].findings));
        row.parentNode.insertBefore(extra, row.nextSibling);
      }
    }
    function next() {
      overall();
      if (busy || !queue.length) {
        if (!busy && done === total) document.body.setAttribute("data-upload", "done");
        return;
      }
      busy = true;
      document.body.setAttribute("data-upload", "busy");
      var item = queue.shift(), state = item.row.querySelector(".state");
      var fd = new FormData();
      fd.append("files", item.file, item.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/upload");
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) state.textContent = "上传 " + Math.round(100 * e.loaded / e.total) + "%";
      };
      xhr.upload.onload = function () { state.textContent = "读取中…"; };
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 200 && data && data.results) {
          state.textContent = "完成";
          fill(item.row, data.results);
        } else {
          state.textContent = "失败";
          fill(item.row, [{status: "rejected", error: (data && data.error) || ("HTTP " + xhr.status)}]);
        }
        done++; busy = false; next();
      };
      xhr.onerror = function () {
        state.textContent = "失败";
        done++; busy = false; next();
      };
      xhr.send(fd);
    }
    input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files) addFiles(e.dataTransfer.files); });
  }

  /* ---------------------------------------------------------------- report page */
  function initReport() {
    var dataEl = $("#cells-data");
    if (!dataEl) return;
    var cells = JSON.parse(dataEl.textContent || "{}");
    var reportId = dataEl.getAttribute("data-report");
    var isPdf = dataEl.getAttribute("data-pdf") === "yes";

    function placeOf(path) {
      var c = cells[path];
      if (!c || !c.where) return null;
      for (var i = 0; i < c.where.length; i++) {
        var w = c.where[i];
        if (w && w.page && w.bbox) return w;
      }
      return null;
    }
    function showPage(path) {
      if (!isPdf) return;
      var w = placeOf(path);
      if (!w) return;
      var view = $("#pageview"), img = $("#pv-img"), box = $("#pv-box");
      view.hidden = false;
      $("#pv-title").textContent = "原件第 " + w.page + " 页 · " + path;
      function place() {
        var k = img.clientWidth / (img.naturalWidth / 2); /* page images are rendered at 2 × 72 dpi */
        box.style.left = (w.bbox[0] * k - 3) + "px";
        box.style.top = (w.bbox[1] * k - 3) + "px";
        box.style.width = ((w.bbox[2] - w.bbox[0]) * k + 6) + "px";
        box.style.height = ((w.bbox[3] - w.bbox[1]) * k + 6) + "px";
        view.setAttribute("data-page", String(w.page));
        var side = view.closest(".sticky");  /* scroll the side panel only, never the tables away */
        if (side) {
          var sb = side.getBoundingClientRect(), bb = box.getBoundingClientRect();
          if (bb.top < sb.top || bb.bottom > sb.bottom) side.scrollTop += bb.top - sb.top - sb.height / 3;
        }
      }
      var src = "/report/" + encodeURIComponent(reportId) + "/page/" + w.page + ".png";
      if (img.getAttribute("src") !== src) { img.onload = place; img.setAttribute("src", src); }
      else if (img.complete) place();
    }
    function select(target) {
      var prev = document.querySelectorAll("td.selected");
      for (var i = 0; i < prev.length; i++) prev[i].classList.remove("selected");
      if (target.tagName === "TD" && target.dataset.path) {
        target.classList.add("selected");
        showPage(target.dataset.path);
      }
    }
    var tds = document.querySelectorAll("table.official td.c");
    for (var i = 0; i < tds.length; i++) {
      if (isPdf && placeOf(tds[i].dataset.path)) tds[i].classList.add("has-where");
      tds[i].addEventListener("click", function (e) { select(e.currentTarget); });
    }
    var links = document.querySelectorAll("#problems a[data-target]");
    for (var j = 0; j < links.length; j++) {
      links[j].addEventListener("click", function (e) {
        e.preventDefault();
        var t = document.getElementById(e.currentTarget.getAttribute("data-target"));
        if (!t) return;
        t.scrollIntoView({behavior: "smooth", block: "center"});
        t.classList.remove("flash"); void t.offsetWidth; t.classList.add("flash");
        select(t);
        history.replaceState(null, "", "#" + t.id);
      });
    }
    $("#pv-close") && $("#pv-close").addEventListener("click", function () { $("#pageview").hidden = true; });
  }

  /* ---------------------------------------------------------------- compare */
  function initCompare() {
    var dataEl = $("#delta-data");
    if (!dataEl) return;
    var deltas = JSON.parse(dataEl.textContent || "{}"), a = dataEl.getAttribute("data-a");
    var tds = document.querySelectorAll(".compare-tables td.c");
    for (var i = 0; i < tds.length; i++) {
      var d = deltas[tds[i].dataset.path];
      if (!d) continue;
      var txt = (d.a === null || d.a === undefined) ? "上年空" : ("上年 " + d.a);
      var cls = "delta";
      if (d.delta !== null && d.delta !== undefined && d.delta !== 0) {
        txt += (d.delta > 0 ? " +" : " ") + d.delta;
        cls += d.delta > 0 ? " up" : " down";
      }
      if (d.a !== d.b) tds[i].classList.add("changed");
      tds[i].appendChild(el("span", txt, cls));
    }
  }

  initUpload();
  initReport();
  initCompare();
})();
