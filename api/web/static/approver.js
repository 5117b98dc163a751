/* Approver: tabs, the report frame sized to its content and printed, the evidence box
   drawn over each page image, the full repayment schedule on request. */
"use strict";
(function () {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.addEventListener("click", () => {
      for (const other of document.querySelectorAll(".tabs button")) {
        other.classList.toggle("active", other === button);
        document.getElementById("tab-" + other.dataset.tab).classList.toggle("hidden", other !== button);
      }
    });
  }

  const frame = document.getElementById("report-frame");
  if (frame) {
    const fit = () => {
      try { frame.style.height = (frame.contentDocument.documentElement.scrollHeight + 20) + "px"; } catch (e) { /* not loaded */ }
    };
    frame.addEventListener("load", fit);
    window.addEventListener("resize", fit);
  }
  const print = document.getElementById("print-report");
  if (print && frame) print.addEventListener("click", () => frame.contentWindow.print());

  function place(view) {
    const img = view.querySelector("img");
    const box = view.querySelector(".hl");
    const [x0, y0, x1, y1] = view.dataset.bbox.split(",").map(Number);
    const w = img.naturalWidth, h = img.naturalHeight;
    if (!w || !h) return;
    box.style.left = (x0 / w * 100) + "%";
    box.style.top = (y0 / h * 100) + "%";
    box.style.width = ((x1 - x0) / w * 100) + "%";
    box.style.height = ((y1 - y0) / h * 100) + "%";
    view.dataset.placed = "1";
  }
  for (const view of document.querySelectorAll(".pageview")) {
    const img = view.querySelector("img");
    if (img.complete) place(view); else img.addEventListener("load", () => place(view));
    const toggle = () => {
      view.classList.toggle("zoom");
      if (view.classList.contains("zoom")) {
        const box = view.querySelector(".hl");
        box.scrollIntoView({block: "center", inline: "center"});
      }
    };
    view.addEventListener("click", toggle);
    view.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === "Escape") toggle(); });
  }

  const more = document.getElementById("show-schedule");
  if (more) more.addEventListener("click", () => {
    for (const row of document.querySelectorAll("#schedule tr.more")) row.classList.remove("hidden");
    more.remove();
  });
})();
