#!/bin/sh
# Kernel launcher named by the "tls-by-hand" kernelspec (written by tools/setup.mjs).
# Jupyter starts a kernel in the notebook's own folder, but tslab can only import files under its
# working directory, so notebooks/x.ipynb could not `import ... from "./chapters/..."`. We therefore
# run tslab from the repository root: the nearest folder upwards whose package.json is ours. Walking
# up from the notebook (rather than using this script's location) matters for tests, which execute
# notebooks in scratch copies of the repo and must import THAT copy's files.
# Usage: kernel.sh CONNECTION_FILE

script_root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P) || exit 1

root=
dir=$(pwd -P)  # -P: $PWD may be inherited, stale, from the Jupyter server
while :; do
  if [ -f "$dir/package.json" ] && grep -q '"name"[[:space:]]*:[[:space:]]*"tls-by-hand"' "$dir/package.json"; then
    root=$dir
    break
  fi
  [ "$dir" = / ] && break
  dir=$(dirname -- "$dir")
done
[ -n "$root" ] || root=$script_root  # notebook opened from elsewhere: use the repo holding this script

tslab=$root/node_modules/tslab/bin/tslab
[ -f "$tslab" ] || tslab=$script_root/node_modules/tslab/bin/tslab

if ! command -v node >/dev/null 2>&1; then
  echo "tls-by-hand kernel: 'node' is not on PATH (start JupyterLab with \`npm start\`)." >&2
  exit 1
fi

cd "$root" || exit 1
# tools/tslab-kernel.cjs trims what tslab compiles and type-checks that no cell needs (see the file).
patch=$root/tools/tslab-kernel.cjs
[ -f "$patch" ] || patch=$script_root/tools/tslab-kernel.cjs
export TLS_BY_HAND_TSLAB_DIR="$(dirname -- "$(dirname -- "$tslab")")"
# exec, so Jupyter's interrupt (SIGINT) and shutdown signals reach tslab itself.
# From the start-up snapshot that `npm install` made for this Node (tools/kernel-snapshot.cjs: TypeScript already
# loaded, the declaration files already parsed), if there is one; TLS_BY_HAND_KERNEL_SNAPSHOT=0 starts without it.
blob=$root/node_modules/.cache/tls-by-hand/kernel-$(node --version).blob
if [ "${TLS_BY_HAND_KERNEL_SNAPSHOT:-1}" != 0 ] && [ -f "$blob" ]; then
  export TLS_BY_HAND_KERNEL_PATCH="$patch"
  exec node --snapshot-blob "$blob" "$tslab" kernel --config-path "$1"
fi
exec node --require "$patch" "$tslab" kernel --config-path "$1"
