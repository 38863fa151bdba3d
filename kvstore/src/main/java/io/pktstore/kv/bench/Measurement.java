package io.pktstore.kv.bench;

/**
 * One point measured in one round: which system, and what the generator saw.
 *
 * @param round  0-based round of the invocation.
 * @param system the system's name.
 * @param point  the result.
 * @param nodeWriteP50Us median time a write spent inside the node over the system's whole round (all
 *               its points and warm-ups), us; NaN where not measured (see
 *               {@link BenchSystem.Running#nodeWriteMicrosP50()}).
 */
public record Measurement(int round, String system, PointResult point, double nodeWriteP50Us)
{
}
