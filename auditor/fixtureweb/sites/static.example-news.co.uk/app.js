/* Example News first-party application script (served from static.example-news.co.uk). */
(function () {
  "use strict";
  var note = document.getElementById("edition-note");
  if (note) note.textContent = "You are reading the UK edition.";
})();
