package io.pktstore.kv.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pktstore.kv.testing.HttpResponseCheck;
import io.pktstore.kv.testing.SessionFuzzRig;

/**
 * Jazzer fuzz test of the HTTP front end: arbitrary bytes, cut into records at positions the input
 * chooses, through an {@link HttpSession} (see {@link SessionFuzzRig} for the invariants: no exception,
 * no leaked record or buffer, well-formed responses). {@code mvn verify} runs it in regression mode over
 * the saved inputs in {@code src/test/resources/io/pktstore/kv/http/HttpFuzzTestInputs/}; fuzzing mode:
 * {@code JAZZER_FUZZ=1} with only this test selected (docs/http-api.md, "Fuzzing").
 */
class HttpFuzzTest
{
    private static SessionFuzzRig rig;

    @FuzzTest(maxDuration = "20m")
    void httpSession(final byte[] data)
    {
        if (rig == null)
        {
            rig = new SessionFuzzRig(HttpSession::new,
                "PUT /kv/warm%20up HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx", new HttpResponseCheck());
        }
        rig.run(data);
    }
}
