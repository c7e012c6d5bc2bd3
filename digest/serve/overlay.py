"""The browser side of the preview: the script served at SCRIPT_PATH, with the error overlay."""

# The browser side, served at SCRIPT_PATH (never written into site/). It plugs into livereload.js
# (as a LiveReloadPlugin), so every reload message first asks the status: a failed build shows
# the overlay instead of reloading into the old page; a CSS-only build swaps stylesheets in place.
PREVIEW_JS = r"""(function () {
  "use strict";
  var me = document.currentScript;
  var shown = {pages: Number(me.dataset.pages), css: Number(me.dataset.css)};
  var state = window.digestPreview = {connected: false, serial: -1, reloading: false};
  var passThrough = false;
  var overlay = null;
  var dismissed = -1;

  function sync() {
    fetch("/__digest__/status", {cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(apply)
      .catch(function (error) { console.warn("digest preview:", error); });
  }

  function apply(status) {
    if (status.serial < state.serial || state.reloading) { return; }  // an answer overtaken by a newer one
    state.serial = status.serial;
    if (!status.ok) { showProblems(status); return; }
    if (status.pages !== shown.pages || overlay) {
      state.reloading = true;
      location.reload();
      return;
    }
    if (status.css !== shown.css) {
      shown.css = status.css;
      reloadStylesheets();
    }
  }

  function reloadStylesheets() {
    var livereload = window.LiveReload;
    passThrough = true;
    try {
      // A path that matches no <link> makes livereload.js swap every stylesheet in place.
      livereload.reloader.reload("/__digest__/all.css", {liveCSS: true, liveImg: false,
        originalPath: "", overrideURL: "", serverURL: location.origin});
    } finally {
      passThrough = false;
    }
  }

  var STYLE = ".backdrop{position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:6vh 1rem;" +
    "background:rgba(0,0,0,.6);font:16px/1.5 system-ui,sans-serif}" +
    ".dialog{box-sizing:border-box;max-width:60rem;margin:0 auto;padding:1.25rem 1.5rem;background:#fff;" +
    "color:#1a1a1a;border-top:.4rem solid #a50e0e;border-radius:.25rem}" +
    ".dialog:focus{outline:3px solid #0b57d0;outline-offset:2px}" +
    "h2{margin:0 0 .5rem;font-size:1.3rem;color:#8a0b0b}ol{padding-left:1.5rem}li{margin:.4rem 0}" +
    "code{font:.95em/1.4 ui-monospace,monospace;background:#f2f2f2;color:#1a1a1a;padding:0 .2em}" +
    ".warning{color:#5c4400}.error{color:#8a0b0b}" +
    "button{font:inherit;padding:.35rem 1rem;background:#fff;color:#1a1a1a;border:2px solid #1a1a1a;" +
    "border-radius:.25rem;cursor:pointer}button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}";

  function showProblems(status) {
    if (status.serial === dismissed) { return; }
    var first = !overlay;
    if (first) {
      overlay = document.createElement("div");
      overlay.id = "digest-preview-overlay";
      var root = overlay.attachShadow({mode: "open"});
      var style = document.createElement("style");
      style.textContent = STYLE;
      var backdrop = element("div", "backdrop");
      var dialog = element("div", "dialog");
      dialog.setAttribute("role", "alertdialog");
      dialog.setAttribute("aria-labelledby", "digest-title");
      dialog.setAttribute("aria-describedby", "digest-problems");
      dialog.tabIndex = -1;
      var title = element("h2", "", "The site did not build");
      title.id = "digest-title";
      var list = element("ol", "problems");
      list.id = "digest-problems";
      var hint = element("p", "", "Save a fix and this page updates by itself. " +
        "Until then the last good build of the site is served.");
      var hide = element("button", "", "Hide");
      hide.type = "button";
      hide.addEventListener("click", function () { dismiss(state.serial); });
      dialog.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { dismiss(state.serial); }
      });
      dialog.append(title, list, hint, hide);
      backdrop.append(dialog);
      root.append(style, backdrop);
      (document.body || document.documentElement).appendChild(overlay);
    }
    var items = overlay.shadowRoot.querySelector("ol");
    items.replaceChildren();
    status.problems.forEach(function (problem) {
      var item = element("li", "");
      item.append(element("code", "", problem.path + ":" + problem.line), " ",
        element("span", problem.severity, problem.severity + ": " + problem.message));
      items.append(item);
    });
    if (first) { overlay.shadowRoot.querySelector(".dialog").focus(); }
  }

  function dismiss(serial) {
    dismissed = serial;
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }  // never innerHTML: messages quote the editor's files
    return node;
  }

  function DigestPlugin(window, host) { this.host = host; }
  DigestPlugin.identifier = "digest-preview";
  DigestPlugin.version = "1.0";
  DigestPlugin.prototype.reload = function () {
    if (passThrough) { return false; }
    sync();
    return true;
  };
  window.LiveReloadPluginDigestPreview = DigestPlugin;

  document.addEventListener("LiveReloadConnect", function () { state.connected = true; sync(); });
  document.addEventListener("LiveReloadDisconnect", function () { state.connected = false; });
  var script = document.createElement("script");
  script.src = "/livereload.js?port=" + (location.port || (location.protocol === "https:" ? 443 : 80));
  document.head.appendChild(script);
})();
"""
