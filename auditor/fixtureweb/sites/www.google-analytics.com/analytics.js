/* Fixture fake of Google's analytics.js (Universal Analytics), behaving like it where an auditor looks.
 * Reads the ga() command queue: 'create' sets first-party _ga (13 months) and _gid (24 hours);
 * 'send' sends a hit to https://www.google-analytics.com/collect (answers 204). */
(function () {
  "use strict";
  var name = window.GoogleAnalyticsObject || "ga";
  var queued = (window[name] && window[name].q) || [];
  var trackingId = "UA-000000-1";
  var clientId = null;

  function topDomain() {
    var labels = location.hostname.split(".");
    for (var i = labels.length - 2; i >= 0; i--) {
      var candidate = labels.slice(i).join(".");
      document.cookie = "_ga_probe=1; Domain=" + candidate + "; Path=/";
      if (document.cookie.indexOf("_ga_probe=1") !== -1) {
        document.cookie = "_ga_probe=; Domain=" + candidate + "; Path=/; Max-Age=0";
        return candidate;
      }
    }
    return location.hostname;
  }

  function setCookie(cookieName, value, maxAge, domain) {
    document.cookie = cookieName + "=" + value + "; Domain=" + domain + "; Path=/; Max-Age=" + maxAge +
      "; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  function create(id) {
    trackingId = id || trackingId;
    var domain = topDomain();
    var existing = document.cookie.match(/(?:^|;\s*)_ga=([^;]*)/);
    var ga = existing ? existing[1] :
      "GA1.2." + Math.floor(Math.random() * 2147483647) + "." + Math.floor(Date.now() / 1000);
    clientId = ga.split(".").slice(2).join(".");
    setCookie("_ga", ga, 34190000, domain);
    setCookie("_gid", "GA1.2." + Math.floor(Math.random() * 2147483647) + "." + Math.floor(Date.now() / 1000),
      86400, domain);
  }

  function send(hitType) {
    var query = new URLSearchParams({
      v: "1", tid: trackingId, cid: clientId || "0", t: hitType || "pageview", dl: location.href, dt: document.title,
      z: String(Math.floor(Math.random() * 1e9))
    });
    new Image().src = "https://www.google-analytics.com/collect?" + query.toString();
  }

  function ga(command) {
    if (command === "create") create(arguments[1]);
    else if (command === "send") send(arguments[1]);
  }
  window[name] = ga;
  queued.forEach(function (args) { ga.apply(null, args); });
})();
