// Service worker of www.traces-discretes.fr: a Google Analytics hit from the worker itself, once installed.
self.addEventListener("install", function (event) {
  event.waitUntil(fetch("https://www.google-analytics.com/collect?v=1&t=event&ec=service-worker", {mode: "no-cors"}).catch(function () {}));
});
