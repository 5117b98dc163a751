/* Shared by every page: the message catalogue, calls to the service with the session's
   CSRF token, and a tiny element builder. No framework, no build step. */
"use strict";
(function () {
  const catalogue = JSON.parse(document.getElementById("messages").textContent || "{}");
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function msg(key, values) {
    let text = catalogue[key] || key;
    for (const [k, v] of Object.entries(values || {})) text = text.split("{" + k + "}").join(v);
    return text;
  }

  /* fetch() with the CSRF header; resolves to the parsed body, rejects with an Error
     carrying the problem+json detail. */
  async function api(method, url, body, extraHeaders) {
    const headers = Object.assign({"X-CSRF-Token": csrf, "Accept": "application/json"},
                                  extraHeaders || {});
    const init = {method, headers, credentials: "same-origin"};
    if (body instanceof FormData) init.body = body;
    else if (typeof body === "string") { init.body = body; headers["Content-Type"] = "text/plain; charset=utf-8"; }
    else if (body !== undefined) { init.body = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
    const response = await fetch(url, init);
    if (response.status === 401) { location.href = "/signin?ended=1&next=" + encodeURIComponent(location.pathname); }
    const type = response.headers.get("content-type") || "";
    const data = response.status === 204 ? null
      : type.includes("json") ? await response.json() : await response.text();
    if (!response.ok) {
      const err = new Error((data && (data.detail || data.title)) || response.statusText);
      err.status = response.status; err.problem = data;
      throw err;
    }
    return data;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function show(node, on) { if (node) node.classList.toggle("hidden", !on); }

  window.prereview = {msg, api, el, show, csrf};
})();
