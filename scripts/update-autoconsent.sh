#!/usr/bin/env bash
# Refresh the vendored DuckDuckGo autoconsent (MPL-2.0) from the official npm package.
#
#   scripts/update-autoconsent.sh 16.23.0
#
# Packs @duckduckgo/autoconsent@VERSION with npm, checks the tarball's sha512 against the registry's
# dist.integrity, and copies dist/autoconsent.playwright.js, rules/rules.json and LICENSE into
# auditor/browser/vendor/autoconsent/ with a VERSION.json recording version and integrity.
set -euo pipefail

version="${1:?usage: $0 VERSION (an exact version, e.g. 16.23.0)}"
package="@duckduckgo/autoconsent"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/auditor/browser/vendor/autoconsent"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

expected="$(npm view "$package@$version" dist.integrity)"
[ -n "$expected" ] || { echo "no dist.integrity for $package@$version" >&2; exit 1; }
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$expected" ]; then
  echo "integrity mismatch for $package@$version: registry $expected, tarball $actual" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
packed="$(node -p "require('$work/package/package.json').version")"
[ "$packed" = "$version" ] || { echo "packed version $packed is not $version" >&2; exit 1; }

for f in dist/autoconsent.playwright.js rules/rules.json LICENSE; do
  size="$(stat -c %s "$work/package/$f")"
  if [ "$size" -gt 4000000 ]; then
    echo "$f is $size bytes: over the 4 MB limit of a vendored file" >&2
    exit 1
  fi
done
mkdir -p "$dest"
cp "$work/package/dist/autoconsent.playwright.js" "$dest/autoconsent.playwright.js"
cp "$work/package/rules/rules.json" "$dest/rules.json"
cp "$work/package/LICENSE" "$dest/LICENSE"
cat >"$dest/VERSION.json" <<JSON
{
  "package": "$package",
  "version": "$version",
  "integrity": "$expected",
  "tarball": "$(npm view "$package@$version" dist.tarball)",
  "files": ["autoconsent.playwright.js", "rules.json", "LICENSE"]
}
JSON
echo "vendored $package@$version ($expected) into $dest"
