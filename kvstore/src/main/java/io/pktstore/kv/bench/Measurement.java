package io.pktstore.kv.bench;

/**
 * One point measured in one round: which system, and what the generator saw.
 *
 * @param round  0-based round of the invocation.
 * @param system the system's name.
 * @param point  the result.
 */
public record Measurement(int round, String system, PointResult point)
{
}
