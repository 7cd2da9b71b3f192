// Lists the visible clickable controls of one document, piercing open shadow roots.
// Returns plain data; each control gets a `data-consent-audit` token so Python can click it.
// Called as a function: (prefix) => [{token, label, tag, kind, width, height, ...}]
(prefix) => {
  const MAX = 400;
  const out = [];
  const clickable = 'button, a[href], a[role], a[onclick], [role="button"], [role="link"], [role="checkbox"], [role="switch"], input[type="button"], input[type="submit"], input[type="checkbox"], [onclick]';
  const bannerWords = /(consent|cookie|gdpr|rgpd|privacy|cmp|didomi|onetrust|optanon|sp_message|usercentrics|cybot|qc-cmp|tarteaucitron|klaro|orejime|cc-window|cc_div|axeptio|banner|bandeau)/i;
  let counter = 0;

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
    for (let node = el; node; node = node.parentElement || (node.getRootNode && node.getRootNode().host)) {
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
  const labelOf = (el) => {
    let t = (el.innerText || el.textContent || '').trim();
    if (!t && el.value && typeof el.value === 'string') t = el.value;
    if (!t) t = el.getAttribute('aria-label') || el.getAttribute('title') || '';
    if (el.tagName === 'INPUT' && el.type === 'checkbox' || el.getAttribute('role') === 'checkbox' || el.getAttribute('role') === 'switch') {
      const lab = el.id && el.getRootNode().querySelector && el.getRootNode().querySelector(`label[for="${CSS.escape(el.id)}"]`);
      const aria = el.getAttribute('aria-label');
      t = (lab && lab.innerText) || aria || (el.closest('label') && el.closest('label').innerText) || t;
    }
    return t.replace(/\s+/g, ' ').trim().slice(0, 200);
  };
  const bannerContext = (el) => {
    for (let node = el; node; node = node.parentElement || (node.getRootNode && node.getRootNode().host)) {
      if (!(node instanceof Element)) break;
      const idc = (node.id || '') + ' ' + (typeof node.className === 'string' ? node.className : '');
      if (bannerWords.test(idc) || bannerWords.test(node.tagName)) return true;
      const role = node.getAttribute('role');
      if (role === 'dialog' || role === 'alertdialog' || node.getAttribute('aria-modal') === 'true') return true;
      const pos = getComputedStyle(node).position;
      if ((pos === 'fixed' || pos === 'sticky') && node !== document.body) return true;
    }
    return false;
  };
  const visit = (root) => {
    let nodes;
    try { nodes = root.querySelectorAll(clickable); } catch (e) { return; }
    for (const el of nodes) {
      if (out.length >= MAX) return;
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      const isCheckbox = (el.tagName === 'INPUT' && el.type === 'checkbox');
      if (!isVisible(el, style, rect) && !isCheckbox) continue;
      const label = labelOf(el);
      if (!label) continue;
      let token = el.getAttribute('data-consent-audit');
      if (!token) { token = prefix + '-' + (counter++); el.setAttribute('data-consent-audit', token); }
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
      const l1 = lum(fg), l2 = lum(bg);
      const contrast = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      let checked = null;
      if (kind === 'checkbox') checked = el.checked === true || el.getAttribute('aria-checked') === 'true';
      out.push({
        token, label, tag, kind,
        width: Math.round(rect.width), height: Math.round(rect.height),
        color: style.color, background: `rgb(${bg.r}, ${bg.g}, ${bg.b})`,
        contrast: Math.round(contrast * 100) / 100,
        font_size: parseFloat(style.fontSize) || null,
        checked, in_banner: bannerContext(el), visible: isVisible(el, style, rect),
        id: el.id || null,
      });
    }
    // Open shadow roots anywhere in this tree.
    const all = root.querySelectorAll('*');
    for (const el of all) {
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(document);
  return out;
}
