// Runs inside the portal. When the portal is framed (which its Content-Security-Policy
// allows only for the configuration's origins), it tells the parent page its height, where
// it navigated and what the customer completed, by postMessage to that parent's origin only.
(function () {
  // A browser that blocks third-party storage throws on any use of localStorage or
  // sessionStorage inside a cross-site frame. The portal keeps nothing there that must
  // outlive the page (the session rides on the link's token), so memory stands in.
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try {
      window[name].getItem("portal-probe");
    } catch (blocked) {
      var data = {};
      var memory = {
        getItem: function (key) { return key in data ? data[key] : null; },
        setItem: function (key, value) { data[key] = String(value); },
        removeItem: function (key) { delete data[key]; },
        clear: function () { data = {}; },
        key: function (index) { return Object.keys(data)[index] || null; },
        get length() { return Object.keys(data).length; },
      };
      Object.defineProperty(window, name, { value: memory, configurable: true });
    }
  });
  if (window.parent === window) return;
  var key = "portal-embed-parent-origin";
  var parentOrigin = sessionStorage.getItem(key);
  if (!parentOrigin) {
    var ancestors = window.location.ancestorOrigins;
    parentOrigin = ancestors && ancestors.length ? ancestors[0] : "";
    if (!parentOrigin && document.referrer) parentOrigin = new URL(document.referrer).origin;
    if (!parentOrigin || parentOrigin === "null") return;
    sessionStorage.setItem(key, parentOrigin);
  }
  function post(type, detail) {
    window.parent.postMessage(Object.assign({ type: type }, detail || {}), parentOrigin);
  }
  window.portalEmbed = { emit: post };
  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== lastHeight) {
      lastHeight = height;
      post("portal.resize", { height: height });
    }
  }
  new ResizeObserver(reportHeight).observe(document.documentElement);
  var pushState = history.pushState;
  history.pushState = function () {
    pushState.apply(history, arguments);
    post("portal.navigate", { path: window.location.pathname });
  };
  window.addEventListener("popstate", function () {
    post("portal.navigate", { path: window.location.pathname });
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-portal-close]");
    if (link) post("portal.closed", {});
  });
  post("portal.navigate", { path: window.location.pathname });
})();
