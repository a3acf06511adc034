// 编写年度报告: the official tables as a form. Every identity is checked as you type; the identities come
// from the server as data (gongkai.template), so this file holds no equation of its own. The server checks
// the whole draft (text against tables, sections, cross-year rules) shortly after each change.
(function () {
  "use strict";
  const dataEl = document.getElementById("author-data");
  if (!dataEl) return;
  let state = JSON.parse(dataEl.textContent); // {editor: {cells, identities, sections}, draft, based_on}
  let checkTimer = null;
  let checkSeq = 0;

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  function csrfHeaders(json) {
    const h = {};
    if (json) h["Content-Type"] = "application/json";
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) h["X-CSRF-Token"] = meta.content;
    return h;
  }

  function status(text, isError) {
    const el = $("#status");
    el.textContent = text || "";
    el.classList.toggle("error", !!isError);
  }

  // ------------------------------------------------------------------ values

  function getVal(path) {
    const [t, r, c] = path.split(".");
    const v = ((state.draft[t] || {})[r] || {})[c];
    return v === undefined ? null : v;
  }

  function setVal(path, v) {
    const [t, r, c] = path.split(".");
    state.draft[t] = state.draft[t] || {};
    state.draft[t][r] = state.draft[t][r] || {};
    state.draft[t][r][c] = v;
  }

  function fmt(v) {
    if (v === null || v === undefined) return "";
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  }

  // Full-width digits, thousands separators and spaces are accepted as typed in Word or WPS.
  function parseCell(text, kind) {
    let t = String(text || "")
      .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
      .replace(/[．]/g, ".")
      .replace(/[－−]/g, "-")
      .replace(/[,，\s]/g, "");
    if (t === "" || t === "/" || t === "-") return { value: null };
    const patterns = { count: /^\d+$/, decimal: /^\d+(\.\d+)?$/, signed: /^-?\d+$/ };
    const names = { count: "非负整数", decimal: "非负数（可含小数）", signed: "整数（可为负）" };
    if (!patterns[kind || "count"].test(t)) return { error: `「${text}」不是${names[kind || "count"]}` };
    return { value: Number(t) };
  }

  // ------------------------------------------------------------------ the form

  function mountInputs() {
    $$("#author-tables td.c[data-path]").forEach((td) => {
      const path = td.dataset.path;
      const info = state.editor.cells[path];
      if (!info) return;
      td.removeAttribute("title");
      td.textContent = "";
      const input = document.createElement("input");
      input.className = "cell-input";
      input.dataset.path = path;
      input.inputMode = info.kind === "decimal" ? "decimal" : "numeric";
      input.setAttribute("aria-label", info.label);
      input.value = fmt(getVal(path));
      td.appendChild(input);
      const doubt = (state.doubts || {})[path];
      if (doubt) markDoubt(td, input, doubt);
    });
  }

  // A cell the stored report left in doubt: its status and the source's candidate readings, never a blank.
  function markDoubt(td, input, doubt) {
    td.classList.add("doubt", "doubt-" + doubt.status);
    input.placeholder = "?";
    const msg = document.createElement("div");
    msg.className = "cell-msg doubt";
    const short = doubt.label.split("：")[0];
    msg.title = doubt.label + (doubt.note ? "；" + doubt.note : "");
    msg.append(short + (doubt.raw ? `（原文「${doubt.raw}」）` : ""));
    if (doubt.candidates.length) msg.append("，候选：");
    for (const v of doubt.candidates) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "pick";
      b.dataset.value = String(v);
      b.textContent = fmt(v);
      b.title = "采用 " + fmt(v);
      b.addEventListener("click", () => {
        input.value = fmt(v);
        onCellInput(input);
      });
      msg.append(b);
    }
    td.appendChild(msg);
  }

  function cellTd(path) {
    return document.getElementById("cell-" + path.split(".").join("-"));
  }

  function onCellInput(input) {
    const path = input.dataset.path;
    const td = input.closest("td");
    const parsed = parseCell(input.value, state.editor.cells[path].kind);
    td.classList.toggle("bad-input", !!parsed.error);
    $$(".cell-msg.input", td).forEach((m) => m.remove());
    if (parsed.error) {
      addMessage(td, parsed.error + "，请更正。", "input");
      return;
    }
    setVal(path, parsed.value);
    const stock = ((state.draft.meta || {}).previous || {}).stock || {};
    if (path in stock) {
      // typed over: the 现行有效件数 no longer follows last year's stock (the server moves the others)
      const typed = (state.draft.meta.typed_stock = state.draft.meta.typed_stock || []);
      if (!typed.includes(path)) typed.push(path);
    }
    validate();
    scheduleCheck();
  }

  function addMessage(td, text, kind) {
    const msg = document.createElement("div");
    msg.className = "cell-msg " + (kind || "");
    msg.textContent = text;
    td.appendChild(msg);
  }

  // ------------------------------------------------------------------ identities (from the template)

  function names(paths) {
    if (paths.length > 3) return "各分项之和";
    return paths.map((p) => `「${state.editor.cells[p].label}」`).join("加") + (paths.length > 1 ? "之和" : "");
  }

  function broken() {
    const out = [];
    for (const ident of state.editor.identities) {
      const cells = ident.left.concat(ident.right);
      const values = cells.map(getVal);
      if (values.some((v) => v === null)) continue; // a blank cell: checked once the row is filled
      const sum = (ps) => ps.reduce((a, p) => a + getVal(p), 0);
      const left = sum(ident.left);
      const right = sum(ident.right);
      if (Math.abs(left - right) > 1e-9) out.push({ ident, left, right });
    }
    return out;
  }

  function validate() {
    $$("#author-tables td.in-broken, #author-tables td.broken").forEach((td) => {
      td.classList.remove("in-broken", "broken");
      $$(".cell-msg.identity", td).forEach((m) => m.remove());
    });
    const list = [];
    for (const b of broken()) {
      const { ident, left, right } = b;
      ident.left.concat(ident.right).forEach((p) => {
        const td = cellTd(p);
        if (td) td.classList.add("in-broken");
      });
      const text =
        `${names(ident.right)}为 ${fmt(right)}，但${names(ident.left)}为 ${fmt(left)}` +
        `（相差 ${fmt(right - left)}；${ident.description}）。`;
      const target = cellTd(ident.right[0]);
      if (target) {
        target.classList.add("broken");
        addMessage(target, text, "identity");
      }
      list.push(text);
    }
    const box = $("#identity-problems");
    box.innerHTML = "";
    if (list.length) {
      const h = document.createElement("p");
      h.textContent = `勾稽关系不符 ${list.length} 处：`;
      const ol = document.createElement("ol");
      list.forEach((t) => {
        const li = document.createElement("li");
        li.textContent = t;
        ol.appendChild(li);
      });
      box.append(h, ol);
    }
  }

  // Totals from parts, only when asked: every identity with one cell on its right whose parts are filled.
  function fillTotals() {
    let filled = 0;
    for (let round = 0; round < 4; round++) {
      let changed = false;
      for (const ident of state.editor.identities) {
        if (ident.right.length !== 1) continue;
        const parts = ident.left.map(getVal);
        if (parts.some((v) => v === null)) continue;
        const total = parts.reduce((a, v) => a + v, 0);
        if (getVal(ident.right[0]) !== total) {
          setVal(ident.right[0], total);
          const input = $(`input.cell-input[data-path="${ident.right[0]}"]`);
          if (input) input.value = fmt(total);
          filled += 1;
          changed = true;
        }
      }
      if (!changed) break;
    }
    validate();
    scheduleCheck();
    status(filled ? `已由分项填入 ${filled} 个合计格。` : "没有可由分项计算的合计格（分项须先填齐）。");
  }

  // A row copied from Excel or Word: tab- or space-separated numbers, one line per row.
  function onPaste(event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("cell-input")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]|\d\s+\d/.test(text.trim())) return; // a single value: the browser pastes it
    event.preventDefault();
    const lines = text.replace(/\r/g, "").split("\n").filter((l) => l.trim() !== "");
    let tr = input.closest("tr");
    let start = $$("input.cell-input", tr).indexOf(input);
    let pasted = 0;
    for (const line of lines) {
      if (!tr) break;
      let tokens = line.split(/\t|\s{1,}/).filter((t) => t !== "");
      while (tokens.length && parseCell(tokens[0]).error && !/^\d/.test(tokens[0])) tokens.shift(); // a label
      const inputs = $$("input.cell-input", tr).slice(start);
      tokens.slice(0, inputs.length).forEach((tok, i) => {
        inputs[i].value = tok;
        onCellInput(inputs[i]);
        pasted += 1;
      });
      tr = nextRowWithInputs(tr);
      start = 0;
    }
    status(`已粘贴 ${pasted} 个数字。`);
  }

  function nextRowWithInputs(tr) {
    let next = tr.nextElementSibling;
    while (next && !$("input.cell-input", next)) next = next.nextElementSibling;
    return next;
  }

  // ------------------------------------------------------------------ sections

  function buildSections() {
    const box = $("#author-sections");
    box.innerHTML = "";
    const previous = ((state.draft.meta || {}).previous || {}).sections || {};
    const generated = (state.draft.meta || {}).generated || {};
    for (const sec of state.editor.sections) {
      const div = document.createElement("div");
      div.className = "sec";
      div.id = "sec-" + sec.key;
      const h = document.createElement("h3");
      h.textContent = sec.heading;
      const ta = document.createElement("textarea");
      ta.id = "text-" + sec.key;
      ta.dataset.key = sec.key;
      ta.value = ((state.draft.sections || {})[sec.key] || {}).text || "";
      div.append(h);
      if (generated[sec.key] !== undefined) {
        const note = document.createElement("p");
        note.className = "gen";
        note.textContent = "下面的摘要由表格自动生成，表格改动后随之更新；改写后不再自动更新。";
        div.append(note);
      }
      div.append(ta);
      if (previous[sec.key]) {
        const d = document.createElement("details");
        const s = document.createElement("summary");
        s.textContent = "上年文字（仅供参考；照抄上年文字会被提示）";
        const body = document.createElement("div");
        body.textContent = previous[sec.key];
        d.append(s, body);
        div.append(d);
      }
      const ol = document.createElement("ol");
      ol.className = "sec-findings";
      div.append(ol);
      box.append(div);
    }
  }

  function onSectionInput(ta) {
    const key = ta.dataset.key;
    state.draft.sections = state.draft.sections || {};
    state.draft.sections[key] = Object.assign({}, state.draft.sections[key] || {}, { key, text: ta.value });
    scheduleCheck();
  }

  // ------------------------------------------------------------------ the server's check

  function scheduleCheck(delay) {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(runCheck, delay === undefined ? 700 : delay);
  }

  async function runCheck() {
    const seq = ++checkSeq;
    let res;
    try {
      res = await fetch("/api/author/check", {
        method: "POST",
        headers: csrfHeaders(true),
        body: JSON.stringify({ draft: state.draft }),
      });
    } catch (e) {
      status("检查失败：无法连接服务器。", true);
      return;
    }
    if (seq !== checkSeq) return; // a newer check is on its way
    const out = await res.json();
    if (!res.ok) {
      status(out.error || "检查失败。", true);
      return;
    }
    applySummaries(out.draft);
    applyStock(out.draft);
    showFindings(out.findings);
  }

  function applySummaries(serverDraft) {
    const oldGen = (state.draft.meta || {}).generated || {};
    const newGen = (serverDraft.meta || {}).generated || {};
    for (const key of Object.keys(newGen)) {
      const ta = $("#text-" + key);
      const current = ((state.draft.sections || {})[key] || {}).text || "";
      if (ta && (current === "" || current === oldGen[key]) && document.activeElement !== ta) {
        ta.value = newGen[key];
        state.draft.sections[key] = Object.assign({}, state.draft.sections[key] || {}, { text: newGen[key] });
      }
    }
    state.draft.meta.generated = newGen;
  }

  // The server moves each 现行有效件数 not typed over with this year's 制发 and 废止 (gongkai.author.draft).
  function applyStock(serverDraft) {
    const stock = ((state.draft.meta || {}).previous || {}).stock || {};
    const typed = state.draft.meta.typed_stock || [];
    for (const path of Object.keys(stock)) {
      if (typed.includes(path)) continue;
      const [t, r, c] = path.split(".");
      const v = ((serverDraft[t] || {})[r] || {})[c];
      const input = $(`input.cell-input[data-path="${path}"]`);
      if (v === undefined || !input || document.activeElement === input) continue;
      setVal(path, v);
      input.value = fmt(v);
    }
    validate();
  }

  const SEVERITY = { error: "错误", warning: "警告", info: "提示" };

  function showFindings(findings) {
    $$("#author-tables td.sev-error, #author-tables td.sev-warning").forEach((td) => {
      td.classList.remove("has-finding", "sev-error", "sev-warning");
      td.removeAttribute("title");
    });
    $$(".sec-findings").forEach((ol) => (ol.innerHTML = ""));
    const list = $("#findings");
    list.innerHTML = "";
    let blanks = 0;
    let shown = 0;
    for (const f of findings) {
      if (f.code === "T101") {
        blanks += 1;
        continue;
      }
      shown += 1;
      const li = document.createElement("li");
      li.className = "prob sev-" + f.severity;
      li.dataset.code = f.code;
      li.textContent = `${SEVERITY[f.severity] || f.severity} ${f.code} ${f.message}`;
      list.append(li);
      for (const w of f.where || []) {
        if (/^s\d$/.test(w)) {
          const ol = $(`#sec-${w} .sec-findings`);
          if (ol) ol.append(li.cloneNode(true));
        } else if (w.split(".").length === 3) {
          const td = cellTd(w);
          if (td && f.severity !== "info") {
            td.classList.add("has-finding", "sev-" + f.severity);
            td.title = (td.title ? td.title + "\n" : "") + `[${f.code}] ${f.message}`;
          }
        }
      }
    }
    if (blanks) {
      const li = document.createElement("li");
      li.className = "prob sev-info";
      li.textContent = `尚有 ${blanks} 行未填写完整（没有数据的格应填 0）。`;
      list.append(li);
    }
    $("#finding-count").textContent = String(shown);
  }

  // ------------------------------------------------------------------ new draft, import, export, save

  async function newDraft(withPrevious) {
    const form = new FormData();
    form.append("agency", $("#agency").value);
    form.append("year", $("#year").value);
    const file = $("#previous-file").files[0];
    if (withPrevious) {
      if (!file) {
        status("请先选择上年报告文件。", true);
        return;
      }
      form.append("previous", file);
    }
    status(withPrevious ? "正在读取上年报告……" : "正在新建……");
    const res = await fetch("/api/author/new", { method: "POST", headers: csrfHeaders(false), body: form });
    const out = await res.json();
    if (!res.ok) {
      status(out.error || "新建失败。", true);
      return;
    }
    state = { editor: out.editor, draft: out.draft, based_on: state.based_on };
    $("#author-tables").innerHTML = out.tables;
    $("#agency").value = out.draft.meta.agency || "";
    mountInputs();
    buildSections();
    validate();
    scheduleCheck(0);
    const prev = out.draft.meta.previous;
    status(prev ? `已导入 ${prev.year || "上年"} 年报告：上年结转、现行有效件数已填入，上年文字可在各部分下查看。` : "已新建。");
  }

  function loadDraft(out) {
    state = { editor: out.editor, draft: out.draft, based_on: state.based_on };
    $("#author-tables").innerHTML = out.tables;
    $("#agency").value = out.draft.meta.agency || "";
    mountInputs();
    buildSections();
    validate();
    scheduleCheck(0);
  }

  function showLedgerErrors(errors) {
    const list = $("#ledger-errors");
    list.innerHTML = "";
    for (const text of errors || []) {
      const li = document.createElement("li");
      li.textContent = text;
      list.append(li);
    }
    list.hidden = !list.children.length;
  }

  async function importFiles() {
    const tables = $("#tables-file").files[0];
    const ledger = $("#ledger-file").files[0];
    if (!tables && !ledger) {
      status("请先选择填报表（XLSX）或依申请公开台账（CSV/XLSX）。", true);
      return;
    }
    const form = new FormData();
    form.append("draft", new Blob([JSON.stringify(state.draft)], { type: "application/json" }), "draft.json");
    if (tables) form.append("tables", tables);
    if (ledger) form.append("ledger", ledger);
    status("正在导入……");
    const res = await fetch("/api/author/import", { method: "POST", headers: csrfHeaders(false), body: form });
    const out = await res.json();
    if (!res.ok) {
      status(out.error || "导入失败。", true);
      return;
    }
    loadDraft(out);
    showLedgerErrors(out.ledger_errors);
    const parts = [];
    if (tables) parts.push(`填报表 ${out.filled} 个数字`);
    if (ledger) parts.push(`台账 ${out.ledger_rows} 件申请（表三由此计算）`);
    const bad = (out.ledger_errors || []).length;
    status(`已导入${parts.join("，")}。` + (bad ? `台账有 ${bad} 处错误，见下方，请改正后重新导入。` : ""), bad > 0);
  }

  async function exportAs(fmt) {
    status("正在生成 " + fmt.toUpperCase() + "……");
    const res = await fetch("/api/author/export/" + fmt, {
      method: "POST",
      headers: csrfHeaders(true),
      body: JSON.stringify({ draft: state.draft, override: $("#override").checked }),
    });
    if (!res.ok) {
      const out = await res.json().catch(() => ({}));
      status(out.error || "导出失败。", true);
      return;
    }
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    const disposition = res.headers.get("Content-Disposition") || "";
    const m = /filename\*=UTF-8''([^;]+)/.exec(disposition);
    a.download = m ? decodeURIComponent(m[1]) : "report." + fmt;
    document.body.append(a);
    a.click();
    a.remove();
    status("已导出 " + a.download);
  }

  async function saveVersion() {
    status("正在保存……");
    const res = await fetch("/api/author/save", {
      method: "POST",
      headers: csrfHeaders(true),
      body: JSON.stringify({ draft: state.draft, based_on: state.based_on }),
    });
    const out = await res.json();
    if (!res.ok) {
      status(out.error || "保存失败。", true);
      return;
    }
    const el = $("#status");
    el.textContent = "已保存为新版本，并已重新核查：";
    const a = document.createElement("a");
    a.href = out.url;
    a.id = "saved-link";
    a.textContent = "查看新版本";
    el.append(a);
  }

  // ------------------------------------------------------------------ wiring

  document.addEventListener("input", (e) => {
    if (e.target.classList.contains("cell-input")) onCellInput(e.target);
    else if (e.target.matches("#author-sections textarea")) onSectionInput(e.target);
  });
  document.addEventListener("paste", onPaste, true);
  $("#author-start").addEventListener("submit", (e) => e.preventDefault());
  $("#fill-totals").addEventListener("click", fillTotals);
  $("#check-now").addEventListener("click", () => scheduleCheck(0));
  $("#import-previous").addEventListener("click", () => newDraft(true));
  $("#new-draft").addEventListener("click", () => newDraft(false));
  $("#import-files").addEventListener("click", importFiles);
  $$("[data-export]").forEach((b) => b.addEventListener("click", () => exportAs(b.dataset.export)));
  const save = $("#save-version");
  if (save) save.addEventListener("click", saveVersion);

  mountInputs();
  buildSections();
  validate();
  scheduleCheck(0);
})();
