/*
 * testutil.h - helpers shared by the unit tests: fixture paths, temporary
 * directories, reading files.
 */
#ifndef HV_TESTUTIL_H
#define HV_TESTUTIL_H

#include "strbuf.h"

/* Absolute path of tests/fixtures/<rel> (found from the source tree). */
const char *testutil_fixture(const char *rel);
/* Creates a fresh temporary directory; returns its path (static storage
 * per call index is not kept: copy it). Aborts the test on failure. */
char *testutil_mkdtemp(void);
/* rm -rf of a temporary directory made by testutil_mkdtemp. */
void testutil_rmtree(const char *dir);
/* Writes data to path (creating parent directories). */
void testutil_write(const char *path, const char *data, size_t len);
/* Reads a whole file; aborts on failure. */
void testutil_read(const char *path, struct strbuf *out);

#endif
