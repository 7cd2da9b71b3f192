/*
 * Fixture consent banner: a deliberately small consent manager for the fixture web.
 *
 * Include with <script src="/static/banner.js" defer></script>. Optional configuration, set before it:
 *   window.FIXTURE_BANNER = {lang: "fr" | "en", labels: {accept, reject, settings, save, title, policy},
 *                            message: "...", policyUrl: "/politique-cookies"}
 *
 * - The choice is stored in the first-party cookie `consent` for 6 months:
 *   `accepted`, `rejected`, or `custom:<category>.<category>` from the settings layer.
 * - Scripts gated by category are written <script type="text/plain" data-category="analytics|advertising|social"
 *   data-src="..."> (or with inline code); they run only once their category is allowed.
 * - With a stored choice no banner is shown and allowed scripts run at once.
 * - Events on document: `consent:ready` (detail.choice: stored choice or null), `consent:banner-shown`
 *   (detail.banner: the element), `consent:changed` (detail.choice).
 */
(function () {
  "use strict";

  var config = window.FIXTURE_BANNER || {};
  var lang = config.lang || (document.documentElement.lang || "fr").slice(0, 2);
  var TEXTS = {
    fr: {
      title: "Vos choix en matière de cookies",
      message:
        "Avec votre accord, nous et nos partenaires utilisons des cookies pour mesurer l'audience, " +
        "personnaliser les publicités et afficher les contenus des réseaux sociaux. " +
        "Vous pouvez changer d'avis à tout moment.",
      accept: "Tout accepter",
      reject: "Tout refuser",
      settings: "Paramétrer vos choix",
      save: "Enregistrer mes choix",
      policy: "En savoir plus",
      analytics: "Statistiques (Google Analytics)",
      advertising: "Publicité personnalisée",
      social: "Réseaux sociaux"
    },
    en: {
      title: "We value your privacy",
      message:
        "With your consent, we and our partners use cookies to measure audience, personalise advertising " +
        "and show social media content. You can change your mind at any time.",
      accept: "Accept all",
      reject: "Reject all",
      settings: "Manage preferences",
      save: "Save my choices",
      policy: "Learn more",
      analytics: "Analytics (Google Analytics)",
      advertising: "Personalised advertising",
      social: "Social media"
    }
  };
  var text = Object.assign({}, TEXTS[lang] || TEXTS.fr, config.labels || {});
  if (config.message) text.message = config.message;
  var CATEGORIES = ["analytics", "advertising", "social"];
  var SIX_MONTHS = 15552000;

  function readChoice() {
    var match = document.cookie.match(/(?:^|;\s*)consent=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function storeChoice(choice) {
    document.cookie =
      "consent=" + encodeURIComponent(choice) + "; Max-Age=" + SIX_MONTHS + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }

  function allows(choice, category) {
    if (choice === "accepted") return true;
    if (!choice || choice.indexOf("custom:") !== 0) return false;
    return choice.slice(7).split(".").indexOf(category) !== -1;
  }

  function activate(choice) {
    var gated = document.querySelectorAll('script[type="text/plain"][data-category]');
    Array.prototype.forEach.call(gated, function (placeholder) {
      if (!allows(choice, placeholder.dataset.category)) return;
      var script = document.createElement("script");
      if (placeholder.dataset.src) {
        script.src = placeholder.dataset.src;
        script.async = false; // keep document order between gated scripts
      } else {
        script.text = placeholder.text;
      }
      placeholder.parentNode.replaceChild(script, placeholder);
    });
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, {detail: detail}));
  }

  function decide(choice, banner) {
    storeChoice(choice);
    banner.remove();
    activate(choice);
    emit("consent:changed", {choice: choice});
  }

  function button(label, role) {
    var element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.dataset.role = role;
    element.className = "consent-button consent-" + role;
    return element;
  }

  var STYLE =
    // No transform here: fixed-position children (a site's overlay) must stay relative to the viewport.
    "#consent-banner{position:fixed;left:0;right:0;bottom:1.5rem;margin:0 auto;z-index:2147483000;" +
    "width:min(44rem,calc(100% - 2rem));box-sizing:border-box;background:#fff;color:#1d1d1f;" +
    "border-radius:10px;box-shadow:0 8px 32px rgba(0,0,0,.28);padding:1.25rem 1.5rem;" +
    "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    "#consent-banner h2{font-size:1.1rem;margin:0 0 .5rem}#consent-banner p{margin:0 0 1rem}" +
    "#consent-banner a{color:#1f3a93;text-decoration:underline}" +
    "#consent-banner .consent-actions{display:flex;flex-wrap:wrap;gap:.75rem}" +
    ".consent-button{flex:1 1 10rem;min-height:2.75rem;padding:.6rem 1rem;border-radius:6px;font:inherit;" +
    "font-weight:600;cursor:pointer;border:2px solid #1f3a93;background:#1f3a93;color:#fff}" +
    ".consent-settings{background:#fff;color:#1f3a93}" +
    "#consent-banner fieldset{border:1px solid #ccd;border-radius:6px;margin:0 0 1rem;padding:.5rem 1rem}" +
    "#consent-banner label{display:block;padding:.25rem 0}";

  function showBanner() {
    if (document.getElementById("consent-banner")) return;
    if (!document.getElementById("consent-banner-style")) {
      var style = document.createElement("style");
      style.id = "consent-banner-style";
      style.textContent = STYLE;
      document.head.appendChild(style);
    }
    var banner = document.createElement("div");
    banner.id = "consent-banner";
    banner.setAttribute("role", "dialog");
    banner.setAttribute("aria-modal", "false");
    banner.setAttribute("aria-labelledby", "consent-banner-title");
    banner.lang = lang;

    var title = document.createElement("h2");
    title.id = "consent-banner-title";
    title.textContent = text.title;
    var message = document.createElement("p");
    message.textContent = text.message;
    if (config.policyUrl) {
      var policy = document.createElement("a");
      policy.href = config.policyUrl;
      policy.textContent = text.policy;
      message.append(" ", policy);
    }
    var actions = document.createElement("div");
    actions.className = "consent-actions";

    var accept = button(text.accept, "accept");
    var reject = button(text.reject, "reject");
    var settings = button(text.settings, "settings");
    accept.addEventListener("click", function () { decide("accepted", banner); });
    reject.addEventListener("click", function () { decide("rejected", banner); });
    settings.addEventListener("click", function () { showSettings(banner, actions); });
    actions.append(accept, reject, settings);
    banner.append(title, message, actions);
    document.body.appendChild(banner);
    emit("consent:banner-shown", {banner: banner});
  }

  function showSettings(banner, actions) {
    if (banner.querySelector("fieldset")) return;
    var fieldset = document.createElement("fieldset");
    CATEGORIES.forEach(function (category) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = category;
      box.checked = false; // nothing pre-ticked
      label.append(box, " " + text[category]);
      fieldset.appendChild(label);
    });
    var save = button(text.save, "save");
    save.addEventListener("click", function () {
      var chosen = CATEGORIES.filter(function (c) { return fieldset.querySelector("[name=" + c + "]").checked; });
      var choice = chosen.length === CATEGORIES.length ? "accepted"
        : chosen.length === 0 ? "rejected" : "custom:" + chosen.join(".");
      decide(choice, banner);
    });
    banner.insertBefore(fieldset, actions);
    actions.appendChild(save);
  }

  function start() {
    var choice = readChoice();
    if (choice) activate(choice);
    else showBanner();
    emit("consent:ready", {choice: choice});
  }

  window.fixtureConsent = {
    choice: readChoice,
    open: showBanner
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
