package io.pktstore.nic.host;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.*;

/** The harness's command runner must return at its time limit whatever the command left running. */
class CommandsTest
{
    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    void aTimedOutCommandWhoseChildHoldsItsOutputStillReturnsAtTheLimit()
    {
        // The shell's background child inherits stdout/stderr: killing only the shell left the pipes
        // open and run() waiting for the child (here 30 s, past this test's limit) to end.
        final CommandResult r = Commands.run(List.of("sh", "-c", "echo started; sleep 30 & sleep 30"), 300);
        assertEquals(-1, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("started"), r.toString());
        assertTrue(r.stderr().contains("killed after 300 ms"), r.toString());
    }
}
