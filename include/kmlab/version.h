/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * kmlab's release: the tool's --version, the data plane's MODULE_VERSION
 * and its DKMS package version (make install reads it from here).
 */
#ifndef KMLAB_VERSION_H
#define KMLAB_VERSION_H

#define KMLAB_VERSION "0.1"

#endif /* KMLAB_VERSION_H */
