// The merchant's side: put the portal in an iframe, size it, and relay its events.
// <div id="billing-portal"></div>
// <script src="https://billing.example.com/portal-embed.js"></script>
// <script>PortalEmbed.mount("#billing-portal", sessionUrl, { onEvent: console.log });</script>
// `sessionUrl` is the `url` of a portal session your backend created with
// POST /v1/billing_portal/sessions. Add this page's origin to the configuration's embed
// origins, or the portal refuses to be framed here.
(function () {
  function mount(target, sessionUrl, options) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    var portalOrigin = new URL(sessionUrl).origin;
    var frame = document.createElement("iframe");
    frame.src = sessionUrl;
    frame.title = (options && options.title) || "Billing portal";
    frame.allow = "payment *";
    frame.style.cssText = "width:100%;border:0;min-height:480px;display:block";
    container.appendChild(frame);
    window.addEventListener("message", function (event) {
      if (event.origin !== portalOrigin || event.source !== frame.contentWindow) return;
      var message = event.data || {};
      if (typeof message.type !== "string" || message.type.indexOf("portal.") !== 0) return;
      if (message.type === "portal.resize") frame.style.height = message.height + "px";
      if (options && options.onEvent) options.onEvent(message);
      container.dispatchEvent(new CustomEvent(message.type, { detail: message, bubbles: true }));
    });
    return frame;
  }
  window.PortalEmbed = { mount: mount };
})();
