# Sourced by the tools' scripts: sets NB to ../shared/bench/natsbench beside the checkout, where
# the benchmark lives, also from a git worktree one level deeper (/work/wt/<name>), or to $NATSBENCH.
_nb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NB="${NATSBENCH:-}"
for _nb_dir in "$_nb_root/../shared/bench" "$_nb_root/../../shared/bench"; do
  [ -n "$NB" ] || { [ -x "$_nb_dir/natsbench" ] && NB="$_nb_dir/natsbench"; }
done
[ -n "$NB" ] || { echo "natsbench not found in ../shared/bench beside the checkout (build it there with make, or set NATSBENCH)" >&2; exit 2; }
unset _nb_root _nb_dir
