#!/usr/bin/env bash
# Tags a release of the action. Checks that the working tree is clean, that dist/ is a fresh build
# of src/ and the README matches action.yml, and that CHANGELOG.md has a section for the version;
# then tags vX.Y.Z, moves the major tag (v1 for 1.x) to it, and prints the push commands. It pushes
# nothing.
#
#   scripts/release.sh                  the version in package.json
#   scripts/release.sh 1.2.3            this version (v1.2.3 also accepted)
#   scripts/release.sh --dry-run [...]  check and say what would be tagged, without tagging
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "release: $*" >&2
  exit 1
}

dry_run=false
version=""
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=true ;;
    -h | --help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "unknown option $arg" ;;
    *)
      [ -z "$version" ] || die "give at most one version"
      version="$arg"
      ;;
  esac
done

package_version=$(node -p "require('./package.json').version")
version="${version:-$package_version}"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "\"$version\" is not a version like 1.2.3"
if [ "$version" != "$package_version" ]; then
  echo "release: note: package.json says $package_version; tagging $version as asked" >&2
fi
tag="v$version"
major_number="${version%%.*}"
major="v$major_number"

git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not inside a git work tree"
[ -z "$(git status --porcelain)" ] || die "the working tree is not clean; commit or stash first:
$(git status --short)"
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
  die "tag $tag already exists (at $(git rev-parse --short "$tag^{commit}"))"
fi
grep -Eq "^## \[$version\]" CHANGELOG.md ||
  die "CHANGELOG.md has no '## [$version] - YYYY-MM-DD' section; move the Unreleased entries there first"
branch=$(git symbolic-ref --quiet --short HEAD || echo "(detached HEAD)")
[ "$branch" = main ] || echo "release: note: releasing from $branch, not main" >&2

echo "== dist/ must be a fresh build of src/"
node scripts/check-dist.mjs
echo "== README must match action.yml"
node scripts/docs.mjs --check
[ -z "$(git status --porcelain)" ] || die "the checks changed files; the tree is not what was committed"

commit=$(git rev-parse HEAD)
if $dry_run; then
  moves=""
  [ "$major_number" = 0 ] || moves=" and move $major there"
  echo "Dry run: would tag $tag at $commit$moves."
  exit 0
fi

git tag -a "$tag" -m "$tag" "$commit"
echo "Tagged $tag at $commit."
push_major=""
if [ "$major_number" = 0 ]; then
  echo "0.x releases get no major tag (the examples use v1, which the first 1.x release creates)."
else
  git tag -f "$major" "$commit"
  echo "Moved $major to $commit."
  push_major="git push --force origin refs/tags/$major"
fi

cat <<EOF

Nothing was pushed. To publish:

  git push origin refs/tags/$tag
${push_major:+  $push_major
}
Then create the GitHub release for $tag from its CHANGELOG.md section.
EOF
