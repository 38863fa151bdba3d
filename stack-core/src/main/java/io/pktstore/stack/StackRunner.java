package io.pktstore.stack;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * Ways to run a {@link NetworkStack}: on its own thread with a selectable idle strategy (busy spin
 * for latency, back-off for idle CPU, device wait for both on a quiet link), or driven step by step from the caller's thread, which
 * makes tests deterministic.
 */
public final class StackRunner
{
    private StackRunner()
    {
    }

    /**
     * Starts the stack on a new thread named after its role.
     *
     * @param stack the stack.
     * @param idleStrategy how to wait when a cycle did no work (e.g. {@code config.idleMode().newIdleStrategy()}).
     * @param errorHandler receives exceptions escaping doWork (the runner keeps going).
     * @return the runner; {@code close()} stops the thread and closes the agent.
     */
    public static AgentRunner startOnThread(final NetworkStack stack, final IdleStrategy idleStrategy, final ErrorHandler errorHandler)
    {
        final AgentRunner runner = new AgentRunner(idleStrategy, errorHandler, null, stack);
        AgentRunner.startOnThread(runner);
        return runner;
    }

    /**
     * Starts the stack on a new thread with the idle strategy of its configuration.
     *
     * @param stack the stack.
     * @param errorHandler receives exceptions escaping doWork.
     * @return the runner.
     */
    public static AgentRunner startOnThread(final NetworkStack stack, final ErrorHandler errorHandler)
    {
        return startOnThread(stack, stack.config().idleMode().newIdleStrategy(stack), errorHandler);
    }

    /**
     * An invoker for driving the stack from the caller's thread: call {@code invoke()} for one duty
     * cycle. Already started.
     *
     * @param stack the stack.
     * @param errorHandler receives exceptions escaping doWork.
     * @return the started invoker; {@code close()} closes the agent.
     */
    public static AgentInvoker invoker(final NetworkStack stack, final ErrorHandler errorHandler)
    {
        final AgentInvoker invoker = new AgentInvoker(errorHandler, null, stack);
        invoker.start();
        return invoker;
    }
}
