/// One token bucket: the state behind a ``RateLimit`` for one scope key.
///
/// Tokens are fractional so slow refill rates (10 per minute) are exact enough; the bucket
/// starts full.
public struct TokenBucket: Sendable {
    /// Tokens available now (≤ burst).
    public private(set) var tokens: Double
    /// When ``tokens`` was last brought up to date, in ms.
    public private(set) var updatedAtMs: Int64

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
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        let wait = ((1 - tokens) / ratePerMs).rounded(.up)
        return max(1, Int(wait))
    }

    /// Whether the bucket has refilled completely, so forgetting it changes nothing.
    public func isFull(limit: RateLimit, nowMs: Int64) -> Bool {
        let ratePerMs = Double(limit.count) / Double(limit.periodMs)
        return tokens + Double(max(0, nowMs - updatedAtMs)) * ratePerMs >= Double(limit.burst)
    }
}
