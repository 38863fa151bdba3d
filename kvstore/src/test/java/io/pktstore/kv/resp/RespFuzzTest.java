package io.pktstore.kv.resp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pktstore.kv.testing.RespReplyCheck;
import io.pktstore.kv.testing.SessionFuzzRig;

/**
 * Jazzer fuzz test of the RESP front end: arbitrary bytes, cut into records at positions the input
 * chooses, through a {@link RespSession} (see {@link SessionFuzzRig} for the invariants: no exception,
 * no leaked record or buffer, well-formed RESP2 replies). {@code mvn verify} runs it in regression mode
 * over the saved inputs in {@code src/test/resources/io/pktstore/kv/resp/RespFuzzTestInputs/}; fuzzing
 * mode: {@code JAZZER_FUZZ=1} with only this test selected (docs/http-api.md, "Fuzzing").
 */
class RespFuzzTest
{
    private static SessionFuzzRig rig;

    @FuzzTest(maxDuration = "20m")
    void respSession(final byte[] data)
    {
        if (rig == null)
        {
            rig = new SessionFuzzRig(RespSession::new, "SET \"warm\\x20up\" x\r\n", new RespReplyCheck());
        }
        rig.run(data);
    }
}
