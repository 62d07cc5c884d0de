// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --hide-pointers: an address becomes a pseudonym that says nothing of
 * it, the same one each time within a run (an object's story still
 * reads), another one for another address or another run.
 */
#include <string.h>
#include "kptr.h"
#include "tap.h"

int main(void)
{
	char a[KPTR_LEN], b[KPTR_LEN], c[KPTR_LEN], d[KPTR_LEN];

	TAP_OK(!strcmp(kptr(0xffff888001234560ULL, a, sizeof(a)), "0xffff888001234560"),
	       "shown as it is by default");
	kptr_hide(42);
	kptr(0xffff888001234560ULL, a, sizeof(a));
	kptr(0xffff888001234560ULL, b, sizeof(b));
	kptr(0xffff888001234568ULL, c, sizeof(c));
	TAP_OK(!strncmp(a, "ptr-", 4) && strlen(a) == 16 && !strstr(a, "8880"),
	       "hidden: ptr- and 12 hex digits, no part of the address");
	TAP_OK(!strcmp(a, b), "the same address, the same name");
	TAP_OK(strcmp(a, c), "the next object's address (8 bytes on), another name");
	TAP_OK(!strcmp(kptr(0x10, d, sizeof(d)), "0x10") && !strcmp(kptr(0, d, sizeof(d)), "0x0"),
	       "NULL and ZERO_SIZE_PTR are not addresses: shown as they are");
	kptr_hide(43);
	TAP_OK(strcmp(kptr(0xffff888001234560ULL, d, sizeof(d)), a), "another run's key, another name");
	return tap_done();
}
