/// Decides whether one more command may pass a rate limit.
///
/// The kernel asks it for every command with a limit. ``MemoryRateLimiter`` keeps buckets in
/// this process; a cluster shares nothing here on purpose: per-node limits behind a load
/// balancer that pins connections are what users of Phoenix and Centrifugo expect.
public protocol RateLimiter: Sendable {
    /// Takes a token from the bucket named `key` under `limit`.
    /// - Returns: `nil` when allowed, else the milliseconds until a retry can pass.
    func acquire(_ key: String, limit: RateLimit, nowMs: Int64) -> Int?
}
