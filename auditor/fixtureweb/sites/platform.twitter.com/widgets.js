/* Fixture fake of X/Twitter's widgets.js, behaving like it where an auditor looks.
 * Renders a.twitter-timeline / blockquote.twitter-tweet as a small card and reports to
 * https://syndication.twitter.com/i/jot, which sets `guest_id` on .twitter.com. */
(function () {
  "use strict";
  var embeds = document.querySelectorAll("a.twitter-timeline, blockquote.twitter-tweet");
  Array.prototype.forEach.call(embeds, function (embed) {
    var card = document.createElement("div");
    card.className = "twitter-embed-rendered";
    card.style.cssText = "border:1px solid #cfd9de;border-radius:12px;padding:12px;font:14px sans-serif;max-width:30rem";
    card.textContent = "Publication X — " + (embed.textContent || "").trim();
    embed.replaceWith(card);
  });
  var query = new URLSearchParams({ category: "perftown", l: location.href, t: String(Date.now()) });
  new Image(1, 1).src = "https://syndication.twitter.com/i/jot?" + query.toString();
  window.twttr = window.twttr || { widgets: { load: function () {} }, ready: function (fn) { fn(window.twttr); } };
})();
