// Reads what a consent manager's own configuration declares, in the page (main frame).
// Returns plain data only: {cmp, services: [{name, title, purpose, cookies: [{name, regex, domain, lifetime}],
// domains}], tcf_vendors: [{id, name}] | null, errors: [...]}. Never throws; never changes the page.
async () => {
  const out = { cmp: null, services: [], tcf_vendors: null, errors: [] };
  const cookie = (c) => {
    if (c instanceof RegExp) return { name: c.source, regex: true };
    if (Array.isArray(c)) {  // Klaro: [name-or-regex, path, domain]
      const first = cookie(c[0]);
      return first ? Object.assign(first, { domain: typeof c[2] === "string" ? c[2] : null }) : null;
    }
    if (typeof c === "string" && c) return { name: c, regex: false };
    if (c && typeof c === "object" && (c.name || c.Name)) {
      const inner = cookie(c.name || c.Name);
      if (inner) {
        inner.domain = c.domain || c.Host || null;
        inner.lifetime = c.Length !== undefined ? (c.IsSession ? "session" : String(c.Length) + " days")
          : (c.expiration || c.duration || c.desc_lifetime || null);
        inner.purpose = c.desc || c.description || c.Description || null;
      }
      return inner;
    }
    return null;
  };
  const cookies = (list) => (Array.isArray(list) ? list.map(cookie).filter(Boolean) : []);
  const guard = (name, fn) => { try { fn(); } catch (e) { out.errors.push(name + ": " + String(e && e.message || e)); } };

  guard("tarteaucitron", () => {
    const t = window.tarteaucitron;
    if (!t || !t.services) return;
    out.cmp = "tarteaucitron";
    if (t.parameters && typeof t.parameters.privacyUrl === "string" && t.parameters.privacyUrl) {
      out.policy_url = t.parameters.privacyUrl;
    }
    const jobs = Array.isArray(t.job) ? t.job : [];
    for (const key of jobs) {
      const s = t.services[key];
      if (!s) { out.errors.push("tarteaucitron: service " + key + " is not defined"); continue; }
      out.services.push({ name: s.key || key, title: s.name || key, purpose: s.type || null,
                          cookies: cookies(s.cookies), domains: [] });
    }
  });
  guard("klaro", () => {
    const k = window.klaroConfig || (window.klaro && window.klaro.getManager && window.klaro.getManager().config);
    if (!k || out.cmp) return;
    out.cmp = "klaro";
    const tr = k.translations || {};
    for (const lang of Object.keys(tr)) {
      const url = tr[lang] && (tr[lang].privacyPolicyUrl || (tr[lang].privacyPolicy && tr[lang].privacyPolicy.url));
      if (typeof url === "string" && url) { out.policy_url = url; break; }
    }
    for (const s of (k.services || k.apps || [])) {
      out.services.push({ name: s.name, title: s.title || s.name, purpose: (s.purposes || []).join(", ") || null,
                          cookies: cookies(s.cookies), domains: [] });
    }
  });
  guard("orejime", () => {
    const o = window.orejimeConfig;
    if (!o || out.cmp) return;
    out.cmp = "orejime";
    if (typeof o.privacyPolicyUrl === "string" || typeof o.privacyPolicy === "string") {
      out.policy_url = o.privacyPolicyUrl || o.privacyPolicy;
    }
    const walk = (items, parent) => {
      for (const p of (items || [])) {
        if (p.purposes) { walk(p.purposes, p.title || p.id); continue; }
        out.services.push({ name: p.id || p.name, title: p.title || p.id || p.name,
                            purpose: p.title || parent || null, cookies: cookies(p.cookies), domains: [] });
      }
    };
    walk(o.purposes || o.apps, null);
  });
  guard("vanilla-cookieconsent", () => {
    const cc = window.CookieConsent;
    if (!cc || typeof cc.getConfig !== "function" || out.cmp) return;
    const config = cc.getConfig();
    if (!config || !config.categories) return;
    out.cmp = "vanilla-cookieconsent";
    const tables = {};
    const translations = (config.language && config.language.translations) || {};
    const lang = (config.language && config.language.default) || Object.keys(translations)[0];
    const t = translations[lang];
    const sections = (t && typeof t === "object" && t.preferencesModal && t.preferencesModal.sections) || [];
    for (const s of sections) {
      if (s.linkedCategory) tables[s.linkedCategory] = { title: s.title, table: s.cookieTable || null };
    }
    for (const [name, cat] of Object.entries(config.categories)) {
      const rows = [];
      const table = tables[name] && tables[name].table;
      if (table && Array.isArray(table.body)) {
        for (const row of table.body) rows.push(cookie({ name: row.name, domain: row.domain,
          expiration: row.expiration || row.duration || null, desc: row.desc || row.description || null }));
      }
      const cleared = (cat.autoClear && cat.autoClear.cookies) || [];
      for (const c of cleared) rows.push(cookie(c));
      out.services.push({ name, title: (tables[name] && tables[name].title) || name,
                          purpose: cat.readOnly ? "necessary " + name : name, cookies: rows.filter(Boolean),
                          domains: [] });
    }
  });
  guard("onetrust", () => {
    const ot = window.OneTrust;
    if (!ot || typeof ot.GetDomainData !== "function" || out.cmp) return;
    const data = ot.GetDomainData();
    out.cmp = "onetrust";
    for (const g of (data && data.Groups) || []) {
      const rows = cookies(g.FirstPartyCookies || g.Cookies);
      const domains = [];
      for (const h of g.Hosts || []) { domains.push(h.HostName); rows.push(...cookies(h.Cookies)); }
      out.services.push({ name: g.OptanonGroupId || g.CustomGroupId || g.GroupName, title: g.GroupName,
                          purpose: g.GroupName, cookies: rows, domains });
    }
  });
  guard("tcf", () => {
    if (typeof window.__tcfapi !== "function") return;
    out.tcf_pending = true;
  });
  if (out.tcf_pending) {
    delete out.tcf_pending;
    // TCF v2.0 CMPs answer getVendorList; v2.2 removed it: then the declared vendors stay unreadable.
    const list = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), 1500);
      try {
        window.__tcfapi("getVendorList", 2, (gvl, ok) => { clearTimeout(timer); resolve(ok ? gvl : null); });
      } catch (e) { clearTimeout(timer); resolve(null); }
    });
    if (list && list.vendors) {
      out.tcf_vendors = Object.values(list.vendors).map((v) => ({ id: v.id, name: v.name }));
    } else {
      out.errors.push("tcf: the CMP did not answer __tcfapi('getVendorList')");
    }
  }
  return out;
}
