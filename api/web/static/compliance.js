/* Compliance: the rule editor (line numbers, problems marked on their lines, save with
   validation), scenario tests, backtest, publishing, drafts. */
"use strict";
(function () {
  const {msg, api, el, show} = window.prereview;

  // -- editor: line numbers beside the text, problem lines marked -----------------------
  function editor(box) {
    const gutter = box.querySelector(".gutter");
    const area = box.querySelector("textarea");
    let marked = new Set();
    function draw() {
      const lines = area.value.split("\n").length;
      gutter.replaceChildren(...Array.from({length: lines}, (_, i) =>
        el("div", {class: marked.has(i + 1) ? "error" : null, text: String(i + 1)})));
      gutter.scrollTop = area.scrollTop;
    }
    area.addEventListener("input", draw);
    area.addEventListener("scroll", () => { gutter.scrollTop = area.scrollTop; });
    area.addEventListener("keydown", (e) => {
      if (e.key === "Tab") {  // two spaces, as YAML wants
        e.preventDefault();
        const at = area.selectionStart;
        area.setRangeText("  ", at, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input"));
      }
    });
    draw();
    return {
      area,
      mark(lines) { marked = new Set(lines); draw(); },
      reveal(line) {  // scroll the line into view, leave the caret where it is
        area.scrollTop = Math.max(0, (line - 5) * 20);
        gutter.scrollTop = area.scrollTop;
      },
      goto(line) {
        const lines = area.value.split("\n");
        const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
        area.focus();
        area.setSelectionRange(start, start + (lines[line - 1] || "").length);
        area.scrollTop = Math.max(0, (line - 5) * 20);
        gutter.scrollTop = area.scrollTop;
      },
    };
  }

  const boxes = Array.from(document.querySelectorAll("[data-editor]")).map(editor);

  function pageError(text) {
    const box = document.getElementById("page-error");
    if (box) { box.textContent = text; show(box, !!text); } else if (text) alert(text);
  }

  // -- home: new draft ------------------------------------------------------------------
  const newDraft = document.getElementById("new-draft");
  if (newDraft) newDraft.addEventListener("click", async () => {
    newDraft.disabled = true;
    try {
      const made = await api("POST", "/api/v1/rules/drafts");
      location.href = "/compliance/drafts/" + made.draft_id;
    } catch (err) { pageError(err.message); newDraft.disabled = false; }
  });

  // -- draft page ---------------------------------------------------------------------------
  const draftBox = document.getElementById("draft");
  if (!draftBox) return;
  const draftId = draftBox.dataset.draftId;
  const file = draftBox.dataset.file;
  const base = "/api/v1/rules/drafts/" + draftId;
  const ed = boxes[0];
  const saveState = document.getElementById("save-state");
  let savedText = ed.area.value;

  function drawProblems(problems) {
    const list = document.getElementById("problems");
    list.replaceChildren(...problems.map((p) => {
      const item = el("li", {"data-file": p.file, "data-line": p.line},
        el("span", {class: "where", text: p.file + ":" + p.line}), p.message);
      item.addEventListener("click", () => {
        if (p.file === file) ed.goto(p.line);
        else location.href = "?file=" + encodeURIComponent(p.file) + "#line-" + p.line;
      });
      return item;
    }));
    const here = problems.filter((p) => p.file === file).map((p) => p.line);
    ed.mark(here);
    for (const link of document.querySelectorAll("#draft-files a")) {
      link.classList.toggle("bad", problems.some((p) => p.file === link.textContent.trim()));
    }
    saveState.className = "small " + (problems.length ? "result-bad" : "result-ok");
    saveState.textContent = problems.length ? msg("compliance.invalid", {n: problems.length})
                                            : msg("compliance.valid");
    return here;
  }

  // problems rendered by the server: make them clickable and mark their lines
  drawProblems(Array.from(document.querySelectorAll("#problems li")).map((li) => ({
    file: li.dataset.file, line: Number(li.dataset.line),
    message: li.lastChild.textContent})));
  const jump = /^#line-(\d+)$/.exec(location.hash);
  if (jump) ed.goto(Number(jump[1]));

  async function save() {
    saveState.className = "small muted"; saveState.textContent = msg("compliance.working");
    try {
      const text = ed.area.value;
      const result = await api("PUT", base + "/files/" + file, text);
      savedText = text;
      const here = drawProblems(result.problems);
      if (here.length) ed.reveal(Math.min(...here));
      saveState.textContent = msg("compliance.saved") + " · " + saveState.textContent;
    } catch (err) {
      saveState.className = "small result-bad"; saveState.textContent = err.message;
    }
  }
  document.getElementById("save").addEventListener("click", save);
  ed.area.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(); }
  });
  ed.area.addEventListener("input", () => {
    if (ed.area.value !== savedText) { saveState.className = "small muted"; saveState.textContent = msg("compliance.unsaved"); }
  });
  window.addEventListener("beforeunload", (e) => { if (ed.area.value !== savedText) e.preventDefault(); });

  // scenario tests
  const runTests = document.getElementById("run-tests");
  runTests.addEventListener("click", async () => {
    const out = document.getElementById("tests");
    const summary = document.getElementById("tests-summary");
    runTests.disabled = true; summary.textContent = msg("compliance.working"); summary.className = "muted";
    try {
      const r = await api("POST", base + "/test");
      if (!r.valid) drawProblems(r.problems);
      summary.className = r.failed || !r.valid ? "result-bad" : "result-ok";
      summary.textContent = r.valid ? msg("compliance.tests_result", {passed: r.passed, failed: r.failed})
                                    : msg("compliance.invalid", {n: r.problems.length});
      out.replaceChildren(...r.results.map((s) => el("div", {class: "scenario" + (s.passed ? "" : " fail")},
        el("span", {class: s.passed ? "ok" : "result-bad", text: s.passed ? "✓ " : "✗ "}),
        el("span", {class: "mono small", text: s.file + " "}), s.name,
        s.problems.length ? el("div", {class: "small", text: s.problems.join("; ")}) : null)));
    } catch (err) { summary.className = "result-bad"; summary.textContent = err.message; }
    runTests.disabled = false;
  });

  // backtest
  const runBacktest = document.getElementById("run-backtest");
  runBacktest.addEventListener("click", async () => {
    const out = document.getElementById("backtest");
    const summary = document.getElementById("backtest-summary");
    runBacktest.disabled = true; summary.textContent = msg("compliance.working"); summary.className = "muted";
    try {
      const r = await api("POST", base + "/backtest");
      const changed = r.changed || [];
      summary.className = changed.length ? "result-bad" : "result-ok";
      summary.textContent = msg("compliance.backtest_result", {total: r.total, changed: changed.length});
      const head = el("thead", {}, el("tr", {},
        el("th", {text: msg("case.id")}), el("th", {text: msg("compliance.before")}),
        el("th", {text: msg("compliance.after")}), el("th", {text: msg("compliance.why")})));
      const rows = changed.map((c) => el("tr", {},
        el("td", {class: "mono", text: c.case_id}),
        el("td", {}, el("span", {class: "verdict-tag " + c.before, text: msg("verdict." + c.before)})),
        el("td", {}, el("span", {class: "verdict-tag " + c.after, text: msg("verdict." + c.after)})),
        el("td", {class: "change"},
          (c.added || []).map((f) => el("div", {class: "result-bad"}, "+ ", el("span", {class: "mono", text: f}))),
          (c.removed || []).map((f) => el("div", {class: "ok"}, "− ", el("span", {class: "mono", text: f}))))));
      out.replaceChildren(changed.length
        ? el("table", {class: "list", id: "backtest-changes"}, head, el("tbody", {}, rows))
        : el("p", {class: "muted", text: msg("compliance.backtest_none")}));
    } catch (err) {
      summary.className = "result-bad";
      summary.textContent = err.status === 501 ? msg("compliance.backtest_unavailable") : err.message;
      if (err.problem && err.problem.problems) drawProblems(err.problem.problems);
    }
    runBacktest.disabled = false;
  });

  // publish
  const publish = document.getElementById("publish");
  publish.addEventListener("click", async () => {
    const note = document.getElementById("publish-note");
    const state = document.getElementById("publish-state");
    if (!note.value.trim()) { note.focus(); state.className = "result-bad"; state.textContent = msg("compliance.publish_note"); return; }
    if (ed.area.value !== savedText) await save();
    publish.disabled = true; state.className = "muted"; state.textContent = msg("compliance.working");
    try {
      const v = await api("POST", base + "/publish", {note: note.value.trim()});
      state.className = "result-ok"; state.textContent = msg("compliance.publish_done", {version: v.version || v.sha256 || ""});
    } catch (err) {
      state.className = "result-bad";
      state.textContent = err.status === 501 ? msg("compliance.publish_unavailable") : err.message;
      if (err.problem && err.problem.problems) drawProblems(err.problem.problems);
      publish.disabled = false;
    }
  });

  document.getElementById("delete-draft").addEventListener("click", async () => {
    if (!confirm(msg("compliance.delete_draft") + "?")) return;
    try { await api("DELETE", base); savedText = ed.area.value; location.href = "/compliance"; }
    catch (err) { alert(err.message); }
  });
})();
