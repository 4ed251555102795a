/*
 * fuzz_ntp.c - libFuzzer target: NTP reply decoding and validation.
 *
 * The first 8 bytes of the input are the nonce the "request" carried, the
 * rest is the datagram; so the fuzzer can reach every check past the
 * origin test. Everything a reply feeds (refid text, KoD code, timestamp
 * conversion, offset/delay) runs on the result.
 *
 *   clang -fsanitize=fuzzer,address -Iinclude tests/fuzz/fuzz_ntp.c \
 *         src/ntp.c src/util.c src/strbuf.c src/clock.c -o fuzz_ntp
 */
#include <stdint.h>
#include <string.h>

#include "ntp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A fixed local time (2026) keeps runs reproducible. */
	const clock_real_ns now = INT64_C(1767225600) * 1000000000;
	struct ntp_packet p;
	uint64_t nonce = 0;
	enum ntp_reject r;
	char refid[16];
	double off, del;

	if (size >= 8) {
		for (int i = 0; i < 8; i++)
			nonce = nonce << 8 | data[i];
		data += 8;
		size -= 8;
	}
	r = ntp_validate(data, size, nonce, &p);
	if (strcmp(ntp_reject_name(r), "unknown") == 0)
		__builtin_trap();
	if (r == NTP_REJECT_SHORT)
		return 0;
	ntp_refid_str(&p, refid);
	if (memchr(refid, 0, sizeof(refid)) == NULL)
		__builtin_trap();
	(void)ntp_kod_desc(ntp_kod_of(&p));
	(void)ntp_root_distance(&p);
	(void)ntp_ts_to_unix_ns(p.transmit_ts, now);
	(void)ntp_ts_to_unix_ns(p.receive_ts, now);
	ntp_offset_delay(now, p.receive_ts, p.transmit_ts, now + 100000, &off, &del);
	if (r == NTP_OK) {
		uint8_t again[NTP_HEADER_LEN];
		struct ntp_packet q;

		/* A valid reply re-encodes to the same 48 bytes. */
		ntp_encode(&p, again);
		if (memcmp(again, data, NTP_HEADER_LEN) || ntp_decode(again, sizeof(again), &q))
			__builtin_trap();
	}
	return 0;
}
