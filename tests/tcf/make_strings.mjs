// Build TC strings with the IAB's official encoder (@iabtechlabtcf/core) for tests/test_tcf.py.
//
// stdin:  a JSON array of specs (every key optional):
//   {cmpId, cmpVersion, consentScreen, language, vendorListVersion, tcfPolicyVersion,
//    isServiceSpecific, useNonStandardTexts, purposeOneTreatment, publisherCountryCode,
//    created, lastUpdated (epoch milliseconds),
//    purposeConsents, purposeLegitimateInterests, specialFeatureOptins,
//    vendorConsents, vendorLegitimateInterests, vendorsDisclosed, vendorsAllowed   (arrays of ids),
//    publisherRestrictions: [{purpose, type, vendors: [ids]}],
//    publisherConsents, publisherLegitimateInterests, numCustomPurposes,
//    publisherCustomConsents, publisherCustomLegitimateInterests,
//    segments: ["core", "vendorsDisclosed", "vendorsAllowed", "publisherTC"] (default: the library's choice),
//    isForVendors, supportOOB}
// stdout: a JSON array, one entry per spec, in order:
//   {"tcString": "...", "decoded": {...the official decoder's reading of it...}}  or  {"error": "..."}
//
// No network: the Global Vendor List is a small synthetic one holding exactly the vendor ids the spec
// mentions, each declaring consent purposes 1-11, legitimate-interest and flexible purposes 2-11 and one
// special purpose, so the encoder's semantic pass keeps every signal the spec sets (except what TCF 2.2
// forbids: legitimate interest for purposes 1, 3, 4, 5 and 6).
import { GVL, PurposeRestriction, TCModel, TCString } from '@iabtechlabtcf/core';

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const named = (ids) => Object.fromEntries(ids.map((id) => [String(id), { id, name: `Item ${id}`, description: '' }]));

function syntheticGvl(spec) {
  const ids = new Set([
    ...(spec.vendorConsents ?? []),
    ...(spec.vendorLegitimateInterests ?? []),
    ...(spec.vendorsDisclosed ?? []),
    ...(spec.vendorsAllowed ?? []),
    ...(spec.publisherRestrictions ?? []).flatMap((r) => r.vendors),
  ]);
  const vendors = {};
  for (const id of ids) {
    vendors[String(id)] = {
      id,
      name: `Vendor ${id}`,
      purposes: range(1, 11),
      legIntPurposes: range(2, 11),
      flexiblePurposes: range(2, 11),
      specialPurposes: [1],
      features: [1],
      specialFeatures: [1, 2],
      policyUrl: `https://vendor${id}.example/privacy`,
      cookieMaxAgeSeconds: 86400,
      usesCookies: true,
      cookieRefresh: false,
      usesNonCookieAccess: false,
    };
  }
  const list = {
    gvlSpecificationVersion: 3,
    vendorListVersion: spec.vendorListVersion ?? 150,
    tcfPolicyVersion: spec.tcfPolicyVersion ?? 5,
    lastUpdated: '2024-06-01T00:00:00Z',
    purposes: named(range(1, 11)),
    specialPurposes: named([1, 2, 3]),
    features: named([1, 2, 3]),
    specialFeatures: named([1, 2]),
    stacks: {},
    dataCategories: {},
    vendors,
  };
  return new GVL(list, spec.language ? { language: spec.language } : undefined);
}

function encode(spec) {
  const model = new TCModel(syntheticGvl(spec));
  if (spec.cmpId !== undefined) model.cmpId = spec.cmpId;
  if (spec.cmpVersion !== undefined) model.cmpVersion = spec.cmpVersion;
  if (spec.consentScreen !== undefined) model.consentScreen = spec.consentScreen;
  model.isServiceSpecific = spec.isServiceSpecific ?? false;
  model.useNonStandardTexts = spec.useNonStandardTexts ?? false;
  model.purposeOneTreatment = spec.purposeOneTreatment ?? false;
  model.supportOOB = spec.supportOOB ?? false;
  if (spec.publisherCountryCode) model.publisherCountryCode = spec.publisherCountryCode;
  if (spec.created !== undefined) model.created = new Date(spec.created);
  if (spec.lastUpdated !== undefined) model.lastUpdated = new Date(spec.lastUpdated);
  model.purposeConsents.set(spec.purposeConsents ?? []);
  model.purposeLegitimateInterests.set(spec.purposeLegitimateInterests ?? []);
  model.specialFeatureOptins.set(spec.specialFeatureOptins ?? []);
  model.vendorConsents.set(spec.vendorConsents ?? []);
  model.vendorLegitimateInterests.set(spec.vendorLegitimateInterests ?? []);
  model.vendorsDisclosed.set(spec.vendorsDisclosed ?? []);
  model.vendorsAllowed.set(spec.vendorsAllowed ?? []);
  for (const r of spec.publisherRestrictions ?? []) {
    const restriction = new PurposeRestriction(r.purpose, r.type);
    for (const v of r.vendors) model.publisherRestrictions.add(v, restriction);
  }
  model.publisherConsents.set(spec.publisherConsents ?? []);
  model.publisherLegitimateInterests.set(spec.publisherLegitimateInterests ?? []);
  if (spec.numCustomPurposes !== undefined) model.numCustomPurposes = spec.numCustomPurposes;
  model.publisherCustomConsents.set(spec.publisherCustomConsents ?? []);
  model.publisherCustomLegitimateInterests.set(spec.publisherCustomLegitimateInterests ?? []);
  const options = {};
  if (spec.segments) options.segments = spec.segments;
  if (spec.isForVendors) options.isForVendors = true;
  return TCString.encode(model, options);
}

const ids = (vector) => {
  const out = [];
  vector.forEach((value, id) => {
    if (value) out.push(id);
  });
  return out.sort((a, b) => a - b);
};

// What the official decoder reads back: the cross-check for the Python decoder.
function officialDecode(tcString) {
  const m = TCString.decode(tcString);
  const restrictions = [];
  for (const pr of m.publisherRestrictions.getRestrictions()) {
    restrictions.push({
      purpose: pr.purposeId,
      type: pr.restrictionType,
      vendors: m.publisherRestrictions.getVendors(pr).sort((a, b) => a - b),
    });
  }
  return {
    version: m.version,
    created: m.created.getTime(),
    lastUpdated: m.lastUpdated.getTime(),
    cmpId: m.cmpId,
    cmpVersion: m.cmpVersion,
    consentScreen: m.consentScreen,
    consentLanguage: m.consentLanguage,
    vendorListVersion: m.vendorListVersion,
    policyVersion: m.policyVersion,
    isServiceSpecific: m.isServiceSpecific,
    useNonStandardTexts: m.useNonStandardTexts,
    specialFeatureOptins: ids(m.specialFeatureOptins),
    purposeConsents: ids(m.purposeConsents),
    purposeLegitimateInterests: ids(m.purposeLegitimateInterests),
    purposeOneTreatment: m.purposeOneTreatment,
    publisherCountryCode: m.publisherCountryCode,
    vendorConsents: ids(m.vendorConsents),
    vendorConsentsMaxId: m.vendorConsents.maxId,
    vendorLegitimateInterests: ids(m.vendorLegitimateInterests),
    publisherRestrictions: restrictions,
    vendorsDisclosed: ids(m.vendorsDisclosed),
    vendorsAllowed: ids(m.vendorsAllowed),
    publisherConsents: ids(m.publisherConsents),
    publisherLegitimateInterests: ids(m.publisherLegitimateInterests),
    numCustomPurposes: m.numCustomPurposes,
    publisherCustomConsents: ids(m.publisherCustomConsents),
    publisherCustomLegitimateInterests: ids(m.publisherCustomLegitimateInterests),
  };
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const specs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = specs.map((spec) => {
  try {
    const tcString = encode(spec);
    return { tcString, decoded: officialDecode(tcString) };
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
});
process.stdout.write(JSON.stringify(results));
