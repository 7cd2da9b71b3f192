/* Fixture fake of Criteo's publishertag.js, behaving like it where an auditor looks.
 * Sets first-party cto_bundle (13 months) and syncs with https://gum.criteo.com/sync, which sets `uid` on
 * .criteo.com. */
(function () {
  "use strict";
  function topDomain() {
    var labels = location.hostname.split(".");
    for (var i = labels.length - 2; i >= 0; i--) {
      var candidate = labels.slice(i).join(".");
      document.cookie = "cto_probe=1; Domain=" + candidate + "; Path=/";
      if (document.cookie.indexOf("cto_probe=1") !== -1) {
        document.cookie = "cto_probe=; Domain=" + candidate + "; Path=/; Max-Age=0";
        return candidate;
      }
    }
    return location.hostname;
  }

  var bundle = "";
  for (var i = 0; i < 4; i++) bundle += Math.random().toString(36).slice(2);
  if (!/(?:^|;\s*)cto_bundle=/.test(document.cookie)) {
    document.cookie = "cto_bundle=" + bundle + "; Domain=" + topDomain() + "; Path=/; Max-Age=33696000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  var query = new URLSearchParams({ c: "2", r: "2", a: "1", u: location.href, j: "fixtureSync" });
  new Image(1, 1).src = "https://gum.criteo.com/sync?" + query.toString();
  window.Criteo = window.Criteo || { events: [] };
})();
