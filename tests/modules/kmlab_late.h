/* SPDX-License-Identifier: GPL-2.0 */
/* What kmlab_late exports to kmlab_tenant (mode=free_again, take=ADDR). */
#ifndef KMLAB_LATE_H
#define KMLAB_LATE_H

/* free_again's second free, right after the slot's next tenant freed it */
void kmlab_late_free_again(void);

#endif /* KMLAB_LATE_H */
