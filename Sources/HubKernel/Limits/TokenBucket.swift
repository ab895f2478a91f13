/// One token bucket: the state behind a ``RateLimit`` for one scope key.
///
/// Tokens are fractional so slow refill rates (10 per minute) are exact enough; the bucket
/// starts full.
public struct TokenBucket: Sendable {
    /// Tokens available now (≤ burst).
    public private(set) var tokens: Double
    /// When ``tokens`` was last brought up to date, in ms.
    public private(set) var updatedAtMs: Int64

    /// A full bucket for `limit`, as of `nowMs`.
    public init(limit: RateLimit, nowMs: Int64) {
        tokens = Double(limit.burst)
        updatedAtMs = nowMs
    }

    /// Takes one token, or says how long until one is back.
    /// - Returns: `nil` when the command may pass, else the milliseconds to wait (≥ 1).
    public mutating func take(limit: RateLimit, nowMs: Int64) -> Int? {
        let ratePerMs = Double(limit.count) / Double(limit.periodMs)
        let elapsed = max(0, nowMs - updatedAtMs)
        tokens = min(Double(limit.burst), tokens + Double(elapsed) * ratePerMs)
        updatedAtMs = max(updatedAtMs, nowMs)
        // the tolerance absorbs rounding in `tokens`: a client that waited exactly the
        // `retryAfterMs` it was told must pass, not be told to wait 1 ms more
        if tokens >= 1 - Self.tolerance {
            tokens = max(0, tokens - 1)
            return nil
        }
        let wait = ((1 - tokens) / ratePerMs).rounded(.up)
        return max(1, Int(wait))
    }

    /// How far below one token still counts as one (floating-point rounding, not a real debt).
    static let tolerance = 1e-9

    /// Whether the bucket has refilled completely, so forgetting it changes nothing.
    public func isFull(limit: RateLimit, nowMs: Int64) -> Bool {
        let ratePerMs = Double(limit.count) / Double(limit.periodMs)
        return tokens + Double(max(0, nowMs - updatedAtMs)) * ratePerMs >= Double(limit.burst)
    }
}
