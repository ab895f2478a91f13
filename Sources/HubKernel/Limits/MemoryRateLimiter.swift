import Synchronization

/// A ``RateLimiter`` with buckets in memory, swept of full buckets as it grows.
public final class MemoryRateLimiter: RateLimiter {
    private struct State {
        var buckets: [String: (bucket: TokenBucket, limit: RateLimit)] = [:]
        var callsSinceSweep = 0
    }

    private let state = Mutex(State())
    private let sweepEvery: Int

    /// - Parameter sweepEvery: how many acquisitions between sweeps of refilled buckets.
    public init(sweepEvery: Int = 10_000) {
        self.sweepEvery = sweepEvery
    }

    /// Takes one token from `key`'s bucket; `nil` when allowed, else the milliseconds until one is available.
    public func acquire(_ key: String, limit: RateLimit, nowMs: Int64) -> Int? {
        if limit.isOff { return nil }
        return state.withLock { state in
            state.callsSinceSweep += 1
            if state.callsSinceSweep >= sweepEvery {
                state.callsSinceSweep = 0
                state.buckets = state.buckets.filter { !$0.value.bucket.isFull(limit: $0.value.limit, nowMs: nowMs) }
            }
            var entry = state.buckets[key] ?? (TokenBucket(limit: limit, nowMs: nowMs), limit)
            let wait = entry.bucket.take(limit: limit, nowMs: nowMs)
            entry.limit = limit
            state.buckets[key] = entry
            return wait
        }
    }

    /// How many buckets are held (for tests and metrics).
    public var bucketCount: Int { state.withLock { $0.buckets.count } }
}
