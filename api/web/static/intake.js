/* Intake: create a case; drop files (per-file upload progress), watch them being read,
   fix what is missing or unreadable, start verification and see the result. */
"use strict";
(function () {
  const {msg, api, el, show} = window.prereview;

  // crypto.randomUUID needs https; an internal http address has getRandomValues only
  function randomKey() {
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // the service's validation messages in the page's language where we know them
  function readable(message) {
    if (/^Field required/.test(message)) return msg("intake.required");
    const rules = [[/greater than or equal to ([\d.]+)/, "intake.at_least"],
                   [/greater than ([\d.]+)/, "intake.greater_than"],
                   [/less than or equal to ([\d.]+)/, "intake.at_most"],
                   [/less than ([\d.]+)/, "intake.less_than"]];
    for (const [pattern, key] of rules) {
      const m = pattern.exec(message);
      if (m) return msg(key, {n: m[1]});
    }
    return message;
  }

  // -- new case -------------------------------------------------------------------------
  const form = document.getElementById("new-case-form");
  if (form) {
    const date = form.elements["application_date"];
    if (date && !date.value) date.value = new Date().toISOString().slice(0, 10);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = document.getElementById("form-error");
      show(error, false);
      for (const bad of form.querySelectorAll(".invalid")) bad.classList.remove("invalid");
      const body = {applicant: {}, loan: {}, co_borrowers: []};
      for (const input of form.querySelectorAll("input, select")) {
        const value = input.value.trim();
        if (!value) continue;
        const [head, tail] = input.name.split(".");
        if (tail) body[head][tail] = input.type === "number" ? Number(value) : value;
        else body[head] = value;
      }
      if (body.loan.annual_rate !== undefined) body.loan.annual_rate = +(body.loan.annual_rate / 100).toFixed(6);
      try {
        const made = await api("POST", "/api/v1/cases", body,
                               {"Idempotency-Key": form.dataset.idem || (form.dataset.idem = randomKey())});
        location.href = "/intake/cases/" + encodeURIComponent(made.case_id);
      } catch (err) {
        const problems = (err.problem && err.problem.errors) || [];
        const lines = problems.map((p) => {
          const input = form.elements[p.field];
          if (input) input.classList.add("invalid");
          const label = input && input.closest("label") ? input.closest("label").firstChild.textContent.trim() : p.field;
          const text = readable(p.message);
          return label + msg("sep.colon") + text;
        });
        error.textContent = problems.length ? msg("intake.fix_fields") + msg("sep.colon") + lines.join("; ")
                                            : err.message;
        show(error, true);
      }
    });
  }

  // -- case workspace ---------------------------------------------------------------------
  const workspace = document.getElementById("workspace");
  if (!workspace) return;
  const caseId = workspace.dataset.caseId;
  const base = "/api/v1/cases/" + encodeURIComponent(caseId);
  const uploads = document.getElementById("uploads");
  const documents = document.getElementById("documents");
  const input = document.getElementById("file-input");
  const replaceInput = document.getElementById("replace-input");
  const dropzone = document.getElementById("dropzone");
  const verifyButton = document.getElementById("verify");
  let state = null, timer = null, replacing = null, active = 0;
  const queue = [];

  function sizeLabel(bytes) {
    return bytes > 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  // Uploads: one request per file so each has its own progress bar; three at a time.
  function enqueue(files, replaces) {
    for (const file of files) {
      const bar = el("div", {class: "fill"});
      const label = el("span", {class: "small muted", text: msg("intake.uploading") + " 0%"});
      const row = el("tr", {class: "uploading", "data-upload": file.name},
        el("td", {class: "mono"}, file.name, el("div", {class: "small muted", text: sizeLabel(file.size)})),
        el("td", {}, el("span", {class: "muted", text: msg("kind.pending")})),
        el("td", {}, el("div", {class: "bar"}, bar), label), el("td"));
      uploads.append(row);
      queue.push({file, row, bar, label, replaces});
    }
    pump();
  }

  function pump() {
    while (active < 3 && queue.length) {
      active += 1;
      send(queue.shift()).finally(() => {
        active -= 1;
        if (!active && !queue.length) readNow();
        pump();
      });
    }
  }

  function send(item) {
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("files", item.file, item.file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", base + "/documents");
      xhr.setRequestHeader("X-CSRF-Token", window.prereview.csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        const pct = Math.round((e.loaded / e.total) * 100);
        item.bar.style.width = pct + "%";
        item.label.textContent = msg("intake.uploading") + " " + pct + "%";
      };
      xhr.onload = async () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          item.row.remove();
          if (item.replaces) {
            try { await api("DELETE", base + "/documents/" + item.replaces); } catch (err) { /* shown by refresh */ }
          }
        } else {
          let detail = xhr.statusText;
          try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (e) { /* not JSON */ }
          item.row.classList.add("failed");
          item.label.textContent = msg("intake.upload_failed") + msg("sep.colon") + detail;
          item.bar.style.width = "100%";
        }
        resolve();
        refresh();
      };
      xhr.onerror = () => {
        item.row.classList.add("failed");
        item.label.textContent = msg("intake.upload_failed");
        resolve();
      };
      xhr.send(data);
    });
  }

  async function readNow() {
    try { await api("POST", "/web/cases/" + encodeURIComponent(caseId) + "/read"); } catch (err) { /* refresh shows state */ }
    refresh();
  }

  // Drop zone
  for (const name of ["dragenter", "dragover"]) {
    dropzone.addEventListener(name, (e) => { e.preventDefault(); dropzone.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    dropzone.addEventListener(name, (e) => { e.preventDefault(); dropzone.classList.remove("over"); });
  }
  dropzone.addEventListener("drop", (e) => {
    if (state && state.busy) return;
    enqueue(Array.from(e.dataTransfer.files || []));
  });
  dropzone.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
  });
  input.addEventListener("change", () => { enqueue(Array.from(input.files)); input.value = ""; });
  replaceInput.addEventListener("change", () => {
    if (replaceInput.files.length && replacing) enqueue([replaceInput.files[0]], replacing);
    replacing = null; replaceInput.value = "";
  });

  async function removeDocument(id) {
    if (!confirm(msg("intake.remove_confirm"))) return;
    try { await api("DELETE", base + "/documents/" + id); } catch (err) { showError(err.message); }
    refresh();
  }

  verifyButton.addEventListener("click", async () => {
    verifyButton.disabled = true;
    try { await api("POST", base + "/verify"); } catch (err) { showError(err.message); }
    refresh();
  });

  function showError(text) {
    const box = document.getElementById("case-error");
    box.textContent = text; show(box, !!text);
  }

  // -- drawing the state ------------------------------------------------------------------
  function drawDocuments() {
    documents.replaceChildren(...state.documents.map((d) => {
      const kinds = d.parts.length
        ? d.parts.map((p) => el("span", {class: "kind" + (p.unreadable ? " bad" : "")}, p.kind_label))
        : [el("span", {class: "muted", text: msg("kind.pending")})];
      const problems = d.parts.flatMap((p) => p.problems).map((p) =>
        el("div", {class: "problem"}, el("strong", {}, msg("intake.problem_hint") + msg("sep.colon")), p.hint));
      const reading = d.status !== "read";
      const progress = el("div", {},
        el("div", {class: "bar" + (reading && (d.status === "reading" || state.busy) ? " busy" : "")},
          el("div", {class: "fill", style: "width:" + (reading ? (d.status === "reading" ? "60%" : "8%") : "100%")})),
        el("span", {class: "small " + (reading ? "muted" : "ok"), text: d.status_label}));
      const actions = state.busy ? [] : [
        el("button", {type: "button", class: "small-button", "data-action": "replace",
                      onclick: () => { replacing = d.id; replaceInput.click(); }}, msg("intake.replace")),
        el("button", {type: "button", class: "small-button danger", "data-action": "remove",
                      onclick: () => removeDocument(d.id)}, msg("intake.remove"))];
      return el("tr", {"data-document-id": d.id, class: d.needs_attention ? "attention" : ""},
        el("td", {class: "mono"}, d.file, el("div", {class: "small muted", text: sizeLabel(d.size)})),
        el("td", {}, kinds, problems), el("td", {}, progress), el("td", {class: "actions"}, actions));
    }));
  }

  function drawChecklist() {
    document.getElementById("checklist").replaceChildren(...state.checklist.map((item) =>
      el("li", {class: "check " + item.state},
        el("span", {class: "mark"}), el("span", {class: "label", text: item.label}),
        el("span", {class: "state", text: item.state_label}),
        item.hint ? el("div", {class: "hint", text: item.hint}) : null)));
  }

  function drawStatus() {
    const status = document.getElementById("case-status");
    status.className = "status " + state.status; status.textContent = state.status_label;
    document.getElementById("read-progress").textContent = state.progress_label;
    const total = state.documents.length || 1;
    const pct = state.status === "done" ? 100 : Math.round((state.documents_read / total) * (state.busy ? 90 : 100));
    document.getElementById("case-bar").style.width = pct + "%";
    verifyButton.disabled = state.busy || !state.documents.length;
    verifyButton.textContent = state.verification ? msg("intake.verify_again") : msg("intake.verify");
    show(document.getElementById("busy-note"), state.busy);
    dropzone.classList.toggle("disabled", state.busy);
    input.disabled = state.busy;
    showError(state.error);
    const result = document.getElementById("result");
    show(result, !!state.verdict);
    if (state.verdict) {
      const banner = document.getElementById("verdict-banner");
      banner.className = "verdict-banner " + state.verdict;
      banner.textContent = msg("verdict." + state.verdict);
      const list = document.getElementById("corrections");
      list.replaceChildren(...(state.corrections.length ? state.corrections.map((c) =>
        el("li", {class: "finding " + c.severity},
          el("div", {}, el("span", {class: "tag " + c.severity, text: msg("severity." + c.severity)}), " ",
             el("span", {class: "mono small", text: c.code})),
          el("div", {text: c.message}), c.action ? el("div", {class: "action", text: "→ " + c.action}) : null))
        : [el("li", {class: "muted", text: msg("intake.no_corrections")})]));
    }
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      state = await api("GET", "/web/cases/" + encodeURIComponent(caseId) + "/state");
      drawDocuments(); drawChecklist(); drawStatus();
    } catch (err) {
      showError(err.message);
    }
    const working = state && (state.busy || state.documents.some((d) => d.status !== "read" && d.status !== "stored")
                              || state.documents.some((d) => d.status === "stored" && active));
    const waiting = state && state.documents.some((d) => d.status === "stored");
    timer = setTimeout(refresh, working ? 1000 : waiting ? 2500 : 6000);
  }

  refresh();
})();
