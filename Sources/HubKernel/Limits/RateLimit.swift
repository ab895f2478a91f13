/// A command's rate limit: a token bucket of `burst` tokens refilled at `count` per `period`,
/// kept per connection, per user or per client IP.
///
/// With `RateLimit(10, per: .seconds(60), burst: 5)` five commands pass at once and the sixth
/// is `rate_limited` with `retryAfterMs` set to the time until one token is back.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Whose commands share a bucket.
    public enum Scope: String, Sendable, Hashable {
        case connection, user, ip
    }

    /// Tokens added per ``period``; `0` with ``isOff`` means unlimited.
    public var count: Int
    /// The refill period.
    public var period: Duration
    /// The bucket's capacity: how many commands may pass at once.
    public var burst: Int
    /// Whose commands share a bucket.
    public var scope: Scope
    /// No limit at all (set by configuration, e.g. for load tests).
    public var isOff: Bool

    /// A limit of `count` per `period`; without `burst`, the burst equals `count`.
    public init(_ count: Int, per period: Duration, burst: Int? = nil, scope: Scope = .user) {
        self.count = max(count, 1)
        self.period = period
        self.burst = max(burst ?? count, 1)
        self.scope = scope
        self.isOff = false
    }

    /// No limit.
    public static func off(scope: Scope = .user) -> RateLimit {
        var limit = RateLimit(1, per: .seconds(1), scope: scope)
        limit.isOff = true
        return limit
    }

    /// Milliseconds per period.
    public var periodMs: Int64 {
        let (seconds, attoseconds) = period.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    public var description: String {
        isOff ? "off" : "\(count)/\(Self.format(periodMs))" + (burst != count ? ":\(burst)" : "") + " per \(scope.rawValue)"
    }

    /// The override syntax: `COUNT/PERIOD[:BURST]` or `off`, e.g. `100000/1s`, `10/60s:5`.
    /// PERIOD is an integer with `ms`, `s`, `m` or `h`. The scope stays the handler's own.
    public static func parse(_ text: String, scope: Scope) -> RateLimit? {
        let text = text.trimmingPrefix(" ")
        if text.lowercased() == "off" { return .off(scope: scope) }
        let slash = text.split(separator: "/", maxSplits: 1)
        guard slash.count == 2, let count = Int(slash[0]), count > 0 else { return nil }
        let rest = slash[1].split(separator: ":", maxSplits: 1)
        guard let periodMs = parsePeriod(String(rest[0])), periodMs > 0 else { return nil }
        var burst: Int?
        if rest.count == 2 {
            guard let value = Int(rest[1]), value > 0 else { return nil }
            burst = value
        }
        return RateLimit(count, per: .milliseconds(periodMs), burst: burst, scope: scope)
    }

    private static func parsePeriod(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Int64(text.dropLast(suffix.count)) else { continue }
            return value * factor
        }
        return nil
    }

    private static func format(_ ms: Int64) -> String {
        ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}
