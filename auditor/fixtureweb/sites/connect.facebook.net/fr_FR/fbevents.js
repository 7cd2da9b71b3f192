/* Fixture fake of Meta's pixel (fbevents.js), behaving like it where an auditor looks.
 * Reads the fbq() queue: 'init' sets first-party _fbp (fb.1.<ms>.<random>, 90 days) on the site's top
 * domain; 'track' requests https://www.facebook.com/tr?id=... which answers a GIF setting `fr` on
 * .facebook.com. */
(function () {
  "use strict";
  var queued = (window.fbq && window.fbq.queue) || [];
  var pixelId = null;
  var fbp = null;

  function topDomain() {
    var labels = location.hostname.split(".");
    for (var i = labels.length - 2; i >= 0; i--) {
      var candidate = labels.slice(i).join(".");
      document.cookie = "_fb_probe=1; Domain=" + candidate + "; Path=/";
      if (document.cookie.indexOf("_fb_probe=1") !== -1) {
        document.cookie = "_fb_probe=; Domain=" + candidate + "; Path=/; Max-Age=0";
        return candidate;
      }
    }
    return location.hostname;
  }

  function init(id) {
    pixelId = id;
    var existing = document.cookie.match(/(?:^|;\s*)_fbp=([^;]*)/);
    fbp = existing ? existing[1] : "fb.1." + Date.now() + "." + Math.floor(Math.random() * 1e10);
    document.cookie = "_fbp=" + fbp + "; Domain=" + topDomain() + "; Path=/; Max-Age=7776000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }

  function track(eventName) {
    if (!pixelId) return;
    var query = new URLSearchParams({
      id: pixelId, ev: eventName || "PageView", dl: location.href, rl: document.referrer, if: "false",
      ts: String(Date.now()), fbp: fbp, v: "2.9.fixture"
    });
    new Image(1, 1).src = "https://www.facebook.com/tr?" + query.toString();
  }

  function fbq(command) {
    if (command === "init") init(arguments[1]);
    else if (command === "track" || command === "trackCustom") track(arguments[1]);
  }
  fbq.loaded = true;
  fbq.version = "2.0";
  window.fbq = window._fbq = fbq;
  queued.forEach(function (args) { fbq.apply(null, args); });
})();
