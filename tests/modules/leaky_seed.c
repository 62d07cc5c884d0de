// SPDX-License-Identifier: GPL-2.0
/* seed.c for kmlab_leaky.ko: Kbuild defines KMLAB_LEAKY for this file. */
#include "seed.c"
