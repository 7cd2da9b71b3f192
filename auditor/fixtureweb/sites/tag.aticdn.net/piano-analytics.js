/* Fixture fake of Piano Analytics (AT Internet), configured as CNIL-exempt audience measurement.
 * pa.setConfigurations({site, collectDomain}); pa.sendEvent(name, properties) sets first-party _pcid
 * (13 months, a random visitor id, nothing else) and posts the event to <collectDomain>/hit.xiti
 * (answers 204, no third-party cookie). */
(function () {
  "use strict";
  var settings = { site: 0, collectDomain: "https://logs1412.xiti.com" };

  function visitorId() {
    var match = document.cookie.match(/(?:^|;\s*)_pcid=([^;]*)/);
    if (match) {
      try { return JSON.parse(decodeURIComponent(match[1])).browserId; } catch (e) { /* rewritten below */ }
    }
    var id = "";
    for (var i = 0; i < 4; i++) id += Math.random().toString(36).slice(2, 8);
    return id;
  }

  function sendEvent(name, properties) {
    var id = visitorId();
    document.cookie = "_pcid=" + encodeURIComponent(JSON.stringify({ browserId: id })) +
      "; Path=/; Max-Age=34128000; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
    var query = new URLSearchParams({ s: String(settings.site), idclient: id, p: location.pathname });
    var body = JSON.stringify({ events: [{ name: name, data: properties || {} }] });
    var url = settings.collectDomain.replace(/\/$/, "") + "/hit.xiti?" + query.toString();
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) new Image().src = url;
  }

  window.pa = {
    setConfigurations: function (options) { Object.assign(settings, options); },
    sendEvent: sendEvent
  };
})();
