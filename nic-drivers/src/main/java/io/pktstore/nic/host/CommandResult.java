package io.pktstore.nic.host;

import java.util.List;

/** The outcome of a command run by {@link Commands}: exit code and captured output. */
public final class CommandResult
{
    private final List<String> command;
    private final int exitCode;
    private final String stdout;
    private final String stderr;

    CommandResult(final List<String> command, final int exitCode, final String stdout, final String stderr)
    {
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** @return the command line that ran. */
    public List<String> command()
    {
        return command;
    }

    /** @return the exit code (-1 if it was killed for exceeding its timeout). */
    public int exitCode()
    {
        return exitCode;
    }

    /** @return everything written to standard output. */
    public String stdout()
    {
        return stdout;
    }

    /** @return everything written to standard error. */
    public String stderr()
    {
        return stderr;
    }

    /** @return true if the exit code is 0. */
    public boolean ok()
    {
        return exitCode == 0;
    }

    /**
     * @return this, if the command succeeded.
     * @throws HostSetupException naming the command, exit code and stderr otherwise.
     */
    public CommandResult check()
    {
        if (exitCode != 0)
        {
            throw new HostSetupException("command " + String.join(" ", command) + " failed with exit code " + exitCode +
                ": " + stderr.strip());
        }
        return this;
    }

    @Override
    public String toString()
    {
        return String.join(" ", command) + " -> " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
}
