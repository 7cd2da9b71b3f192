// One look at one document (called once per frame, per poll): the visible clickable controls, the
// consent managers whose signature is present, and the banner containers, piercing open shadow roots.
// Each control gets a `data-consent-audit` token (Python clicks `[data-consent-audit="TOKEN"]`); each
// banner container gets a `data-consent-audit-box` token (for its screenshot).
//
// Called as a function: ({prefix, adapters}) => {url, controls, cmps, tcf, boxes, text, errors}
//   adapters: [{id, globals, selectors, cookies, scripts, frames, controls: {role: [css]}, roots: [css]}]
//   controls: [{token, label, tag, kind, width, height, color, background, contrast, font_size, checked,
//               disabled, in_banner, box, cmp, cmp_role, cmp_root, toggle, id}]
//   cmps:     {adapterId: ["global:Didomi", "selector:#didomi-host", ...]}
//   tcf:      the synchronous answer of __tcfapi('ping', 2) in this frame, or null
//   boxes:    {boxToken: {text, width, height, tag, id, cls, role, modal, aria, position}}
//   text:     in a child frame that holds controls, its visible text (else null)
({ prefix, adapters }) => {
  const MAX = 400;
  const out = [];
  const errors = [];
  const clickable = 'button, a[href], a[role], a[onclick], [role="button"], [role="link"], [role="checkbox"], [role="switch"], input[type="button"], input[type="submit"], input[type="checkbox"], [onclick]';
  const bannerWords = /(consent|cookie|gdpr|rgpd|privacy|cmp|didomi|onetrust|optanon|sp_message|usercentrics|cybot|qc-cmp|tarteaucitron|klaro|orejime|cc-window|cc_div|cc-main|axeptio|banner|bandeau)/i;
  let counter = 0;
  let boxCounter = 0;

  // --- every root: the document and each open shadow root, found once -----------------------------
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    let all;
    try { all = roots[i].querySelectorAll('*'); } catch (e) { continue; }
    for (const el of all) if (el.shadowRoot) roots.push(el.shadowRoot);
  }
  const queryAll = (selector) => {
    const found = [];
    for (const root of roots) {
      try { found.push(...root.querySelectorAll(selector)); } catch (e) { errors.push(`bad selector ${selector}: ${e.message}`); return found; }
    }
    return found;
  };
  const parentOf = (node) => node.parentElement || (node.getRootNode && node.getRootNode().host) || null;

  // --- consent-manager signatures ---------------------------------------------------------------------
  const cookieNames = new Set(document.cookie.split(';').map((c) => c.split('=')[0].trim()).filter(Boolean));
  const scriptSrcs = Array.from(document.scripts, (s) => s.src || '').filter(Boolean);
  const lookup = (path) => {
    try {
      let value = window;
      for (const key of path.split('.')) {
        if (value === null || value === undefined) return undefined;
        value = value[key];
      }
      return value;
    } catch (e) { return undefined; }
  };
  const cmps = {};
  const roleOf = new Map();   // element -> [adapterId, role] (first adapter selector that matched)
  const rootOf = [];          // [adapterId, element] containers of a CMP's UI
  for (const a of adapters || []) {
    const signals = [];
    for (const g of a.globals) if (lookup(g) !== undefined) signals.push(`global:${g}`);
    for (const s of a.selectors) if (queryAll(s).length) signals.push(`selector:${s}`);
    for (const c of a.cookies) if (cookieNames.has(c)) signals.push(`cookie:${c}`);
    for (const s of a.scripts) if (scriptSrcs.some((src) => src.includes(s))) signals.push(`script:${s}`);
    for (const f of a.frames) if (location.href.includes(f)) signals.push(`frame:${f}`);
    if (signals.length) cmps[a.id] = signals;
    for (const [role, selectors] of Object.entries(a.controls || {})) {
      for (const s of selectors) for (const el of queryAll(s)) if (!roleOf.has(el)) roleOf.set(el, [a.id, role]);
    }
    for (const s of a.roots || []) for (const el of queryAll(s)) rootOf.push([a.id, el]);
  }
  let tcf = null;
  if (typeof window.__tcfapi === 'function') {
    try {
      window.__tcfapi('ping', 2, (ping) => {
        if (ping && typeof ping === 'object') {
          tcf = { cmpId: ping.cmpId ?? null, cmpVersion: ping.cmpVersion ?? null, cmpStatus: ping.cmpStatus ?? null,
                  displayStatus: ping.displayStatus ?? null, gdprApplies: ping.gdprApplies ?? null, cmpLoaded: ping.cmpLoaded ?? null };
        }
      });
    } catch (e) { errors.push(`__tcfapi ping: ${e.message}`); }
  }
  const cmpRootOf = (el) => {
    for (let node = el; node; node = parentOf(node)) {
      for (const [id, root] of rootOf) if (root === node) return id;
    }
    return null;
  };

  // --- measuring a control ----------------------------------------------------------------------------
  const parseColor = (c) => {
    const m = c && c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const effectiveBackground = (el) => {
    for (let node = el; node; node = parentOf(node)) {
      if (!(node instanceof Element)) break;
      const c = parseColor(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const isVisible = (el, style, rect) => {
    if (rect.width < 2 || rect.height < 2) return false;
    if (style.visibility === 'hidden' || style.display === 'none' || Number(style.opacity) < 0.05) return false;
    if (rect.bottom < 0 || rect.right < 0) return false;
    return true;
  };
  const visibleEl = (el) => el && isVisible(el, getComputedStyle(el), el.getBoundingClientRect());
  const labelOf = (el) => {
    let t = (el.innerText || el.textContent || '').trim();
    if (!t && el.value && typeof el.value === 'string') t = el.value;
    if (!t) t = el.getAttribute('aria-label') || el.getAttribute('title') || '';
    if (el.tagName === 'INPUT' && el.type === 'checkbox' || el.getAttribute('role') === 'checkbox' || el.getAttribute('role') === 'switch') {
      const lab = el.id && el.getRootNode().querySelector && el.getRootNode().querySelector(`label[for="${CSS.escape(el.id)}"]`);
      const aria = el.getAttribute('aria-label');
      const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
      const root = el.getRootNode();
      const named = ids.map((id) => { const n = root.getElementById ? root.getElementById(id) : null; return n ? n.innerText : ''; }).join(' ').trim();
      t = (lab && lab.innerText.trim()) || aria || named || (el.closest('label') && el.closest('label').innerText) || t;
    }
    return t.replace(/\s+/g, ' ').trim().slice(0, 200);
  };
  const tokenOf = (el) => {
    let token = el.getAttribute('data-consent-audit');
    if (!token) { token = prefix + '-' + (counter++); el.setAttribute('data-consent-audit', token); }
    return token;
  };
  // For a checkbox hidden behind a styled switch: the visible element a user clicks to toggle it.
  const toggleOf = (el) => {
    if (visibleEl(el)) return tokenOf(el);
    const root = el.getRootNode();
    const lab = (el.id && root.querySelector && root.querySelector(`label[for="${CSS.escape(el.id)}"]`)) || el.closest('label');
    if (visibleEl(lab)) return tokenOf(lab);
    return null;
  };

  // --- banner containers ------------------------------------------------------------------------------
  const boxes = {};
  const boxToken = new Map();
  const boxOf = (el) => {
    let outermostNamed = null;
    for (let node = parentOf(el); node; node = parentOf(node)) {
      if (!(node instanceof Element) || node === document.body || node === document.documentElement) break;
      const role = node.getAttribute('role');
      const pos = getComputedStyle(node).position;
      if (role === 'dialog' || role === 'alertdialog' || node.getAttribute('aria-modal') === 'true' || pos === 'fixed' || pos === 'sticky') {
        return node;
      }
      const idc = (node.id || '') + ' ' + (typeof node.className === 'string' ? node.className : '');
      if (bannerWords.test(idc)) outermostNamed = node;
    }
    return outermostNamed;
  };
  const boxTokenOf = (box) => {
    if (boxToken.has(box)) return boxToken.get(box);
    let token = box.getAttribute('data-consent-audit-box');
    if (!token) { token = `${prefix}-box${boxCounter++}`; box.setAttribute('data-consent-audit-box', token); }
    boxToken.set(box, token);
    const rect = box.getBoundingClientRect();
    const cls = typeof box.className === 'string' ? box.className.trim().split(/\s+/).slice(0, 3).join('.') : '';
    boxes[token] = {
      text: (box.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 1500),
      width: Math.round(rect.width), height: Math.round(rect.height),
      tag: box.tagName.toLowerCase(), id: box.id || null, cls: cls || null,
      role: box.getAttribute('role'), modal: box.getAttribute('aria-modal') === 'true',
      aria: box.getAttribute('aria-label') || null, position: getComputedStyle(box).position,
    };
    return token;
  };
  // Whether a node or one of its ancestors looks like a banner; memoised per node, so that judging every
  // control of a heavy page costs one look per element, not one per element and ancestor.
  const contextMemo = new Map();
  const looksLikeBanner = (node) => {
    const idc = (node.id || '') + ' ' + (typeof node.className === 'string' ? node.className : '');
    if (bannerWords.test(idc) || bannerWords.test(node.tagName)) return true;
    const role = node.getAttribute('role');
    if (role === 'dialog' || role === 'alertdialog' || node.getAttribute('aria-modal') === 'true') return true;
    const pos = getComputedStyle(node).position;
    return pos === 'fixed' || pos === 'sticky';
  };
  const bannerContext = (el) => {
    const path = [];
    let result = false;
    for (let node = el; node; node = parentOf(node)) {
      // <body> and <html> often carry a CMP's class ("didomi-popup-open"): they say nothing of the control.
      if (!(node instanceof Element) || node === document.body || node === document.documentElement) break;
      if (contextMemo.has(node)) { result = contextMemo.get(node); break; }
      path.push(node);
      if (looksLikeBanner(node)) { result = true; break; }
    }
    for (const node of path) contextMemo.set(node, result);
    return result;
  };

  // --- the controls -----------------------------------------------------------------------------------
  const seen = new Set();
  const candidates = [];
  for (const root of roots) {
    let nodes;
    try { nodes = root.querySelectorAll(clickable); } catch (e) { continue; }
    for (const el of nodes) if (!seen.has(el)) { seen.add(el); candidates.push(el); }
  }
  for (const el of roleOf.keys()) if (!seen.has(el)) { seen.add(el); candidates.push(el); }
  // A heavy page can hold more controls than MAX, and a banner is often appended last: controls of a CMP
  // or in a banner-like container come first, then the rest of the page while room is left.
  const first = [], rest = [];
  for (const el of candidates) (roleOf.has(el) || cmpRootOf(el) || bannerContext(el) ? first : rest).push(el);
  let dropped = 0;
  for (const el of [...first, ...rest]) {
    if (out.length >= MAX) { dropped++; continue; }
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const isCheckbox = (el.tagName === 'INPUT' && el.type === 'checkbox');
    const visible = isVisible(el, style, rect);
    if (!visible && !isCheckbox) continue;
    const label = labelOf(el);
    if (!label) continue;
    const token = tokenOf(el);
    const role = el.getAttribute('role');
    const tag = el.tagName.toLowerCase();
    let kind = 'other';
    if (isCheckbox || role === 'checkbox' || role === 'switch') kind = 'checkbox';
    else if (tag === 'button' || tag === 'input' || role === 'button') kind = 'button';
    else if (tag === 'a' || role === 'link') kind = 'link';
    // A link styled as a button (padding and a background) is a button to the user.
    const bg = effectiveBackground(el);
    const fg = parseColor(style.color) || { r: 0, g: 0, b: 0, a: 1 };
    const own = parseColor(style.backgroundColor);
    if (kind === 'link' && own && own.a > 0.5 && rect.height >= 28) kind = 'button';
    // A "button" with neither a background nor a visible border is plain text to the user: a link.
    const borderColor = parseColor(style.borderTopColor);
    const borderVisible = (parseFloat(style.borderTopWidth) || 0) >= 1 && style.borderTopStyle !== 'none' && borderColor && borderColor.a > 0.1;
    if (kind === 'button' && (!own || own.a <= 0.1) && style.backgroundImage === 'none' && !borderVisible) kind = 'link';
    const l1 = lum(fg), l2 = lum(bg);
    const contrast = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    let checked = null;
    let toggle = null;
    if (kind === 'checkbox') {
      checked = el.checked === true || el.getAttribute('aria-checked') === 'true';
      toggle = toggleOf(el);
    }
    const inBanner = bannerContext(el);
    const box = inBanner ? boxOf(el) : null;
    const cmpRole = roleOf.get(el) || null;
    out.push({
      token, label, tag, kind,
      width: Math.round(rect.width), height: Math.round(rect.height),
      color: style.color, background: `rgb(${bg.r}, ${bg.g}, ${bg.b})`,
      contrast: Math.round(contrast * 100) / 100,
      font_size: parseFloat(style.fontSize) || null,
      checked, toggle,
      disabled: el.disabled === true || el.getAttribute('aria-disabled') === 'true',
      in_banner: inBanner || cmpRole !== null, visible,
      box: box ? boxTokenOf(box) : null,
      cmp: cmpRole ? cmpRole[0] : null, cmp_role: cmpRole ? cmpRole[1] : null,
      cmp_root: cmpRole ? cmpRole[0] : cmpRootOf(el),
      id: el.id || null,
    });
  }
  // A child frame holding controls (a CMP message in an iframe): its whole text is the banner's text.
  const text = out.length && window !== window.top && document.body
    ? (document.body.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 1500) : null;
  if (dropped) errors.push(`scan limit: ${dropped} clickable elements outside any banner-like container not examined (MAX ${MAX})`);
  return { url: location.href, controls: out, cmps, tcf, boxes, text, errors: errors.slice(0, 10) };
}
