#!/bin/bash
# Regenerates flyte-package.tgz: what `pyflyte package` (flytekit 1.16, non-fast: the task runs
# `pyflyte-execute … task-module billing`) makes of billing.py. Needs flytekit: `bash /work/shared/tools/flytekit-env.sh`
# and a `pyflyte` on the PATH (wrappers as docs/compatibility.md describes).
set -euo pipefail
cd "$(dirname "$0")"
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
pyflyte --pkgs billing package --image ghcr.io/flyteorg/flytekit:py3.11-1.16.0 --output flyte-package.tgz --force
tar -tzf flyte-package.tgz
