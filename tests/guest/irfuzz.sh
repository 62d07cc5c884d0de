# SPDX-License-Identifier: GPL-2.0
# No plan, however malformed, crashes or wedges the guest: throw random
# and mutated IR blobs at /dev/kmlab (build/irfuzz, tests/guest/irfuzz.c),
# then check the module still unloads and the kernel logged no oops.
# The lab fails the run on any oops, WARN or hang as well.  busybox sh, TAP.
insmod "${KMLAB_KO_DIR:-module}/kmlab_dp.ko" || { echo "not ok 1 - insmod kmlab_dp.ko"; exit 1; }
build/irfuzz -n "${IRFUZZ_CASES:-20000}" -t "${IRFUZZ_SECONDS:-45}" -u kmlab_dp
