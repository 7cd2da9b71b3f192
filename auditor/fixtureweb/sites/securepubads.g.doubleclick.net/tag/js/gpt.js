/* Fixture fake of Google Publisher Tag (gpt.js), behaving like it where an auditor looks.
 * Runs googletag.cmd; display(divId) fills the slot with an ad placeholder and loads an activity pixel
 * from https://ad.doubleclick.net/ddm/activity/... which sets IDE on .doubleclick.net. */
(function () {
  "use strict";
  var queued = (window.googletag && window.googletag.cmd) || [];
  var slots = {};

  function Slot(unitPath, size, divId) {
    this.unitPath = unitPath;
    this.size = size;
    this.divId = divId;
  }
  Slot.prototype.addService = function () { return this; };
  Slot.prototype.setTargeting = function () { return this; };

  var pubads = {
    enableSingleRequest: function () {},
    setTargeting: function () { return pubads; },
    collapseEmptyDivs: function () {}
  };

  function display(divId) {
    var slot = slots[divId];
    var element = document.getElementById(divId);
    if (element) {
      element.textContent = "Publicité";
      element.style.cssText += ";display:flex;align-items:center;justify-content:center;background:#eee;color:#777;" +
        "font:12px sans-serif;min-height:90px";
    }
    var ord = Math.floor(Math.random() * 1e13);
    new Image(1, 1).src = "https://ad.doubleclick.net/ddm/activity/src=4216750;type=invmedia;cat=display;" +
      "u1=" + encodeURIComponent(slot ? slot.unitPath : divId) + ";ord=" + ord + "?";
  }

  var googletag = {
    apiReady: true,
    pubadsReady: true,
    defineSlot: function (unitPath, size, divId) {
      slots[divId] = new Slot(unitPath, size, divId);
      return slots[divId];
    },
    pubads: function () { return pubads; },
    enableServices: function () {},
    display: display,
    cmd: { push: function (fn) { fn(); return 1; } }
  };
  window.googletag = googletag;
  queued.forEach(function (fn) { fn(); });
})();
