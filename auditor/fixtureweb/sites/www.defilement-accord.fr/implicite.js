/* "Scrolling means consent": VIOLATION (deliberate). A visitor who scrolls the page, or opens a second
 * page, without answering the banner is taken as consenting: the choice `accepted` is stored and the
 * DoubleClick pixel (IDE on .doubleclick.net) and the Meta pixel (_fbp, fr) load. A click on
 * "Tout refuser" is respected. The site also answers Global Privacy Control: a US Privacy string
 * (__uspapi) that says opted out of sale when navigator.globalPrivacyControl is true, and a
 * /.well-known/gpc.json. */
(function () {
  "use strict";
  function choice() {
    var match = document.cookie.match(/(?:^|;\s*)consent=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : null;
  }
  var done = false;
  function impliedConsent(how) {
    if (done || choice() !== null) return;
    done = true;
    document.cookie = "consent=accepted; Max-Age=15552000; Path=/; SameSite=Lax; Secure";
    var pixel = new Image(1, 1);
    pixel.src = "https://ad.doubleclick.net/ddm/activity/src=7710342;type=" + how + ";cat=defil0;ord=1?";
    document.body.appendChild(pixel);
    window.fbq = window.fbq || function () { (window.fbq.queue = window.fbq.queue || []).push(arguments); };
    fbq("init", "902113458761204");
    fbq("track", "PageView");
    var script = document.createElement("script");
    script.src = "https://connect.facebook.net/fr_FR/fbevents.js";
    script.async = true;
    document.head.appendChild(script);
  }
  window.__uspapi = function (command, version, callback) {
    if (command !== "getUSPData") return callback(null, false);
    callback({version: 1, uspString: navigator.globalPrivacyControl === true ? "1YYN" : "1YNN"}, true);
  };
  // A second page of the site without an answer: "continuing to browse" is taken as consent.
  if (sessionStorage.getItem("pages_vues") && choice() === null) {
    window.addEventListener("load", function () { impliedConsent("pagevu"); });
  }
  sessionStorage.setItem("pages_vues", "1");
  window.addEventListener("scroll", function () {
    if (window.scrollY > 400) impliedConsent("scroll");
  }, {passive: true});
})();
